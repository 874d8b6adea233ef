import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurable } from '../../datasets/atomic.js';
import { DirectoryRefused } from '../../datasets/output-dir.js';

/** The file that makes a directory a live session's state (and says whose). */
export const SESSION_FILE = 'session.json';
/** Every data message the session accepted, in arrival order (JSON lines). */
export const DATA_JOURNAL = 'data.jsonl';
/** The orders sent to the broker and its answers (JSON lines). */
export const ORDER_JOURNAL = 'orders.jsonl';
/** The recording of the session (a dataset), written when the session ends. */
export const RECORDING_DIR = 'recording';
/** The strategy snapshots a session started with (`--restore`), applied again on every resume. */
export const RESTORE_FILE = 'restore.json';
/** The session's run outputs (report.json, report.html, Parquet tables), written when it ends. */
export const REPORT_DIR = 'report';

const SessionFile = z.strictObject({
  format: z.literal('tapedeck-live-session'),
  version: z.literal(1),
  /** With an order id, each order's idempotency key: the same after a restart. */
  id: z.string().min(1),
  /** SHA-256 of the qualified scenario: a restart must run the same one. */
  scenarioHash: z.string(),
  scenarioName: z.string(),
  /** The feed, without credentials. */
  feed: z.string(),
  mode: z.enum(['paper', 'broker']),
  symbols: z.array(z.string()),
  /** The server's stream id (its hello); null until the first connection. */
  stream: z.string().nullable(),
  state: z.enum(['running', 'ended']),
  /** Wall times (ISO), for the operator. */
  startedAt: z.string(),
  restarts: z.int().min(0),
  endedAt: z.string().nullable(),
});
export type SessionFile = z.output<typeof SessionFile>;

/** What `--state DIR` holds at start: a new session, or one to resume. */
export interface OpenedState {
  readonly dir: string;
  readonly session: SessionFile;
  /** True when an earlier run of this session was interrupted (its journal is replayed first). */
  readonly resumed: boolean;
}

/**
 * Opens a live session's state directory: creates it (a new session) when it is missing or empty,
 * resumes it when it holds a running session of the same scenario, and refuses anything else with
 * one line (a usage error): a directory of other files (Tapedeck writes only into its own), a session
 * of another scenario, a session that ended.
 */
export async function openSessionState(
  dir: string,
  fresh: Omit<SessionFile, 'format' | 'version' | 'id' | 'state' | 'startedAt' | 'restarts' | 'endedAt' | 'stream'>,
  nowIso: string,
): Promise<OpenedState> {
  const file = join(dir, SESSION_FILE);
  if (existsSync(file)) {
    let session: SessionFile;
    try {
      session = SessionFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      throw new DirectoryRefused(dir, `--state: ${file} is not a Tapedeck live session file (${err instanceof SyntaxError ? err.message : 'unexpected fields'})`);
    }
    if (session.state === 'ended') throw new DirectoryRefused(dir, `--state: the session in ${dir} ended at ${session.endedAt}: its report is in ${join(dir, REPORT_DIR)}; start a new session with another --state directory`);
    if (session.scenarioHash !== fresh.scenarioHash) throw new DirectoryRefused(dir, `--state: the session in ${dir} runs another scenario ('${session.scenarioName}', or the same file changed since): resume it with the scenario it started with, or use another --state directory`);
    if (session.mode !== fresh.mode) throw new DirectoryRefused(dir, `--state: the session in ${dir} is a ${session.mode} session: resume it with ${session.mode === 'paper' ? '--paper' : '--broker URL'}`);
    const resumed = { ...session, restarts: session.restarts + 1 };
    await writeSession(dir, resumed);
    return { dir, session: resumed, resumed: true };
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new DirectoryRefused(dir, `--state: ${dir} is not empty and holds no live session (${SESSION_FILE}): Tapedeck keeps a session's state only in a new or empty directory`);
  mkdirSync(dir, { recursive: true });
  const session: SessionFile = { format: 'tapedeck-live-session', version: 1, id: randomUUID(), state: 'running', startedAt: nowIso, restarts: 0, endedAt: null, stream: null, ...fresh };
  await writeSession(dir, session);
  return { dir, session, resumed: false };
}

/** Replaces session.json crash-safely (temporary file, fsync, rename, fsync of the directory). */
export async function writeSession(dir: string, session: SessionFile): Promise<void> {
  await writeFileDurable(join(dir, SESSION_FILE), `${JSON.stringify(session, null, 1)}\n`);
}
