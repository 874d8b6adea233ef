/**
 * The canonical data kinds and their columns. Every reader, writer, validator and generator takes the
 * column lists from here, in this order (the canonical order used by the content hash).
 *
 * Column types:
 * - `ts`  : integer microseconds since the Unix epoch, stored in Parquet as BIGINT (INT64), read into JS
 *           as a Float64 number (exact until about year 2255).
 * - `f64` : DOUBLE. Optional columns store a missing value as NULL in Parquet and read back as NaN.
 * - `i8`  : TINYINT (INT8) codes: trade side, book side/action/flags, option right.
 * - `str` : VARCHAR; the reader dictionary-encodes it to Int32 codes.
 */

export type ColumnType = 'ts' | 'f64' | 'i8' | 'str';

/** One column of a kind: name, storage type, and whether a table may omit it. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Optional columns may be left out by writers (stored as NULL, read back as NaN). */
  readonly optional?: boolean;
}

/** Aggressor side of a trade (trades.side). */
export const TRADE_SIDE = { buy: 1, sell: -1, unknown: 0 } as const;

/** Side of a book level (book.side). */
export const BOOK_SIDE = { bid: 1, ask: -1 } as const;

/**
 * Action of a book row (book.action).
 * - `update`  : set the level at (side, price) to `size` (> 0), adding it if absent.
 * - `delete`  : remove the level at (side, price); `size` is ignored (written as 0).
 * - `snapshot`: one level of a snapshot. A snapshot is a run of consecutive `snapshot` rows with the
 *   same `ts`; its first row carries BOOK_FLAGS.snapshotBegin (clear both sides of the book before
 *   applying it), its last row BOOK_FLAGS.snapshotEnd (the book is complete again). A one-row snapshot
 *   carries both flags. A snapshot row with size 0 lists no level, so an empty book is one row with
 *   both flags and size 0.
 */
export const BOOK_ACTION = { update: 0, delete: 1, snapshot: 2 } as const;

/** Bit flags of a book row (book.flags). */
export const BOOK_FLAGS = { snapshotBegin: 1, snapshotEnd: 2 } as const;

/** Right of an option contract (options.right). */
export const OPTION_RIGHT = { call: 1, put: -1 } as const;

/**
 * The canonical kinds and columns, in canonical order. `ts` is always the first column.
 * The content hash, the Parquet column order and the reader's column order all follow these lists.
 */
export const KIND_SCHEMAS = {
  bars: [
    { name: 'ts', type: 'ts' },
    { name: 'open', type: 'f64' },
    { name: 'high', type: 'f64' },
    { name: 'low', type: 'f64' },
    { name: 'close', type: 'f64' },
    { name: 'volume', type: 'f64' },
  ],
  trades: [
    { name: 'ts', type: 'ts' },
    { name: 'price', type: 'f64' },
    { name: 'size', type: 'f64' },
    { name: 'side', type: 'i8' },
  ],
  quotes: [
    { name: 'ts', type: 'ts' },
    { name: 'bid', type: 'f64' },
    { name: 'bidSize', type: 'f64' },
    { name: 'ask', type: 'f64' },
    { name: 'askSize', type: 'f64' },
  ],
  book: [
    { name: 'ts', type: 'ts' },
    { name: 'side', type: 'i8' },
    { name: 'price', type: 'f64' },
    { name: 'size', type: 'f64' },
    { name: 'action', type: 'i8' },
    { name: 'flags', type: 'i8' },
  ],
  options: [
    { name: 'ts', type: 'ts' },
    { name: 'underlying', type: 'str' },
    { name: 'expiry', type: 'ts' },
    { name: 'strike', type: 'f64' },
    { name: 'right', type: 'i8' },
    { name: 'bid', type: 'f64' },
    { name: 'ask', type: 'f64' },
    { name: 'last', type: 'f64' },
    { name: 'volume', type: 'f64' },
    { name: 'openInterest', type: 'f64' },
    { name: 'iv', type: 'f64', optional: true },
    { name: 'delta', type: 'f64', optional: true },
    { name: 'gamma', type: 'f64', optional: true },
    { name: 'vega', type: 'f64', optional: true },
    { name: 'theta', type: 'f64', optional: true },
  ],
  /**
   * A close-only series (a "close series" or "price series": one observation per time, as R's
   * timeSeries, a pandas Series or a central bank's daily fixings store it). Not replayed by itself:
   * `tapedeck data resample` builds bars from it, and a run given a close-only file reads each close
   * as a bar with open = high = low = close (cli/compose/close-bars.ts).
   */
  closes: [
    { name: 'ts', type: 'ts' },
    { name: 'close', type: 'f64' },
  ],
  /**
   * A sentiment score series per symbol (news, social media, analyst tone): at `ts`, a `score` in
   * [-1, 1] (-1 most negative, 1 most positive) and optionally the volume of `mentions` behind it.
   * One row per time (no duplicate timestamps). Replayed beside the bars (scenario `data.sentiment`)
   * to strategies' `onSentiment`; `ts` is when the score became known.
   */
  sentiment: [
    { name: 'ts', type: 'ts' },
    { name: 'score', type: 'f64' },
    { name: 'mentions', type: 'f64', optional: true },
  ],
} as const satisfies Record<string, readonly ColumnSpec[]>;

/** A canonical data kind. */
export type DataKind = keyof typeof KIND_SCHEMAS;

/** The kinds in canonical order. */
export const DATA_KINDS = Object.keys(KIND_SCHEMAS) as readonly DataKind[];

/** The kinds the synthetic generator makes (`data generate --kinds`): every kind but closes, which resample reads. */
export const GENERATED_KINDS: readonly DataKind[] = DATA_KINDS.filter((k) => k !== 'closes');

/** The kinds the generator makes when none are asked for: the market data (sentiment only on request). */
export const DEFAULT_GENERATED_KINDS: readonly DataKind[] = GENERATED_KINDS.filter((k) => k !== 'sentiment');

/** The kinds `tapedeck data resample` builds bars from (datasets/build-bars.ts). */
export const BAR_SOURCE_KINDS = ['trades', 'closes'] as const satisfies readonly DataKind[];
export type BarSourceKind = (typeof BAR_SOURCE_KINDS)[number];

/** The column names of kind `K`, as a union. */
export type ColumnName<K extends DataKind> = (typeof KIND_SCHEMAS)[K][number]['name'];

/** Returns true when `value` names a canonical kind. */
export function isDataKind(value: string): value is DataKind {
  return Object.prototype.hasOwnProperty.call(KIND_SCHEMAS, value);
}

/** Returns the column specs of `kind` in canonical order. */
export function columnsOf(kind: DataKind): readonly ColumnSpec[] {
  return KIND_SCHEMAS[kind];
}

/** Returns the column spec `name` of `kind`, or undefined. */
export function columnSpec(kind: DataKind, name: string): ColumnSpec | undefined {
  return columnsOf(kind).find((c) => c.name === name);
}

/**
 * The largest price Tapedeck accepts. Prices are summed over windows (moving averages, P&L over many
 * fills); a bound far below the double range keeps every such sum finite and exact enough, where a
 * price of 1e308 would overflow to Infinity and silently stop a strategy from signalling.
 */
export const MAX_PRICE = 1e12;
/** The largest size, volume or open interest Tapedeck accepts (same reason as MAX_PRICE). */
export const MAX_SIZE = 1e15;

/**
 * The supported time range, in integer microseconds since the Unix epoch: from the epoch itself (the
 * simulation clock starts there and never goes back) to the end of 2199 (far enough inside the range
 * of exact integers in a double, 2255, that bar intervals and expiries added to a time stay exact).
 */
export const MIN_TS_US = 0;
export const MAX_TS_US = Date.UTC(2200, 0, 1) * 1000 - 1;
/** The supported time range as messages state it. */
export const TIME_RANGE_TEXT = '1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999Z';

/** Whether integer microseconds `ts` is inside the supported time range. */
export function inTimeRange(ts: number): boolean {
  return ts >= MIN_TS_US && ts <= MAX_TS_US;
}

/**
 * Value rules per column: `price` in (0, MAX_PRICE]; `quotePrice` in [0, MAX_PRICE] (an option with no
 * bid or ask quotes 0); `size` in [0, MAX_SIZE]; `score` in [-1, 1]; or a code set. Time columns must be inTimeRange. The
 * validator applies these rules; they live here so the schema is read in one place.
 */
export type ValueRule = 'price' | 'quotePrice' | 'size' | 'score' | readonly number[];

export const VALUE_RULES: { readonly [K in DataKind]: { readonly [column: string]: ValueRule } } = {
  bars: { open: 'price', high: 'price', low: 'price', close: 'price', volume: 'size' },
  trades: { price: 'price', size: 'size', side: [1, -1, 0] },
  quotes: { bid: 'price', bidSize: 'size', ask: 'price', askSize: 'size' },
  book: { side: [1, -1], price: 'price', size: 'size', action: [0, 1, 2], flags: [0, 1, 2, 3] },
  options: {
    strike: 'price',
    right: [1, -1],
    bid: 'quotePrice',
    ask: 'quotePrice',
    last: 'quotePrice',
    volume: 'size',
    openInterest: 'size',
  },
  closes: { close: 'price' },
  sentiment: { score: 'score', mentions: 'size' },
};

/** Symbols name files (`<kind>/<SYMBOL>.parquet`), so they are restricted to a portable character set. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._^=-]{0,63}$/;
