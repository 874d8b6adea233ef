import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../cli/progress.js';

/** Whether this process has loaded cli-progress (a file of it is in the CommonJS module cache). */
const loaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((f) => /[/\\]cli-progress[/\\]/.test(f));

describe('cli-progress is loaded when a bar starts', () => {
  it('not by importing cli/progress.ts nor by a bar that never starts, and then by the first start', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream;
    expect(loaded()).toBe(false);
    const bar = createProgress({ label: 'replay', unit: 'events', stream, notTtyIntervalMs: 60_000 });
    bar.update(5);
    bar.stop();
    expect(loaded()).toBe(false);
    expect(written).toEqual([]);
    const started = createProgress({ label: 'replay', unit: 'events', stream, notTtyIntervalMs: 60_000 });
    started.start(10);
    started.stop();
    expect(loaded()).toBe(true);
    expect(written.join('')).toBe('replay [------------------------] 0% | 0/10 events | ETA -\n');
  });
});
