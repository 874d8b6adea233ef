import { buildRunReport } from '../../../../reports/run-report.js';
import type { RunReport, RunReportInput } from '../../../../reports/run-report.js';

const DAY_US = 86_400_000_000;
const START_US = Date.parse('2023-01-02T00:00:00Z') * 1000;

/**
 * A small hand-made run report: `days` daily equity samples on a gentle sine, two strategies with one
 * round trip each on AAA and BBB, and an optional prices section.
 */
export function sampleReport(
  opts: { days?: number; strategies?: readonly string[]; prices?: boolean; name?: string; audit?: boolean; trades?: RunReportInput['trades']; auditEntries?: RunReportInput['audit'] } = {},
): RunReport {
  const days = opts.days ?? 300;
  const strategies = opts.strategies ?? ['trend', 'revert'];
  const ts = new Float64Array(days);
  const equity = new Float64Array(days);
  const cash = new Float64Array(days);
  const gross = new Float64Array(days);
  for (let i = 0; i < days; i++) {
    ts[i] = START_US + i * DAY_US;
    equity[i] = 100_000 * (1 + 0.05 * Math.sin(i / 20) + i * 0.0002);
    cash[i] = 50_000;
    gross[i] = i % 50 < 25 ? 40_000 : 0;
  }
  const fill = (i: number, symbol: string, side: 'buy' | 'sell', price: number, strategyId: string) => ({
    fillId: `F-${i}`,
    orderId: `O-${i}`,
    strategyId,
    ts: START_US + i * 10 * DAY_US,
    symbol,
    side,
    qty: 100,
    price,
    commission: 1,
    liquidity: 'taker' as const,
  });
  const s0 = strategies[0]!;
  const s1 = strategies[1] ?? s0;
  const fills = [fill(1, 'AAA', 'buy', 50, s0), fill(2, 'AAA', 'sell', 55, s0), fill(3, 'BBB', 'buy', 20, s1), fill(4, 'BBB', 'sell', 19, s1)];
  const trade = (symbol: string, strategyId: string, a: number, b: number, pa: number, pb: number) => ({
    symbol,
    strategyId,
    side: 'long' as const,
    qty: 100,
    entryTs: START_US + a * 10 * DAY_US,
    entryPrice: pa,
    exitTs: START_US + b * 10 * DAY_US,
    exitPrice: pb,
    pnl: (pb - pa) * 100 - 2,
    returnPct: pb / pa - 1,
    commission: 2,
  });
  const input: RunReportInput = {
    symbols: ['AAA', 'BBB'],
    strategyIds: [...strategies],
    initialCash: 100_000,
    barIntervalUs: DAY_US,
    fills: fills as unknown as RunReportInput['fills'],
    orders: [],
    trades: opts.trades ?? [trade('AAA', s0, 1, 2, 50, 55), trade('BBB', s1, 3, 4, 20, 19)],
    equity: { ts, equity, cash, grossExposure: gross, marginInUse: new Float64Array(ts.length), buyingPower: cash },
    audit: opts.auditEntries ?? (opts.audit ? [{ ts: START_US + DAY_US, kind: 'risk.denied', message: 'order O-9 denied: <max notional>', strategyId: s0, symbol: 'AAA', details: { limit: 400000 } }] : []),
    signals: [],
    signalCount: 0,
    assumptions: ['Market orders fill at the next bar\'s open', 'Commission: 0.1% of traded notional'],
    firstPrice: { AAA: 50, BBB: 20 },
    lastPrice: { AAA: 60, BBB: 18 },
    finalPositions: { AAA: 0, BBB: 0 },
    barCount: days * 2,
    quoteCount: 0,
    tradeCount: 0,
    runHash: 'ab'.repeat(32),
    ...(opts.prices
      ? {
          prices: {
            AAA: { ts: Array.from(ts), close: Array.from(ts, (_, i) => 50 + i * 0.03) },
            BBB: { ts: Array.from(ts), close: Array.from(ts, (_, i) => 20 - i * 0.006) },
          },
        }
      : {}),
  };
  const scenario = {
    name: opts.name ?? 'sample',
    description: 'A hand-made run for report tests.',
    strategies: strategies.map((id) => ({ id, type: 'sma_cross', params: { fast: 10, slow: 20 } })),
  };
  return buildRunReport(input, scenario, 11, {
    source: '/data/sample',
    kinds: ['bars'],
    symbols: ['AAA', 'BBB'],
    start: '2023-01-02T00:00:00.000Z',
    end: null,
    rows: { bars: { AAA: days, BBB: days } },
    contentHash: 'cd'.repeat(32),
    barInterval: '1d',
  });
}
