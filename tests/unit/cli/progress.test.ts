import { describe, expect, it } from 'vitest';
import { createProgress, formatEta } from '../../../cli/progress.js';

/** A stream that is not a terminal and keeps what is written to it. */
function sink(): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  return {
    isTTY: false,
    write(chunk: string | Uint8Array) {
      text += String(chunk);
      return true;
    },
    text: () => text,
  } as unknown as NodeJS.WriteStream & { text: () => string };
}

describe('createProgress off a terminal', () => {
  it('prints a line at start and one at the end, with counts, unit and detail', () => {
    const out = sink();
    const p = createProgress({ label: 'replay', unit: 'events', stream: out, notTtyIntervalMs: 60_000 });
    p.start(250_000, 0);
    p.update(100_000, 'half way');
    p.update(250_000, 'done');
    p.stop();
    const lines = out.text().split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe('replay [------------------------] 0% | 0/250,000 events | ETA -');
    expect(lines[1]).toMatch(/^replay \[=+-+\] 40% \| 100,000\/250,000 events \| ETA .* \| half way$/);
    expect(lines[2]).toBe('replay [========================] 100% | 250,000/250,000 events | ETA 0s | done');
    expect(lines).toHaveLength(4);
  });

  it('off a terminal prints about one line per 5% of the work, however many updates there are', () => {
    const out = sink();
    const p = createProgress({ label: 'sweep', unit: 'trials', stream: out, notTtyIntervalMs: 60_000 });
    p.start(1000);
    for (let i = 1; i <= 1000; i++) p.update(i);
    p.stop();
    const lines = out.text().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines.length).toBeLessThanOrEqual(22);
    expect(lines[1]).toMatch(/\| 50\/1,000 trials/);
  });

  it('prints intermediate lines during synchronous work once the interval has passed', () => {
    const out = sink();
    const p = createProgress({ label: 'generate', unit: 'steps', stream: out, notTtyIntervalMs: 0 });
    p.start(4);
    for (let i = 1; i <= 4; i++) p.update(i, `step ${i}`);
    p.stop();
    const lines = out.text().trim().split('\n');
    expect(lines.map((l) => l.match(/\| (\d)\/4 steps/)?.[1])).toEqual(['0', '1', '2', '3', '4']);
  });

  it('never repeats an identical line', () => {
    const out = sink();
    const p = createProgress({ label: 'x', unit: 'u', stream: out, notTtyIntervalMs: 0 });
    p.start(2);
    p.update(1);
    p.update(1);
    p.update(1);
    p.stop();
    const lines = out.text().trim().split('\n');
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('writes nothing when quiet, and ignores calls after stop', () => {
    const out = sink();
    const q = createProgress({ label: 'x', unit: 'u', stream: out, quiet: true });
    q.start(10);
    q.update(5);
    q.stop();
    expect(q.active).toBe(false);
    const p = createProgress({ label: 'x', unit: 'u', stream: out, notTtyIntervalMs: 0 });
    p.start(1);
    p.stop();
    const before = out.text();
    p.update(1);
    p.stop();
    expect(out.text()).toBe(before);
  });
});

describe('formatEta', () => {
  it('reads seconds, minutes and hours', () => {
    expect([formatEta(42), formatEta(185), formatEta(3720)]).toEqual(['42s', '3m05s', '1h02m']);
  });
});
