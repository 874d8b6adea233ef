import { stat } from 'node:fs/promises';
import { InvalidArgumentError, parseIsoUs, printable } from '../../engine/core/index.js';
import { checkDatasetDirectory } from '../../datasets/output-dir.js';
import { shownName } from '../../datasets/import.js';
import { GENERATED_KINDS, inTimeRange, SYMBOL_PATTERN, TIME_RANGE_TEXT, type DataKind } from '../../datasets/schema.js';
import { BAR_INTERVALS, DEFAULT_DAYS, DEFAULT_START, DEFAULT_SYMBOLS, generateDataset, type BarInterval } from '../../datasets/synthetic/index.js';
import { UsageError } from '../errors.js';
import { createProgress } from '../progress.js';

/** Raw flag values as commander hands them over (strings, or booleans for switches). */
interface GenerateFlags {
  seed: string;
  out?: string;
  symbols: string;
  start: string;
  days: string;
  interval: string;
  kinds: string;
  intradaySymbols?: string;
  intradayDays: string;
  tradesPerDay: string;
  quotesPerDay: string;
  bookEventsPerDay: string;
  bookLevels: string;
  underlying?: string;
  expiries: string;
  sentimentCorrelation: string;
  sentimentHorizon: string;
  force?: boolean;
  quiet?: boolean;
}

const bad = (flag: string, expected: string, value: string): UsageError =>
  new UsageError(`${flag}: expected ${expected}, was ${value === '' ? 'an empty value' : shownName(value)}`);

function integerFlag(flag: string, value: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw bad(flag, `an integer from ${min} to ${max}`, value);
  return n;
}

function correlationFlag(flag: string, value: string): number {
  const n = /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= -1 && n <= 1)) throw bad(flag, 'a number from -1 to 1', value);
  return n;
}

function symbolsFlag(flag: string, value: string): string[] {
  const list = value.split(',').map((s) => s.trim());
  for (const s of list) if (!SYMBOL_PATTERN.test(s)) throw bad(flag, 'comma-separated symbols (letters, digits, . _ ^ = -)', value);
  if (new Set(list).size !== list.length) throw bad(flag, 'symbols without duplicates', value);
  return list;
}

function intervalFlag(value: string): BarInterval {
  if (!(BAR_INTERVALS as readonly string[]).includes(value)) throw bad('--interval', '1m, 1h or 1d', value);
  return value as BarInterval;
}

function kindsFlag(value: string): DataKind[] {
  const list = value.split(',').map((s) => s.trim());
  for (const k of list) if (!(GENERATED_KINDS as readonly string[]).includes(k)) throw bad('--kinds', `a comma-separated subset of ${GENERATED_KINDS.join(',')}`, value);
  return list as DataKind[];
}

function startFlag(value: string): string {
  let us: number;
  try {
    us = parseIsoUs(value, 'start');
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw bad('--start', 'an ISO date such as 2023-01-02', value);
    throw err;
  }
  if (!inTimeRange(us)) throw bad('--start', `a date in the supported range ${TIME_RANGE_TEXT}`, value);
  return value;
}

/**
 * Checks --out before generating: a new or empty directory, or (with --force) a dataset to replace;
 * a run/sweep output directory or a folder of other files is refused (exit 2) even with --force, and
 * files in a dataset directory that Tapedeck did not write are kept when it is replaced.
 */
async function checkOut(out: string, force: boolean): Promise<void> {
  try {
    if (!(await stat(out)).isDirectory()) throw new UsageError(`--out: not a directory, was ${printable(out)}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const state = await checkDatasetDirectory(out, '--out');
  if (state.kind === 'dataset' && !force) {
    throw new UsageError(`--out: directory ${printable(out)} exists and is not empty; pass --force to replace it`);
  }
}

/** What `tapedeck data generate` does once its arguments are parsed (loaded only when the command runs). */
export async function dataGenerateAction(flags: GenerateFlags): Promise<void> {
  const seed = integerFlag('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER);
  const symbols = symbolsFlag('--symbols', flags.symbols);
  const start = startFlag(flags.start);
  const days = integerFlag('--days', flags.days, 1, 20_000);
  const interval = intervalFlag(flags.interval);
  const kinds = kindsFlag(flags.kinds);
  const intradaySymbols = flags.intradaySymbols === undefined ? [symbols[0]!] : symbolsFlag('--intraday-symbols', flags.intradaySymbols);
  for (const s of intradaySymbols) if (!symbols.includes(s)) throw bad('--intraday-symbols', `symbols among --symbols (${symbols.join(',')})`, flags.intradaySymbols!);
  const underlying = flags.underlying ?? symbols[0]!;
  if (!symbols.includes(underlying)) throw bad('--underlying', `one of --symbols (${symbols.join(',')})`, underlying);
  const out = flags.out!;
  if (out.trim().length === 0) throw bad('--out', 'a directory path', out);
  const options = {
    seed,
    symbols,
    start,
    days,
    interval,
    kinds,
    intraday: {
      symbols: intradaySymbols,
      days: integerFlag('--intraday-days', flags.intradayDays, 1, 20_000),
      tradesPerDay: integerFlag('--trades-per-day', flags.tradesPerDay, 1, 1_000_000),
      quotesPerDay: integerFlag('--quotes-per-day', flags.quotesPerDay, 1, 1_000_000),
      bookEventsPerDay: integerFlag('--book-events-per-day', flags.bookEventsPerDay, 1, 1_000_000),
      bookLevels: integerFlag('--book-levels', flags.bookLevels, 1, 100),
    },
    options: { underlying, expiries: integerFlag('--expiries', flags.expiries, 1, 24) },
    sentiment: {
      correlation: correlationFlag('--sentiment-correlation', flags.sentimentCorrelation),
      horizon: integerFlag('--sentiment-horizon', flags.sentimentHorizon, 1, 250),
    },
  };
  const force = flags.force === true;
  await checkOut(out, force);
  const quiet = flags.quiet === true;
  if (!quiet) process.stderr.write(`generating ${kinds.join(',')} for ${symbols.join(',')} (${days} days, ${interval} bars, seed ${seed})...\n`);
  // One step per table generated and one per table written; the price paths come before the first.
  const progress = createProgress({ label: 'generate', unit: 'steps', quiet });
  let manifest;
  try {
    ({ manifest } = await generateDataset({
      ...options,
      out,
      force,
      onProgress: (phase, t) => {
        const detail = `${phase === 'generate' ? 'generated' : 'wrote'} ${t.kind} ${t.symbol}`;
        if (phase === 'generate' && t.done === 1) progress.start(2 * t.total, 1, detail);
        else progress.update(phase === 'generate' ? t.done : t.total + t.done, detail);
      },
    }));
  } finally {
    progress.stop();
  }
  const lines = [`wrote ${out}`, `contentHash ${manifest.contentHash}`, `range ${manifest.start} .. ${manifest.end}`];
  for (const [kind, bySymbol] of Object.entries(manifest.rows)) {
    lines.push(`${kind}: ${Object.entries(bySymbol).map(([s, n]) => `${s} ${n}`).join(', ')} rows`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
