import { describe, expect, it } from 'vitest';
import { US_PER_DAY, US_PER_HOUR, strategyId, symbolId } from '../../../../engine/core/index.js';
import { RiskEngine } from '../../../../engine/risk/index.js';
import type { BarSeries, Strategy, StrategyContext } from '../../../../engine/strategies/index.js';
import { runBacktest } from '../../../../sim/backtest/index.js';
import { barFeed, walkBars } from '../../../support/bar-feed.js';
import { dailyConfig } from '../../../support/daily-backtest.js';

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // a UTC midnight

const config = dailyConfig;

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

describe('TradingEngine: coarser timeframes (ctx.bars(symbol, timeframe))', () => {
  // Six 1-day buckets of a hand-made coarse series, each readable at its end.
  const coarse = {
    length: 6,
    barTs: Float64Array.from({ length: 6 }, (_, i) => T0 + i * DAY),
    visibleTs: Float64Array.from({ length: 6 }, (_, i) => T0 + (i + 1) * DAY),
    open: Float64Array.from({ length: 6 }, (_, i) => 100 + i),
    high: Float64Array.from({ length: 6 }, (_, i) => 110 + i),
    low: Float64Array.from({ length: 6 }, (_, i) => 90 + i),
    close: Float64Array.from({ length: 6 }, (_, i) => 105 + i),
    volume: Float64Array.from({ length: 6 }, (_, i) => 1000 * (i + 1)),
  };
  const timeframes = [{ label: '1d', intervalUs: DAY, bars: new Map([['S0', coarse]]) }];

  it('pulls a coarse bar into view on the first event at or after its close, whatever the event (a timer here), up to the lookback', async () => {
    const seen: string[] = [];
    const make = (): Strategy => ({
      id: strategyId('tf'),
      symbols: [symbolId('S0')],
      onStart(ctx) {
        ctx.setTimer('before', T0 + 2 * DAY - 1);
        ctx.setTimer('at', T0 + 2 * DAY);
      },
      onTimer(ctx, name) {
        const d = ctx.bars('S0', '1d');
        seen.push(`${name}: ${d.count} ${d.count > 0 ? d.close() : '-'}`);
      },
      onBar(ctx) {
        const d = ctx.bars('S0', '1d');
        seen.push(`bar at ${(ctx.now - T0) / DAY}d: ${d.count}/${d.length} ${d.count > 0 ? d.ts() : '-'}`);
      },
    });
    // Hourly fine bars are not needed: the coarse series is given; the replay's events are 6 daily bars.
    const feed = () => barFeed(walkBars(1, [0.01, -0.01, 0.02, 0.01, 0, -0.02], DAY, T0), DAY);
    await runBacktest(config(make, { timeframes }), { bars: feed() });
    expect(seen).toEqual([
      `bar at 1d: 1/1 ${T0}`,
      'before: 1 105',
      'at: 2 106',
      `bar at 2d: 2/2 ${T0 + DAY}`,
      `bar at 3d: 3/3 ${T0 + 2 * DAY}`,
      `bar at 4d: 4/4 ${T0 + 3 * DAY}`,
      `bar at 5d: 5/4 ${T0 + 4 * DAY}`,
      `bar at 6d: 6/4 ${T0 + 5 * DAY}`,
    ]);
    // A second run over the same (shared) coarse columns starts from nothing again.
    const first = [...seen];
    seen.length = 0;
    await runBacktest(config(make, { timeframes }), { bars: feed() });
    expect(seen).toEqual(first);
  });

  it('refuses a timeframe the run was not given, naming the strategy, and cannot read a bar not yet closed', async () => {
    const errors: string[] = [];
    const strat: Strategy = {
      id: strategyId('peek'),
      symbols: [symbolId('S0')],
      onBar(ctx) {
        for (const read of [() => ctx.bars('S0', '4h'), () => ctx.bars('S0', '1d').close(ctx.bars('S0', '1d').length)]) {
          try {
            read();
          } catch (e) {
            errors.push((e as Error).message);
          }
        }
      },
    };
    await runBacktest(config(() => strat, { timeframes }), { bars: barFeed(walkBars(1, [0.01], DAY, T0), DAY) });
    expect(errors).toEqual([
      `data.timeframes: strategy 'peek' reads ctx.bars('S0', '4h'), which needs '4h' in data.timeframes (it has '1d')`,
      "bars(S0) of a coarser interval: index 'ago' must be an integer in [0, 0] (0 = the last closed bar; a bar still open is not readable), was 1",
    ]);
  });
});
