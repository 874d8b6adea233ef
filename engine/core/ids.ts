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

/** The letter of a run's order ids: `O-` then the order's number, 1 for the run's first (OrderLog's idOfRow). */
export const ORDER_ID_LETTER = 'O';
/** What every order id of a run begins with: `O-`. */
export const ORDER_ID_PREFIX = `${ORDER_ID_LETTER}-`;
/** The letter of the fill ids a venue hands out: `F-` then the fill's number, 1 for the run's first. */
export const FILL_ID_LETTER = 'F';
/** What every fill id a venue hands out begins with: `F-`. */
export const FILL_ID_PREFIX = `${FILL_ID_LETTER}-`;

/**
 * Hands out deterministic, sequential ids with a prefix (`O-1`, `O-2`, ... for 'O'). Reset between runs so a
 * rerun produces the same ids.
 */
export class IdSequence<T extends string> {
  private next = 1;
  constructor(private readonly prefix: string) {}
  take(): T {
    return `${this.prefix}-${this.next++}` as T;
  }
  reset(): void {
    this.next = 1;
  }
}
