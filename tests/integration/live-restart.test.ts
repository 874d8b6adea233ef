import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { serveFeed } from '../../live/feed/serve.js';
import type { FeedServer } from '../../live/feed/serve.js';
import { REPO } from '../support/cli.js';

/**
 * Issue 17 acceptance: `kill -9` of a session mid-stream and a restart from `--state`: no order lost,
 * none duplicated (the broker test server counts idempotency keys), positions identical to an
 * uninterrupted session. Secrets never appear in logs or reports.
 */

const SECRET = 'hunter2-very-secret-signing-key';
let dir: string;
let data: string;
let scenarioFile: string;
let feed: FeedServer;
let broker: Server;
let brokerUrl: string;
/** Every POST the broker received: its idempotency key, the order id in the body, the session. */
const posts: { key: string; orderId: string; body: string }[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-live-restart-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 5, out: data, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 300, kinds: ['bars'] });
  const s = JSON.parse(await readFile(join(REPO, 'scenarios/demo.json'), 'utf8')) as Record<string, unknown>;
  delete s.$schema;
  scenarioFile = join(dir, 'demo.json');
  await writeFile(scenarioFile, JSON.stringify({ ...s, data: { bars: data } }));
  // 300 daily bars of 4 symbols at 40 days of data per second: ~7.5 s per session.
  feed = await serveFeed({ dataset: data, speed: 40 * 86_400, port: 0, heartbeatMs: 200 });
  broker = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { idempotencyKey: string; orderId: string };
      posts.push({ key: String(req.headers['idempotency-key'] ?? parsed.idempotencyKey), orderId: parsed.orderId, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
  const a = broker.address() as { port: number };
  brokerUrl = `http://127.0.0.1:${a.port}/hook/private-path`;
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await feed?.close();
  await new Promise<void>((r) => (broker ? broker.close(() => r()) : r()));
  await rm(dir, { recursive: true, force: true });
});

interface Child {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly out: () => string;
}

function startLive(state: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), 'live', scenarioFile, '--feed', feed.url, '--broker', brokerUrl, '--state', state, '--log', 'json', '--json'], {
    cwd: REPO,
    env: { ...process.env, TAPEDECK_BROKER_SECRET: SECRET },
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a live session killed with SIGKILL and restarted from its state', () => {
  it('loses no order, sends none twice and ends with the positions and runHash of an uninterrupted session', async () => {
    // The uninterrupted session first: its orders are what the broker must see once each.
    const straight = startLive(join(dir, 'straight'));
    expect(await straight.exited).toBe(0);
    const straightPosts = posts.splice(0);
    const straightReport = JSON.parse(await readFile(join(dir, 'straight', 'report', 'report.json'), 'utf8'));
    const expectedOrders = new Set(straightPosts.map((p) => p.orderId));
    expect(expectedOrders.size).toBe(straightReport.counts.orders);
    expect(expectedOrders.size).toBeGreaterThan(20);

    // The same session killed after a third of its orders reached the broker, then started again.
    const state = join(dir, 'killed');
    const first = startLive(state);
    await waitFor(() => new Set(posts.map((p) => p.orderId)).size >= Math.floor(expectedOrders.size / 3), 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeKill = new Set(posts.map((p) => p.orderId)).size;
    expect(beforeKill).toBeLessThan(expectedOrders.size);
    const second = startLive(state);
    expect(await second.exited, second.out()).toBe(0);

    // Every order reached the broker, under one key each; a key POSTed twice (an order in flight at the
    // kill, re-sent after the restart) carries the same key, which the broker drops.
    const byOrder = new Map<string, Set<string>>();
    for (const p of posts) byOrder.set(p.orderId, (byOrder.get(p.orderId) ?? new Set()).add(p.key));
    expect(new Set(byOrder.keys())).toEqual(expectedOrders);
    for (const keys of byOrder.values()) expect(keys.size).toBe(1);
    const repeats = posts.length - byOrder.size;
    expect(repeats).toBeLessThanOrEqual(3);

    // The same positions, fills and runHash as the uninterrupted session.
    const report = JSON.parse(await readFile(join(state, 'report', 'report.json'), 'utf8'));
    expect(report.runHash).toBe(straightReport.runHash);
    expect(report.positions).toEqual(straightReport.positions);
    expect(report.live.restarts).toBe(1);
    expect(report.live.journalReplayed).toBeGreaterThan(0);
    expect(report.live.broker.skippedAnswered + report.live.broker.resent).toBeGreaterThan(0);
    const session = JSON.parse(await readFile(join(state, 'session.json'), 'utf8'));
    expect(session.state).toBe('ended');

    // The secret and the webhook's path never appear in a log line, the report or the state files.
    for (const text of [first.out(), second.out(), straight.out(), JSON.stringify(report), await readFile(join(state, 'report', 'report.html'), 'utf8'), await readFile(join(state, 'session.json'), 'utf8'), await readFile(join(state, 'orders.jsonl'), 'utf8')]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('private-path');
    }
  }, 180_000);
});
