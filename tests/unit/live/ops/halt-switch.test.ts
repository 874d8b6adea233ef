import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualTimers } from '../../../../live/clock.js';
import { haltFileMode, HaltSwitch } from '../../../../live/ops/halt-switch.js';
import type { HaltRequest } from '../../../../live/ops/halt-switch.js';

let dir = '';
let switches: HaltSwitch[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tapedeck-halt-'));
  switches = [];
});

afterEach(() => {
  for (const s of switches) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function make(options: { file?: string; signals?: boolean; pollMs?: number } = {}): { sw: HaltSwitch; calls: HaltRequest[]; timers: ManualTimers } {
  const calls: HaltRequest[] = [];
  const timers = new ManualTimers(0);
  const sw = new HaltSwitch({ onHalt: (r) => calls.push(r), timers, signals: options.signals ?? false, ...options }).start();
  switches.push(sw);
  return { sw, calls, timers };
}

const emit = (signal: NodeJS.Signals): boolean => process.emit(signal as 'SIGUSR1');

describe('HaltSwitch', () => {
  it('halts once when the file appears, with the mode its content names, at the next poll', () => {
    const file = join(dir, 'halt');
    const { calls, timers } = make({ file });
    timers.advance(1000);
    expect(calls).toEqual([]);
    writeFileSync(file, 'flatten\n');
    timers.advance(499);
    expect(calls).toEqual([]);
    timers.advance(1);
    expect(calls).toEqual([{ mode: 'flatten', reason: `halt file ${file} found`, source: 'file' }]);
    timers.advance(5000);
    expect(calls).toHaveLength(1);
    // A flatten halt is final: nothing polls any more.
    expect(timers.armed).toBe(0);
  });

  it('an empty halt file halts cancel-only, once, and keeps watching so `flatten` written later upgrades it', () => {
    const file = join(dir, 'halt');
    writeFileSync(file, '');
    const { sw, calls, timers } = make({ file, pollMs: 100 });
    // Present at the start: halted at once.
    expect(calls).toEqual([{ mode: 'cancel', reason: `halt file ${file} found`, source: 'file' }]);
    timers.advance(1000);
    expect(calls).toHaveLength(1);
    writeFileSync(file, 'FLATTEN');
    timers.advance(100);
    expect(calls.map((c) => c.mode)).toEqual(['cancel', 'flatten']);
    expect(sw.mode).toBe('flatten');
    timers.advance(1000);
    expect(calls).toHaveLength(2);
  });

  it('reads content it does not understand as cancel-only and says so', () => {
    expect(haltFileMode(' cancel\n')).toEqual({ mode: 'cancel', note: '' });
    expect(haltFileMode('Flatten\n')).toEqual({ mode: 'flatten', note: '' });
    expect(haltFileMode('stop now')).toEqual({ mode: 'cancel', note: " (content 'stop now' is neither 'flatten' nor 'cancel': cancel-only)" });
  });

  it('SIGUSR1 halts cancel-only, SIGUSR2 upgrades to flatten, and nothing repeats', () => {
    const { calls } = make({ signals: true });
    emit('SIGUSR1');
    emit('SIGUSR1');
    expect(calls).toEqual([{ mode: 'cancel', reason: 'SIGUSR1 received', source: 'signal' }]);
    emit('SIGUSR2');
    emit('SIGUSR2');
    emit('SIGUSR1');
    expect(calls).toEqual([
      { mode: 'cancel', reason: 'SIGUSR1 received', source: 'signal' },
      { mode: 'flatten', reason: 'SIGUSR2 received', source: 'signal' },
    ]);
  });

  it('a flatten halt is never downgraded or repeated; trigger() says whether it acted', () => {
    const { sw, calls } = make();
    expect(sw.mode).toBeNull();
    expect(sw.trigger('flatten', 'risk limit: daily loss')).toBe(true);
    expect(sw.trigger('cancel', 'again')).toBe(false);
    expect(sw.trigger('flatten', 'again')).toBe(false);
    expect(calls).toEqual([{ mode: 'flatten', reason: 'risk limit: daily loss', source: 'api' }]);
  });

  it('close() removes the signal listeners and stops polling', () => {
    const file = join(dir, 'halt');
    const before = process.listenerCount('SIGUSR2');
    const { sw, calls, timers } = make({ file, signals: true });
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    expect(timers.armed).toBe(1);
    sw.close();
    expect(process.listenerCount('SIGUSR1')).toBe(before);
    expect(process.listenerCount('SIGUSR2')).toBe(before);
    expect(timers.armed).toBe(0);
    writeFileSync(file, 'flatten');
    timers.advance(5000);
    expect(sw.trigger('flatten', 'late')).toBe(false);
    expect(calls).toEqual([]);
  });
});
