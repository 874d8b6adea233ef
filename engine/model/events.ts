import type { FillId, OrderId, StrategyId, Symbol_ } from '../core/ids.js';
import type { OrderSide } from './orders.js';

/** Whether a fill added liquidity (a resting limit order) or took it. */
export type Liquidity = 'maker' | 'taker';

/** One execution. `qty` is positive; `side` says the direction. */
export interface Fill {
  readonly fillId: FillId;
  readonly orderId: OrderId;
  readonly strategyId: StrategyId | null;
  readonly ts: number;
  readonly symbol: Symbol_;
  readonly side: OrderSide;
  readonly qty: number;
  readonly price: number;
  readonly commission: number;
  readonly liquidity: Liquidity;
}

/**
 * Order lifecycle events, past tense, discriminated on `kind`. Venues (simulated or live) and the
 * risk engine emit them; the execution engine applies them to orders and the portfolio.
 */
export type OrderEvent =
  | { readonly kind: 'OrderDenied'; readonly ts: number; readonly orderId: OrderId; readonly reason: string }
  | { readonly kind: 'OrderSubmitted'; readonly ts: number; readonly orderId: OrderId }
  | { readonly kind: 'OrderAccepted'; readonly ts: number; readonly orderId: OrderId }
  | { readonly kind: 'OrderRejected'; readonly ts: number; readonly orderId: OrderId; readonly reason: string }
  | { readonly kind: 'OrderTriggered'; readonly ts: number; readonly orderId: OrderId }
  | { readonly kind: 'OrderFilled'; readonly ts: number; readonly orderId: OrderId; readonly fill: Fill }
  | { readonly kind: 'OrderCancelled'; readonly ts: number; readonly orderId: OrderId; readonly reason: string }
  | { readonly kind: 'OrderExpired'; readonly ts: number; readonly orderId: OrderId; readonly reason: string }
  | {
      readonly kind: 'OrderReplaced';
      readonly ts: number;
      readonly orderId: OrderId;
      readonly qty: number;
      readonly limitPrice: number | null;
      readonly stopPrice: number | null;
    };

export type OrderEventKind = OrderEvent['kind'];

/** Changes a cancel-replace may make to a working order. */
export interface OrderChanges {
  readonly qty?: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
}

/** A signal a strategy emits: what it thinks, before ensemble, sizing and risk. */
export interface Signal {
  readonly ts: number;
  readonly strategyId: StrategyId;
  readonly symbol: Symbol_;
  /** +1 long, -1 short, 0 flat. */
  readonly direction: -1 | 0 | 1;
  /** Strength in [0, 1]. */
  readonly strength: number;
  /** Confidence in [0, 1]. */
  readonly confidence: number;
  readonly reason?: string;
  /**
   * What the run's predictive filters predicted when the signal was emitted (e.g. `garchVolatility`,
   * `volumeZScore`) and their verdict (`filter`: `pass` or `blocked:<kind>`); absent without filters.
   */
  readonly metadata?: Readonly<Record<string, number | string | null>>;
}

/** One entry of the report's audit trail: every decision that changed risk, weights or status. */
export interface AuditEntry {
  readonly ts: number;
  /** e.g. 'risk.denied', 'risk.halted', 'order.rejected', 'weights.changed', 'strategy.retired'. */
  readonly kind: string;
  readonly message: string;
  readonly strategyId?: string;
  readonly symbol?: string;
  readonly orderId?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * A message made only when it is first read, then kept: an account denial that a run repeats tens of
 * thousands of times names its quantities and prices, and formatting them (a double to text each) cost
 * more than the fill it refuses. Held where a run keeps its messages (the order log's reasons, the
 * recorder's audit trail) when nothing reads them while the run goes on; they are text again wherever
 * they are read (see textOf).
 */
export abstract class DeferredText {
  private made: string | null = null;

  /** The message (made on the first read, the same text on every read). */
  get text(): string {
    return (this.made ??= this.make());
  }

  protected abstract make(): string;
}

/** The text of a message that may be deferred (null stays null). */
export function textOf(x: string | DeferredText | null): string | null {
  return x === null || typeof x === 'string' ? x : x.text;
}
