import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_HOUR, randomStream, strategyId, symbolId, utcDayStart } from '../../engine/core/index.js';
import {
  ALLOWED_TRANSITIONS,
  AdaptiveWeights,
  EnsembleRouter,
  StrategyRetirement,
} from '../../engine/ensemble/index.js';
import type { EnsembleConfig, PortfolioConstructionConfig, StrategyStats } from '../../engine/ensemble/index.js';
import { RiskEngine } from '../../engine/risk/index.js';
import type { BarSeries, Strategy, StrategyContext } from '../../engine/strategies/index.js';
import { runBacktest } from '../../sim/backtest/index.js';
import { venueConfig } from '../../sim/venue/index.js';
import { EnsembleSectionSchema, PortfolioSectionSchema } from '../../scenarios/ensemble-schema.js';
import { barFeed, walkBars } from '../support/bar-feed.js';

const statsArb: fc.Arbitrary<StrategyStats> = fc.record({
  periods: fc.integer({ min: 0, max: 500 }),
  totalReturn: fc.double({ min: -1, max: 5, noNaN: true }),
  sharpe: fc.option(fc.double({ min: -20, max: 20, noNaN: true }), { nil: null }),
  maxDrawdown: fc.double({ min: 0, max: 1, noNaN: true }),
  tradeCount: fc.integer({ min: 0, max: 100 }),
  winRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  profitFactor: fc.option(fc.oneof(fc.double({ min: 0, max: 50, noNaN: true }), fc.constant(Number.POSITIVE_INFINITY)), { nil: null }),
  expectancy: fc.option(fc.double({ min: -100, max: 100, noNaN: true }), { nil: null }),
  meanAbsTrade: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
});

describe('adaptive weights (property)', () => {
  it('never move more than the cap per update and stay within [min, max] x base, in every regime', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.array(fc.tuple(fc.constantFrom('trending', 'ranging', 'volatile'), statsArb, statsArb), { minLength: 1, maxLength: 40 }),
        (cap, updates) => {
          const base = { a: 0.7, b: 0.3 };
          const aw = new AdaptiveWeights(base, { maxChange: cap, minMultiple: 0.1, maxMultiple: 2, drawdownLimit: 0.25, scoreWeights: { expectancy: 1, profitFactor: 1, drawdown: 1, sharpe: 1 } });
          for (const [regime, sa, sb] of updates) {
            const before = aw.weights(regime);
            aw.update({ a: sa, b: sb }, regime);
            const after = aw.weights(regime);
            for (const id of ['a', 'b'] as const) {
              expect(Math.abs(after[id]! - before[id]!)).toBeLessThanOrEqual(cap * before[id]! * (1 + 1e-12));
              expect(after[id]!).toBeGreaterThanOrEqual(0.1 * base[id] * (1 - 1e-12));
              expect(after[id]!).toBeLessThanOrEqual(2 * base[id] * (1 + 1e-12));
            }
            const n = aw.normalized(regime);
            expect(Math.abs(n.a! + n.b! - 1)).toBeLessThan(1e-12);
          }
        },
      ),
    );
  });
});

describe('retirement (property)', () => {
  it('only ever makes allowed transitions, whatever the statistics', () => {
    fc.assert(
      fc.property(fc.array(statsArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (seq, after) => {
        const r = new StrategyRetirement(['s'], { minTrades: 1, minExpectancy: 0, minProfitFactor: 1, minWinRate: 0.4, maxDrawdown: 0.2, degradeAt: 2, suspendAt: 3, suspendAfter: after, retireAfter: after, degradedWeight: 0.5 });
        let status = r.status('s');
        for (const s of seq) {
          const c = r.assess('s', s);
          if (c !== null) {
            expect(c.from).toBe(status);
            expect(ALLOWED_TRANSITIONS[c.from]).toContain(c.to);
            status = c.to;
          }
          expect(r.weightMultiplier('s')).toBe(status === 'ACTIVE' ? 1 : status === 'DEGRADED' ? 0.5 : 0);
        }
      }),
    );
  });
});

/** Sets random targets on every bar from a seeded stream: a stress test for the account's limits. */
class RandomTargets implements Strategy {
  readonly id;
  readonly symbols = ['S0', 'S1', 'S2', 'S3'].map(symbolId);
  private readonly rng;
  constructor(id: string, seed: number) {
    this.id = strategyId(id);
    this.rng = randomStream(seed, 'prop', id);
  }
  onBar(ctx: StrategyContext, bars: BarSeries): void {
    if (this.rng.next() < 0.3) ctx.setTarget(bars.symbol, this.rng.int(-3, 4) * 200);
    if (this.rng.next() < 0.3) ctx.emitSignal(bars.symbol, (this.rng.int(-1, 1) as -1 | 0 | 1), 1, this.rng.next());
  }
}

describe('ensemble runs (property)', () => {
  it('never hold more positions than maxPositions, and after a daily stop only reduce until the next UTC day', async () => {
    // Counted across runs so the property is shown not to hold vacuously (stops and fills happen).
    let stopsSeen = 0;
    let fillsSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('allocation', 'voting'),
        fc.array(fc.double({ min: -0.06, max: 0.06, noNaN: true }), { minLength: 40, maxLength: 160 }),
        async (seed, maxPositions, mode, steps) => {
          const H = US_PER_HOUR;
          const ensemble = EnsembleSectionSchema.parse({ mode, warmupBars: 5, window: 20, rebalanceEveryBars: 5, weighting: { kind: 'optimizer', lambda: 10, eta: 0.05, wMax: 1 }, voting: { method: 'majority_vote', voteRatio: 0.5 }, adaptive: {}, retirement: { minTrades: 2 } }) as EnsembleConfig;
          const dailyStopLoss = 300;
          const construction = PortfolioSectionSchema.parse({ allocation: { method: 'equal_risk_contribution', lookback: 10 }, rebalancing: { mode: 'threshold', everyBars: 5, threshold: 0.02, costRate: 0.001 }, hedging: { drawdownAbove: 0.05, cashFraction: 0.5 }, constraints: { maxPositions, dailyStopLoss } }) as PortfolioConstructionConfig;
          const symbols = ['S0', 'S1', 'S2', 'S3'];
          const result = await runBacktest(
            {
              symbols,
              initialCash: 100_000,
              barIntervalUs: H,
              equityEveryUs: H,
              lookback: 16,
              venue: venueConfig({ barIntervalUs: H, fees: { kind: 'fraction', rate: 0.001 } }),
              createStrategies: () => [new RandomTargets('r1', seed), new RandomTargets('r2', seed + 1), new RandomTargets('r3', seed + 2)],
              createRisk: () => new RiskEngine({ maxOpenPositions: maxPositions, dailyLossLimit: dailyStopLoss }),
              routing: { accountIds: ['ensemble'], create: (deps) => new EnsembleRouter({ ...deps, ensemble, construction, seed }) },
            },
            { bars: barFeed(walkBars(4, steps, H), H) },
          );
          // Replay the fills: open symbols never exceed maxPositions.
          const pos = new Map<string, number>();
          const stops = result.audit.filter((a) => a.kind === 'portfolio.daily_stop').map((a) => a.ts);
          stopsSeen += stops.length;
          fillsSeen += result.fills.length;
          for (const f of result.fills) {
            const before = pos.get(f.symbol) ?? 0;
            const after = before + (f.side === 'buy' ? f.qty : -f.qty);
            pos.set(f.symbol, Math.abs(after) < 1e-9 ? 0 : after);
            let open = 0;
            for (const p of pos.values()) if (p !== 0) open++;
            expect(open).toBeLessThanOrEqual(maxPositions);
            // A fill on the day of a stop, after the stop, only reduces. The stop is stamped with the
            // sampled bar's time and decided at its close, so fills at that bar's open came before it.
            if (stops.some((s) => s < f.ts && utcDayStart(s) === utcDayStart(f.ts))) {
              expect(Math.abs(after)).toBeLessThanOrEqual(Math.abs(before) + 1e-9);
            }
          }
          expect(result.ensemble).toBeDefined();
          expect(result.ensemble!.strategies).toHaveLength(3);
        },
      ),
      { numRuns: 40 },
    );
    expect(stopsSeen).toBeGreaterThan(0);
    expect(fillsSeen).toBeGreaterThan(0);
  });
});
