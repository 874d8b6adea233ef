/**
 * Report throughput: computeMetrics over a 1M-point equity curve (one-minute bars with 2,000 trades,
 * 4,000 fills and an exposure series), drawdownSeries over the same curve, and the probability of
 * backtest overfitting with S = 16 blocks (C(16, 8) = 12,870 splits) over 1000 periods x 50 configurations.
 * Inputs are built once, outside the timed region, from a fixed xorshift stream.
 */
import { US_PER_MINUTE } from '../engine/core/index.js';
import {
  binomial,
  computeMetrics,
  drawdownSeries,
  probabilityOfBacktestOverfitting,
  type FillRecord,
  type EquityCurveInput,
  type MetricsInput,
  type TradeRecord,
} from '../reports/index.js';
import { measure } from './harness.js';
import type { ThroughputResult } from './harness.js';

const POINTS = 1_000_000;
const TRADES = 2_000;
const PBO_ROWS = 1000;
const PBO_CONFIGS = 50;
const PBO_BLOCKS = 16;
const START_US = 1_700_000_000_000_000;

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function metricsInput(): MetricsInput & { equity: EquityCurveInput } {
  const rnd = xorshift(42);
  const ts = new Float64Array(POINTS);
  const equity = new Float64Array(POINTS);
  const exposure = new Float64Array(POINTS);
  let e = 100_000;
  for (let i = 0; i < POINTS; i++) {
    ts[i] = START_US + i * US_PER_MINUTE;
    e *= 1 + (rnd() - 0.4995) * 0.002;
    equity[i] = e;
    exposure[i] = rnd() < 0.6 ? 1 : 0;
  }
  const trades: TradeRecord[] = [];
  const fills: FillRecord[] = [];
  const span = Math.floor(POINTS / TRADES);
  for (let k = 0; k < TRADES; k++) {
    const i = k * span;
    const j = i + Math.floor(span / 2);
    const entryPrice = 100 + rnd() * 10;
    const exitPrice = entryPrice * (1 + (rnd() - 0.5) * 0.04);
    const qty = 1 + Math.floor(rnd() * 100);
    const commission = 0.002 * qty * (entryPrice + exitPrice);
    const pnl = qty * (exitPrice - entryPrice) - commission;
    trades.push({ symbol: 'X', side: 'long', qty, entryTs: ts[i]!, entryPrice, exitTs: ts[j]!, exitPrice, pnl, returnPct: pnl / (qty * entryPrice), commission });
    fills.push({ ts: ts[i]!, symbol: 'X', side: 'buy', qty, price: entryPrice, commission: 0.002 * qty * entryPrice });
    fills.push({ ts: ts[j]!, symbol: 'X', side: 'sell', qty, price: exitPrice, commission: 0.002 * qty * exitPrice });
  }
  return { equity: { ts, equity }, trades, fills, initialCash: 100_000, barIntervalUs: US_PER_MINUTE, exposure };
}

function pboMatrix(): Float64Array[] {
  const rnd = xorshift(7);
  return Array.from({ length: PBO_ROWS }, () => {
    const row = new Float64Array(PBO_CONFIGS);
    for (let c = 0; c < PBO_CONFIGS; c++) row[c] = (rnd() - 0.5) * 0.02 + c * 1e-5;
    return row;
  });
}

export default async function run(): Promise<ThroughputResult[]> {
  const input = metricsInput();
  const matrix = pboMatrix();
  const splits = binomial(PBO_BLOCKS, PBO_BLOCKS / 2);
  let sink = 0;
  const results = [
    await measure('computeMetrics, 1M-point equity curve', 'points/s', POINTS, () => {
      sink += computeMetrics(input).maxDrawdown;
    }, { note: `${TRADES} trades, ${2 * TRADES} fills, exposure series, all validated` }),
    await measure('drawdownSeries, 1M points', 'points/s', POINTS, () => {
      sink += drawdownSeries(input.equity.equity)[POINTS - 1]!;
    }),
    await measure('PBO (CSCV), S = 16 over 1000 x 50', 'splits/s', splits, () => {
      sink += probabilityOfBacktestOverfitting(matrix, { blocks: PBO_BLOCKS }).pbo;
    }, { runs: 5, note: `${splits} splits, Sharpe metric` }),
  ];
  if (!Number.isFinite(sink)) throw new Error('benchmark produced a non-finite result');
  return results;
}
