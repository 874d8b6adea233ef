/**
 * A source of market data for the run loop. Replay feeds (sim/) and live feeds implement it; the
 * engine only sees the events it delivers, in time order, never ahead of the clock.
 */
export interface MarketDataHandler {
  /** A bar closed; `ts` is its open time, the bar is visible from `ts + intervalUs`. */
  onBar(symbolIndex: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void;
  onTrade(symbolIndex: number, ts: number, price: number, size: number, side: number): void;
  onQuote(symbolIndex: number, ts: number, bid: number, bidSize: number, ask: number, askSize: number): void;
}

export interface DataFeed {
  /** Symbols, in the order of the `symbolIndex` the handler receives. */
  readonly symbols: readonly string[];
}
