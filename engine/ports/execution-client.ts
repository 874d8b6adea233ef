import type { OrderId } from '../core/ids.js';
import type { OrderChanges, OrderEvent } from '../model/events.js';
import type { Order } from '../model/orders.js';

/**
 * Where orders go: the simulated venue in a backtest, a broker adapter live. Calls are synchronous;
 * the client reports back through the ExecutionReportSink it was given, now or later in data time.
 */
export interface ExecutionClient {
  /** Sends a new order. The client answers with OrderAccepted or OrderRejected, then fills. */
  submit(order: Readonly<Order>, ts: number): void;
  /** Asks to cancel a working order; a fill that happens before the cancel arrives stands. */
  cancel(orderId: OrderId, ts: number): void;
  /** Asks to change a working order's quantity or prices (cancel-replace). */
  replace(orderId: OrderId, changes: OrderChanges, ts: number): void;
  /** Every assumption the client applies, in words, for the report. */
  assumptions(): string[];
}

/** Receives order events from an ExecutionClient. */
export interface ExecutionReportSink {
  onOrderEvent(event: OrderEvent): void;
  /**
   * Asked by a simulated venue before it books a fill of `qty` units (sign +1 buy, -1 sell) of the
   * run's symbol `symbolIndex` at `price`: returns the quantity the account allows (`qty` for all;
   * less: the venue books that, floored to `lot` when > 0, and ends the rest of the order with
   * OrderDenied, reason `fillDenial`). `fees.feeFor(q)` is the commission of a fill of q units.
   * Absent (a broker live): every fill stands.
   */
  approveFill?(orderId: OrderId, symbolIndex: number, sign: 1 | -1, qty: number, price: number, fees: { feeFor(qty: number): number }, lot: number): number;
  /** Why the last approveFill refused (part of) a fill. */
  readonly fillDenial?: string;
}
