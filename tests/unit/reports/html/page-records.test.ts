import { describe, expect, it } from 'vitest';
import { formatIsoUs } from '../../../../engine/core/index.js';
import { compareExitTime } from '../../../../reports/html/page-records.js';

describe('compareExitTime', () => {
  it('orders run records (times as numbers) as their ISO-8601 exit times compare as text', () => {
    const ms = Date.parse('2023-03-01T12:00:00Z');
    // Whole milliseconds and microseconds within one, around the epoch, far past and future years, a fraction of a microsecond.
    const bases = [ms, ms + 1, ms + 1000, 0, -1, -86_400_000 * 365, Date.parse('0001-01-01T00:00:00Z'), Date.parse('9999-12-31T23:59:59.999Z'), Date.parse('+010000-01-01T00:00:00Z')];
    const times: number[] = [];
    for (const b of bases) for (const us of [0, 1, 9, 10, 99, 100, 500, 999]) times.push(b * 1000 + us);
    times.push(ms * 1000 + 1.5);
    let compared = 0;
    for (const x of times) {
      for (const y of times) {
        const sx = formatIsoUs(x);
        const sy = formatIsoUs(y);
        const text = sx < sy ? -1 : sx > sy ? 1 : 0;
        expect(Math.sign(compareExitTime({ exitTs: x }, { exitTs: y })), `${sx} vs ${sy}`).toBe(text);
        expect(Math.sign(compareExitTime({ exitTime: sx }, { exitTime: sy }))).toBe(text);
        compared++;
      }
    }
    expect(compared).toBe(times.length ** 2);
    // The whole millisecond sorts after its microseconds, as text does ('Z' after the digits).
    expect(compareExitTime({ exitTs: ms * 1000 }, { exitTs: ms * 1000 + 5 })).toBe(1);
  });
});
