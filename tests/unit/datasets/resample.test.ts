import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest, writeDataset } from '../../../datasets/index.js';
import { resampleBars } from '../../../datasets/resample.js';
import type { ResampledBars } from '../../../datasets/resample.js';
import { symbolId } from '../../../engine/core/index.js';
import { CoarseBarView } from '../../../engine/kernel/bar-cache.js';
import { removeAll, tempDir } from './helpers.js';

const HOUR = 3_600_000_000;
const DAY = 24 * HOUR;
/** 2024-01-01T00:00:00Z, a UTC midnight. */
const MIDNIGHT = 1_704_067_200_000_000;
const cleanup: string[] = [];
afterAll(() => removeAll(cleanup));

interface Bar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

async function dataset(bars: readonly Bar[]): Promise<string> {
  const dir = join(await tempDir(cleanup), 'ds');
  const col = (f: (b: Bar) => number) => bars.map(f);
  await writeDataset(dir, [{ kind: 'bars', symbol: 'AAA', columns: { ts: col((b) => b.ts), open: col((b) => b.open), high: col((b) => b.high), low: col((b) => b.low), close: col((b) => b.close), volume: col((b) => b.volume) } }], {});
  return dir;
}

async function resample(dir: string, intervalUs: number, barIntervalUs: number, range: { start?: number; end?: number } = {}): Promise<ResampledBars> {
  return resampleBars(dir, await readManifest(dir), { symbol: 'AAA', intervalUs, barIntervalUs, ...range });
}

const rows = (r: ResampledBars) =>
  Array.from({ length: r.length }, (_, i) => [r.barTs[i]! - MIDNIGHT, r.visibleTs[i]! - MIDNIGHT, r.open[i], r.high[i], r.low[i], r.close[i], r.volume[i]]);

describe('resampleBars (DuckDB)', () => {
  // Six hourly bars from midnight: 00:00 .. 05:00.
  const six: Bar[] = [
    { ts: MIDNIGHT + 0 * HOUR, open: 10, high: 12, low: 9, close: 11, volume: 100 },
    { ts: MIDNIGHT + 1 * HOUR, open: 11, high: 15, low: 10, close: 14, volume: 200 },
    { ts: MIDNIGHT + 2 * HOUR, open: 14, high: 14.5, low: 8, close: 9, volume: 300 },
    { ts: MIDNIGHT + 3 * HOUR, open: 9, high: 9.5, low: 7, close: 8, volume: 400 },
    { ts: MIDNIGHT + 4 * HOUR, open: 8, high: 20, low: 8, close: 19, volume: 500 },
    { ts: MIDNIGHT + 5 * HOUR, open: 19, high: 19, low: 16, close: 17, volume: 600 },
  ];

  it('turns six hourly bars into two 3h bars: first open, max high, min low, last close, summed volume, visible at the bucket end', async () => {
    const r = await resample(await dataset(six), 3 * HOUR, HOUR);
    expect(rows(r)).toEqual([
      [0, 3 * HOUR, 10, 15, 8, 9, 600],
      [3 * HOUR, 6 * HOUR, 9, 20, 7, 17, 1500],
    ]);
  });

  it('leaves out a bucket cut by the range start or end (it would be partial), and keeps whole ones', async () => {
    const dir = await dataset(six);
    // From 01:00: the 00:00-03:00 bucket is cut; until 05:00: the 03:00-06:00 bucket is cut.
    expect(rows(await resample(dir, 3 * HOUR, HOUR, { start: MIDNIGHT + HOUR }))).toEqual([[3 * HOUR, 6 * HOUR, 9, 20, 7, 17, 1500]]);
    expect(rows(await resample(dir, 3 * HOUR, HOUR, { end: MIDNIGHT + 5 * HOUR }))).toEqual([[0, 3 * HOUR, 10, 15, 8, 9, 600]]);
    expect(rows(await resample(dir, 2 * HOUR, HOUR, { start: MIDNIGHT + 2 * HOUR, end: MIDNIGHT + 6 * HOUR }))).toEqual([
      [2 * HOUR, 4 * HOUR, 14, 14.5, 7, 8, 700],
      [4 * HOUR, 6 * HOUR, 8, 20, 8, 17, 1100],
    ]);
  });

  it('buckets in UTC days whatever the bars, and a bucket the data ends inside is visible only after its end', async () => {
    // Four hours from 22:00: two in day 1, two in day 2 (the data ends at 02:00 of day 2).
    const bars = [22, 23, 24, 25].map((h, i) => ({ ts: MIDNIGHT + h * HOUR, open: i + 1, high: i + 2, low: i + 0.5, close: i + 1.5, volume: 1 }));
    const r = await resample(await dataset(bars), DAY, HOUR);
    expect(rows(r)).toEqual([
      [0, DAY, 1, 3, 0.5, 2.5, 2],
      [DAY, 2 * DAY, 3, 5, 2.5, 4.5, 2],
    ]);
  });

  it('makes a bucket of bars not aligned to it visible when its last bar closes (after the bucket end)', async () => {
    // Hourly bars opening at :30; the 02:30 bar closes at 03:30, after the 00:00-03:00 bucket ends.
    const bars = [0, 1, 2, 3].map((h) => ({ ts: MIDNIGHT + h * HOUR + HOUR / 2, open: h + 10, high: h + 11, low: h + 9, close: h + 10.5, volume: 10 }));
    const r = await resample(await dataset(bars), 3 * HOUR, HOUR);
    expect(rows(r)[0]).toEqual([0, 3.5 * HOUR, 10, 13, 9, 12.5, 30]);
  });

  it('property: at any time, every readable coarse bar has closed (each of its bars too), none that closed is withheld, and each equals the aggregate of its bars', async () => {
    const arbitrary = fc.record({
      hours: fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 1, maxLength: 60 }),
      offsetHalfHours: fc.integer({ min: 0, max: 1 }),
      tfHours: fc.constantFrom(1, 2, 3, 6, 24),
      startHour: fc.option(fc.integer({ min: 0, max: 48 }), { nil: undefined }),
      lengthHours: fc.option(fc.integer({ min: 1, max: 72 }), { nil: undefined }),
      prices: fc.array(fc.integer({ min: 2, max: 1000 }), { minLength: 4, maxLength: 4 }), // low is the minimum less 1: a price of 1 would make it 0, which the dataset refuses
    });
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ hours, offsetHalfHours, tfHours, startHour, lengthHours, prices }) => {
        const base = MIDNIGHT + offsetHalfHours * (HOUR / 2);
        const bars: Bar[] = [...hours]
          .sort((a, b) => a - b)
          .map((h, i) => {
            const [a, b, c, d] = prices.map((p) => p + ((h * 37 + i * 11) % 50)) as [number, number, number, number];
            return { ts: base + h * HOUR, open: a, high: Math.max(a, b, c, d) + 1, low: Math.min(a, b, c, d) - 1, close: d, volume: h + 1 };
          });
        const tf = tfHours * HOUR;
        const start = startHour !== undefined ? MIDNIGHT + startHour * HOUR : undefined;
        const end = lengthHours !== undefined ? (start ?? MIDNIGHT) + lengthHours * HOUR : undefined;
        const r = await resample(await dataset(bars), tf, HOUR, { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) });
        // The reference: the bars in range by UTC epoch bucket, whole buckets only.
        const inRange = bars.filter((b) => (start === undefined || b.ts >= start) && (end === undefined || b.ts < end));
        const buckets = new Map<number, Bar[]>();
        for (const b of inRange) {
          const k = b.ts - (b.ts % tf);
          buckets.set(k, [...(buckets.get(k) ?? []), b]);
        }
        const expected = [...buckets.entries()]
          .filter(([k]) => (start === undefined || k >= start) && (end === undefined || k + tf <= end))
          .sort(([a], [b]) => a - b)
          .map(([k, bs]) => [k - MIDNIGHT, Math.max(k + tf, bs[bs.length - 1]!.ts + HOUR) - MIDNIGHT, bs[0]!.open, Math.max(...bs.map((b) => b.high)), Math.min(...bs.map((b) => b.low)), bs[bs.length - 1]!.close, bs.reduce((s, b) => s + b.volume, 0)]);
        expect(rows(r)).toEqual(expected);
        // Replay times: every bar close, and every hour and half hour.
        const view = new CoarseBarView(symbolId('AAA'), r, 1 << 20);
        const times = [...new Set([...inRange.map((b) => b.ts + HOUR), ...Array.from({ length: 200 }, (_, i) => MIDNIGHT + i * (HOUR / 2))])].sort((a, b) => a - b);
        for (const now of times) {
          view.sync(now);
          for (let ago = 0; ago < view.length; ago++) {
            const open = view.ts(ago);
            expect(open + tf).toBeLessThanOrEqual(now);
            for (const b of inRange) if (b.ts >= open && b.ts < open + tf) expect(b.ts + HOUR).toBeLessThanOrEqual(now);
          }
          expect(view.count).toBe(expected.filter((e) => (e[1] as number) + MIDNIGHT <= now).length);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
