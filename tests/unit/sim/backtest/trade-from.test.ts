import { describe, expect, it } from 'vitest';
import { US_PER_DAY, strategyId, symbolId } from '../../../../engine/core/index.js';
import { Sma } from '../../../../engine/indicators/index.js';
import type { BarSeries, Strategy, StrategyContext } from '../../../../engine/strategies/index.js';
import { runBacktest } from '../../../../sim/backtest/index.js';
import type { BacktestConfig, BacktestResult } from '../../../../sim/backtest/index.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // a UTC midnight
const PERIOD = 10;

/** 40 daily bars rising by 1 a day: bar i opens at 100 + i and closes at 100.5 + i. */
const BARS: SimpleBar[] = Array.from({ length: 40 }, (_, i) => ({ symbol: 0, ts: T0 + i * DAY, open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: 1000 }));
/** A bar is visible (and strategies act) at its close: its open time plus a day. */
const closeOf = (i: number): number => T0 + (i + 1) * DAY;

/**
 * Goes long 10 units on every bar whose close is above its SMA(10), and on the first such bar also
 * places a limit order (cancelled on the next bar) and a signal, so every kind of request is seen.
 */
function smaTrader(log: { firstReadyBar: number }): Strategy {
  const sma = new Sma(PERIOD);
  let n = 0;
  let pending: ReturnType<StrategyContext['submitOrder']> | null = null;
  return {
    id: strategyId('sma'),
    symbols: [symbolId('S0')],
    onBar(ctx: StrategyContext, bars: BarSeries) {
      const i = n++;
      sma.update(bars.close(0));
      if (pending !== null) {
        ctx.cancelOrder(pending);
        pending = null;
      }
      if (!sma.ready) return;
      if (log.firstReadyBar < 0) log.firstReadyBar = i;
      if (bars.close(0) > sma.value) {
        ctx.setTarget('S0', 10);
        if (i % 5 === 0) {
          pending = ctx.submitOrder({ symbol: 'S0', side: 'buy', type: 'limit', qty: 1, limitPrice: 50 });
          ctx.emitSignal('S0', 1, 1, 1);
        }
      }
    },
  };
}

async function run(bars: readonly SimpleBar[], tradeFromUs?: number): Promise<{ result: BacktestResult; firstReadyBar: number }> {
  const log = { firstReadyBar: -1 };
  const config: BacktestConfig = {
    symbols: ['S0'],
    initialCash: 100_000,
    barIntervalUs: DAY,
    equityEveryUs: 60_000_000,
    lookback: 64,
    venue: venueConfig({ barIntervalUs: DAY }),
    createStrategies: () => [smaTrader(log)],
    createRisk: null,
    ...(tradeFromUs !== undefined ? { tradeFromUs } : {}),
  };
  const result = await runBacktest(config, { bars: barFeed(bars, DAY) });
  return { result, firstReadyBar: log.firstReadyBar };
}

describe('runBacktest tradeFromUs (warm-up: indicators fed, no trading)', () => {
  it('without it the strategy trades once its SMA is ready: target at bar 9, fill at the open of bar 10', async () => {
    const { result, firstReadyBar } = await run(BARS);
    expect(firstReadyBar).toBe(PERIOD - 1);
    expect(result.fills[0]!.price).toBe(BARS[10]!.open);
    expect(result.warmup).toBeUndefined();
  });

  it('drops every order, target and signal before it, while the SMA is fed: the first fill is at the open of the bar after tradeFrom', async () => {
    const { result, firstReadyBar } = await run(BARS, closeOf(20));
    // The indicator was fed from the first bar: ready at bar 9, as without a warm-up.
    expect(firstReadyBar).toBe(PERIOD - 1);
    // The target of bar 20 (at tradeFrom) is the first that passes; it fills at bar 21's open.
    expect(result.fills).toHaveLength(1);
    expect(result.fills[0]!.price).toBe(BARS[21]!.open);
    expect(result.fills[0]!.ts).toBe(BARS[21]!.ts);
    // Bars 9..19: 11 targets dropped; orders and signals on bars 10 and 15; the cancels of both dropped orders are no-ops.
    expect(result.warmup).toEqual({ tradeFromUs: closeOf(20), orders: 2, targets: 11, signals: 2, amendments: 2 });
    // Nothing reached the account before tradeFrom: no order recorded before it, equity flat at the initial cash.
    expect(result.orders.every((o) => o.tsCreated >= closeOf(20))).toBe(true);
    expect(result.signals.every((s) => s.ts >= closeOf(20))).toBe(true);
    const before = [...result.equity.ts].filter((t) => t < closeOf(20)).length;
    expect(before).toBeGreaterThan(0);
    expect([...result.equity.equity.slice(0, before)].every((e) => e === 100_000)).toBe(true);
    expect(result.assumptions.some((a) => a.startsWith('Trading starts at 2023-12-06') && a.includes('2 orders, 11 target changes and 2 signals were dropped'))).toBe(true);
  });

  it('trades sooner than a cold start at the same bar, whose SMA first has to warm up inside the window', async () => {
    const cold = await run(BARS.slice(20));
    // Cold from bar 20: the SMA is ready at bar 29, the first fill at bar 30's open, 9 bars later.
    expect(cold.result.fills[0]!.price).toBe(BARS[30]!.open);
    const warm = await run(BARS, closeOf(20));
    expect(warm.result.fills[0]!.price).toBe(BARS[21]!.open);
  });

  it('a tradeFrom at or before the first bar changes nothing but the assumptions (same runHash)', async () => {
    const plain = await run(BARS);
    const early = await run(BARS, T0);
    expect(early.result.runHash).toBe(plain.result.runHash);
    expect(early.result.warmup).toEqual({ tradeFromUs: T0, orders: 0, targets: 0, signals: 0, amendments: 0 });
    const late = await run(BARS, closeOf(20));
    expect(late.result.runHash).not.toBe(plain.result.runHash);
  });
});
