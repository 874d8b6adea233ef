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
      fills = r.fills.length;
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
    { ...quiet, note: `0 fills; runHash ${r.runHash.slice(0, 12)}; heap ${((after - before) / bars).toFixed(1)} B/bar after the run (equity curve: 32 B/bar in typed arrays)` },
  ];
}
