import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateDataset } from '../../../../datasets/synthetic/index.js';
import { openRunData } from '../../../../cli/compose/data-sources.js';
import { qualify } from '../../../../cli/compose/load-scenario.js';
import { ManualTimers } from '../../../../live/clock.js';
import { KIND_COLUMNS } from '../../../../live/feed/batch-builder.js';
import { serveFeed } from '../../../../live/feed/serve.js';
import type { FeedServer, FeedServerOptions } from '../../../../live/feed/serve.js';
import { backoffDelayMs, WsFeed } from '../../../../live/feed/ws-feed.js';
import type { WsFeedOptions } from '../../../../live/feed/ws-feed.js';
import type { FeedKind } from '../../../../live/feed/protocol.js';

type Rows = Record<FeedKind, number[][]>;
const KINDS: readonly FeedKind[] = ['bars', 'trades', 'quotes', 'book'];

/** Rows of column batches as [ts, symbol, ...the kind's columns], in batch order. */
async function rowsOf(kind: FeedKind, feed: AsyncIterable<unknown> | undefined, out: number[][]): Promise<void> {
  if (feed === undefined) return;
  for await (const batch of feed) {
    const b = batch as unknown as Record<string, ArrayLike<number>> & { length: number };
    for (let i = 0; i < b.length; i++) out.push([b['ts']![i]!, b['symbol']![i]!, ...KIND_COLUMNS[kind].map((c) => Number(b[c]![i]!))]);
  }
}

let dir: string;
let data: string;
/** What the replay reads from the dataset: the run assembly's own feeds. */
const expected: Rows = { bars: [], trades: [], quotes: [], book: [] };
const servers: FeedServer[] = [];
const feeds: WsFeed[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-feed-'));
  data = join(dir, 'data');
  await generateDataset({
    seed: 8,
    out: data,
    symbols: ['AAA', 'BBB'],
    days: 2,
    interval: '1h',
    kinds: ['bars', 'trades', 'quotes', 'book'],
    intraday: { days: 1, tradesPerDay: 150, quotesPerDay: 250, bookEventsPerDay: 150, snapshotSeconds: 3600 },
  });
  const strategies = [{ id: 's', type: 'sma_cross', params: { fast: 2, slow: 3 } }];
  const l1 = await openRunData(await qualify({ name: 'l1', seed: 1, initialCash: 1000, data: { bars: data, trades: data, quotes: data }, strategies }, join(dir, 'l1.json')));
  try {
    const f = await l1.openFeeds();
    await rowsOf('bars', f.bars, expected.bars);
    await rowsOf('trades', f.trades, expected.trades);
    await rowsOf('quotes', f.quotes, expected.quotes);
    f.close();
  } finally {
    await l1.close();
  }
  const l2 = await openRunData(await qualify({ name: 'l2', seed: 1, initialCash: 1000, data: { book: data, trades: data }, strategies: [{ id: 'm', type: 'microstructure', params: {} }] }, join(dir, 'l2.json')));
  try {
    const f = await l2.openFeeds();
    await rowsOf('book', f.book, expected.book);
    f.close();
  } finally {
    await l2.close();
  }
});

afterEach(async () => {
  for (const f of feeds.splice(0)) f.close();
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function serve(options: Partial<FeedServerOptions> = {}): Promise<FeedServer> {
  const s = await serveFeed({ dataset: data, speed: 'max', heartbeatMs: 1000, ...options });
  servers.push(s);
  return s;
}

/** Connects a feed and reads every kind to the end. */
async function consume(server: FeedServer, options: Partial<WsFeedOptions> = {}): Promise<{ rows: Rows; feed: WsFeed }> {
  const feed = new WsFeed({ url: server.url, symbols: ['AAA', 'BBB'], backoff: { initialMs: 10, maxMs: 100 }, ...options });
  feeds.push(feed);
  const rows: Rows = { bars: [], trades: [], quotes: [], book: [] };
  feed.start();
  await Promise.all(KINDS.map((k) => rowsOf(k, feed.batches[k], rows[k])));
  return { rows, feed };
}

describe('feed serve and the WebSocket feed', () => {
  it('the generated dataset has every kind to compare', () => {
    expect(expected.bars.length).toBe(28);
    for (const k of KINDS) expect(expected[k].length, k).toBeGreaterThan(20);
  });

  it('delivers every row once, in order, with the values the replay reads', async () => {
    const server = await serve();
    expect(server.host).toBe('127.0.0.1');
    const { rows, feed } = await consume(server);
    expect(rows).toEqual(expected);
    const report = await feed.done;
    expect(report.failure).toBeNull();
    expect(report.stats).toMatchObject({ accepted: server.frames.rows, malformed: 0, invalid: 0, duplicateSeq: 0, outOfOrder: 0, duplicateTs: 0, unsubscribed: 0 });
    expect(report.gaps).toMatchObject({ lastSeq: server.frames.rows, seqGaps: [], missedMessages: 0, reconnects: 0, ended: true });
  });

  it('sends only the subscribed symbols and kinds', async () => {
    const server = await serve();
    const { rows, feed } = await consume(server, { symbols: ['BBB'], kinds: ['bars'] });
    // BBB is symbol 0 of this feed's symbols; the replay numbered it 1 of [AAA, BBB].
    expect(rows.bars).toEqual(expected.bars.filter((r) => r[1] === 1).map((r) => [r[0]!, 0, ...r.slice(2)]));
    expect(rows.trades).toEqual([]);
    expect((await feed.done).gaps.seqGaps).toEqual([]);
  });

  it('reconnects after dropped connections and resumes with no row lost or repeated', async () => {
    const server = await serve({ faults: { dropAfterSeq: [300, 2000] } });
    const { rows, feed } = await consume(server);
    expect(rows).toEqual(expected);
    const report = await feed.done;
    expect(report.gaps.reconnects).toBe(2);
    expect(report.gaps.outages).toHaveLength(2);
    expect(report.gaps).toMatchObject({ seqGaps: [], missedMessages: 0, ended: true });
    expect(report.stats.duplicateSeq).toBe(0);
    expect(report.stats.accepted).toBe(server.frames.rows);
  });

  it('counts malformed, out-of-order and duplicate messages and passes none of them on', async () => {
    let firstBar = 0;
    let row = 0;
    const probe = await serve();
    for await (const f of probe.frames.frames()) {
      row++;
      if (f.type === 'bar') {
        firstBar = row;
        break;
      }
    }
    const server = await serve({ faults: { malformedAfterSeq: [10, 500], duplicateAfterRow: [20, firstBar], outOfOrderAfterRow: [40, firstBar + 3] } });
    const { rows, feed } = await consume(server);
    expect(rows).toEqual(expected);
    const report = await feed.done;
    expect(report.stats).toMatchObject({ malformed: 2, duplicateTs: 2, outOfOrder: 2, accepted: server.frames.rows, invalid: 0 });
    expect(report.stats.refusals.some((r) => r.startsWith('duplicateTs: bar of '))).toBe(true);
    // Every message received is counted once: passed on, or refused under one counter.
    const st = report.stats;
    expect(st.accepted + st.heartbeats + st.control + st.malformed + st.unknownType + st.invalid + st.unsubscribed + st.duplicateSeq + st.outOfOrder + st.duplicateTs).toBe(st.received);
    // The injected messages took seq numbers of their own: no gap, nothing resent.
    expect(report.gaps).toMatchObject({ seqGaps: [], reconnects: 0, lastSeq: server.frames.rows + 4 });
  });

  it('takes a pause longer than the heartbeat timeout for a dead link: reconnects and resumes', async () => {
    const server = await serve({ heartbeatMs: 100, faults: { pauseAfterSeq: [{ seq: 100, ms: 1500 }] } });
    const { rows, feed } = await consume(server);
    expect(rows).toEqual(expected);
    const report = await feed.done;
    // One timeout is the pause's; a loaded machine may add one (a new connection opening its readers).
    expect(report.gaps.heartbeatTimeouts).toBeGreaterThanOrEqual(1);
    expect(report.gaps.reconnects).toBe(report.gaps.heartbeatTimeouts);
    expect(report.gaps.outages[0]!.reason).toBe('no message for 300 ms (heartbeat timeout)');
    expect(report.gaps.longestSilenceMs).toBeGreaterThanOrEqual(300);
    expect(report.gaps).toMatchObject({ seqGaps: [], missedMessages: 0 });
  });

  it('gives up after maxAttempts failed connections, with the reason, without throwing', async () => {
    const server = await serve();
    const url = server.url;
    await server.close();
    servers.length = 0;
    const feed = new WsFeed({ url, symbols: ['AAA'], maxAttempts: 3, backoff: { initialMs: 5 } }).start();
    feeds.push(feed);
    const report = await feed.done;
    expect(report.failure).toMatch(/^gave up after 3 failed connection attempts to ws:\/\/127\.0\.0\.1:\d+ \(last: .*ECONNREFUSED/);
    expect(report.gaps.outages).toHaveLength(1);
    await expect(rowsOf('bars', feed.batches.bars, [])).rejects.toThrow(/gave up after 3/);
  });

  it('the server refuses a resume of another stream with an error message and a policy close', async () => {
    const server = await serve();
    const ws = new WebSocket(server.url);
    const got: string[] = [];
    ws.on('message', (d) => {
      got.push(String(d));
      if (got.length === 1) ws.send(JSON.stringify({ type: 'resume', stream: 'someotherstream', lastSeq: 10 }));
    });
    const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
    expect(code).toBe(1008);
    expect(JSON.parse(got[0]!)).toMatchObject({ type: 'hello', protocol: 1, stream: server.frames.stream, symbols: ['AAA', 'BBB'], kinds: ['bars', 'trades', 'quotes', 'book'], heartbeatMs: 1000 });
    expect(JSON.parse(got[got.length - 1]!)).toEqual({ type: 'error', message: `cannot resume stream someotherstream: this server serves ${server.frames.stream}` });
  });

  it('fails, without throwing, when the stream changes under a resume', async () => {
    const other = join(dir, 'other');
    await generateDataset({ seed: 9, out: other, symbols: ['AAA', 'BBB'], days: 3, kinds: ['bars'] });
    // In real time (1x) the first day's bars go out at once and the next ones a day later: the server
    // is replaced by one serving other data while the client waits.
    const first = await serve({ speed: 1 });
    const port = first.port;
    const feed = new WsFeed({ url: first.url, symbols: ['AAA', 'BBB'], kinds: ['bars'], backoff: { initialMs: 300 } }).start();
    feeds.push(feed);
    const rows: number[][] = [];
    const reading = rowsOf('bars', feed.batches.bars, rows).catch((e: Error) => e);
    for (let i = 0; i < 300 && feed.stats.accepted === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await first.close();
    servers.length = 0;
    await serve({ dataset: other, port });
    const report = await feed.done;
    expect(report.failure).toMatch(/^the server's stream changed from [0-9a-f]{16} to [0-9a-f]{16}: cannot resume$/);
    expect(await reading).toBeInstanceOf(Error);
    expect(rows.length).toBe(feed.stats.accepted);
  });

  it('paces rows by their timestamps divided by the speed, on the injected clock', async () => {
    const timers = new ManualTimers(1_000_000_000);
    const server = await serve({ speed: 3600, timers, heartbeatMs: 60_000 });
    const feed = new WsFeed({ url: server.url, symbols: ['AAA', 'BBB'], kinds: ['bars'] }).start();
    feeds.push(feed);
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
    };
    const until = async (n: number): Promise<void> => {
      for (let i = 0; i < 300 && feed.stats.accepted < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(1);
    await settle();
    // The first hour's two bars (AAA and BBB close together) at once; the next ones an hour of data later: one second at 3600x.
    expect(feed.stats.accepted).toBe(2);
    const hour = expected.bars[2]![0]! - expected.bars[0]![0]!;
    expect(hour).toBe(3_600_000_000);
    timers.advance(999);
    await settle();
    expect(feed.stats.accepted).toBe(2);
    timers.advance(1);
    await until(4);
    expect(feed.stats.accepted).toBe(4);
  });
});

describe('WsFeed reconnects', () => {
  it('fails with the reason, without throwing, on a URL that is not a WebSocket URL', async () => {
    const feed = new WsFeed({ url: 'ftp://127.0.0.1/feed', symbols: ['AAA'] }).start();
    const report = await feed.done;
    expect(report.failure).toMatch(/^invalid feed URL "ftp:\/\/127\.0\.0\.1\/feed": /);
  });

  it('waits the backoff of each consecutive failure on its timers before trying again', async () => {
    // A TCP server that hangs up on every connection: each attempt fails once it was made.
    let attempts = 0;
    const tcp = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const port = (tcp.address() as AddressInfo).port;
    const timers = new ManualTimers(0);
    const feed = new WsFeed({ url: `ws://127.0.0.1:${port}`, symbols: ['AAA'], timers, backoff: { initialMs: 100, factor: 2, maxMs: 300 }, maxAttempts: 5 });
    const settle = async (n: number): Promise<void> => {
      for (let i = 0; i < 300 && (attempts < n || feed.gaps.outages.length === 0 || timers.armed === 0); i++) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 30));
    };
    try {
      feed.start();
      await settle(1);
      expect(attempts).toBe(1);
      // Delays 100, 200, 300 (capped), 300: each attempt only once its delay has passed.
      for (const [n, delay] of [[2, 100], [3, 200], [4, 300], [5, 300]] as const) {
        timers.advance(delay - 1);
        await new Promise((r) => setTimeout(r, 30));
        expect(attempts, `attempt ${n} before its delay`).toBe(n - 1);
        timers.advance(1);
        await settle(n);
        expect(attempts, `attempt ${n}`).toBe(n);
      }
      const report = await feed.done;
      expect(report.failure).toMatch(/^gave up after 5 failed connection attempts/);
      expect(report.gaps.outages).toHaveLength(1);
      expect(report.gaps.reconnects).toBe(0);
    } finally {
      feed.close();
      await new Promise<void>((r) => tcp.close(() => r()));
    }
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
    expect([1, 2, 3].map((n) => backoffDelayMs(n, { initialMs: 100, factor: 3, maxMs: 500 }))).toEqual([100, 300, 500]);
  });

  it('scales by 1 ± jitter with the draw', () => {
    expect(backoffDelayMs(2, { jitter: 0.2 }, 0)).toBeCloseTo(400, 12);
    expect(backoffDelayMs(2, { jitter: 0.2 }, 0.5)).toBe(500);
    expect(backoffDelayMs(2, { jitter: 0.2 }, 0.999999)).toBeCloseTo(600, 3);
  });
});
