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
}
