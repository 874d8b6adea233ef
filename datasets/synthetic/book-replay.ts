import { DataError } from '../../engine/core/index.js';
import { BOOK_ACTION, BOOK_FLAGS, BOOK_SIDE } from '../schema.js';
import type { BookColumns } from './columns.js';

/** What a replay of book rows found. */
export interface BookReplaySummary {
  readonly rows: number;
  readonly snapshots: number;
  /** Snapshots that arrived when the book was already built and matched it level for level. */
  readonly snapshotsMatchingReplay: number;
  /** Largest number of levels seen on one side after a complete event. */
  readonly maxLevelsPerSide: number;
  /** Smallest number of levels seen on one side after a complete event (once a snapshot was applied). */
  readonly minLevelsPerSide: number;
}

/**
 * Replays book rows (snapshots and deltas) in order and checks the book after every row outside a
 * snapshot: never crossed (best bid < best ask), sizes positive, prices on the 0.01 tick grid, no
 * delete of an absent level, time never going backwards. At each snapshot the replayed book is
 * compared with the snapshot's levels. Throws a DataError naming the row and column on the first
 * violation; `file` names the source in messages.
 */
export function replayBook(columns: BookColumns, file = 'book'): BookReplaySummary {
  const { ts, side, price, size, action, flags } = columns;
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  let inSnapshot = false;
  let snapshotBids = new Map<number, number>();
  let snapshotAsks = new Map<number, number>();
  let built = false;
  let snapshots = 0;
  let matching = 0;
  let maxLevels = 0;
  let minLevels = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  const fail = (row: number, column: string, message: string): never => {
    throw new DataError(message, { file, row, column });
  };
  const sameBook = (a: Map<number, number>, b: Map<number, number>): boolean => {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (b.get(k) !== v) return false;
    return true;
  };
  const best = (book: Map<number, number>, highest: boolean): number => {
    let x = highest ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    for (const k of book.keys()) x = highest ? Math.max(x, k) : Math.min(x, k);
    return x;
  };
  for (let r = 0; r < ts.length; r++) {
    if (ts[r]! < lastTs) fail(r, 'ts', `time goes backwards: ${ts[r]} after ${lastTs}`);
    lastTs = ts[r]!;
    const ticks = Math.round(price[r]! * 100);
    if (Math.abs(ticks / 100 - price[r]!) > 1e-9) fail(r, 'price', `not on the 0.01 tick grid: ${price[r]}`);
    const s = side[r]!;
    if (s !== BOOK_SIDE.bid && s !== BOOK_SIDE.ask) fail(r, 'side', `unknown side ${s}`);
    const a = action[r]!;
    if (a === BOOK_ACTION.snapshot) {
      const f = flags[r]!;
      if (f & BOOK_FLAGS.snapshotBegin) {
        inSnapshot = true;
        snapshotBids = new Map();
        snapshotAsks = new Map();
      } else if (!inSnapshot) {
        fail(r, 'flags', 'snapshot row outside a snapshot (no begin flag before it)');
      }
      if (size[r]! > 0) (s === BOOK_SIDE.bid ? snapshotBids : snapshotAsks).set(ticks, size[r]!);
      else if (size[r]! < 0) fail(r, 'size', `negative size ${size[r]}`);
      if (f & BOOK_FLAGS.snapshotEnd) {
        inSnapshot = false;
        snapshots++;
        if (built && sameBook(bids, snapshotBids) && sameBook(asks, snapshotAsks)) matching++;
        bids.clear();
        asks.clear();
        for (const [k, v] of snapshotBids) bids.set(k, v);
        for (const [k, v] of snapshotAsks) asks.set(k, v);
        built = true;
      } else {
        continue;
      }
    } else {
      if (inSnapshot) fail(r, 'action', 'delta inside a snapshot');
      const book = s === BOOK_SIDE.bid ? bids : asks;
      if (a === BOOK_ACTION.update) {
        if (!(size[r]! > 0)) fail(r, 'size', `update with a non-positive size ${size[r]}`);
        book.set(ticks, size[r]!);
      } else if (a === BOOK_ACTION.delete) {
        if (!book.delete(ticks)) fail(r, 'price', `delete of an absent ${s === BOOK_SIDE.bid ? 'bid' : 'ask'} level ${price[r]}`);
      } else {
        fail(r, 'action', `unknown action ${a}`);
      }
    }
    const bb = best(bids, true);
    const ba = best(asks, false);
    if (bb >= ba) fail(r, 'price', `crossed book: best bid ${bb / 100} >= best ask ${ba / 100}`);
    const endOfEvent = r + 1 === ts.length || ts[r + 1] !== ts[r];
    if (built && endOfEvent) {
      maxLevels = Math.max(maxLevels, bids.size, asks.size);
      minLevels = Math.min(minLevels, bids.size, asks.size);
    }
  }
  if (inSnapshot) fail(ts.length - 1, 'flags', 'snapshot without an end flag');
  return {
    rows: ts.length,
    snapshots,
    snapshotsMatchingReplay: matching,
    maxLevelsPerSide: maxLevels,
    minLevelsPerSide: Number.isFinite(minLevels) ? minLevels : 0,
  };
}
