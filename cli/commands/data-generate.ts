import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { InvalidArgumentError, parseIsoUs, printable } from '../../engine/core/index.js';
import { checkDatasetDirectory } from '../../datasets/output-dir.js';
import { shownName } from '../../datasets/import.js';
import { DATA_KINDS, inTimeRange, isDataKind, SYMBOL_PATTERN, TIME_RANGE_TEXT, type DataKind } from '../../datasets/schema.js';
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
  for (const k of list) if (!isDataKind(k)) throw bad('--kinds', `a comma-separated subset of ${DATA_KINDS.join(',')}`, value);
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

const HELP_AFTER = `
Defaults (a demo dataset in a few seconds):
  symbols ${DEFAULT_SYMBOLS.join(',')}, ${DEFAULT_DAYS} trading days (about two years) of 1d bars from ${DEFAULT_START};
  trades, quotes and an L2 book (10 levels, snapshot every 60 s) for the first symbol over the last 3 days;
  end-of-day option chains (4 monthly expiries, 15 strikes, calls and puts) on the first symbol.

Calendar: weekdays are trading days (no holidays); the session is 09:30-16:00, exchange time written
as UTC. Daily bars are stamped at UTC midnight of their day, intraday bars at their open time.
The same --seed always gives the same data (and contentHash); each kind draws from its own random
stream, so adding a kind never changes another kind's data.

Example:
  $ tapedeck data generate --seed 7 --out data/demo
  $ tapedeck data generate --seed 8 --out data/intraday --symbols SPY,QQQ --days 20 --interval 1m --kinds bars,trades,quotes
`;

/** Registers `data generate` on the shared `data` command. */
export function registerDataGenerate(data: Command): void {
  data
    .command('generate')
    .description('generate a seeded synthetic market dataset (Parquet + manifest.json)')
    .requiredOption('--out <dir>', 'output directory (new or empty, or with --force a dataset to replace)')
    .option('--seed <n>', 'random seed (integer)', '7')
    .option('--symbols <list>', 'comma-separated symbols', DEFAULT_SYMBOLS.join(','))
    .option('--start <date>', 'first trading day (ISO date)', DEFAULT_START)
    .option('--days <n>', 'number of trading days', String(DEFAULT_DAYS))
    .option('--interval <i>', 'bar interval: 1m, 1h or 1d', '1d')
    .option('--kinds <list>', `kinds to generate, subset of ${DATA_KINDS.join(',')}`, DATA_KINDS.join(','))
    .option('--intraday-symbols <list>', 'symbols with trades, quotes and book (default: the first symbol)')
    .option('--intraday-days <n>', 'trailing trading days with trades, quotes and book', '3')
    .option('--trades-per-day <n>', 'expected trades per symbol and session', '4000')
    .option('--quotes-per-day <n>', 'expected quote updates per symbol and session', '8000')
    .option('--book-events-per-day <n>', 'expected book events per symbol and session', '12000')
    .option('--book-levels <n>', 'price levels per book side', '10')
    .option('--underlying <symbol>', 'underlying of the option chains (default: the first symbol)')
    .option('--expiries <n>', 'monthly expiries per option chain', '4')
    .option('--force', 'replace an existing dataset at --out (atomically; files Tapedeck did not write are kept)')
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: GenerateFlags) => {
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
    });
}
