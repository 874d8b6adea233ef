/**
 * What the run loop delivers market data to (the TradingEngine), whether the data is replayed
 * (sim/backtest) or live: the events in time order, never ahead of the clock.
 */
export interface MarketDataHandler {
  /** A bar closed; `ts` is its open time, the bar is visible from its close (`ts + intervalUs`, or its symbol's next bar's open when sooner). */
  onBar(symbolIndex: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void;
  onTrade(symbolIndex: number, ts: number, price: number, size: number, side: number): void;
  onQuote(symbolIndex: number, ts: number, bid: number, bidSize: number, ask: number, askSize: number): void;
  /** A sentiment score became known (`mentions` NaN when the data has none). */
  onSentiment?(symbolIndex: number, ts: number, score: number, mentions: number): void;
}
