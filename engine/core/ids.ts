import type { Brand } from './time.js';
import { checkNonEmptyString } from './checks.js';

/** An instrument symbol, e.g. `AAPL` or `BTCUSDT`. */
export type Symbol_ = Brand<string, 'Symbol'>;
export type StrategyId = Brand<string, 'StrategyId'>;
export type OrderId = Brand<string, 'OrderId'>;
export type FillId = Brand<string, 'FillId'>;

export function symbolId(value: string): Symbol_ {
  return checkNonEmptyString(value, 'symbol') as Symbol_;
}
export function strategyId(value: string): StrategyId {
  return checkNonEmptyString(value, 'strategyId') as StrategyId;
}
export function orderId(value: string): OrderId {
  return checkNonEmptyString(value, 'orderId') as OrderId;
}

/** What every order id of a run begins with: `O-` then its number, 1 for the run's first order (OrderLog's idOfRow). */
export const ORDER_ID_PREFIX = 'O-';
/** What every fill id a venue hands out begins with: `F-` then its number, 1 for the run's first fill. */
export const FILL_ID_PREFIX = 'F-';

/**
 * Hands out deterministic, sequential ids after a prefix (`F-1`, `F-2`, ... for FILL_ID_PREFIX). Reset between
 * runs so a rerun produces the same ids.
 */
export class IdSequence<T extends string> {
  private next = 1;
  constructor(private readonly prefix: string) {}
  take(): T {
    return `${this.prefix}${this.next++}` as T;
  }
  reset(): void {
    this.next = 1;
  }
}
