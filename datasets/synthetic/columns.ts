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

/** Trade columns in the canonical order of datasets/schema.ts. */
export interface TradeColumns {
  readonly ts: Float64Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  readonly side: Int8Array;
}

/** Quote columns in the canonical order of datasets/schema.ts. */
export interface QuoteColumns {
  readonly ts: Float64Array;
  readonly bid: Float64Array;
  readonly bidSize: Float64Array;
  readonly ask: Float64Array;
  readonly askSize: Float64Array;
}

/** Book delta columns in the canonical order of datasets/schema.ts. */
export interface BookColumns {
  readonly ts: Float64Array;
  readonly side: Int8Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  readonly action: Int8Array;
  readonly flags: Int8Array;
}

/** Option chain columns in the canonical order of datasets/schema.ts. */
export interface OptionColumns {
  readonly ts: Float64Array;
  readonly underlying: string[];
  readonly expiry: Float64Array;
  readonly strike: Float64Array;
  readonly right: Int8Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly last: Float64Array;
  readonly volume: Float64Array;
  readonly openInterest: Float64Array;
  readonly iv: Float64Array;
  readonly delta: Float64Array;
  readonly gamma: Float64Array;
  readonly vega: Float64Array;
  readonly theta: Float64Array;
}
