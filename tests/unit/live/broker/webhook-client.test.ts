import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { orderId } from '../../../../engine/core/ids.js';
import type { OrderId } from '../../../../engine/core/ids.js';
import type { AuditEntry, OrderEvent } from '../../../../engine/model/events.js';
import { Order } from '../../../../engine/model/orders.js';
import type { OrderRequest } from '../../../../engine/model/orders.js';
import { ManualTimers } from '../../../../live/clock.js';
import { idempotencyKey, webhookBody, webhookSignature, WebhookExecutionClient } from '../../../../live/broker/webhook-client.js';
import type { BrokerAlert, WebhookClientOptions } from '../../../../live/broker/webhook-client.js';

const SECRET = 's3cr3t-Hunter2-xyz';
const ENV = { TAPEDECK_BROKER_SECRET: SECRET };

interface Seen {
  key: string;
  body: Record<string, unknown>;
  raw: string;
  headers: IncomingMessage['headers'];
  path: string;
}

/** A webhook on 127.0.0.1: answers each request with the next planned status ('hang': never answers). */
class TestBroker {
  readonly seen: Seen[] = [];
  plan: (number | 'hang')[] = [];
  server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        this.seen.push({ key: String(req.headers['idempotency-key']), body: JSON.parse(raw) as Record<string, unknown>, raw, headers: req.headers, path: req.url ?? '' });
        const next = this.plan.shift() ?? 200;
        if (next === 'hang') return;
        res.writeHead(next, { 'content-type': 'application/json' });
        // A 400 echoes the path it was posted to, as some brokers do: the client must redact it.
        res.end(next === 400 ? JSON.stringify({ error: 'unknown ticker ZZZ', path: req.url }) : '{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    running.add(this);
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/trading/webhook/abc`;
  }

  /** Requests per idempotency key. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.seen) out[s.key] = (out[s.key] ?? 0) + 1;
    return out;
  }

  async stop(): Promise<void> {
    running.delete(this);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls (real time) until `cond` holds; fails after 5 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function order(id: string, req: Partial<OrderRequest> = {}): Order {
  return new Order(orderId(id), { symbol: 'SPY', side: 'buy', qty: 10, ...req }, 1_764_892_800_000_000);
}

let broker: TestBroker;
/** Servers started and not yet stopped: afterEach stops them. */
const running = new Set<TestBroker>();
const clients: WebhookExecutionClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const b of [...running]) await b.stop();
});

async function setup(plan: (number | 'hang')[], opts: Partial<WebhookClientOptions> = {}) {
  broker = new TestBroker();
  broker.plan = plan;
  await broker.start();
  const timers = new ManualTimers(1_764_892_800_000_000);
  const events: OrderEvent[] = [];
  const audits: AuditEntry[] = [];
  const alerts: BrokerAlert[] = [];
  const make = () => {
    const c = new WebhookExecutionClient({
      url: broker.url,
      sessionId: 'session-1',
      secretEnv: 'TAPEDECK_BROKER_SECRET',
      env: ENV,
      sink: { onOrderEvent: (e) => events.push(e) },
      timers,
      timeoutMs: 2000,
      maxAttempts: 3,
      backoff: { initialMs: 100, maxMs: 1000, factor: 3 },
      onAudit: (a) => audits.push(a),
      onAlert: (a) => alerts.push(a),
      ...opts,
    });
    clients.push(c);
    return c;
  };
  return { timers, events, audits, alerts, make, client: make() };
}

/** Every string the client handed out, for the secret search. */
function captured(x: { events: OrderEvent[]; audits: AuditEntry[]; alerts: BrokerAlert[] }, client: WebhookExecutionClient): string {
  return JSON.stringify([x.events, x.audits, x.alerts, client.assumptions(), client.requestRejections]);
}

describe('WebhookExecutionClient against a local webhook', { timeout: 15_000 }, () => {
  it('POSTs one signed JSON order and reports OrderAccepted once', async () => {
    const t = await setup([200]);
    const o = order('O-1', { type: 'limit', limitPrice: 412.5, timeInForce: 'DAY' });
    t.client.submit(o, o.tsCreated);
    await t.client.settled(o.id);
    expect(broker.seen).toHaveLength(1);
    const s = broker.seen[0]!;
    const key = idempotencyKey('session-1', 'O-1');
    expect(s.key).toBe(key);
    expect(s.body).toEqual({ ticker: 'SPY', action: 'buy', quantity: 10, orderType: 'limit', limitPrice: 412.5, timeInForce: 'day', time: '2025-12-05T00:00:00.000Z', idempotencyKey: key, orderId: 'O-1' });
    expect(s.headers['content-type']).toBe('application/json');
    expect(s.headers['x-tapedeck-signature']).toBe(webhookSignature(SECRET, s.raw));
    expect(s.headers['x-tapedeck-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(s.raw).not.toContain(SECRET);
    expect(t.events.map((e) => [e.kind, e.orderId])).toEqual([['OrderAccepted', 'O-1']]);
    expect(t.alerts).toEqual([]);
    expect(broker.counts()).toEqual({ [key]: 1 });
  });

  it('retries a 500 after the backoff with the same key and accepts once', async () => {
    const t = await setup([500, 200]);
    const o = order('O-2', { side: 'sell', type: 'stop', stopPrice: 400 });
    t.client.submit(o, o.tsCreated);
    await until(() => t.audits.length === 1, 'the retry');
    expect(t.timers.armed).toBe(1); // the backoff timer (the request's timeout timer is cancelled)
    expect(broker.seen).toHaveLength(1);
    expect(t.audits[0]!.kind).toBe('broker.retry');
    expect(t.audits[0]!.message).toContain('retrying in 100 ms');
    t.timers.advance(99);
    await new Promise((r) => setTimeout(r, 50));
    expect(broker.seen).toHaveLength(1); // not before the backoff
    t.timers.advance(1);
    await t.client.settled(o.id);
    expect(broker.seen.map((s) => s.key)).toEqual([idempotencyKey('session-1', 'O-2'), idempotencyKey('session-1', 'O-2')]);
    expect(broker.seen[0]!.body).toMatchObject({ action: 'sell', orderType: 'stop', stopPrice: 400 });
    expect(broker.seen[0]!.raw).toBe(broker.seen[1]!.raw);
    expect(t.events.map((e) => e.kind)).toEqual(['OrderAccepted']);
  });

  it('retries after a per-request timeout with the same key', async () => {
    const t = await setup(['hang', 200]);
    const o = order('O-3');
    t.client.submit(o, o.tsCreated);
    await until(() => broker.seen.length === 1, 'the first request');
    t.timers.advance(1999);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.audits).toEqual([]);
    t.timers.advance(1); // the timeout aborts the request
    await until(() => t.audits.length === 1, 'the retry');
    expect(t.audits[0]!.message).toContain('no answer within 2000 ms');
    t.timers.advance(100);
    await t.client.settled(o.id);
    expect(broker.counts()).toEqual({ [idempotencyKey('session-1', 'O-3')]: 2 });
    expect(t.events.map((e) => e.kind)).toEqual(['OrderAccepted']);
  });

  it('rejects on a 400 without retrying, with an alert and an audit entry giving the reason', async () => {
    const t = await setup([400]);
    const o = order('O-4', { symbol: 'ZZZ' });
    t.client.submit(o, o.tsCreated);
    await t.client.settled(o.id);
    expect(broker.seen).toHaveLength(1);
    expect(t.timers.armed).toBe(0);
    const ev = t.events[0]!;
    expect(ev.kind).toBe('OrderRejected');
    const reason = ev.kind === 'OrderRejected' ? ev.reason : '';
    expect(reason).toContain('HTTP 400');
    expect(reason).toContain('unknown ticker ZZZ');
    expect(t.alerts).toEqual([{ ts: t.timers.nowUs(), orderId: 'O-4', reason }]);
    expect(t.audits.map((a) => [a.kind, a.message])).toEqual([['order.rejected', reason]]);
  });

  it('rejects when the retries are exhausted, after backoffs of 100 then 300 ms (factor 3)', async () => {
    const t = await setup([503, 429, 502]);
    const o = order('O-5');
    t.client.submit(o, o.tsCreated);
    await until(() => t.audits.length === 1, 'retry 1');
    const t0 = t.timers.nowUs();
    t.timers.advance(100);
    await until(() => t.audits.length === 2, 'retry 2');
    expect(t.audits[1]!.message).toContain('retrying in 300 ms');
    t.timers.advance(299);
    await new Promise((r) => setTimeout(r, 50));
    expect(broker.seen).toHaveLength(2);
    t.timers.advance(1);
    await t.client.settled(o.id);
    expect(t.timers.nowUs() - t0).toBe(400_000);
    expect(broker.counts()).toEqual({ [idempotencyKey('session-1', 'O-5')]: 3 });
    expect(t.events.map((e) => e.kind)).toEqual(['OrderRejected']);
    expect(t.alerts).toHaveLength(1);
    expect(t.alerts[0]!.reason).toContain('after 3 attempts (last: HTTP 502');
    expect(t.client.backoffMs(1)).toBe(100);
    expect(t.client.backoffMs(2)).toBe(300);
    expect(t.client.backoffMs(3)).toBe(900);
    expect(t.client.backoffMs(4)).toBe(1000);
  });

  it('a network error (nothing listening) is retried, then rejected; no throw', async () => {
    const t = await setup([]);
    await broker.stop();
    const dead = t.make();
    const o = order('O-6');
    expect(() => dead.submit(o, o.tsCreated)).not.toThrow();
    await until(() => t.audits.length === 1, 'retry 1');
    expect(t.audits[0]!.message).toContain('network error');
    t.timers.advance(100);
    await until(() => t.audits.length === 2, 'retry 2');
    t.timers.advance(300);
    await dead.settled(o.id);
    expect(t.events.map((e) => e.kind)).toEqual(['OrderRejected']);
  });

  it('a restarted client with the same session id re-sends under the same key', async () => {
    const t = await setup(['hang', 200]);
    const o = order('O-7');
    t.client.submit(o, o.tsCreated);
    await until(() => broker.seen.length === 1, 'the first request');
    t.client.close(); // the session dies with the order in flight
    const again = t.make();
    again.submit(o, o.tsCreated);
    again.submit(o, o.tsCreated); // a second submit of a known order sends nothing
    await again.settled(o.id);
    expect(Object.keys(broker.counts())).toEqual([idempotencyKey('session-1', 'O-7')]);
    expect(broker.seen).toHaveLength(2);
    expect(t.events.map((e) => e.kind)).toEqual(['OrderAccepted']);
    expect(idempotencyKey('session-2', 'O-7')).not.toBe(idempotencyKey('session-1', 'O-7'));
  });

  it('refuses cancel and replace with an alert and no event; books reported fills', async () => {
    const t = await setup([200]);
    const o = order('O-8');
    t.client.submit(o, o.tsCreated);
    await t.client.settled(o.id);
    t.client.cancel(o.id, 5);
    t.client.replace(o.id, { qty: 5 }, 6);
    expect(t.events.map((e) => e.kind)).toEqual(['OrderAccepted']);
    expect(t.client.requestRejections.map((r) => [r.request, r.orderId, r.ts])).toEqual([
      ['cancel', 'O-8', 5],
      ['replace', 'O-8', 6],
    ]);
    expect(t.alerts.map((a) => a.reason.split(':')[0])).toEqual(['cancel refused', 'replace refused']);
    expect(t.client.reportFill(o.id, { qty: 4, price: 410, ts: 7, commission: 1 })).toBeNull();
    expect(t.client.reportFill(o.id, { qty: 7, price: 410 })).toContain('exceeds the 6 left');
    expect(t.client.reportFill(orderId('O-none'), { qty: 1, price: 410 })).toContain('not an order this client has accepted');
    const fill = t.events[1]!;
    expect(fill).toMatchObject({ kind: 'OrderFilled', ts: 7, orderId: 'O-8', fill: { fillId: 'O-8-F1', qty: 4, price: 410, side: 'buy', symbol: 'SPY', commission: 1 } });
  });

  it('never shows the secret or the URL credentials in events, alerts, audits, errors or assumptions', async () => {
    const t = await setup([500, 400]);
    const credUrl = broker.url.replace('http://', `http://bot:${SECRET}@`) + `/${SECRET}`;
    const c = t.make();
    const withCreds = new WebhookExecutionClient({ ...(c as unknown as { options: WebhookClientOptions }).options, url: credUrl });
    clients.push(withCreds);
    const o = order('O-9');
    withCreds.submit(o, o.tsCreated);
    await until(() => t.audits.length === 1, 'the retry');
    t.timers.advance(100);
    await withCreds.settled(o.id);
    expect(broker.seen[0]!.headers['authorization']).toBe(`Basic ${Buffer.from(`bot:${SECRET}`).toString('base64')}`);
    expect(broker.seen[0]!.path).toBe(`/trading/webhook/abc/${SECRET}`);
    // A network failure's message too (a refused connection on a URL holding the secret).
    const dead = new WebhookExecutionClient({ ...(c as unknown as { options: WebhookClientOptions }).options, url: `http://127.0.0.1:1/${SECRET}?token=${SECRET}`, maxAttempts: 1 });
    clients.push(dead);
    dead.submit(order('O-10'), 0);
    await dead.settled(orderId('O-10'));
    withCreds.cancel(o.id as OrderId, 1);
    let thrown = '';
    try {
      new WebhookExecutionClient({ ...(c as unknown as { options: WebhookClientOptions }).options, url: `ftp://u:${SECRET}@x/` });
    } catch (e) {
      thrown = String(e);
    }
    expect(thrown).toContain('http or https');
    const all = captured(t, withCreds) + JSON.stringify(dead.assumptions()) + thrown;
    expect(t.events.map((e) => e.kind)).toEqual(['OrderRejected', 'OrderRejected']);
    expect(t.alerts[0]!.reason).toContain('(HTTP 400: {"error":"unknown ticker ZZZ","path":"***"})'); // the echoed path, redacted
    expect(withCreds.redact(`x ${credUrl} y ${SECRET}`)).toBe('x *** y ***');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(Buffer.from(`bot:${SECRET}`).toString('base64'));
  });

  it('a sink that throws becomes an alert, not an unhandled rejection', async () => {
    const t = await setup([200]);
    const c = new WebhookExecutionClient({
      ...(t.client as unknown as { options: WebhookClientOptions }).options,
      sink: {
        onOrderEvent: () => {
          throw new Error(`engine refused (${SECRET})`);
        },
      },
    });
    clients.push(c);
    const o = order('O-11');
    c.submit(o, o.tsCreated);
    await c.settled(o.id);
    expect(t.alerts.map((a) => a.reason)).toEqual(['order O-11: reporting its outcome failed: engine refused (***)']);
  });

  it('writes market orders without prices and stop-limits with both, sells as sell', () => {
    expect(webhookBody(order('M-1', { side: 'sell', qty: 3 }), 's')).toEqual({
      ticker: 'SPY', action: 'sell', quantity: 3, orderType: 'market', timeInForce: 'gtc', time: '2025-12-05T00:00:00.000Z', idempotencyKey: idempotencyKey('s', 'M-1'), orderId: 'M-1',
    });
    expect(webhookBody(order('M-2', { type: 'stop_limit', stopPrice: 401, limitPrice: 402, timeInForce: 'IOC' }), 's')).toMatchObject({ orderType: 'stop_limit', stopPrice: 401, limitPrice: 402, timeInForce: 'ioc' });
    expect(idempotencyKey('dca-spy', 'O-1')).toBe('td-c00d2de39d6d731ac02aaff524912d53'); // the README's example
  });

  it('refuses to start without the secret, naming the variable only', async () => {
    broker = new TestBroker();
    await broker.start();
    expect(() => new WebhookExecutionClient({ url: broker.url, sessionId: 's', secretEnv: 'TAPEDECK_BROKER_SECRET', env: {}, sink: { onOrderEvent: () => {} } })).toThrow(
      'the environment variable TAPEDECK_BROKER_SECRET (the signing secret) is not set',
    );
  });
});
