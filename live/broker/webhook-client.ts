import { createHash, createHmac } from 'node:crypto';
import { ConfigError } from '../../engine/core/errors.js';
import type { FillId, OrderId } from '../../engine/core/ids.js';
import type { AuditEntry, Fill, Liquidity, OrderChanges, OrderEvent } from '../../engine/model/events.js';
import type { Order } from '../../engine/model/orders.js';
import type { ExecutionClient, ExecutionReportSink } from '../../engine/ports/execution-client.js';
import type { VenueRequestRejection } from '../../sim/venue/order-core.js';
import { wallTimers } from '../clock.js';
import type { LiveTimers, TimerHandle } from '../clock.js';
import { backoffDelayMs } from '../feed/ws-feed.js';

/**
 * A broker reached through a webhook (TradersPost style, seed 004): one JSON POST per order, signed
 * with a secret read from the environment, retried with exponential backoff under one idempotency key.
 * See README "Broker webhook" for the body, the headers and what a webhook broker cannot do.
 */

/** The JSON body of one order's POST. */
export interface WebhookOrderBody {
  readonly ticker: string;
  readonly action: 'buy' | 'sell';
  readonly quantity: number;
  readonly orderType: 'market' | 'limit' | 'stop' | 'stop_limit';
  /** Present on limit and stop-limit orders. */
  readonly limitPrice?: number;
  /** Present on stop and stop-limit orders. */
  readonly stopPrice?: number;
  /** 'gtc', 'day', 'ioc' or 'fok'. */
  readonly timeInForce: string;
  /** The order's submit time, ISO 8601 UTC with milliseconds. */
  readonly time: string;
  /** Same on every retry and after a restart: {@link idempotencyKey}(session id, order id). */
  readonly idempotencyKey: string;
  /** Tapedeck's order id. */
  readonly orderId: string;
}

/** A permanent failure or a refused request, for the operator. Never holds the secret. */
export interface BrokerAlert {
  readonly ts: number;
  readonly orderId: string;
  readonly reason: string;
}

/** Exponential backoff between attempts (no jitter: the delays are exact). */
export interface WebhookBackoff {
  /** Delay after the first failed attempt, ms; default 500. */
  readonly initialMs?: number;
  /** Longest delay, ms; default 30000. */
  readonly maxMs?: number;
  /** Growth per failed attempt; default 2. */
  readonly factor?: number;
}

export interface WebhookClientOptions {
  /** http(s) URL of the webhook. Credentials in it (`https://user:pass@host/...`) are sent as HTTP Basic auth. */
  readonly url: string;
  /** The live session's id: with the order id it makes each order's idempotency key. */
  readonly sessionId: string;
  /** Name of the environment variable holding the signing secret (e.g. TAPEDECK_BROKER_SECRET). */
  readonly secretEnv: string;
  /** Where the secret is read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives OrderAccepted, OrderRejected and the fills reported through {@link WebhookExecutionClient.reportFill}. */
  readonly sink: ExecutionReportSink;
  readonly timers?: LiveTimers;
  /** Per-request timeout, ms; default 10000. */
  readonly timeoutMs?: number;
  /** Attempts per order, the first included; default 5. */
  readonly maxAttempts?: number;
  readonly backoff?: WebhookBackoff;
  /** Every retry, permanent failure and refused cancel/replace, as an audit entry. */
  readonly onAudit?: (entry: AuditEntry) => void;
  /** Permanent failures and refused cancel/replace requests. */
  readonly onAlert?: (alert: BrokerAlert) => void;
  /** The HTTP client; default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** A fill the runtime learnt of elsewhere (the paper venue, a broker's response or statement). */
export interface FillReport {
  readonly qty: number;
  readonly price: number;
  /** Microseconds since the epoch; default the client's clock. */
  readonly ts?: number;
  readonly commission?: number;
  readonly liquidity?: Liquidity;
  /** Default `<orderId>-F<n>`. */
  readonly fillId?: string;
}

/** The idempotency key of an order: a pure function of the session id and the order id. */
export function idempotencyKey(sessionId: string, orderId: string): string {
  return `td-${createHash('sha256').update(`${sessionId}\u0000${orderId}`).digest('hex').slice(0, 32)}`;
}

/** The HMAC-SHA256 of `body` under `secret`, as sent in X-Tapedeck-Signature (`sha256=<hex>`). */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Retried: 408, 429 and 5xx; anything else that is not 2xx is permanent. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

interface Pending {
  readonly order: Readonly<Order>;
  readonly key: string;
  readonly body: string;
  attempts: number;
  state: 'sending' | 'accepted' | 'rejected';
  filled: number;
  fills: number;
  timer: TimerHandle | null;
  abort: AbortController | null;
  settled: Promise<void>;
  settle: () => void;
}

const REDACTED = '***';

/** Builds the order's body; exported for the README and tests. */
export function webhookBody(order: Readonly<Order>, sessionId: string): WebhookOrderBody {
  return {
    ticker: order.symbol,
    action: order.side,
    quantity: order.qty,
    orderType: order.type,
    ...(order.limitPrice !== null && (order.type === 'limit' || order.type === 'stop_limit') ? { limitPrice: order.limitPrice } : {}),
    ...(order.stopPrice !== null && (order.type === 'stop' || order.type === 'stop_limit') ? { stopPrice: order.stopPrice } : {}),
    timeInForce: order.timeInForce.toLowerCase(),
    time: new Date(Math.floor(order.tsCreated / 1000)).toISOString(),
    idempotencyKey: idempotencyKey(sessionId, order.id),
    orderId: order.id,
  };
}

/**
 * The ExecutionClient of a webhook broker. `submit` POSTs the order and later reports OrderAccepted
 * (a 2xx answer) or OrderRejected (a 4xx other than 408/429, or every attempt failed), with an audit
 * entry and an alert on the rejection; it never throws for a broker failure. A webhook reports no
 * fills: the runtime books them with {@link reportFill}. Cancel and replace are refused (no event, an
 * alert and {@link requestRejections}), as the simulated venue refuses a request it cannot honour.
 */
export class WebhookExecutionClient implements ExecutionClient {
  private readonly url: string;
  /** scheme://host:port only: what messages may show of the URL. */
  private readonly endpoint: string;
  private readonly basic: string | null;
  private readonly secret: string;
  private readonly hidden: string[];
  private readonly timers: LiveTimers;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly orders = new Map<OrderId, Pending>();
  private closed = false;
  /** Cancel and replace requests refused (a webhook broker cannot cancel or amend a given order). */
  readonly requestRejections: VenueRequestRejection[] = [];

  /** Throws a ConfigError (naming the variable or the field, never a value) when the setup is unusable. */
  constructor(private readonly options: WebhookClientOptions) {
    const env = options.env ?? process.env;
    const secret = env[options.secretEnv];
    if (secret === undefined || secret === '') throw new ConfigError('', `broker webhook: the environment variable ${options.secretEnv} (the signing secret) is not set`);
    this.secret = secret;
    let u: URL;
    try {
      u = new URL(options.url);
    } catch {
      throw new ConfigError('', 'broker webhook: the URL is not a valid http(s) URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError('', `broker webhook: the URL must be http or https, was ${u.protocol}`);
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    this.basic = user !== '' || pass !== '' ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : null;
    this.hidden = [secret, pass, u.password, options.url].filter((s) => s.length > 0);
    if (u.pathname.length > 1 || u.search !== '') this.hidden.push(`${u.pathname}${u.search}`);
    u.username = '';
    u.password = '';
    this.url = u.toString();
    this.hidden.push(this.url);
    this.endpoint = u.origin;
    if (options.sessionId === '') throw new ConfigError('', 'broker webhook: the session id is empty');
    this.timers = options.timers ?? wallTimers;
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    if (!(this.timeoutMs > 0)) throw new ConfigError('', `broker webhook: timeoutMs must be positive, was ${this.timeoutMs}`);
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new ConfigError('', `broker webhook: maxAttempts must be a positive integer, was ${this.maxAttempts}`);
    // Longest first, so a URL is hidden whole before its parts.
    this.hidden.sort((a, b) => b.length - a.length);
  }

  /** Replaces the secret, the URL's credentials and its path in `text`. */
  redact(text: string): string {
    let out = text;
    for (const h of this.hidden) out = out.split(h).join(REDACTED);
    return out;
  }

  /** The delay before attempt `attempt + 1` after `attempt` failed attempts, ms. */
  backoffMs(attempt: number): number {
    return backoffDelayMs(attempt, { initialMs: 500, maxMs: 30_000, factor: 2, ...this.options.backoff, jitter: 0 });
  }

  submit(order: Readonly<Order>, _ts: number): void {
    if (this.closed || this.orders.has(order.id)) return;
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const body = JSON.stringify(webhookBody(order, this.options.sessionId));
    const p: Pending = { order, key: idempotencyKey(this.options.sessionId, order.id), body, attempts: 0, state: 'sending', filled: 0, fills: 0, timer: null, abort: null, settled, settle };
    this.orders.set(order.id, p);
    this.send(p);
  }

  cancel(orderId: OrderId, ts: number): void {
    this.refuse(orderId, ts, 'cancel', 'a webhook broker cannot cancel a given order (TradersPost-style webhooks have no cancel by id); cancel it at the broker');
  }

  replace(orderId: OrderId, _changes: OrderChanges, ts: number): void {
    this.refuse(orderId, ts, 'replace', 'a webhook broker cannot amend a given order (no cancel-replace by id); amend it at the broker');
  }

  assumptions(): string[] {
    return [
      `Orders go to a webhook broker at ${this.endpoint} as one JSON POST each (ticker, action buy/sell, quantity, orderType, limitPrice/stopPrice, timeInForce, time, idempotencyKey, orderId), signed with HMAC-SHA256 in X-Tapedeck-Signature`,
      `An order is accepted when the webhook answers 2xx; 408, 429, 5xx, network errors and timeouts of ${this.timeoutMs} ms are retried up to ${this.maxAttempts} attempts with exponential backoff (${this.backoffMs(1)} ms, times ${this.options.backoff?.factor ?? 2} per failed attempt, at most ${this.backoffMs(1000)} ms) under the same idempotency key; any other answer, or the last failed attempt, rejects it`,
      'Each idempotency key is a hash of the session id and the order id: a retried or re-sent order (also after a restart) carries the same key, and the broker must drop repeats',
      'The webhook reports no fills: fills come from the paper venue or the broker, booked through the client\'s fill report',
      'Cancel and replace requests are refused (no event; an alert and an audit entry): a webhook broker cannot cancel or amend a given order',
    ];
  }

  /**
   * Books a fill of `orderId` learnt elsewhere: emits OrderFilled to the sink. Returns null when
   * booked, or why not (unknown or not accepted order, bad quantity or price, more than the order's
   * quantity); never throws.
   */
  reportFill(orderId: OrderId, report: FillReport): string | null {
    const p = this.orders.get(orderId);
    if (p === undefined || p.state !== 'accepted') return `fill of ${orderId} refused: not an order this client has accepted`;
    if (!(report.qty > 0) || !Number.isFinite(report.qty)) return `fill of ${orderId} refused: invalid 'qty', was ${report.qty}`;
    if (!(report.price > 0) || !Number.isFinite(report.price)) return `fill of ${orderId} refused: invalid 'price', was ${report.price}`;
    const left = p.order.qty - p.filled;
    if (report.qty > left + 1e-9 * Math.max(1, p.order.qty)) return `fill of ${orderId} refused: 'qty' ${report.qty} exceeds the ${left} left of the order`;
    p.filled += report.qty;
    p.fills += 1;
    const fill: Fill = {
      fillId: (report.fillId ?? `${orderId}-F${p.fills}`) as FillId,
      orderId,
      strategyId: p.order.strategyId,
      ts: report.ts ?? this.timers.nowUs(),
      symbol: p.order.symbol,
      side: p.order.side,
      qty: report.qty,
      price: report.price,
      commission: report.commission ?? 0,
      liquidity: report.liquidity ?? 'taker',
    };
    this.emit({ kind: 'OrderFilled', ts: fill.ts, orderId, fill });
    return null;
  }

  /** Resolves when `orderId` was accepted or rejected (at once for an unknown order). */
  settled(orderId: OrderId): Promise<void> {
    return this.orders.get(orderId)?.settled ?? Promise.resolve();
  }

  /** Number of orders still being sent (in flight or waiting for a retry). */
  get inFlight(): number {
    let n = 0;
    for (const p of this.orders.values()) if (p.state === 'sending') n++;
    return n;
  }

  /**
   * Stops: cancels retry timers and aborts requests in flight, reporting nothing for them (their
   * outcome is unknown; a restarted session re-sends them under the same keys).
   */
  close(): void {
    this.closed = true;
    for (const p of this.orders.values()) {
      p.timer?.cancel();
      p.abort?.abort();
    }
  }

  private send(p: Pending): void {
    if (this.closed) return;
    p.attempts += 1;
    const abort = new AbortController();
    p.abort = abort;
    let timedOut = false;
    const timeout = this.timers.after(this.timeoutMs, () => {
      timedOut = true;
      abort.abort();
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': p.key,
      'x-tapedeck-signature': webhookSignature(this.secret, p.body),
    };
    if (this.basic !== null) headers['authorization'] = this.basic;
    const attempt = async (): Promise<{ retry: boolean; reason: string } | null> => {
      try {
        const res = await this.fetchFn(this.url, { method: 'POST', headers, body: p.body, signal: abort.signal, redirect: 'manual' });
        const text = await res.text();
        if (res.status >= 200 && res.status < 300) return null;
        const snippet = text.trim().slice(0, 200);
        return { retry: isRetryableStatus(res.status), reason: `HTTP ${res.status}${snippet !== '' ? `: ${snippet}` : ''}` };
      } catch (e) {
        if (timedOut) return { retry: true, reason: `no answer within ${this.timeoutMs} ms` };
        const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
        return { retry: true, reason: `network error: ${e instanceof Error ? e.message : String(e)}${cause}` };
      } finally {
        timeout.cancel();
        p.abort = null;
      }
    };
    void attempt()
      .then((outcome) => this.onOutcome(p, outcome))
      .catch((e: unknown) => {
        // Only the sink or a callback can throw here: reported, never an unhandled rejection.
        const ts = this.timers.nowUs();
        const reason = this.redact(`order ${p.order.id}: reporting its outcome failed: ${e instanceof Error ? e.message : String(e)}`);
        try {
          this.options.onAlert?.({ ts, orderId: p.order.id, reason });
        } finally {
          p.settle();
        }
      })
      .catch(() => undefined); // the alert callback threw too: nothing left to report it to
  }

  /** Acts on one attempt's outcome: accept, reject, or arm the retry. */
  private onOutcome(p: Pending, outcome: { retry: boolean; reason: string } | null): void {
    if (this.closed) return;
    if (outcome === null) return this.finish(p, 'accepted', '');
    const reason = this.redact(outcome.reason);
    if (!outcome.retry) return this.finish(p, 'rejected', `broker webhook ${this.endpoint} refused order ${p.order.id} (${reason})`);
    if (p.attempts >= this.maxAttempts) {
      return this.finish(p, 'rejected', `broker webhook ${this.endpoint} failed order ${p.order.id} after ${p.attempts} attempts (last: ${reason})`);
    }
    const delay = this.backoffMs(p.attempts);
    this.audit({ ts: this.timers.nowUs(), kind: 'broker.retry', message: `order ${p.order.id}: attempt ${p.attempts} of ${this.maxAttempts} failed (${reason}); retrying in ${delay} ms with the same idempotency key`, orderId: p.order.id });
    p.timer = this.timers.after(delay, () => {
      p.timer = null;
      this.send(p);
    });
  }

  private finish(p: Pending, state: 'accepted' | 'rejected', reason: string): void {
    p.state = state;
    const ts = this.timers.nowUs();
    if (state === 'accepted') {
      this.emit({ kind: 'OrderAccepted', ts, orderId: p.order.id });
    } else {
      this.audit({ ts, kind: 'order.rejected', message: reason, orderId: p.order.id, symbol: p.order.symbol });
      this.options.onAlert?.({ ts, orderId: p.order.id, reason });
      this.emit({ kind: 'OrderRejected', ts, orderId: p.order.id, reason });
    }
    p.settle();
  }

  private refuse(orderId: OrderId, ts: number, request: 'cancel' | 'replace', reason: string): void {
    this.requestRejections.push({ ts, orderId, request, reason });
    this.audit({ ts, kind: `broker.${request}.refused`, message: `${request} of order ${orderId} refused: ${reason}`, orderId });
    this.options.onAlert?.({ ts, orderId, reason: `${request} refused: ${reason}` });
  }

  private audit(entry: AuditEntry): void {
    this.options.onAudit?.({ ...entry, message: this.redact(entry.message) });
  }

  private emit(event: OrderEvent): void {
    this.options.sink.onOrderEvent(event);
  }
}
