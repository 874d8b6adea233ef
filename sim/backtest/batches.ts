/**
 * The column batches the replay feeds carry, defined once in engine/model (see market-batches.ts) and
 * re-exported here for the replay's callers.
 */
export type { BarBatch, BookBatch, ChainBatch, QuoteBatch, TimeBatch, TradeBatch } from '../../engine/model/index.js';
