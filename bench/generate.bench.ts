/**
 * Synthetic market throughput: the default demo market in memory (all kinds, rows/s), the price-path
 * simulation alone (symbol-steps/s of the 15-second path), the default demo dataset written end to end
 * (Parquet + manifest, rows/s), and Black-Scholes-Merton pricing and implied volatility (ops/s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blackScholes, impliedVolatility } from '../engine/model/option-pricing.js';
import { generateDataset, generateMarket, qualifySyntheticOptions, simulateMarket, STEPS_PER_SESSION } from '../datasets/synthetic/index.js';
import { measure } from './harness.js';
import type { ThroughputResult } from './harness.js';

export default async function run(): Promise<ThroughputResult[]> {
  const rows = generateMarket({ seed: 7 }).tables.reduce((n, t) => n + (t.columns['ts'] as Float64Array).length, 0);
  const config = qualifySyntheticOptions({ seed: 7 });
  const symbolSteps = config.days * STEPS_PER_SESSION * config.symbols.length;
  let sink = 0;
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-bench-gen-'));
  let k = 0;
  const options = Array.from({ length: 1000 }, (_, i) => ({
    spot: 100,
    strike: 60 + (i % 80),
    rate: 0.03,
    time: 0.05 + (i % 37) / 10,
    right: i % 2 === 0 ? ('call' as const) : ('put' as const),
    dividendYield: 0.01,
    volatility: 0.1 + (i % 11) / 20,
  }));
  const prices = options.map((o) => blackScholes(o).price);
  try {
    return [
      await measure('synthetic market in memory, default demo (all kinds)', 'rows/s', rows, () => {
        sink += generateMarket({ seed: 7 }).tables.length;
      }, { runs: 5, warmup: 1, cpuTime: true, note: `${rows} rows: 4 x 504 daily bars, 3 days of trades/quotes/book, 504 option chains` }),
      await measure('price paths (15 s steps, 4 correlated symbols)', 'steps/s', symbolSteps, () => {
        sink += simulateMarket(config).days.length;
      }, { runs: 5, warmup: 1, cpuTime: true, note: `${symbolSteps} symbol-steps` }),
      await measure('generateDataset, default demo to Parquet + manifest', 'rows/s', rows, async () => {
        await generateDataset({ seed: 7, out: join(dir, `d${k++}`) });
      }, { runs: 3, warmup: 1, note: 'includes validation, hashing and DuckDB Parquet writing' }),
      await measure('blackScholes price + Greeks', 'ops/s', options.length, () => {
        for (const o of options) sink += blackScholes(o).delta;
      }, { runs: 7, cpuTime: true }),
      await measure('impliedVolatility', 'ops/s', options.length, () => {
        for (let i = 0; i < options.length; i++) {
          const o = options[i]!;
          const p = prices[i]!;
          const bounds = p > 1e-6 ? impliedVolatility({ ...o, price: p }) : 0;
          sink += bounds;
        }
      }, { runs: 7, cpuTime: true }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
    if (!Number.isFinite(sink)) throw new Error('benchmark produced a non-finite result');
  }
}
