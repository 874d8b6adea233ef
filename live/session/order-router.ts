import type { OrderId } from '../../engine/core/ids.js';
import type { AuditEntry, OrderChanges, OrderEvent } from '../../engine/model/events.js';
import type { Order } from '../../engine/model/orders.js';
import type { ExecutionClient, ExecutionReportSink } from '../../engine/ports/execution-client.js';
import { idempotencyKey, WebhookExecutionClient } from '../broker/webhook-client.js';
import type { BrokerAlert, WebhookClientOptions } from '../broker/webhook-client.js';
import type { OrderJournal } from './journal.js';

/** The tag of the orders a kill switch sends to flatten; the only orders a halted session lets through. */
export const HALT_TAG = 'halt';

import type { HaltMode } from '../ops/halt-switch.js';

/** What the broker mirror did, for the session's report. */
export interface BrokerCounts {
  /** Orders handed to the webhook client in this run of the session. */
  sent: number;
  /** Orders not sent again because the order journal says the broker answered them before a restart. */
  skippedAnswered: number;
  /** Orders sent again after a restart because the journal had them still `sending` (same key). */
  resent: number;
  accepted: number;
  rejected: number;
  alerts: BrokerAlert[];
}

/**
 * The orders of a live session mirrored to a webhook broker: each order the paper venue takes is also
 * POSTed (WebhookExecutionClient) under its idempotency key, recorded in the order journal before it
 * goes and when the broker answers. The broker's answers do not move the session's portfolio (a webhook
 * broker reports no fills; the paper venue's fills are the session's book): they are counted,
 * journaled and alerted.
 */
export class BrokerMirror {
  readonly counts: BrokerCounts = { sent: 0, skippedAnswered: 0, resent: 0, accepted: 0, rejected: 0, alerts: [] };
  readonly client: WebhookExecutionClient;
  private readonly keys = new Map<string, string>();
  private readonly sessionId: string;

  constructor(
    options: Omit<WebhookClientOptions, 'sink' | 'onAlert'>,
    private readonly journal: OrderJournal,
    private readonly onAlert: (alert: BrokerAlert) => void,
    private readonly onAudit: (entry: AuditEntry) => void,
  ) {
    this.sessionId = options.sessionId;
    const sink: ExecutionReportSink = { onOrderEvent: (e) => this.onBrokerEvent(e) };
    this.client = new WebhookExecutionClient({
      ...options,
      sink,
      onAudit,
      onAlert: (a) => {
        this.counts.alerts.push(a);
        this.onAlert(a);
      },
    });
  }

  /** The idempotency key the order goes under. */
  keyOf(orderId: string): string {
    return idempotencyKey(this.sessionId, orderId);
  }

  forward(order: Readonly<Order>, ts: number): void {
    const key = this.keyOf(order.id);
    const before = this.journal.state(key);
    if (before === 'accepted' || before === 'rejected') {
      this.counts.skippedAnswered++;
      return;
    }
    if (before === 'sending') this.counts.resent++;
    else this.journal.write({ key, orderId: order.id, state: 'sending' });
    this.keys.set(order.id, key);
    this.counts.sent++;
    this.client.submit(order, ts);
  }

  cancel(orderId: OrderId, ts: number): void {
    if (this.keys.has(orderId)) this.client.cancel(orderId, ts);
  }

  replace(orderId: OrderId, changes: OrderChanges, ts: number): void {
    if (this.keys.has(orderId)) this.client.replace(orderId, changes, ts);
  }

  /** Resolves when every order sent has been answered (the caller bounds the wait). */
  async settle(): Promise<void> {
    await Promise.all([...this.keys.keys()].map((id) => this.client.settled(id as OrderId)));
  }

  close(): void {
    this.client.close();
  }

  private onBrokerEvent(e: OrderEvent): void {
    const key = this.keys.get(e.orderId);
    if (key === undefined) return;
    if (e.kind === 'OrderAccepted') {
      this.counts.accepted++;
      this.journal.write({ key, orderId: e.orderId, state: 'accepted' });
    } else if (e.kind === 'OrderRejected') {
      this.counts.rejected++;
      this.journal.write({ key, orderId: e.orderId, state: 'rejected', reason: e.reason });
    }
  }
}

/**
 * The client a live session's execution engine sends orders to: the paper venue (the simulator's own
 * venue models on the live stream), with the session's kill switch in front of it and, with a broker,
 * every order mirrored to it. Halted, it refuses every new order but the kill switch's own
 * (OrderRejected, reason `kill switch: ...`).
 */
export class SessionOrderRouter implements ExecutionClient {
  halted: { readonly mode: HaltMode; readonly reason: string } | null = null;
  /** Orders refused because the session was halted. */
  refusedHalted = 0;

  constructor(
    private readonly venue: ExecutionClient,
    private readonly sink: ExecutionReportSink,
    private readonly broker: BrokerMirror | null,
  ) {}

  submit(order: Readonly<Order>, ts: number): void {
    if (this.halted !== null && order.tag !== HALT_TAG) {
      this.refusedHalted++;
      this.sink.onOrderEvent({ kind: 'OrderRejected', ts, orderId: order.id, reason: `kill switch: ${this.halted.reason}` });
      return;
    }
    this.venue.submit(order, ts);
    this.broker?.forward(order, ts);
  }

  cancel(orderId: OrderId, ts: number): void {
    this.venue.cancel(orderId, ts);
    this.broker?.cancel(orderId, ts);
  }

  replace(orderId: OrderId, changes: OrderChanges, ts: number): void {
    this.venue.replace(orderId, changes, ts);
    this.broker?.replace(orderId, changes, ts);
  }

  assumptions(): string[] {
    return [
      ...this.venue.assumptions(),
      ...(this.broker !== null
        ? [
            ...this.broker.client.assumptions(),
            "The session's fills are the paper venue's (the simulator's venue models on the live stream); the broker's answers are journaled and counted, not booked",
          ]
        : ['A paper session: orders fill at the paper venue (the simulator\'s venue models on the live stream); nothing is sent anywhere']),
    ];
  }
}
