/**
 * Market data records as plain values. The replay path moves data in typed-array columns; these
 * shapes are what a strategy reads through its views and what tests build by hand.
 */
export interface Bar {
  /** Bar open time, microseconds. The bar becomes visible at its close: `ts + intervalUs`, or the next bar of its symbol's open when sooner (months, weeks after a holiday). */
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface TradeTick {
  readonly ts: number;
  readonly price: number;
  readonly size: number;
  /** Aggressor: 1 buyer, -1 seller, 0 unknown. */
  readonly side: -1 | 0 | 1;
}

/** A sentiment score of one symbol (data kind `sentiment`), as `onSentiment` receives it. */
export interface SentimentEvent {
  /** When the score became known, microseconds. */
  readonly ts: number;
  readonly symbol: string;
  /** Score in [-1, 1]: -1 most negative, 1 most positive. */
  readonly score: number;
  /** Volume of mentions behind the score; NaN when the data has none. */
  readonly mentions: number;
}

export interface QuoteTick {
  readonly ts: number;
  readonly bid: number;
  readonly bidSize: number;
  readonly ask: number;
  readonly askSize: number;
}
