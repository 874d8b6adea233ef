import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timedBars } from '../../cli/compose/bar-timing.js';
import type { StampedBars } from '../../cli/compose/bar-timing.js';
import type { BarBatch } from '../../sim/backtest/index.js';

/** Rows [code, stamp] in (stamp, code) order cut at `cuts` (batch sizes, cycled); prices: open = the row's index. */
async function* batches(rows: readonly (readonly [number, number])[], cuts: readonly number[]): AsyncGenerator<StampedBars> {
  let k = 0;
  for (let i = 0; i < rows.length; k++) {
    const part = rows.slice(i, i + cuts[k % cuts.length]!);
    const col = (f: (row: number) => number): Float64Array => Float64Array.from(part, (_, j) => f(i + j));
    yield { length: part.length, symbol: Int32Array.from(part, (r) => r[0]), ts: Float64Array.from(part, (r) => r[1]), open: col((r) => r), high: col((r) => r + 0.5), low: col((r) => r - 0.5), close: col((r) => r + 0.25), volume: col((r) => 2 * r) };
    i += part.length;
  }
}

/** Every batch first, then their rows: a batch must stay as it was handed out while later ones are made. */
async function rowsOf(feed: AsyncIterable<BarBatch>): Promise<number[][]> {
  const all: BarBatch[] = [];
  for await (const b of feed) all.push(b);
  return all.flatMap((b) => Array.from({ length: b.length }, (_, i) => [b.symbol[i]!, b.barTs[i]!, b.ts[i]!, b.open[i]!, b.high[i]!, b.low[i]!, b.close[i]!, b.volume[i]!]));
}

/** The rule of bar-timing.ts applied to the whole tape at once: close = min(open + interval, the symbol's next open), in (close, code) order. */
function expected(rows: readonly (readonly [number, number])[], map: Int32Array, interval: number): number[][] {
  const out = rows.map(([code, t], row) => {
    const next = rows.findIndex(([c, u], j) => j > row && c === code && u > t);
    const full = t + interval;
    const close = next < 0 ? full : Math.min(full, rows[next]![1]);
    return { code, row: [map[code]!, t, close, row, row + 0.5, row - 0.5, row + 0.25, 2 * row] };
  });
  out.sort((a, b) => a.row[2]! - b.row[2]! || a.code - b.code);
  return out.map((r) => r.row);
}

/** Up to `symbols` symbols, each with strictly increasing stamps, merged in (stamp, code) order. */
const tape = (symbols: number) =>
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: symbols - 1 }), fc.integer({ min: 1, max: 15 })), { minLength: 1, maxLength: 60 })
    .map((steps) => {
      const last = new Array<number>(symbols).fill(0);
      const rows = steps.map(([code, gap]) => {
        last[code] = last[code]! + gap;
        return [code, last[code]!] as const;
      });
      return rows.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    });

describe('timedBars (property): any tape, any batch cut', () => {
  const MAP = Int32Array.from([7, 5, 9]);
  // A reader of one code goes its own way (no row pool): one symbol is checked with a map of three codes too.
  for (const [symbols, map] of [[1, MAP.subarray(0, 1)], [1, MAP], [3, MAP]] as const) {
    it(`${symbols} symbol(s), a map of ${map.length} code(s): the rows, their closes and prices as the rule gives them over the whole tape`, async () => {
      await fc.assert(
        fc.asyncProperty(tape(symbols), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 12 }), async (rows, cuts, interval) => {
          expect(await rowsOf(timedBars(batches(rows, cuts), map, interval))).toEqual(expected(rows, map, interval));
        }),
        { numRuns: 300 },
      );
    });
  }
});
