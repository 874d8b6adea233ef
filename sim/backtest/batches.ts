import type { TimeBatch } from '../../engine/kernel/index.js';

/**
 * Column batches the replay feeds carry. `ts` is the time the event becomes visible (for a bar, its
 * close: open time + interval), which is the merge key; `symbol` is the symbol index of each row.
 */
export interface BarBatch extends TimeBatch {
  readonly symbol: Int32Array;
  /** Bar open time, microseconds. */
  readonly barTs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export interface QuoteBatch extends TimeBatch {
  readonly symbol: Int32Array;
  readonly bid: Float64Array;
  readonly bidSize: Float64Array;
  readonly ask: Float64Array;
  readonly askSize: Float64Array;
}

export interface TradeBatch extends TimeBatch {
  readonly symbol: Int32Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  /** Aggressor: 1 buy, -1 sell, 0 unknown. */
  readonly side: Float64Array | Int8Array | Int32Array;
}
