import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ConfigError, DataError, formatIsoUs, parseDurationUs } from '../../engine/core/index.js';
import type { AuditEntry } from '../../engine/model/events.js';
import type { AttachedRun, EquitySink, LiveHooks } from '../../sim/backtest/index.js';
import { describeIntervals } from '../../cli/compose/data-sources.js';
import type { RunData, RunFeeds } from '../../cli/compose/data-sources.js';
import { executeRun } from '../../cli/compose/run-scenario.js';
import type { ExecutedRun } from '../../cli/compose/run-scenario.js';
import type { QualifiedScenario } from '../../cli/compose/load-scenario.js';
import { booksOf } from '../../cli/compose/books.js';
import { keepProcessAlive, wallTimers } from '../clock.js';
import type { LiveTimers } from '../clock.js';
import type { BrokerAlert, WebhookBackoff } from '../broker/webhook-client.js';
import type { FeedBatches, FeedStats, GapReport } from '../feed/feed-assembler.js';
import { JsonlFeed } from '../feed/jsonl-feed.js';
import { FEED_KINDS, parseFeedMessage } from '../feed/protocol.js';
import type { DataMessage, FeedKind, HelloMessage } from '../feed/protocol.js';
import { WsFeed } from '../feed/ws-feed.js';
import type { BackoffConfig, FeedReport } from '../feed/ws-feed.js';
import { JsonlJournal, OrderJournal } from './journal.js';
import { BrokerMirror, HALT_TAG, SessionOrderRouter } from './order-router.js';
import type { HaltMode } from '../ops/halt-switch.js';
import { writeRecording } from './recording.js';
import { DATA_JOURNAL, ORDER_JOURNAL, openSessionState, RECORDING_DIR, RESTORE_FILE, writeSession } from './session-state.js';
import type { OpenedState } from './session-state.js';
import type { LiveSessionReport } from '../../reports/run-report.js';
import { DirectoryRefused } from '../../datasets/output-dir.js';
import { writeFileDurable } from '../../datasets/atomic.js';
import { restoreStrategies } from '../../engine/strategies/snapshots.js';
import type { Strategy } from '../../engine/strategies/context.js';
import { buildPortfolioFile, PORTFOLIO_FILE, readPortfolioFile, writePortfolioFile } from '../state/portfolio-file.js';
import type { SessionState } from '../ops/status-line.js';

/** A live session's broker: orders mirrored to a webhook (README "Broker webhook"). Absent: paper. */
export interface BrokerSettings {
  readonly url: string;
  /** The environment variable holding the signing secret (never the secret itself). */
  readonly secretEnv: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly backoff?: WebhookBackoff;
  readonly fetch?: typeof fetch;
}

/** One event of a session for its log (live/ops LiveLog renders them as text or JSON lines). */
export type SessionLog = (level: 'info' | 'warn' | 'error', event: string, fields?: Readonly<Record<string, unknown>>) => void;

export interface LiveSessionOptions {
  readonly scenario: QualifiedScenario;
  /** `ws://` or `wss://` URL of a feed server, a JSON-lines file, or `-` for stdin. */
  readonly feed: string;
  /** Mirror the orders to this broker; absent: a paper session. */
  readonly broker?: BrokerSettings;
  /** The session's state directory (`--state`). */
  readonly stateDir: string;
  readonly timers?: LiveTimers;
  /** Streams the equity curve (the run outputs' sink). */
  readonly equitySink?: EquitySink;
  readonly log?: SessionLog;
  /** The feed's reconnect backoff and dead-link timeout. */
  readonly feedBackoff?: BackoffConfig;
  readonly heartbeatTimeoutMs?: number;
  /** Standard input, for `--feed -`. */
  readonly stdin?: NodeJS.ReadableStream;
  /**
   * A portfolio.json (or a state directory holding one) whose strategy snapshots the strategies take
   * back (restore()) before their first event: what a strategy chose to persist (a Q table, a DCA
   * plan) carries into a new session. Positions and cash do not: the session starts with the
   * scenario's initialCash, flat. Kept in the state directory (restore.json), so a resume restores the same.
   */
  readonly restoreFrom?: string;
  /** Told the session's controls once the session has opened its state and feed. */
  readonly onStart?: (session: LiveSession) => void;
}

/** The session as it stands, for a status line. */
export interface SessionStatus {
  readonly state: SessionState;
  readonly equity: number;
  readonly cash: number;
  readonly positions: readonly { readonly symbol: string; readonly qty: number }[];
  /** Data time of the last event the engine saw, microseconds (NaN before). */
  readonly lastEventUs: number;
  /** Wall time minus that, milliseconds (NaN before). */
  readonly lagMs: number;
  readonly events: number;
  readonly refusals: number;
}

/**
 * What a session did besides trading: report.json's `live` section (its type and schema are the
 * report's, reports/run-report.ts; NaN times are written as null).
 */
export type LiveSummary = LiveSessionReport;

/** The controls of a running session. */
export interface LiveSession {
  readonly sessionId: string;
  /** The kill switch: refuse new orders, cancel the working ones, and with 'flatten' close every position. */
  halt(mode: HaltMode, reason: string): void;
  /** Stops the data (the run ends as if the stream had ended, the outputs are written; the session stays resumable). */
  stop(): void;
  status(): SessionStatus;
}

export interface LiveSessionRun {
  readonly run: ExecutedRun;
  readonly summary: LiveSummary;
  readonly state: OpenedState;
}

/** The feed kinds a scenario trades: those its `data` names. */
function kindsOf(scenario: QualifiedScenario): FeedKind[] {
  return FEED_KINDS.filter((k) => scenario.data[k] !== undefined);
}

/** Refuses, by scenario path, what a live session cannot do. */
function refuseUnsupported(scenario: QualifiedScenario): void {
  const d = scenario.data;
  const refuse = (path: string, why: string): never => {
    throw new ConfigError(path, `not supported in a live session: ${why}`);
  };
  if (d.options !== undefined) refuse('data.options', 'the feed protocol carries no option chains');
  if (d.sentiment !== undefined) refuse('data.sentiment', 'the feed protocol carries no sentiment scores');
  if (d.timeframes !== undefined) refuse('data.timeframes', 'coarser bars are resampled from a whole dataset, which a live stream is not');
  if (d.start !== undefined) refuse('data.start', 'a live session trades the stream from now (replay the recording to select a range)');
  if (d.end !== undefined) refuse('data.end', 'a live session trades the stream until it ends or is stopped');
  if (d.barTimestamp === 'close') refuse('data.barTimestamp', "a feed's bar messages carry both their open (barTs) and close (ts) times");
  if (booksOf(scenario) !== null) refuse('strategies[].account', 'a live session trades one account');
  if (kindsOf(scenario).length === 0) throw new ConfigError('data', 'a live session needs the kinds it trades: name at least one of data.bars, data.quotes, data.trades, data.book (the feed delivers them; `tapedeck run` reads the recording there)');
}

/** The feed without credentials (for logs, the report and session.json). */
export function feedLabel(feed: string): string {
  if (!/^wss?:\/\//i.test(feed)) return feed;
  try {
    const u = new URL(feed);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'an invalid feed URL';
  }
}

/** Connects to a feed server, reads its hello and disconnects. */
async function probeHello(url: string, timers: LiveTimers, timeoutMs = 10_000): Promise<HelloMessage> {
  return new Promise((resolve, reject) => {
    let done = false;
    const ws = new WebSocket(url);
    const timer = timers.after(timeoutMs, () => finish(new Error(`no hello from ${feedLabel(url)} within ${timeoutMs} ms`)));
    const finish = (err: Error | null, hello?: HelloMessage): void => {
      if (done) return;
      done = true;
      timer.cancel();
      ws.terminate();
      if (err !== null) reject(new DataError(`feed ${feedLabel(url)}: ${err.message}`));
      else resolve(hello!);
    };
    ws.on('message', (data) => {
      const parsed = parseFeedMessage(String(data));
      if (parsed.ok && parsed.message.type === 'hello') finish(null, parsed.message);
      else if (parsed.ok && parsed.message.type === 'error') finish(new Error(`the server refused: ${parsed.message.message}`));
    });
    ws.on('error', (err) => finish(err));
    ws.on('close', () => finish(new Error('closed before its hello')));
  });
}

/** SHA-256 of a qualified scenario (user modules by their source hash): a resumed session must run the same one. */
export function scenarioHash(scenario: QualifiedScenario): string {
  return createHash('sha256').update(JSON.stringify(scenario)).digest('hex');
}

/**
 * Runs a live session: the scenario's run, assembled by the one run assembly (cli/compose executeRun)
 * over a live feed instead of a dataset, with the paper venue (the simulator's venue models) filling
 * its orders, and with a broker, every order mirrored to it. Time in the engine is the data's
 * (exchange) time, so the same messages give the same orders and fills as a replay of the recording
 * (the parity test). Everything accepted is journaled first (STATE/data.jsonl): a session killed and
 * started again replays its journal, resumes the feed after the last seq received, and so continues
 * exactly where an uninterrupted session would be, sending no order twice (STATE/orders.jsonl, and
 * the broker's idempotency keys). Returns when the stream ends, the session is stopped, or the feed fails.
 */
export async function runLiveSession(options: LiveSessionOptions): Promise<LiveSessionRun> {
  // The feed's and the broker's timers do not hold the process: the session does, until it returns.
  const release = keepProcessAlive();
  try {
    return await liveSession(options);
  } finally {
    release();
  }
}

async function liveSession(options: LiveSessionOptions): Promise<LiveSessionRun> {
  const scenario = options.scenario;
  const timers = options.timers ?? wallTimers;
  const log: SessionLog = options.log ?? (() => {});
  refuseUnsupported(scenario);
  const kinds = kindsOf(scenario);
  const isWs = /^wss?:\/\//i.test(options.feed);
  const label = feedLabel(options.feed);
  const mode = options.broker !== undefined ? 'broker' : 'paper';
  if (mode === 'broker' && kinds.includes('book')) throw new ConfigError('data.book', 'a broker session on L2 data is not supported: the broker mirror sits on the bar/L1 venue (use --paper on book data)');

  const hash = scenarioHash(scenario);
  // Symbols: the session's own when resumed, else the scenario's, else the server's.
  let symbols: readonly string[] | undefined = scenario.data.symbols;
  const nowIso = (): string => formatIsoUs(timers.nowUs());
  const fresh = { scenarioHash: hash, scenarioName: scenario.name, feed: label, mode, symbols: [] as string[] } as const;
  const state = await openSessionState(options.stateDir, { ...fresh, symbols: [...(symbols ?? [])] }, nowIso());
  const session = state.session;
  if (state.resumed && session.symbols.length > 0) symbols = session.symbols;
  if (symbols === undefined) {
    if (!isWs) throw new ConfigError('data.symbols', 'a JSON-lines feed needs data.symbols (the symbols the session trades)');
    const hello = await probeHello(options.feed, timers);
    symbols = [...hello.symbols].sort();
    const missing = kinds.filter((k) => !hello.kinds.includes(k));
    if (missing.length > 0) throw new ConfigError(`data.${missing[0]}`, `the feed ${label} serves ${hello.kinds.join(', ')}, not ${missing.join(', ')}`);
  }
  if (symbols.length === 0) throw new ConfigError('data.symbols', `the feed ${label} lists no symbol`);
  session.symbols = [...symbols];
  await writeSession(state.dir, session);
  log('info', state.resumed ? 'session.resumed' : 'session.started', { session: session.id, state: state.dir, feed: label, mode, symbols: symbols.join(','), restarts: session.restarts });

  // Strategy snapshots to restore: given now (kept for resumes), or kept by an earlier run of this session.
  const restorePath = join(state.dir, RESTORE_FILE);
  let restored: Readonly<Record<string, unknown>> | null = null;
  if (options.restoreFrom !== undefined) {
    if (state.resumed && !existsSync(restorePath)) throw new DirectoryRefused(state.dir, `--restore: the session in ${state.dir} started without one; resume it without --restore`);
    if (!state.resumed) {
      const from = options.restoreFrom;
      const file = await readPortfolioFile(existsSync(join(from, PORTFOLIO_FILE)) ? join(from, PORTFOLIO_FILE) : from);
      await writeFileDurable(restorePath, `${JSON.stringify({ from: file.name, asOf: file.asOf, strategies: file.strategies }, null, 1)}\n`);
    }
  }
  if (existsSync(restorePath)) restored = (JSON.parse(readFileSync(restorePath, 'utf8')) as { strategies: Record<string, unknown> }).strategies;

  // The journals: data first (write-ahead), orders when a broker is used.
  const { journal: dataJournal, lines: journaled } = JsonlJournal.open(join(state.dir, DATA_JOURNAL));
  const orderJournal = mode === 'broker' ? OrderJournal.open(join(state.dir, ORDER_JOURNAL)) : null;

  // Bar intervals: data.interval, else each symbol's first bar (its close ts minus its open barTs).
  const givenInterval = scenario.data.interval !== undefined ? parseDurationUs(scenario.data.interval, 'data.interval') : null;
  const firstSpan = new Map<string, number>();
  const needSpans = kinds.includes('bars') && givenInterval === null;
  let spansReady: () => void = () => {};
  const spans = new Promise<void>((resolve) => (spansReady = resolve));
  const noteBar = (m: DataMessage): void => {
    if (m.type !== 'bar' || firstSpan.has(m.symbol)) return;
    firstSpan.set(m.symbol, m.ts - m.barTs);
    if (symbols!.every((s) => firstSpan.has(s))) spansReady();
  };
  if (needSpans) {
    for (const line of journaled) {
      const p = parseFeedMessage(line);
      if (p.ok) noteBar(p.message as DataMessage);
    }
  }
  let accepted = 0;
  const onAccepted = (text: string, m: DataMessage): void => {
    dataJournal.append(text);
    accepted++;
    if (needSpans) noteBar(m);
  };

  let feedDone: Promise<FeedReport>;
  let batches: FeedBatches;
  let closeFeed: () => void;
  let feedStats: () => { stats: FeedStats; gaps: GapReport };
  let wsFeed: WsFeed | null = null;
  if (isWs) {
    wsFeed = new WsFeed({
      url: options.feed,
      symbols,
      kinds,
      timers,
      onAccepted,
      ...(options.feedBackoff !== undefined ? { backoff: options.feedBackoff } : {}),
      ...(options.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
    });
    if (journaled.length > 0) {
      if (session.stream === null) throw new DataError(`${join(state.dir, DATA_JOURNAL)} holds data but ${join(state.dir, 'session.json')} no stream id: the state is damaged`);
      wsFeed.preload(journaled, session.stream);
    }
    const f = wsFeed;
    feedDone = f.done;
    batches = f.batches;
    closeFeed = () => f.close();
    feedStats = () => ({ stats: f.stats, gaps: f.gaps });
    f.start();
  } else {
    const input = options.feed === '-' ? (options.stdin ?? process.stdin) : null;
    const f =
      input !== null
        ? new JsonlFeed(input as NodeJS.ReadableStream & import('node:stream').Readable, { symbols, kinds, timers, onAccepted }, journaled)
        : JsonlFeed.fromFile(options.feed, { symbols, kinds, timers, onAccepted }, journaled);
    feedDone = f.done;
    batches = f.batches;
    closeFeed = () => (input as { destroy?: () => void } | null)?.destroy?.();
    feedStats = () => ({ stats: f.stats, gaps: f.gaps });
  }

  // The stream id goes to session.json as soon as it is known (a restart resumes it).
  const saveStream = async (): Promise<void> => {
    const id = wsFeed?.streamId ?? null;
    if (id !== null && session.stream !== id) {
      session.stream = id;
      await writeSession(state.dir, session);
    }
  };

  // Wait for the first bar of every symbol when the intervals come from the stream.
  if (needSpans) {
    const ended = feedDone.then((r) => {
      throw new DataError(`the feed ${label} ${r.failure !== null ? `failed (${r.failure})` : 'ended'} before a bar of every symbol arrived (${symbols!.filter((s) => !firstSpan.has(s)).join(', ')}): set data.interval`);
    });
    await Promise.race([spans, ended]);
  }
  await saveStream();
  const intervals = new Map<string, number>();
  if (kinds.includes('bars')) for (const s of symbols) intervals.set(s, givenInterval ?? firstSpan.get(s)!);
  const intervalUs = intervals.size > 0 ? Math.min(...intervals.values()) : null;

  // The broker mirror and the kill switch sit in front of the paper venue.
  let broker: BrokerMirror | null = null;
  if (options.broker !== undefined) {
    const b = options.broker;
    broker = new BrokerMirror(
      {
        url: b.url,
        sessionId: session.id,
        secretEnv: b.secretEnv,
        timers,
        ...(b.env !== undefined ? { env: b.env } : {}),
        ...(b.timeoutMs !== undefined ? { timeoutMs: b.timeoutMs } : {}),
        ...(b.maxAttempts !== undefined ? { maxAttempts: b.maxAttempts } : {}),
        ...(b.backoff !== undefined ? { backoff: b.backoff } : {}),
        ...(b.fetch !== undefined ? { fetch: b.fetch } : {}),
      },
      orderJournal!,
      (a: BrokerAlert) => log('error', 'broker.alert', { order: a.orderId, reason: a.reason }),
      (e: AuditEntry) => log('warn', e.kind, { message: e.message, ...(e.orderId !== undefined ? { order: e.orderId } : {}) }),
    );
  }
  let router: SessionOrderRouter | null = null;
  let attached: AttachedRun | null = null;
  let pendingHalt: { mode: HaltMode; reason: string } | null = null;
  let events = 0;
  let stopped = false;
  let finished = false;

  const applyHalt = (mode: HaltMode, reason: string): void => {
    if (router === null || attached === null) {
      pendingHalt = { mode, reason };
      return;
    }
    const before = router.halted;
    if (before !== null && (before.mode === 'flatten' || mode === 'cancel')) return;
    router.halted = { mode, reason };
    const { execution, portfolio, clock, recorder } = attached;
    const ts = clock.now();
    let cancelled = 0;
    let flattened = 0;
    for (let k = 0; k < portfolio.strategyCount; k++) {
      for (let i = 0; i < portfolio.symbolCount; i++) {
        for (const o of execution.openOrders(k, i)) {
          if (o.tag === HALT_TAG) continue;
          execution.cancel(o.id, ts);
          cancelled++;
        }
        if (mode === 'flatten' && portfolio.position(k, i) !== 0) {
          execution.setTarget(k, i, 0, ts, { tag: HALT_TAG });
          flattened++;
        }
      }
    }
    recorder.onAudit({ ts, kind: 'live.halt', message: `kill switch (${mode}): ${reason}; ${cancelled} working orders cancelled${mode === 'flatten' ? `, ${flattened} positions sent to flat` : ''}; new orders refused`, details: { mode, cancelled, flattened } });
    log('warn', 'session.halted', { mode, reason, cancelled, flattened });
  };

  const hooks: LiveHooks = {
    routeOrders(client, execution) {
      router = new SessionOrderRouter(client, execution, broker);
      return router;
    },
    attach(run) {
      attached = run;
      if (restored !== null) restoreStrategies(run.strategies as Strategy[], restored);
      if (pendingHalt !== null) {
        const h = pendingHalt;
        pendingHalt = null;
        applyHalt(h.mode, h.reason);
      }
    },
  };

  const control: LiveSession = {
    sessionId: session.id,
    halt: applyHalt,
    stop() {
      if (stopped) return;
      stopped = true;
      log('info', 'session.stopping', {});
      closeFeed();
    },
    status(): SessionStatus {
      const a = attached as AttachedRun | null;
      const last = a !== null ? a.clock.now() : Number.NaN;
      const lastEventUs = Number.isFinite(last) ? last : Number.NaN;
      const positions: { symbol: string; qty: number }[] = [];
      if (a !== null) for (let i = 0; i < a.portfolio.symbolCount; i++) if (a.portfolio.netPosition[i] !== 0) positions.push({ symbol: a.symbols[i]!, qty: a.portfolio.netPosition[i]! });
      const { stats: s, gaps } = feedStats();
      const outage = gaps.outages[gaps.outages.length - 1];
      const linkDown = outage !== undefined && Number.isNaN(outage.endUs);
      return {
        state: finished ? 'ended' : (router as SessionOrderRouter | null)?.halted != null ? 'halted' : linkDown ? 'reconnecting' : a === null ? 'connecting' : 'live',
        equity: a !== null ? a.portfolio.equity() : scenario.initialCash,
        cash: a !== null ? a.portfolio.cash : scenario.initialCash,
        positions,
        lastEventUs,
        lagMs: Number.isFinite(lastEventUs) ? (timers.nowUs() - lastEventUs) / 1000 : Number.NaN,
        events,
        refusals: s.received - s.accepted - s.heartbeats - s.control,
      };
    },
  };
  options.onStart?.(control);

  // The replay's data: the feed's batches; facts the run assembly reads before it starts.
  const runData: RunData = {
    venue: kinds.includes('book') ? 'l2' : 'bars',
    symbols,
    range: {},
    intervalUs,
    intervals,
    chains: null,
    sentiment: null,
    timeframes: [],
    has: { bars: kinds.includes('bars'), quotes: kinds.includes('quotes'), trades: kinds.includes('trades'), book: kinds.includes('book') },
    provenance: { source: label, kinds, symbols, start: null, end: null, rows: {}, contentHash: null, barInterval: describeIntervals(intervals) },
    assumptions: [
      `Live ${mode} session ${session.id} on the feed ${label}: ${kinds.map((k) => `data.${k}`).join(', ')} come from the feed (the paths there are read only when the recording is replayed); engine time is the data's (each message's ts), so the same messages replay to the same orders and fills`,
      ...(needSpans ? [`Bar intervals from each symbol's first bar (its close ts minus its open barTs): ${describeIntervals(intervals)}`] : []),
      'Strategies warm up on the live stream: no history is loaded before the first message',
    ],
    rows: () => 0,
    barsInRange: async () => Number.POSITIVE_INFINITY,
    async openFeeds(): Promise<RunFeeds> {
      return { ...(batches as Omit<RunFeeds, 'close'>), close: () => {} };
    },
    close: async () => {},
  };

  // portfolio.json: the account as of now, rewritten crash-safely at most once a second and at the end.
  let saving: Promise<void> | null = null;
  const savePortfolio = async (): Promise<void> => {
    const a = attached as AttachedRun | null;
    if (a === null || !Number.isFinite(a.clock.now())) return;
    const working = [];
    for (let k = 0; k < a.portfolio.strategyCount; k++) for (let i = 0; i < a.portfolio.symbolCount; i++) working.push(...a.execution.openOrders(k, i));
    const stream = wsFeed?.streamId ?? session.stream;
    const file = buildPortfolioFile({
      name: scenario.name,
      asOfUs: a.clock.now(),
      symbols: a.symbols,
      strategies: a.strategies,
      portfolio: a.portfolio,
      fills: a.execution.fillLog.list(),
      workingOrders: working,
      ...(stream !== null ? { feed: { url: label, stream, lastSeq: feedStats().gaps.lastSeq } } : {}),
    });
    await writePortfolioFile(join(state.dir, PORTFOLIO_FILE), file);
  };
  const saveSoon = (): void => {
    if (saving !== null) return;
    saving = savePortfolio()
      .catch((err: unknown) => log('error', 'portfolio.save_failed', { reason: (err as Error).message }))
      .finally(() => (saving = null));
  };

  let run: ExecutedRun;
  let lastSync = timers.nowUs();
  try {
    run = await executeRun(scenario, runData, {
      live: hooks,
      ...(options.equitySink !== undefined ? { equitySink: options.equitySink } : {}),
      observer: {
        batch(n) {
          events += n;
          // The journal reaches the disk at least once a second (a kill loses nothing written anyway).
          const now = timers.nowUs();
          if (now - lastSync >= 1_000_000) {
            dataJournal.sync();
            saveSoon();
            lastSync = now;
          }
        },
      },
    });
  } catch (err) {
    dataJournal.close();
    broker?.close();
    orderJournal?.close();
    throw err;
  }
  const report = await feedDone;
  finished = true;
  await saveStream();
  dataJournal.close();
  if (broker !== null) {
    // Give the broker's answers up to 30 s; what is still unanswered is re-sent on a resume.
    let timer: { cancel(): void } | null = null;
    await Promise.race([broker.settle(), new Promise<void>((resolve) => (timer = timers.after(30_000, resolve)))]);
    (timer as { cancel(): void } | null)?.cancel();
    broker.close();
  }
  orderJournal?.close();

  await saving;
  await savePortfolio();
  const ended = report.failure !== null ? 'failed' : report.gaps.ended ? 'end' : 'stopped';
  const allLines = readFileSync(join(state.dir, DATA_JOURNAL), 'utf8').split('\n').filter((l) => l !== '');
  const manifest = await writeRecording(join(state.dir, RECORDING_DIR), allLines, { live: { session: session.id, feed: label, stream: session.stream } });
  if (ended === 'end') {
    session.state = 'ended';
    session.endedAt = nowIso();
    await writeSession(state.dir, session);
  }
  const halted = (router as SessionOrderRouter | null)?.halted ?? null;
  const summary: LiveSummary = {
    sessionId: session.id,
    mode,
    feed: label,
    stream: session.stream,
    restarts: session.restarts,
    journalReplayed: journaled.length,
    ended,
    feedFailure: report.failure,
    feedStats: report.stats,
    gaps: report.gaps,
    broker: broker !== null ? { ...broker.counts, alerts: broker.counts.alerts.length } : null,
    halt: halted !== null ? { ...halted, refusedOrders: router!.refusedHalted } : null,
    recording: manifest !== null ? RECORDING_DIR : null,
  };
  log(ended === 'failed' ? 'error' : 'info', 'session.ended', { ended, accepted, replayed: journaled.length, ...(report.failure !== null ? { failure: report.failure } : {}) });
  return { run, summary, state };
}
