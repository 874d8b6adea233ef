import type { BookColumns as ModelBookColumns, ChainQuoteColumns, QuoteColumns as ModelQuoteColumns, TradeColumns as ModelTradeColumns } from '../../engine/model/index.js';

/**
 * Growable typed-array columns for generators whose row count is only known at the end. Doubling
 * growth keeps appends amortized O(1); `finish` returns a view of the filled part.
 */
export class GrowableF64 {
  private data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowableI8 {
  private data: Int8Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int8Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  finish(): Int8Array {
    return this.data.slice(0, this.length);
  }
}

// The column shapes are the market-data batches' (engine/model/market-batches.ts), per symbol: a
// timestamp column and no symbol index.

/** Trade columns in the canonical order of datasets/schema.ts. */
export interface TradeColumns extends ModelTradeColumns<Int8Array> {
  readonly ts: Float64Array;
}

/** Quote columns in the canonical order of datasets/schema.ts. */
export interface QuoteColumns extends ModelQuoteColumns {
  readonly ts: Float64Array;
}

/** Book delta columns in the canonical order of datasets/schema.ts. */
export interface BookColumns extends ModelBookColumns<Int8Array> {
  readonly ts: Float64Array;
}

/** Option chain columns in the canonical order of datasets/schema.ts. */
export interface OptionColumns extends ChainQuoteColumns {
  readonly ts: Float64Array;
  readonly underlying: string[];
  readonly expiry: Float64Array;
  readonly strike: Float64Array;
  readonly right: Int8Array;
}
