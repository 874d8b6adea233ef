import { describe, expect, it } from 'vitest';
import { timedBars } from '../../../../cli/compose/bar-timing.js';
import type { StampedBars } from '../../../../cli/compose/bar-timing.js';
import type { BarBatch } from '../../../../sim/backtest/index.js';

/** Rows [code, stamp] in (stamp, code) order, cut into batches of `per` rows; prices: open = row index. */
async function* batches(rows: readonly [number, number][], per: number): AsyncGenerator<StampedBars> {
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const col = (f: (r: [number, number], k: number) => number): Float64Array => Float64Array.from(part.map((r, k) => f(r, i + k)));
    yield { length: part.length, symbol: Int32Array.from(part.map((r) => r[0])), ts: col((r) => r[1]), open: col((_, k) => k), high: col((_, k) => k + 1), low: col((_, k) => k), close: col((_, k) => k), volume: col(() => 1) };
  }
}

async function collect(feed: AsyncIterable<BarBatch>): Promise<{ sym: number; open: number; close: number; row: number }[]> {
  const out: { sym: number; open: number; close: number; row: number }[] = [];
  for await (const b of feed) for (let i = 0; i < b.length; i++) out.push({ sym: b.symbol[i]!, open: b.barTs[i]!, close: b.ts[i]!, row: b.open[i]! });
  return out;
}

const MAP = Int32Array.from([10, 11, 12]);

describe('timedBars: bar closes from a timestamps-only lookahead', () => {
  it('a regular series closes one interval after each open, whatever the batch cut', async () => {
    const rows: [number, number][] = [0, 10, 20, 30, 40].map((t) => [0, t]);
    for (const per of [1, 2, 5]) {
      expect(await collect(timedBars(batches(rows, per), MAP, 10))).toEqual([0, 10, 20, 30, 40].map((t, row) => ({ sym: 10, open: t, close: t + 10, row })));
    }
  });

  it('an irregular series closes at the sooner of open + interval and its next open; a gap keeps open + interval', async () => {
    // Opens 0, 8 (short bar 0), 18, 40 (a gap after 18: 18 + 10 = 28), last 40 + 10.
    const rows: [number, number][] = [[0, 0], [0, 8], [0, 18], [0, 40]];
    for (const per of [1, 3, 4]) {
      expect((await collect(timedBars(batches(rows, per), MAP, 10))).map((r) => [r.open, r.close])).toEqual([[0, 8], [8, 18], [18, 28], [40, 50]]);
    }
  });

  it('rows come out in (close, code) order, across batch cuts, with each symbol looked ahead on its own', async () => {
    // Symbol 0 has a gap (its bar at 0 closes at 10), symbol 1's bar at 2 closes at 5 (next at 5),
    // symbol 2 at 1 closes at 11: by close time 1@5, 0@10, 2@11, then the rest.
    const rows: [number, number][] = [[0, 0], [2, 1], [1, 2], [1, 5], [2, 11], [0, 30]];
    const want = [
      { sym: 11, open: 2, close: 5 },
      { sym: 10, open: 0, close: 10 },
      { sym: 12, open: 1, close: 11 },
      { sym: 11, open: 5, close: 15 },
      { sym: 12, open: 11, close: 21 },
      { sym: 10, open: 30, close: 40 },
    ];
    for (const per of [1, 2, 4, 6]) {
      const got = await collect(timedBars(batches(rows, per), MAP, 10));
      expect(got.map(({ sym, open, close }) => ({ sym, open, close }))).toEqual(want);
      // Prices travel with their bar.
      expect(got.map((r) => r.row)).toEqual([2, 0, 1, 3, 4, 5]);
    }
  });

  it('one code: each batch is handed on as it came (its columns, no copy) once the next one is read, with its closes', async () => {
    const rows: [number, number][] = [[0, 0], [0, 8], [0, 18], [0, 40], [0, 45]];
    const given: StampedBars[] = [];
    async function* kept(): AsyncGenerator<StampedBars> {
      for await (const b of batches(rows, 2)) {
        given.push(b);
        yield b;
      }
    }
    const out: BarBatch[] = [];
    for await (const b of timedBars(kept(), MAP.subarray(1, 2), 10)) {
      expect(given.length).toBe(out.length + (out.length < 2 ? 2 : 1)); // the batch after it was read first (the last: none)
      out.push(b);
    }
    expect(out.map((b) => b.length)).toEqual([2, 2, 1]);
    out.forEach((b, k) => {
      expect(b.open).toBe(given[k]!.open);
      expect(b.volume).toBe(given[k]!.volume);
      expect(b.barTs).toBe(given[k]!.ts);
    });
    expect(out.flatMap((b) => [...b.ts])).toEqual([8, 18, 28, 45, 55]);
    expect(out.flatMap((b) => [...b.symbol])).toEqual([11, 11, 11, 11, 11]);
  });

  it('"close" stamps: a bar opened at max(stamp - interval, previous stamp of its symbol); closes at its stamp', async () => {
    const rows: [number, number][] = [[0, 8], [1, 9], [0, 18], [1, 30], [0, 40]];
    const got = await collect(timedBars(batches(rows, 2), MAP, 10, 'close'));
    expect(got.map(({ sym, open, close }) => [sym, open, close])).toEqual([[10, -2, 8], [11, -1, 9], [10, 8, 18], [11, 20, 30], [10, 30, 40]]);
  });
});
