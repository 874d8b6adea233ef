/**
 * Helpers of bench/process.bench.ts (whole-process benchmarks): the spread of a few timings, a
 * generated OHLCV tape written as CSV, and a child process timed from spawn to exit with its CPU time
 * and peak RSS (through GNU time when /usr/bin/time exists). Timing uses process.hrtime.bigint(),
 * allowed in bench/ and never in engine/ or sim/.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { median } from './harness.js';

/** Median, smallest and largest of some timings. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Returns the median, min and max of `values` (at least one). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spread of no values');
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { median: median(values), min, max };
}

/** Returns `s` as "1.23 s (1.20-1.31)": median, then min-max, in seconds. */
export function formatSpread(s: Spread, digits = 2): string {
  return `${s.median.toFixed(digits)} s (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}

/** Options of {@link csvTapeChunks}. */
export interface CsvTapeOptions {
  /** Bar interval in minutes. Default 30. */
  intervalMinutes?: number;
  /** Seed of the random walk (any 32-bit integer). Default 12345. */
  seed?: number;
  /** Time of the first bar, UTC milliseconds since the epoch. Default 2000-01-03T00:00:00Z. */
  startMs?: number;
  /** Bars per yielded chunk. Default 50,000. */
  chunkBars?: number;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Returns `ms` (UTC) as "YYYY-MM-DD HH:MM:SS", a datetime both Tapedeck and pandas read as UTC. */
export function csvTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/**
 * Yields a CSV tape of `bars` OHLCV bars, header `Date,Open,High,Low,Close,Volume` first, in chunks of
 * text: a seeded multiplicative random walk starting at 1.0 (an FX-like price; each close is the open
 * times 1 +- up to 0.2%, and the next bar opens at that close), high and low 0.05% outside the body,
 * prices rounded to 6 decimals, one bar every `intervalMinutes` without gaps. The same arguments
 * always give the same bytes.
 */
export function* csvTapeChunks(bars: number, options: CsvTapeOptions = {}): Generator<string> {
  const stepMs = (options.intervalMinutes ?? 30) * 60_000;
  const start = options.startMs ?? Date.UTC(2000, 0, 3);
  const chunkBars = options.chunkBars ?? 50_000;
  let state = options.seed ?? 12345;
  const rand = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    return ((state >>> 0) % 1_000_000) / 1_000_000;
  };
  yield 'Date,Open,High,Low,Close,Volume\n';
  let price = 1;
  for (let first = 0; first < bars; first += chunkBars) {
    const n = Math.min(chunkBars, bars - first);
    const lines: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const open = price;
      const close = Math.round(open * (1 + (rand() - 0.5) * 0.004) * 1e6) / 1e6;
      const high = Math.round(Math.max(open, close) * 1.0005 * 1e6) / 1e6;
      const low = Math.round(Math.min(open, close) * 0.9995 * 1e6) / 1e6;
      const volume = 1000 + Math.floor(rand() * 9000);
      lines[i] = `${csvTime(start + (first + i) * stepMs)},${open},${high},${low},${close},${volume}\n`;
      price = close;
    }
    yield lines.join('');
  }
}

/** Writes {@link csvTapeChunks} to `path`; resolves when the file is complete. */
export async function writeCsvTape(path: string, bars: number, options: CsvTapeOptions = {}): Promise<void> {
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  for (const chunk of csvTapeChunks(bars, options)) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  out.end();
  await done;
}

/** One timed child process. */
export interface ProcessSample {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  /** Wall-clock seconds from spawn to exit. */
  wall: number;
  /** CPU seconds (user + system) of the child and the children it waited for; null without GNU time. */
  cpu: number | null;
  /** Peak resident set size of the child in MiB; null without GNU time. */
  peakMiB: number | null;
  stdout: string;
  /** The child's stderr, without GNU time's line. */
  stderr: string;
}

/** GNU time, when installed: it reports the child's CPU time and peak RSS (wait4's rusage). */
export const GNU_TIME = '/usr/bin/time';
const MARK = '@@bench-time@@';

/**
 * Returns GNU time's figures from the last line of `stderr` marked by {@link MARK} ("MARK user sys
 * maxrssKiB") and the stderr without GNU time's lines; null figures when the line is absent.
 */
export function parseTimeLine(stderr: string): { cpu: number | null; peakMiB: number | null; rest: string } {
  const at = stderr.lastIndexOf(MARK);
  if (at < 0) return { cpu: null, peakMiB: null, rest: stderr };
  const end = stderr.indexOf('\n', at);
  const fields = stderr.slice(at + MARK.length, end < 0 ? undefined : end).trim().split(/\s+/).map(Number);
  // GNU time also says "Command exited with non-zero status N" (or "terminated by signal N") before its line.
  const rest = (stderr.slice(0, at) + (end < 0 ? '' : stderr.slice(end + 1))).replace(/^Command (exited with non-zero status|terminated by signal) \d+\n/m, '');
  if (fields.length < 3 || fields.some((x) => !Number.isFinite(x))) return { cpu: null, peakMiB: null, rest };
  return { cpu: fields[0]! + fields[1]!, peakMiB: fields[2]! / 1024, rest };
}

/**
 * Runs `command args` to its exit and times it (wall time by process.hrtime.bigint around spawn to
 * exit; CPU and peak RSS through GNU time when present, which adds its own ~1 ms fork). Never
 * rejects for a non-zero exit: the caller reads `code`.
 */
export async function timeProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; useGnuTime?: boolean } = {},
): Promise<ProcessSample> {
  const gnu = (options.useGnuTime ?? true) && existsSync(GNU_TIME);
  const argv = gnu ? [GNU_TIME, '-f', `${MARK} %U %S %M`, command, ...args] : [command, ...args];
  return await new Promise<ProcessSample>((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const stderr = Buffer.concat(err).toString('utf8');
      const t = gnu ? parseTimeLine(stderr) : { cpu: null, peakMiB: null, rest: stderr };
      // GNU time exits with the child's code, or 128+signal when the child was killed.
      resolve({ code, wall, cpu: t.cpu, peakMiB: t.peakMiB, stdout: Buffer.concat(out).toString('utf8'), stderr: t.rest });
    });
  });
}
