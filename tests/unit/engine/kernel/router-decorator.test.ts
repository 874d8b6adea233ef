import { describe, expect, it } from 'vitest';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../engine/execution/index.js';
import { DirectRouter, RouterDecorator, TradeGate } from '../../../../engine/kernel/index.js';
import type { StrategyRouter } from '../../../../engine/kernel/index.js';
import { Portfolio } from '../../../../engine/portfolio/index.js';
import { nullRecorder } from '../execution/algorithms/harness.js';

/**
 * A router decorator (warm-up gate, predictive filters, regime sizes, execution algorithms) passes every call on
 * and has an optional hook only where its inner router has one or it defines one itself: the TradingEngine calls
 * a present hook on every bar.
 */
function direct(): DirectRouter {
  const symbols = ['S0'] as Symbol_[];
  const portfolio = new Portfolio(1, 1, 10_000);
  return new DirectRouter(new ExecutionEngine(symbols, ['s'] as StrategyId[], portfolio, nullRecorder, null), portfolio, nullRecorder);
}

const HOOKS = ['beforeBar', 'afterBar', 'onEquity', 'onStop', 'attach', 'onTimer', 'onTrade', 'submitBracket'] as const;

class Plain extends RouterDecorator {}

class CountsBars extends RouterDecorator {
  bars = 0;
  override beforeBar(i: number, ts: number, o: number, h: number, l: number, c: number, v: number): void {
    this.bars++;
    this.inner.beforeBar?.(i, ts, o, h, l, c, v);
  }
}

describe('RouterDecorator', () => {
  it('adds no hook the inner router lacks (a direct router has only submitBracket)', () => {
    const inner = direct();
    const present = (r: StrategyRouter) => HOOKS.filter((h) => r[h] !== undefined);
    expect(present(inner)).toEqual(['submitBracket']);
    expect(present(new Plain(inner))).toEqual(['submitBracket']);
    expect(present(new TradeGate(inner, 0))).toEqual(['submitBracket']);
  });

  it("binds the inner router's hooks to it, and a subclass's own hook wins", () => {
    const calls: string[] = [];
    const inner = Object.assign(Object.create(direct()) as StrategyRouter, {
      marker: 'inner',
      beforeBar(this: { marker: string }, i: number) {
        calls.push(`before ${i} on ${this.marker}`);
      },
      onStop(this: { marker: string }) {
        calls.push(`stop on ${this.marker}`);
      },
    });
    const plain = new Plain(inner);
    plain.beforeBar!(3, 0, 1, 1, 1, 1, 1);
    plain.onStop!();
    expect(plain.afterBar).toBeUndefined();
    const counting = new CountsBars(inner);
    counting.beforeBar(4, 0, 1, 1, 1, 1, 1);
    expect(counting.bars).toBe(1);
    expect(calls).toEqual(['before 3 on inner', 'stop on inner', 'before 4 on inner']);
  });

  it('passes every call of the interface to the inner router', () => {
    const seen: string[] = [];
    const inner = direct();
    const spy = new Proxy(inner, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          seen.push(String(key));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const r = new Plain(spy);
    r.position(0, 0);
    r.cash(0);
    r.equity(0);
    r.setTarget(0, 0, 0, 0, undefined);
    r.openOrders(0, undefined);
    r.cancelOrder(0, 'O-9' as never, 0);
    expect(seen).toEqual(['position', 'cash', 'equity', 'setTarget', 'openOrders', 'cancelOrder']);
    expect(r.deliversOrderEvents).toBe(inner.deliversOrderEvents);
  });
});
