/**
 * The market-data column batches every part of a replay shares, defined once: the dataset readers and
 * the data sources (cli/compose) produce them, the replay (sim/backtest) merges them, the venues and the
 * trading engine read their rows, the synthetic generator writes the same columns per symbol. A batch is
 * a row count, a timestamp column and typed-array columns; row `r` of a batch is the event. No object
 * per row: the replay path moves data only in these columns.
 */

/**
 * A column batch as the event merge needs it: a row count, a timestamp column and an optional sequence
 * column. Concrete batches add their own typed-array columns; the consumer reads them at the source's
 * current row.
 */
export interface TimeBatch {
  /** Number of rows; the columns may be longer (preallocated buffers), never shorter. */
  readonly length: number;
  /** Timestamps in integer microseconds, non-decreasing within the source. */
  readonly ts: Float64Array;
  /** Sequence numbers ordering rows of equal `ts` across sources of equal priority. When absent, a
   * row's seq is its row number within the source (counted over all batches pushed so far). */
  readonly seq?: Float64Array | Int32Array | undefined;
}

/** A small-integer code column (side, action, flags): whatever integer type the reader produced. */
export type CodeColumn = Int8Array | Int32Array | Float64Array;

/** Open, high, low, close and volume columns of bars. */
export interface OhlcvColumns {
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Bar columns as a replay feed holds them: the bar's open time in `barTs` and its prices. */
export interface BarColumns extends OhlcvColumns {
  /** Bar open time, microseconds. */
  readonly barTs: Float64Array;
}

/**
 * One bar as row 0 of bar columns, for the calls that take a bar as numbers (TradingEngine.onBar,
 * SimulatedVenue.onBar): they write it here and handle it as the replay's rows, so one path reads bars.
 * `ts` is the bar's close time (the venue's VenueBars read it).
 */
export class BarRow implements BarColumns {
  readonly barTs = new Float64Array(1);
  readonly open = new Float64Array(1);
  readonly high = new Float64Array(1);
  readonly low = new Float64Array(1);
  readonly close = new Float64Array(1);
  readonly volume = new Float64Array(1);
  readonly ts = new Float64Array(1);

  /** Makes the bar opening at `barTs` (and closing at `closeTs`) the row; returns this. */
  set(barTs: number, open: number, high: number, low: number, close: number, volume: number, closeTs = Number.NaN): this {
    this.barTs[0] = barTs;
    this.open[0] = open;
    this.high[0] = high;
    this.low[0] = low;
    this.close[0] = close;
    this.volume[0] = volume;
    this.ts[0] = closeTs;
    return this;
  }
}

/** Top-of-book quote columns. */
export interface QuoteColumns {
  readonly bid: Float64Array;
  readonly bidSize: Float64Array;
  readonly ask: Float64Array;
  readonly askSize: Float64Array;
}

/** Trade print columns; `Side` is the aggressor column's type. */
export interface TradeColumns<Side extends CodeColumn = CodeColumn> {
  readonly price: Float64Array;
  readonly size: Float64Array;
  /** Aggressor: 1 buy, -1 sell, 0 unknown. */
  readonly side: Side;
}

/** Book delta columns in the canonical `book` layout; `Code` is the code columns' type. */
export interface BookColumns<Code extends CodeColumn = CodeColumn> {
  /** 1 bid, -1 ask. */
  readonly side: Code;
  readonly price: Float64Array;
  readonly size: Float64Array;
  /** 0 update, 1 delete, 2 snapshot. */
  readonly action: Code;
  /** 1 snapshot begin, 2 snapshot end. */
  readonly flags: Code;
}

/** A batch of rows of several symbols: `symbol` is each row's index among the run's symbols. */
export interface SymbolBatch extends TimeBatch {
  readonly symbol: Int32Array;
}

/**
 * Bars. `ts` is the time the bar becomes visible, its close (open time + interval, or the next bar of
 * its symbol's open when sooner), which is the merge key; rows in `ts` order; `barTs` its open time.
 */
export interface BarBatch extends SymbolBatch, BarColumns {}

export interface QuoteBatch extends SymbolBatch, QuoteColumns {}

export interface TradeBatch extends SymbolBatch, TradeColumns {}

/** Book rows in the canonical `book` columns plus the symbol index of each row. */
export interface BookBatch extends SymbolBatch, BookColumns {}

/** The quote and Greek columns of option chain rows (the canonical `options` columns after the contract's). */
export interface ChainQuoteColumns {
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly last: Float64Array;
  readonly volume: Float64Array;
  readonly openInterest: Float64Array;
  /** NaN where the data has no value. */
  readonly iv: Float64Array;
  readonly delta: Float64Array;
  readonly gamma: Float64Array;
  readonly vega: Float64Array;
  readonly theta: Float64Array;
}

/** Option chain rows in the canonical `options` columns; `symbol` is the run's index of the contract. */
export interface ChainBatch extends SymbolBatch, ChainQuoteColumns {}

/** Sentiment score columns in the canonical `sentiment` layout. */
export interface SentimentColumns {
  /** Score in [-1, 1]. */
  readonly score: Float64Array;
  /** Volume of mentions behind the score; NaN where the data has none. */
  readonly mentions: Float64Array;
}

/** Sentiment rows of several symbols; `ts` is when each score became known; `symbol` the run's index. */
export interface SentimentBatch extends SymbolBatch, SentimentColumns {}
