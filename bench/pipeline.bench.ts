import { US_PER_DAY } from '../engine/core/index.js';
import { createStrategy } from '../engine/strategies/index.js';
import { runBacktest } from '../sim/backtest/index.js';
import type { BarBatch } from '../sim/backtest/index.js';
import { venueConfig } from '../sim/venue/index.js';
import { measure } from './harness.js';
import { makeTape } from './tapes.js';
import type { ThroughputResult } from './harness.js';

/**
 * End-to-end bar replay: sma_cross(10, 20) on a long single-symbol daily tape through the whole
 * pipeline (kernel merge and clock, venue fills at the next open with a 0.2% commission, trading
 * engine, strategy with two streaming SMAs, risk gate, portfolio, equity curve on every bar,
 * runHash). The tape is generated once into 65,536-row typed-array batches, as the dataset reader
 * delivers them, so the figure is the replay itself, not Parquet decoding (see reader.bench.ts).
 */
/**
 * The ceiling: the same work as the trading row in one bare loop over the same typed-array batches, with
 * nothing of the engine (no kernel, venue, orders, account or recorder objects). Per bar: two rolling SMA
 * sums (10, 20) over a ring, the cross rule (strict, on the previous ready bar), a target of +100 units on a
 * cross above and -100 below, executed at the next bar's open with a 0.2% commission under a cash account
 * (a sale never goes short: what would is dropped, as the account denies it, and a buy needs the cash);
 * each fill kept as a row of typed arrays (bar, signed qty, price, commission) and the equity (cash +
 * position x close) and cash sampled into typed arrays on every bar. What the engine does on top of this
 * (order and fill records, audit, signals, the runHash) is the gap between the two rows.
 */
function ceilingLoop(batches: readonly BarBatch[], bars: number): { fills: number; finalEquity: number; finalCash: number; lastFill: number[] } {
  const fast = 10;
  const slow = 20;
  const ring = new Float64Array(slow);
  const eqCurve = new Float64Array(bars);
  const cashCurve = new Float64Array(bars);
  const fillBar = new Int32Array(bars);
  const fillQty = new Float64Array(bars);
  const fillPrice = new Float64Array(bars);
  const fillFee = new Float64Array(bars);
  let nFills = 0;
  let sumFast = 0;
  let sumSlow = 0;
  let seen = 0;
  let prevFast = Number.NaN;
  let prevSlow = Number.NaN;
  let cash = 100_000;
  let pos = 0;
  let pending = 0; // units to trade at the next open
  let bar = 0;
  for (const b of batches) {
    const open = b.open;
    const close = b.close;
    for (let r = 0; r < b.length; r++, bar++) {
      if (pending !== 0) {
        const px = open[r]!;
        let q = pending;
        if (q < 0 && -q > pos) q = -pos; // no short sales on a cash account
        if (q > 0) {
          const afford = Math.floor(cash / (px * 1.002));
          if (q > afford) q = afford;
        }
        if (q !== 0) {
          const fee = Math.abs(q) * px * 0.002;
          cash -= q * px + fee;
          pos += q;
          fillBar[nFills] = bar;
          fillQty[nFills] = q;
          fillPrice[nFills] = px;
          fillFee[nFills] = fee;
          nFills++;
        }
        pending = 0;
      }
      const c = close[r]!;
      const k = seen % slow;
      sumSlow += c - ring[k]!;
      sumFast += c - (seen >= fast ? ring[(seen - fast) % slow]! : 0);
      ring[k] = c;
      seen++;
      if (seen >= slow) {
        const f = sumFast / fast;
        const s = sumSlow / slow;
        if (prevFast < prevSlow && f > s) pending = 100 - pos;
        else if (prevFast > prevSlow && f < s) pending = -100 - pos;
        prevFast = f;
        prevSlow = s;
      }
      eqCurve[bar] = cash + pos * c;
      cashCurve[bar] = cash;
    }
  }
  return { fills: nFills, finalEquity: eqCurve[bars - 1]!, finalCash: cashCurve[bars - 1]!, lastFill: nFills > 0 ? [fillBar[nFills - 1]!, fillQty[nFills - 1]!, fillPrice[nFills - 1]!, fillFee[nFills - 1]!] : [] };
}

async function* feed(batches: readonly BarBatch[]): AsyncGenerator<BarBatch> {
  for (const b of batches) yield b;
}

export default async function run(): Promise<ThroughputResult[]> {
  const bars = 2_000_000;
  const tape = makeTape(bars);
  const config = {
    symbols: ['AAA'],
    initialCash: 100_000,
    barIntervalUs: US_PER_DAY,
    equityEveryUs: 60_000_000,
    lookback: 64,
    venue: venueConfig({ barIntervalUs: US_PER_DAY, fees: { kind: 'fraction', rate: 0.002 } }),
    createStrategies: () => [createStrategy('sma_cross', 'sma', ['AAA'], { fast: 10, slow: 20, sizing: { kind: 'units', units: 100 } })],
    createRisk: null,
  };
  let fills = 0;
  const trading = await measure(
    'pipeline: sma_cross(10,20), 2M daily bars (random walk, a cross every ~18 bars)',
    'bars/s',
    bars,
    async () => {
      const r = await runBacktest(config, { bars: feed(tape) });
      // The fills are kept as the fill log's columns; reading `r.fills` would build a list of objects the
      // CLI never builds (its tables, metrics and runHash read the columns).
      fills = (r.records ?? r).fills.length;
    },
    { runs: 5, warmup: 1, cpuTime: true },
  );
  let ceilingFills = 0;
  const ceiling = await measure(
    'ceiling: the same work in one bare typed-array loop (no engine)',
    'bars/s',
    bars,
    () => {
      ceilingFills = ceilingLoop(tape, bars).fills;
    },
    { runs: 5, warmup: 1, cpuTime: true },
  );
  const trendTape = makeTape(bars, true);
  const quiet = await measure(
    'pipeline: sma_cross(10,20), 2M daily bars (steady trend, no cross)',
    'bars/s',
    bars,
    async () => {
      await runBacktest(config, { bars: feed(trendTape) });
    },
    { runs: 5, warmup: 1, cpuTime: true },
  );
  // Memory: heap retained per bar after a run (the equity curve is kept: 4 doubles per bar).
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const r = await runBacktest(config, { bars: feed(trendTape) });
  globalThis.gc?.();
  const after = process.memoryUsage().heapUsed;
  return [
    { ...trading, note: `${fills} fills per run; every order, fill and round trip is kept for the report` },
    { ...ceiling, note: `${ceilingFills} fills; SMA sums, cross, next-open fills under a cash account, fills and equity into typed arrays` },
    { ...quiet, note: `0 fills; runHash ${r.runHash.slice(0, 12)}; heap ${((after - before) / bars).toFixed(1)} B/bar after the run (equity curve: 32 B/bar in typed arrays)` },
  ];
}
