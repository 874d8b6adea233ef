import { stat } from 'node:fs/promises';
import { printable } from '../../engine/core/index.js';
import { readManifest } from '../../datasets/manifest.js';
import { FEED_KINDS } from '../../live/feed/protocol.js';
import { UsageError } from '../errors.js';
import { shutdownSignal, stopsOnShutdown } from '../shutdown.js';

interface ServeFlags {
  port: string;
  host: string;
  speed: string;
  heartbeat: string;
  quiet?: boolean;
}

/** Parses --speed: `60x`, `60`, `0.5x` (data time per wall time, > 0) or `max`. */
export function parseSpeed(value: string): number | 'max' {
  const v = value.trim().toLowerCase();
  if (v === 'max') return 'max';
  const m = /^(\d+(?:\.\d*)?|\.\d+)x?$/.exec(v);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--speed: expected a positive multiple such as 60x, 1x or 0.5x, or max, was ${printable(value)}`);
  return n;
}

function parsePort(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 65535) throw new UsageError(`--port: expected an integer from 0 to 65535, was ${printable(value)}`);
  return n;
}

function parseHeartbeat(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 10 || n > 3_600_000) throw new UsageError(`--heartbeat: expected milliseconds from 10 to 3600000, was ${printable(value)}`);
  return n;
}

/** `tapedeck feed serve DATASET`: serves until SIGINT or SIGTERM. */
export async function feedServeAction(dataset: string, flags: ServeFlags): Promise<void> {
  const port = parsePort(flags.port);
  const speed = parseSpeed(flags.speed);
  const heartbeatMs = parseHeartbeat(flags.heartbeat);
  const host = flags.host.trim();
  if (host === '') throw new UsageError('--host: expected an address such as 127.0.0.1, was an empty value');
  const st = await stat(dataset).catch(() => null);
  if (st === null) throw new UsageError(`DATASET: no such directory: ${printable(dataset)}`);
  if (!st.isDirectory()) throw new UsageError(`DATASET: expected a dataset directory, was the file ${printable(dataset)}`);
  let kinds: readonly string[];
  try {
    kinds = (await readManifest(dataset)).kinds;
  } catch (err) {
    throw new UsageError(`DATASET: ${printable(dataset)} is not a Tapedeck dataset (${(err as Error).message.split('\n')[0]})`);
  }
  if (!kinds.some((k) => (FEED_KINDS as readonly string[]).includes(k))) {
    throw new UsageError(`DATASET: ${printable(dataset)} has no ${FEED_KINDS.join(', ')} to serve (it has ${kinds.join(', ') || 'nothing'})`);
  }
  const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`tapedeck feed: ${line}\n`);
  // The server (DuckDB readers, ws) loads once the arguments are known to be good.
  const { serveFeed } = await import('../../live/feed/serve.js');
  const done = stopsOnShutdown();
  try {
    let server;
    try {
      server = await serveFeed({ dataset, host, port, speed, heartbeatMs, ...(log ? { log } : {}) });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES') throw new UsageError(`--port/--host: cannot listen on ${host}:${port} (${e.code})`);
      throw err;
    }
    const f = server.frames;
    process.stdout.write(`${server.url}\n`);
    if (log) {
      if (host === '0.0.0.0' || host === '::') log(`listening on every network interface (--host ${host})`);
      const skipped = f.skipped.length > 0 ? `; not served: ${f.skipped.join(', ')}` : '';
      log(`serving ${dataset} (${f.kinds.join(', ')} of ${f.symbols.join(', ')}: ${f.rows} rows${skipped}) at ${server.url}, speed ${speed === 'max' ? 'max' : `${speed}x`}; Ctrl-C to stop`);
    }
    const signal = shutdownSignal();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    log?.('stopped');
  } finally {
    done();
  }
}
