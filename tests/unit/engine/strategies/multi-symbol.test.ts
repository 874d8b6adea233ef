import { describe, expect, it } from 'vitest';
import { symbolId } from '../../../../engine/core/index.js';
import { AlignedWindow, TimestampSync } from '../../../../engine/strategies/index.js';

describe('TimestampSync', () => {
  const symbols = ['A', 'B', 'C'].map(symbolId);

  it('completes a timestamp once, on the last of its symbols to arrive, in any order', () => {
    const sync = new TimestampSync(symbols);
    expect([sync.arrive('B', 1), sync.arrive('C', 1), sync.arrive('A', 1)]).toEqual([false, false, true]);
    expect([sync.arrive('A', 2), sync.arrive('B', 2), sync.arrive('C', 2)]).toEqual([false, false, true]);
    // A bar repeated for a timestamp already decided does not decide it again.
    expect(sync.arrive('C', 2)).toBe(false);
    expect(sync.count).toBe(2);
  });

  it('never completes a timestamp one symbol has no bar at', () => {
    const sync = new TimestampSync(symbols);
    expect([sync.arrive('A', 1), sync.arrive('B', 1)]).toEqual([false, false]);
    expect([sync.arrive('A', 2), sync.arrive('B', 2), sync.arrive('C', 2)]).toEqual([false, false, true]);
    expect(sync.count).toBe(1);
    expect(() => sync.arrive('D', 3)).toThrow('received a bar for D');
  });
});

describe('AlignedWindow', () => {
  it('keeps the last window rows of each series; at(ago) and copy (oldest first)', () => {
    const w = new AlignedWindow(2, 3);
    for (let i = 1; i <= 5; i++) {
      w.push(Float64Array.of(i, 10 * i));
      expect(w.full).toBe(i >= 3);
    }
    expect([w.at(0, 0), w.at(0, 2), w.at(1, 1)]).toEqual([5, 3, 40]);
    expect([...w.copy(1, new Float64Array(3))]).toEqual([30, 40, 50]);
  });
});
