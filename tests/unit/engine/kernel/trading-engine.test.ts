import { describe, expect, it } from 'vitest';
import { US_PER_DAY, US_PER_HOUR, strategyId, symbolId } from '../../../../engine/core/index.js';
import { RiskEngine } from '../../../../engine/risk/index.js';
import type { BarSeries, Strategy, StrategyContext } from '../../../../engine/strategies/index.js';
import { runBacktest } from '../../../../sim/backtest/index.js';
import type { BacktestConfig } from '../../../../sim/backtest/index.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { barFeed, walkBars } from '../../../support/bar-feed.js';

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // a UTC midnight

function config(make: () => Strategy, extra: Partial<BacktestConfig> = {}): BacktestConfig {
  return {
    symbols: ['S0'],
    initialCash: 10_000,
    barIntervalUs: DAY,
    equityEveryUs: 60_000_000,
    lookback: 4,
    venue: venueConfig({ barIntervalUs: DAY }),
    createStrategies: () => [make()],
    createRisk: null,
    ...extra,
  };
}

describe('TradingEngine through the backtest loop', () => {
  it('fires a strategy timer at its time, before later bars, with now = the timer time', async () => {
    const seen: string[] = [];
    const strat: Strategy = {
      id: strategyId('t'),
      symbols: [symbolId('S0')],
      onStart(ctx) {
        ctx.setTimer('noon', T0 + DAY + 12 * US_PER_HOUR, DAY);
      },
      onBar(ctx, bars) {
        seen.push(`bar ${bars.ts(0)} at ${ctx.now}`);
      },
      onTimer(ctx, name) {
        seen.push(`timer ${name} at ${ctx.now}`);
      },
    };
    await runBacktest(config(() => strat), { bars: barFeed(walkBars(1, [0.01, -0.01, 0.02], DAY, T0), DAY) });
    expect(seen).toEqual([
      `bar ${T0} at ${T0 + DAY}`,
      `timer noon at ${T0 + DAY + 12 * US_PER_HOUR}`,
      `bar ${T0 + DAY} at ${T0 + 2 * DAY}`,
      `timer noon at ${T0 + 2 * DAY + 12 * US_PER_HOUR}`,
      `bar ${T0 + 2 * DAY} at ${T0 + 3 * DAY}`,
    ]);
  });

  it('gives strategies a bar view that cannot reach the future or past the lookback', async () => {
    const errors: string[] = [];
    let lengths: number[] = [];
    const strat: Strategy = {
      id: strategyId('peek'),
      symbols: [symbolId('S0')],
      onBar(_ctx: StrategyContext, bars: BarSeries) {
        lengths.push(bars.length);
        for (const ago of [-1, bars.length, 0.5]) {
          try {
            bars.close(ago);
          } catch (e) {
            errors.push((e as Error).message.split(':')[0]!);
          }
        }
      },
    };
    lengths = [];
    await runBacktest(config(() => strat), { bars: barFeed(walkBars(1, [0.01, 0.01, 0.01, 0.01, 0.01, 0.01], DAY, T0), DAY) });
    expect(lengths).toEqual([1, 2, 3, 4, 4, 4]);
    expect(errors).toHaveLength(18);
    expect(new Set(errors)).toEqual(new Set(['bars(S0)']));
  });

  it('records a risk denial as an OrderDenied order and an audit entry with the reason', async () => {
    const strat: Strategy = {
      id: strategyId('big'),
      symbols: [symbolId('S0')],
      onBar(ctx, bars) {
        if (bars.count === 1) ctx.setTarget('S0', 500);
      },
    };
    const result = await runBacktest(config(() => strat, { createRisk: () => new RiskEngine({ maxPositionUnits: 100 }) }), {
      bars: barFeed(walkBars(1, [0.01, 0.01, 0.01], DAY, T0), DAY),
    });
    expect(result.fills).toEqual([]);
    expect(result.orders.map((o) => o.status)).toEqual(['denied']);
    expect(result.audit).toHaveLength(1);
    expect(result.audit[0]).toMatchObject({ kind: 'risk.denied', symbol: 'S0', orderId: 'O-1' });
    expect(result.audit[0]!.message).toMatch(/maxPositionUnits 100 exceeded for S0/);
  });

  it('cancels and replaces working orders through the context', async () => {
    const strat: Strategy = {
      id: strategyId('cr'),
      symbols: [symbolId('S0')],
      onBar(ctx, bars) {
        if (bars.count === 1) {
          ctx.submitOrder({ symbol: 'S0', side: 'buy', qty: 10, type: 'limit', limitPrice: 1 });
          ctx.submitOrder({ symbol: 'S0', side: 'buy', qty: 10, type: 'limit', limitPrice: 2 });
        }
        if (bars.count === 2) {
          const [a, b] = ctx.openOrders('S0');
          ctx.cancelOrder(a!.id);
          ctx.replaceOrder(b!.id, { qty: 5, limitPrice: bars.close(0) * 2 });
        }
      },
    };
    const result = await runBacktest(config(() => strat), { bars: barFeed(walkBars(1, [0.01, 0.01, 0.01, 0.01], DAY, T0), DAY) });
    expect(result.orders.map((o) => [o.id, o.status, o.qty])).toEqual([
      ['O-1', 'cancelled', 10],
      ['O-2', 'filled', 5],
    ]);
    expect(result.fills).toHaveLength(1);
    expect(result.fills[0]!.qty).toBe(5);
  });
});
