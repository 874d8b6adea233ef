import {
  checkCondition,
  checkInRange,
  checkInteger,
  checkPositive,
  checkPositiveInteger,
  InvalidArgumentError,
  parseIsoUs,
  printable,
  type TimestampUs,
} from '../../engine/core/index.js';
import { DATA_KINDS, DEFAULT_GENERATED_KINDS, GENERATED_KINDS, SYMBOL_PATTERN, type DataKind } from '../schema.js';

/** Bar intervals the generator produces. */
export const BAR_INTERVALS = ['1m', '1h', '1d'] as const;
export type BarInterval = (typeof BAR_INTERVALS)[number];

/**
 * Options of the synthetic market generator, as a caller writes them. Every field but `seed` has a
 * default; {@link qualifySyntheticOptions} applies them and checks every value.
 */
export interface SyntheticMarketOptions {
  readonly seed: number;
  /** Symbols with bars; default AAA, BBB, CCC, DDD. */
  readonly symbols?: readonly string[];
  /** First trading day (ISO date, or a timestamp in microseconds); a weekend moves to the next Monday. Default 2023-01-02. */
  readonly start?: string | number;
  /** Number of trading days (weekdays); default 504, about two years. */
  readonly days?: number;
  /** Bar interval; default 1d. */
  readonly interval?: BarInterval;
  /** Kinds to produce; default every kind but sentiment (DEFAULT_GENERATED_KINDS). */
  readonly kinds?: readonly DataKind[];
  /**
   * Correlation matrix of the symbols' returns (same order as `symbols`). Default: a one-factor
   * model, correlation b_i * b_j with per-symbol market loadings b between 0.35 and 0.85.
   */
  readonly correlation?: readonly (readonly number[])[];
  readonly intraday?: {
    /** Symbols with trades, quotes and book; default the first symbol. */
    readonly symbols?: readonly string[];
    /** The last N trading days of the range carry intraday data; default 3. */
    readonly days?: number;
    /** Expected trades per symbol and session; default 4000. */
    readonly tradesPerDay?: number;
    /** Expected quote updates per symbol and session; default 8000. */
    readonly quotesPerDay?: number;
    /** Expected book events (each one or more delta rows) per symbol and session; default 12000. */
    readonly bookEventsPerDay?: number;
    /** Price levels per side of the book; default 10. */
    readonly bookLevels?: number;
    /** Seconds between full book snapshots; default 60. */
    readonly snapshotSeconds?: number;
  };
  readonly options?: {
    /** Underlying of the option chains; default the first symbol. */
    readonly underlying?: string;
    /** Listed monthly expiries (third Fridays) in each chain; default 4. */
    readonly expiries?: number;
    /** Strikes on each side of the at-the-money strike; default 7. */
    readonly strikesPerSide?: number;
    /** Risk-free rate; default 0.04. */
    readonly rate?: number;
  };
  /** The sentiment series of every symbol (kind `sentiment`; see generateSentiment). */
  readonly sentiment?: {
    /** Correlation of the score with the symbol's future return over `horizon` bars, in [-1, 1]; 0: none. Default 0.1. */
    readonly correlation?: number;
    /** Bars ahead the score informs about; default 1. */
    readonly horizon?: number;
    /** Mean mentions per row; default 100. */
    readonly mentions?: number;
  };
}

/** Fully qualified, validated generator options: every default applied, frozen. */
export interface SyntheticMarketConfig {
  readonly seed: number;
  readonly symbols: readonly string[];
  readonly start: TimestampUs;
  readonly days: number;
  readonly interval: BarInterval;
  readonly kinds: readonly DataKind[];
  readonly correlation: readonly (readonly number[])[] | null;
  readonly intraday: {
    readonly symbols: readonly string[];
    readonly days: number;
    readonly tradesPerDay: number;
    readonly quotesPerDay: number;
    readonly bookEventsPerDay: number;
    readonly bookLevels: number;
    readonly snapshotSeconds: number;
  };
  readonly options: {
    readonly underlying: string;
    readonly expiries: number;
    readonly strikesPerSide: number;
    readonly rate: number;
  };
  readonly sentiment: {
    readonly correlation: number;
    readonly horizon: number;
    readonly mentions: number;
  };
}

export const DEFAULT_SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'] as const;
export const DEFAULT_START = '2023-01-02';
export const DEFAULT_DAYS = 504;

function checkSymbols(symbols: readonly string[], name: string): readonly string[] {
  checkCondition(Array.isArray(symbols) && symbols.length > 0, `invalid '${name}': empty`);
  const seen = new Set<string>();
  for (const s of symbols) {
    if (typeof s !== 'string' || !SYMBOL_PATTERN.test(s)) {
      throw new InvalidArgumentError(`invalid '${name}': not a symbol (letters, digits, . _ ^ = -), was ${typeof s === 'string' ? printable(s) : String(s)}`);
    }
    if (seen.has(s)) throw new InvalidArgumentError(`invalid '${name}': duplicate symbol, was ${printable(s)}`);
    seen.add(s);
  }
  return Object.freeze([...symbols]);
}

/** Returns the options with every default applied and every value checked; throws InvalidArgumentError naming the field. */
export function qualifySyntheticOptions(o: SyntheticMarketOptions): SyntheticMarketConfig {
  checkInteger(o.seed, 'seed');
  const symbols = checkSymbols(o.symbols ?? DEFAULT_SYMBOLS, 'symbols');
  const start = typeof o.start === 'number' ? (checkInteger(o.start, 'start') as TimestampUs) : parseIsoUs(o.start ?? DEFAULT_START, 'start');
  const days = checkPositiveInteger(o.days ?? DEFAULT_DAYS, 'days');
  checkCondition(days <= 20_000, `invalid 'days': more than 20000 trading days, was ${days}`);
  const interval = o.interval ?? '1d';
  if (!BAR_INTERVALS.includes(interval)) {
    throw new InvalidArgumentError(`invalid 'interval': not one of ${BAR_INTERVALS.join(', ')}, was ${printable(interval)}`);
  }
  const kinds = o.kinds ?? DEFAULT_GENERATED_KINDS;
  checkCondition(kinds.length > 0, `invalid 'kinds': empty`);
  for (const k of kinds) {
    if (!GENERATED_KINDS.includes(k)) throw new InvalidArgumentError(`invalid 'kinds': not one of ${GENERATED_KINDS.join(', ')}, was ${printable(k)}`);
  }
  let correlation: number[][] | null = null;
  if (o.correlation !== undefined) {
    const n = symbols.length;
    checkCondition(o.correlation.length === n, `invalid 'correlation': expected ${n} rows, was ${o.correlation.length}`);
    correlation = o.correlation.map((row, i) => {
      checkCondition(row.length === n, `invalid 'correlation[${i}]': expected ${n} columns, was ${row.length}`);
      return row.map((v, j) => {
        checkInRange(v, -1, 1, `correlation[${i}][${j}]`);
        if (i === j && v !== 1) throw new InvalidArgumentError(`invalid 'correlation[${i}][${i}]': diagonal must be 1, was ${v}`);
        return v;
      });
    });
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        if (correlation[i]![j] !== correlation[j]![i]) {
          throw new InvalidArgumentError(`invalid 'correlation[${i}][${j}]': not symmetric, was ${correlation[i]![j]} against ${correlation[j]![i]}`);
        }
      }
    }
  }
  const intra = o.intraday ?? {};
  const intradaySymbols = checkSymbols(intra.symbols ?? [symbols[0]!], 'intraday.symbols');
  for (const s of intradaySymbols) {
    if (!symbols.includes(s)) throw new InvalidArgumentError(`invalid 'intraday.symbols': not among the symbols, was ${printable(s)}`);
  }
  const opt = o.options ?? {};
  const underlying = opt.underlying ?? symbols[0]!;
  if (!symbols.includes(underlying)) throw new InvalidArgumentError(`invalid 'options.underlying': not among the symbols, was ${printable(underlying)}`);
  const sent = o.sentiment ?? {};
  const snapshotSeconds = checkPositiveInteger(intra.snapshotSeconds ?? 60, 'intraday.snapshotSeconds');
  checkCondition(snapshotSeconds <= 23_400, `invalid 'intraday.snapshotSeconds': longer than a session, was ${snapshotSeconds}`);
  return Object.freeze({
    seed: o.seed,
    symbols,
    start,
    days,
    interval,
    kinds: Object.freeze(DATA_KINDS.filter((k) => kinds.includes(k))),
    correlation,
    intraday: Object.freeze({
      symbols: intradaySymbols,
      days: Math.min(days, checkPositiveInteger(intra.days ?? 3, 'intraday.days')),
      tradesPerDay: checkPositive(intra.tradesPerDay ?? 4000, 'intraday.tradesPerDay'),
      quotesPerDay: checkPositive(intra.quotesPerDay ?? 8000, 'intraday.quotesPerDay'),
      bookEventsPerDay: checkPositive(intra.bookEventsPerDay ?? 12000, 'intraday.bookEventsPerDay'),
      bookLevels: checkInRange(checkPositiveInteger(intra.bookLevels ?? 10, 'intraday.bookLevels'), 1, 100, 'intraday.bookLevels'),
      snapshotSeconds,
    }),
    options: Object.freeze({
      underlying,
      expiries: checkInRange(checkPositiveInteger(opt.expiries ?? 4, 'options.expiries'), 1, 24, 'options.expiries'),
      strikesPerSide: checkInRange(checkPositiveInteger(opt.strikesPerSide ?? 7, 'options.strikesPerSide'), 1, 50, 'options.strikesPerSide'),
      rate: checkInRange(opt.rate ?? 0.04, -0.05, 0.3, 'options.rate'),
    }),
    sentiment: Object.freeze({
      correlation: checkInRange(sent.correlation ?? 0.1, -1, 1, 'sentiment.correlation'),
      horizon: checkInRange(checkPositiveInteger(sent.horizon ?? 1, 'sentiment.horizon'), 1, 250, 'sentiment.horizon'),
      mentions: checkInRange(sent.mentions ?? 100, 0, 1e6, 'sentiment.mentions'),
    }),
  });
}
