import { join, resolve } from 'node:path';
import { printable } from '../../engine/core/index.js';
import { loadScenario } from '../compose/load-scenario.js';
import { RunOutputs } from '../compose/run-outputs.js';
import { UsageError } from '../errors.js';
import { shutdownSignal, stopsOnShutdown } from '../shutdown.js';
import { summarize, writeRunOutputs } from './run.js';
import type { LiveSummary } from '../../live/session/live-session.js';

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
  const scenario = await loadScenario(file, { overrides: flags.set, ...(flags.seed !== undefined ? { seed: flags.seed } : {}) });
  const stateDir = resolve(flags.state);
  const { runLiveSession } = await import('../../live/session/live-session.js');
  const json = flags.log === 'json';
  const log = (level: string, event: string, fields: Readonly<Record<string, unknown>> = {}): void => {
    process.stderr.write(json ? `${JSON.stringify({ level, event, ...fields })}\n` : `tapedeck live: ${level} ${event} ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}\n`);
  };
  const done = stopsOnShutdown();
  try {
    const signal = shutdownSignal();
    const { run, summary, state } = await runLiveSession({
      scenario,
      feed: flags.feed,
      stateDir,
      log,
      ...(flags.broker !== undefined ? { broker: { url: flags.broker, secretEnv: flags.secretEnv } } : {}),
      onStart(session) {
        if (signal.aborted) session.stop();
        else signal.addEventListener('abort', () => session.stop(), { once: true });
      },
    });
    const outDir = join(state.dir, 'report');
    const report = { ...run.report!, live: summary };
    const outputs = await RunOutputs.open(outDir);
    let outFile: string;
    try {
      const { files, tables } = await outputs.finish(report, run.result, []);
      outFile = await writeRunOutputs(outDir, { ...report, tables }, 'run', files);
    } finally {
      await outputs.close();
    }
    for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify({ runHash: run.result.runHash, report: outFile, live: summary }, null, 2)}\n`);
    else process.stdout.write(`${[summarize(report, outFile), ...liveLines(summary, state.dir)].join('\n')}\n`);
    if (signal.aborted) throw signal.reason;
  } finally {
    done();
  }
}
