import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_DAY, randomStream, strategyId, symbolId } from '../../engine/core/index.js';
import type { OrderEvent } from '../../engine/model/index.js';
import { RiskEngine, validateRiskConfig } from '../../engine/risk/index.js';
import type { BarSeries, Strategy, StrategyContext } from '../../engine/strategies/index.js';
import { runBacktest } from '../../sim/backtest/index.js';
import type { BacktestConfig } from '../../sim/backtest/index.js';
import { venueConfig } from '../../sim/venue/index.js';
import { barFeed, walkBars } from '../support/bar-feed.js';

const DAY = US_PER_DAY;
const SYMBOLS = ['S0', 'S1', 'S2'];

/**
 * A strategy that trades at random (from a seeded stream) and checks the engine's invariants from
 * the inside on every bar: equity = cash + sum(position x last close); cash moves only by fills and
 * their fees; it never sees a bar that has not closed yet.
 */
class RandomTrader implements Strategy {
  readonly id = strategyId('random');
  readonly symbols = SYMBOLS.map(symbolId);
  readonly violations: string[] = [];
  private readonly rng;
  private expectedCash = Number.NaN;
  private readonly lastClose = new Map<string, number>();

  constructor(
    seed: number,
    private readonly orderTypes: boolean,
  ) {
    this.rng = randomStream(seed, 'prop', 'trader');
  }

  onStart(ctx: StrategyContext): void {
    this.expectedCash = ctx.cash();
  }

  onOrderEvent(_ctx: StrategyContext, e: OrderEvent): void {
    if (e.kind === 'OrderFilled') {
      const f = e.fill;
      this.expectedCash += (f.side === 'buy' ? -1 : 1) * f.qty * f.price - f.commission;
    }
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    // No look-ahead: the newest bar has closed by now, and nothing past it is readable.
    if (bars.ts(0) + DAY > ctx.now) this.violations.push(`saw bar ${bars.ts(0)} before its close at now=${ctx.now}`);
    try {
      bars.close(-1);
      this.violations.push('read a bar from the future');
    } catch {
      /* expected */
    }
    this.lastClose.set(bars.symbol, bars.close(0));
    // Accounting identity and cash conservation.
    let marked = 0;
    for (const [s, c] of this.lastClose) marked += ctx.position(s) * c;
    if (Math.abs(ctx.equity() - (ctx.cash() + marked)) > 1e-6 * Math.max(1, Math.abs(ctx.equity()))) {
      this.violations.push(`equity ${ctx.equity()} != cash ${ctx.cash()} + positions ${marked}`);
    }
    if (Math.abs(ctx.cash() - this.expectedCash) > 1e-6 * Math.max(1, Math.abs(this.expectedCash))) {
      this.violations.push(`cash ${ctx.cash()} moved without fills (expected ${this.expectedCash})`);
    }
    const u = this.rng.next();
    if (u < 0.3) ctx.setTarget(bars.symbol, Math.round(this.rng.uniform(-300, 300)));
    else if (this.orderTypes && u < 0.45) {
      const c = bars.close(0);
      const side = this.rng.bernoulli(0.5) ? 'buy' : 'sell';
      const kind = this.rng.int(0, 2);
      const qty = this.rng.int(1, 200);
      if (kind === 0) ctx.submitOrder({ symbol: bars.symbol, side, qty, type: 'limit', limitPrice: c * this.rng.uniform(0.95, 1.05) });
      else if (kind === 1) ctx.submitOrder({ symbol: bars.symbol, side, qty, type: 'stop', stopPrice: c * this.rng.uniform(0.95, 1.05) });
      else ctx.submitOrder({ symbol: bars.symbol, side, qty, type: 'market', timeInForce: this.rng.bernoulli(0.5) ? 'IOC' : 'DAY' });
    }
  }
}

function config(trader: () => Strategy, extra: Partial<BacktestConfig> = {}): BacktestConfig {
  return {
    symbols: SYMBOLS,
    initialCash: 100_000,
    barIntervalUs: DAY,
    equityEveryUs: 60_000_000,
    lookback: 16,
    venue: venueConfig({ barIntervalUs: DAY, fees: { kind: 'fraction', rate: 0.001 }, slippage: { kind: 'fixed_bps', bps: 3 } }),
    createStrategies: () => [trader()],
    createRisk: null,
    ...extra,
  };
}

const steps = fc.array(fc.double({ min: -0.08, max: 0.08, noNaN: true }), { minLength: 30, maxLength: 120 });

describe('backtest invariants (property)', () => {
  it('equity = cash + positions x mark at every bar, and cash changes only through fills and fees', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), steps, fc.boolean(), async (seed, rs, orderTypes) => {
        let trader!: RandomTrader;
        await runBacktest(
          config(() => (trader = new RandomTrader(seed, orderTypes))),
          { bars: barFeed(walkBars(3, rs, DAY), DAY, 17) },
        );
        expect(trader.violations).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('no position, order or exposure ever exceeds its risk limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), steps, fc.integer({ min: 50, max: 400 }), async (seed, rs, maxUnits) => {
        const limits = validateRiskConfig({ maxPositionUnits: maxUnits, maxOrderUnits: 250, maxOpenPositions: 2, reducingAlwaysAllowed: false });
        let trader!: RandomTrader;
        const result = await runBacktest(
          config(() => (trader = new RandomTrader(seed, true)), { createRisk: () => new RiskEngine(limits) }),
          { bars: barFeed(walkBars(3, rs, DAY), DAY) },
        );
        const pos = new Map<string, number>();
        for (const f of result.fills) {
          const p = (pos.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty);
          pos.set(f.symbol, p);
          expect(Math.abs(p)).toBeLessThanOrEqual(maxUnits * (1 + 1e-9));
          const open = [...pos.values()].filter((q) => q !== 0).length;
          expect(open).toBeLessThanOrEqual(2);
        }
        for (const o of result.orders) if (o.status !== 'denied') expect(o.qty).toBeLessThanOrEqual(250);
        expect(trader.violations).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('random scenarios rerun to the same runHash, whatever the batch sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), steps, fc.integer({ min: 1, max: 50 }), async (seed, rs, batch) => {
        const bars = walkBars(3, rs, DAY);
        const a = await runBacktest(config(() => new RandomTrader(seed, true)), { bars: barFeed(bars, DAY, 64) });
        const b = await runBacktest(config(() => new RandomTrader(seed, true)), { bars: barFeed(bars, DAY, batch) });
        expect(b.runHash).toBe(a.runHash);
        expect(b.fills).toEqual(a.fills);
      }),
      { numRuns: 25 },
    );
  });

  it("recording 'metrics' gives the same runHash, fills, trades and equity as 'report', without the order and signal lists", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), steps, async (seed, rs) => {
        const bars = walkBars(3, rs, DAY);
        const full = await runBacktest(config(() => new RandomTrader(seed, true)), { bars: barFeed(bars, DAY, 32) });
        const lean = await runBacktest(config(() => new RandomTrader(seed, true), { recording: 'metrics' }), { bars: barFeed(bars, DAY, 32) });
        expect(lean.runHash).toBe(full.runHash);
        expect(lean.fills).toEqual(full.fills);
        expect(lean.trades).toEqual(full.trades);
        expect(lean.equity).toEqual(full.equity);
        expect(lean.finalEquity).toBe(full.finalEquity);
        expect(full.orders.length).toBe(full.orderCount);
        expect(lean.orderCount).toBe(full.orderCount);
        expect(lean.orders).toEqual([]);
        expect(lean.signals).toEqual([]);
        expect(lean.signalCount).toBe(full.signalCount);
      }),
      { numRuns: 25 },
    );
  });

  it("rejects a recording other than 'report' or 'metrics', naming it", async () => {
    await expect(runBacktest(config(() => new RandomTrader(1, false), { recording: 'orders' as never }), { bars: barFeed(walkBars(3, [0.01, -0.01], DAY), DAY) })).rejects.toThrow(/invalid 'recording': expected 'report' or 'metrics', was "orders"/);
  });
});
