import { describe, expect, it } from 'vitest';
import { US_PER_DAY, strategyId, symbolId } from '../../../../engine/core/index.js';
import { qualifyAlgorithmConfig } from '../../../../engine/execution/algorithms/index.js';
import type { OrderEvent, OrderSnapshot } from '../../../../engine/model/index.js';
import type { Strategy, StrategyContext } from '../../../../engine/strategies/index.js';
import { runBacktest } from '../../../../sim/backtest/index.js';
import { barFeed, walkBars } from '../../../support/bar-feed.js';
import { dailyConfig } from '../../../support/daily-backtest.js';

/**
 * ctx.openOrders() is a snapshot: a loop that cancels each order it lists cancels all of them
 * (with the live list, every second one was skipped), and writing to what it returns changes nothing.
 */
const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // a UTC midnight
// S0 opens at 50 and moves 1% a day: limit buys at 1..5 never fill.
const LIMITS = [1, 2, 3, 4, 5];

const config = dailyConfig;

/** Places five resting limit buys on the first bar, cancels whatever openOrders lists on the second, then counts. */
function cancelAll(seen: { listed: number[]; after: number[]; cancelledEvents: number }): Strategy {
  return {
    id: strategyId('cancel-all'),
    symbols: [symbolId('S0')],
    onBar(ctx, bars) {
      if (bars.count === 1) for (const p of LIMITS) ctx.submitOrder({ symbol: 'S0', side: 'buy', qty: 1, type: 'limit', limitPrice: p });
      if (bars.count === 2) {
        const list = ctx.openOrders('S0');
        seen.listed.push(list.length);
        for (const o of list) ctx.cancelOrder(o.id);
      }
      if (bars.count === 3) seen.after.push(ctx.openOrders('S0').length, ctx.openOrders().length);
    },
    onOrderEvent(_ctx, ev: OrderEvent) {
      if (ev.kind === 'OrderCancelled') seen.cancelledEvents++;
    },
  };
}

const bars = () => ({ bars: barFeed(walkBars(1, [0.01, 0.01, 0.01, 0.01], DAY, T0), DAY) });

describe('ctx.openOrders(): a snapshot', () => {
  it('a loop that cancels every listed order cancels all five (direct router)', async () => {
    const seen = { listed: [] as number[], after: [] as number[], cancelledEvents: 0 };
    const result = await runBacktest(config(() => cancelAll(seen)), bars());
    expect(seen.listed).toEqual([5]);
    expect(seen.after).toEqual([0, 0]);
    expect(seen.cancelledEvents).toBe(5);
    expect(result.orders.map((o) => o.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('the same through the decision pipeline: an execution algorithm router and the warm-up gate in front', async () => {
    const seen = { listed: [] as number[], after: [] as number[], cancelledEvents: 0 };
    const twap = qualifyAlgorithmConfig({ algo: 'twap', duration: '10m', parts: 5 }, 'execution');
    const result = await runBacktest(config(() => cancelAll(seen), { algorithms: [twap], tradeFromUs: T0 }), bars());
    expect(seen).toEqual({ listed: [5], after: [0, 0], cancelledEvents: 5 });
    expect(result.orders.map((o) => o.status)).toEqual(Array(5).fill('cancelled'));
  });

  it('is frozen: writing to the array, an order or its link throws and leaves the engine as it was; it does not follow later changes', async () => {
    const checks: string[] = [];
    let kept: readonly OrderSnapshot[] = [];
    const attempt = (what: string, f: () => void): void => {
      try {
        f();
        checks.push(`${what}: no error`);
      } catch (e) {
        checks.push(`${what}: ${(e as Error).constructor.name}`);
      }
    };
    const strat: Strategy = {
      id: strategyId('mutator'),
      symbols: [symbolId('S0')],
      onBar(ctx: StrategyContext, b) {
        if (b.count === 1) {
          ctx.submitBracket({ symbol: 'S0', side: 'buy', qty: 3, entry: { type: 'limit', limitPrice: 2 }, takeProfit: 200, stopLoss: 1 });
        }
        if (b.count === 2) {
          const list = ctx.openOrders('S0');
          kept = list;
          const entry = list[0]!;
          attempt('pop', () => (list as OrderSnapshot[]).pop());
          attempt('length', () => ((list as { length: number }).length = 0));
          attempt('qty', () => ((entry as { qty: number }).qty = 100));
          attempt('limitPrice', () => ((entry as { limitPrice: number }).limitPrice = 1000));
          attempt('status', () => ((entry as { status: string }).status = 'cancelled'));
          attempt('linkedIds', () => (entry.link!.linkedIds as unknown as string[]).push('O-99'));
          const again = ctx.openOrders('S0');
          checks.push(`again ${again.length} ${again[0]!.qty} ${again[0]!.limitPrice} ${again[0]!.status} ${again[0]!.link!.linkedIds.join(',')}`);
          checks.push(`fresh ${again !== list} ${again[0] !== entry}`);
          ctx.cancelOrder(entry.id);
          checks.push(`after cancel: snapshot says ${entry.status}, openOrders has ${ctx.openOrders('S0').length}`);
        }
      },
    };
    const result = await runBacktest(config(() => strat), bars());
    expect(checks).toEqual([
      'pop: TypeError',
      'length: TypeError',
      'qty: TypeError',
      'limitPrice: TypeError',
      'status: TypeError',
      'linkedIds: TypeError',
      'again 3 3 2 accepted O-2,O-3',
      'fresh true true',
      // Cancelling the entry cancels its exits (they only work once it fills).
      'after cancel: snapshot says accepted, openOrders has 0',
    ]);
    expect(Object.isFrozen(kept)).toBe(true);
    expect(result.orders.map((o) => [o.id, o.status, o.qty, o.limitPrice])).toEqual([
      ['O-1', 'cancelled', 3, 2],
      ['O-2', 'cancelled', 3, 200],
      ['O-3', 'cancelled', 3, null],
    ]);
  });
});
