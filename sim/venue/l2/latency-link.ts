import { InvariantError } from '../../../engine/core/index.js';
import type { OrderId } from '../../../engine/core/index.js';
import type { Order, OrderChanges, OrderEvent } from '../../../engine/model/index.js';
import type { OrderEventSink } from '../simulated-venue.js';
import type { LatencyModel } from './latency-model.js';

/** The venue side of a {@link LatencyLink}: what receives orders once they arrive. */
export interface VenueEndpoint {
  submit(order: Readonly<Order>, ts: number): void;
  cancel(orderId: OrderId, ts: number): void;
  replace(orderId: OrderId, changes: OrderChanges, ts: number): void;
  assumptions(): string[];
}

const SUBMIT = 0;
const CANCEL = 1;
const REPLACE = 2;

/** A request on its way to the venue. */
interface Outbound {
  readonly at: number;
  readonly kind: number;
  readonly order: Readonly<Order> | null;
  readonly orderId: OrderId;
  readonly changes: OrderChanges | null;
}

/** A venue event on its way back to the strategy side. */
interface Inbound {
  readonly at: number;
  readonly event: OrderEvent;
}

/**
 * Order entry and response latency as two time-ordered queues, as in hftbacktest: requests sent by
 * the strategy side at local time t reach the venue at t + entry latency; the venue's events reach
 * the strategy side at (venue time) + response latency. It implements the ExecutionClient port
 * towards the execution engine and the OrderEventSink port towards the venue.
 *
 * Nothing moves by itself: the replay loop asks for the next due time of each queue
 * ({@link nextArrivalTs}, {@link nextResponseTs}), advances its clock there and calls
 * {@link deliverArrivals} or {@link deliverResponses}. Each path is FIFO, like one session to an
 * exchange: a message never overtakes an earlier one on the same path (a drawn delay that would make
 * it do so is stretched to the earlier message's time). Races follow: a cancel that arrives after its
 * order filled is refused by the venue and the fill stands.
 */
export class LatencyLink implements OrderEventSink {
  private venue: VenueEndpoint | null = null;
  private readonly outbound: Outbound[] = [];
  private outHead = 0;
  private lastArrival = -Infinity;
  private readonly inbound: Inbound[] = [];
  private inHead = 0;
  private lastResponse = -Infinity;
  /** Requests sent and events returned, for the report. */
  sent = 0;
  returned = 0;

  constructor(
    private readonly entry: LatencyModel,
    private readonly response: LatencyModel,
    private readonly strategySide: OrderEventSink,
    private readonly clock: { now(): number },
  ) {}

  /** Connects the venue requests go to (its sink must be this link). */
  connect(venue: VenueEndpoint): void {
    this.venue = venue;
  }

  /** Forgets every message in flight. */
  reset(): void {
    this.outbound.length = 0;
    this.outHead = 0;
    this.lastArrival = -Infinity;
    this.inbound.length = 0;
    this.inHead = 0;
    this.lastResponse = -Infinity;
    this.sent = 0;
    this.returned = 0;
  }

  // ---------------------------------------------------------------- ExecutionClient (strategy side)

  /** Sends `order` at local time `ts`; it reaches the venue after the entry latency. */
  submit(order: Readonly<Order>, ts: number): void {
    this.send(ts, SUBMIT, order, order.id, null);
  }

  /** Sends a cancel at local time `ts`; it reaches the venue after the entry latency. */
  cancel(orderId: OrderId, ts: number): void {
    this.send(ts, CANCEL, null, orderId, null);
  }

  /** Sends a replace at local time `ts`; it reaches the venue after the entry latency. */
  replace(orderId: OrderId, changes: OrderChanges, ts: number): void {
    this.send(ts, REPLACE, null, orderId, changes);
  }

  /** Returns the venue's assumptions followed by the latency rules. */
  assumptions(): string[] {
    return [
      ...(this.venue?.assumptions() ?? []),
      `Order entry latency: ${this.entry.describe()} from the strategy's decision to the venue`,
      `Response latency: ${this.response.describe()} from the venue's event to the strategy`,
      'Orders and responses travel in order (FIFO per path): a message never overtakes an earlier one',
      'A cancel that reaches the venue after its order filled is refused and the fill stands',
    ];
  }

  // ---------------------------------------------------------------- OrderEventSink (venue side)

  /** Receives an event from the venue; it reaches the strategy side after the response latency. */
  onOrderEvent(event: OrderEvent): void {
    const from = Math.max(this.clock.now(), event.ts);
    const at = Math.max(from + this.response.next(), this.lastResponse);
    this.lastResponse = at;
    this.inbound.push({ at, event });
  }

  /**
   * The account's fill check, passed straight to the strategy side (the account as the engine knows
   * it at the venue's time: fills still in flight to it are not yet counted).
   */
  approveFill(orderId: OrderId, symbolIndex: number, sign: 1 | -1, qty: number, price: number, fees: { feeFor(qty: number): number }, lot: number): number {
    const side = this.strategySide;
    return side.approveFill !== undefined ? side.approveFill(orderId, symbolIndex, sign, qty, price, fees, lot) : qty;
  }

  get fillDenial(): string | undefined {
    return this.strategySide.fillDenial;
  }

  // ---------------------------------------------------------------- delivery

  /** Returns when the next request reaches the venue (Infinity when none is in flight). */
  nextArrivalTs(): number {
    return this.outHead < this.outbound.length ? this.outbound[this.outHead]!.at : Infinity;
  }

  /** Returns when the next event reaches the strategy side (Infinity when none is in flight). */
  nextResponseTs(): number {
    return this.inHead < this.inbound.length ? this.inbound[this.inHead]!.at : Infinity;
  }

  /** Number of messages in flight on both paths. */
  get inFlight(): number {
    return this.outbound.length - this.outHead + this.inbound.length - this.inHead;
  }

  /** Hands every request due at or before `now` to the venue, stamped with its arrival time. */
  deliverArrivals(now: number): void {
    const venue = this.venue;
    if (venue === null) throw new InvariantError('latency link has no venue connected');
    const q = this.outbound;
    while (this.outHead < q.length && q[this.outHead]!.at <= now) {
      const m = q[this.outHead++]!;
      if (m.kind === SUBMIT) venue.submit(m.order!, m.at);
      else if (m.kind === CANCEL) venue.cancel(m.orderId, m.at);
      else venue.replace(m.orderId, m.changes!, m.at);
    }
    if (this.outHead === q.length) {
      q.length = 0;
      this.outHead = 0;
    }
  }

  /** Hands every venue event due at or before `now` to the strategy side. */
  deliverResponses(now: number): void {
    const q = this.inbound;
    while (this.inHead < q.length && q[this.inHead]!.at <= now) {
      const m = q[this.inHead++]!;
      this.returned++;
      this.strategySide.onOrderEvent(m.event);
    }
    if (this.inHead === q.length) {
      q.length = 0;
      this.inHead = 0;
    }
  }

  private send(ts: number, kind: number, order: Readonly<Order> | null, orderId: OrderId, changes: OrderChanges | null): void {
    const at = Math.max(ts + this.entry.next(), this.lastArrival);
    this.lastArrival = at;
    this.sent++;
    this.outbound.push({ at, kind, order, orderId, changes });
  }
}
