import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { printable } from '../../engine/core/index.js';
import { loadScenario } from '../compose/load-scenario.js';
import { RunOutputs } from '../compose/run-outputs.js';
import { UsageError } from '../errors.js';
import { runCleanups, shutdownSignal, stopsOnShutdown } from '../shutdown.js';
import { summarize, wantsColor, writeRunOutputs } from './run.js';
import type { LiveSession, LiveSummary } from '../../live/session/live-session.js';

interface LiveFlags {
  feed: string;
  state: string;
  paper?: boolean;
  broker?: string;
  secretEnv: string;
  seed?: number;
  set: string[];
  log: string;
  haltFile?: string;
  restore?: string;
  json?: boolean;
}

/** One line about the session's feed, broker and halt, after the run summary. */
export function liveLines(s: LiveSummary, stateDir: string): string[] {
  const f = s.feedStats;
  const refused = f.malformed + f.unknownType + f.invalid + f.unsubscribed + f.duplicateSeq + f.outOfOrder + f.duplicateTs;
  const lines = [
    `session ${s.sessionId} (${s.mode}) on ${s.feed}: ${s.ended === 'end' ? 'the stream ended' : s.ended === 'stopped' ? 'stopped (resumable with the same command)' : `the feed failed: ${s.feedFailure}`}${s.restarts > 0 ? `; resumed ${s.restarts} time${s.restarts === 1 ? '' : 's'} (${s.journalReplayed} journaled messages replayed)` : ''}`,
    `feed: ${f.accepted} rows accepted, ${refused} refused (${f.malformed} malformed, ${f.invalid} invalid, ${f.outOfOrder} out of order, ${f.duplicateSeq + f.duplicateTs} duplicates), ${s.gaps.reconnects} reconnects, ${s.gaps.missedMessages} messages missed`,
  ];
  if (s.broker !== null) lines.push(`broker: ${s.broker.sent} orders sent (${s.broker.resent} re-sent after a restart, ${s.broker.skippedAnswered} already answered), ${s.broker.accepted} accepted, ${s.broker.rejected} rejected, ${s.broker.alerts} alerts`);
  if (s.halt !== null) lines.push(`halted (${s.halt.mode}): ${s.halt.reason}; ${s.halt.refusedOrders} orders refused`);
  if (s.recording !== null) lines.push(`recording: ${join(stateDir, s.recording)} (replay it: tapedeck run SCENARIO --set data.<kind>=${join(stateDir, s.recording)})`);
  return lines;
}

/** `tapedeck live SCENARIO --feed URL --paper|--broker URL --state DIR`. */
export async function liveAction(file: string, flags: LiveFlags): Promise<void> {
  if ((flags.paper === true) === (flags.broker !== undefined)) throw new UsageError('give exactly one of --paper and --broker URL');
  if (flags.log !== 'text' && flags.log !== 'json') throw new UsageError(`--log: expected text or json, was ${printable(flags.log)}`);
  if (flags.state.trim() === '') throw new UsageError('--state: expected a directory, was an empty value');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.secretEnv)) throw new UsageError(`--secret-env: expected an environment variable name, was ${printable(flags.secretEnv)}`);
  if (flags.broker !== undefined && process.env[flags.secretEnv] === undefined) throw new UsageError(`--broker needs the signing secret in the environment variable ${flags.secretEnv} (--secret-env names another)`);
  // A file feed and --restore must exist before the session opens its state directory.
  if (!/^wss?:\/\//i.test(flags.feed) && flags.feed !== '-' && !existsSync(flags.feed)) throw new UsageError(`--feed: expected a ws:// or wss:// URL, a JSON-lines file or -, and there is no file ${printable(flags.feed)}`);
  if (flags.restore !== undefined && !existsSync(flags.restore)) throw new UsageError(`--restore: no such file or directory: ${printable(flags.restore)}`);
  const scenario = await loadScenario(file, { overrides: flags.set, ...(flags.seed !== undefined ? { seed: flags.seed } : {}) });
  const stateDir = resolve(flags.state);
  const [{ runLiveSession }, { LiveLog }, { StatusLine }, { HaltSwitch }, { flushOnShutdown }] = await Promise.all([
    import('../../live/session/live-session.js'),
    import('../../live/ops/live-log.js'),
    import('../../live/ops/status-line.js'),
    import('../../live/ops/halt-switch.js'),
    import('../../live/ops/shutdown.js'),
  ]);
  // The status line owns stderr on a terminal; log lines go through it (it clears itself first).
  const status = new StatusLine();
  const log = new LiveLog({ format: flags.log, stream: status.stream });
  const secret = flags.broker !== undefined ? process.env[flags.secretEnv] : undefined;
  if (secret !== undefined) log.addSecret(secret);
  if (flags.broker !== undefined) {
    // The webhook's URL is a credential too (a TradersPost hook is its path): only scheme://host:port shows.
    log.addSecret(flags.broker);
    try {
      const u = new URL(flags.broker);
      if (u.pathname.length > 1 || u.search !== '') log.addSecret(`${u.pathname}${u.search}`);
      if (u.password !== '') log.addSecret(u.password);
    } catch {
      // an invalid URL is refused by the webhook client, by name only
    }
  }
  const stopCooperating = stopsOnShutdown();
  const signal = shutdownSignal();
  let finishedWriting: () => void = () => {};
  const written = new Promise<void>((r) => (finishedWriting = r));
  let session: LiveSession | null = null;
  // Ctrl-C / SIGTERM: stop the data, let the outputs be written (at most a minute), then exit 130 / 143.
  const shutdown = flushOnShutdown({
    signal,
    log,
    timeoutMs: 60_000,
    flush: async () => {
      session?.stop();
      await written;
    },
    exit: (code) => {
      status.close();
      runCleanups();
      process.exit(code);
    },
  });
  const halt = new HaltSwitch({ ...(flags.haltFile !== undefined ? { file: resolve(flags.haltFile) } : {}), onHalt: (h) => session?.halt(h.mode, `${h.reason} (${h.source})`) });
  const ticker = setInterval(() => {
    if (session === null) return;
    const s = session.status();
    status.update({ state: s.state, equity: s.equity, cash: s.cash, positions: s.positions, lastEventTsUs: s.lastEventUs, events: s.events, refusals: s.refusals });
  }, 250);
  ticker.unref();
  try {
    const { run, summary, state } = await runLiveSession({
      scenario,
      feed: flags.feed,
      stateDir,
      log: (level, event, fields) => log.log(level, event, fields),
      ...(flags.restore !== undefined ? { restoreFrom: resolve(flags.restore) } : {}),
      ...(flags.broker !== undefined ? { broker: { url: flags.broker, secretEnv: flags.secretEnv } } : {}),
      onStart(s) {
        session = s;
        halt.start();
        if (signal.aborted) s.stop();
      },
    });
    const outDir = join(state.dir, 'report');
    const report = { ...run.report!, live: summary };
    const outputs = await RunOutputs.open(outDir);
    let outFile: string;
    try {
      const { files, tables } = await outputs.finish(run.result, []);
      outFile = await writeRunOutputs(outDir, { ...report, tables }, 'run', files);
    } finally {
      await outputs.close();
    }
    status.close();
    for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify({ runHash: run.result.runHash, report: outFile, live: summary }, null, 2)}\n`);
    else process.stdout.write(`${[summarize(report, outFile, { color: wantsColor(process.stdout) }), ...liveLines(summary, state.dir)].join('\n')}\n`);
  } finally {
    clearInterval(ticker);
    halt.close();
    status.close();
    finishedWriting();
    shutdown.dispose();
    stopCooperating();
  }
  // Stopped by a signal: flushOnShutdown exits with its code once the outputs above are written.
  if (signal.aborted) await shutdown.done;
}
