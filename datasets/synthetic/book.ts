import { US_PER_SECOND, type RandomStream } from '../../engine/core/index.js';
import { BOOK_ACTION, BOOK_FLAGS, BOOK_SIDE } from '../schema.js';
import { SESSION_CLOSE_US, SESSION_OPEN_US, STEP_US, STEPS_PER_SESSION } from './calendar.js';
import { GrowableF64, GrowableI8, type BookColumns } from './columns.js';
import { priceWithinStep, sortedOffsets } from './interpolate.js';
import type { IntradaySession } from './price-paths.js';

/**
 * L2 order-book deltas with periodic snapshots, driven by the stored path of a session.
 *
 * Each side holds `levels` contiguous price levels on the integer 0.01 tick grid. At each book event
 * (a Poisson process following the session's activity) the touch is re-centred on the path: best bid
 * <= path < best ask, with a spread of 1 to 3 ticks that wanders slowly. When the touch moves, levels
 * are added and deleted in an order that never crosses the book, not even between two rows of one
 * event: the retreating side moves first, and new far levels are added before near ones are removed.
 * When the touch stays, one level's size is updated. A full snapshot (BOOK_ACTION.snapshot rows with
 * begin/end flags) opens each session and repeats every `snapshotSeconds`.
 */

const TICKS_PER_UNIT = 100;
const MAX_PER_STEP = 10_000;

export interface BookGeneratorOptions {
  readonly eventsPerDay: number;
  readonly levels: number;
  readonly snapshotSeconds: number;
}

class BookBuilder {
  readonly ts: GrowableF64;
  readonly side = new GrowableI8();
  readonly price: GrowableF64;
  readonly size: GrowableF64;
  readonly action = new GrowableI8();
  readonly flags = new GrowableI8();
  constructor(capacity: number) {
    this.ts = new GrowableF64(capacity);
    this.price = new GrowableF64(capacity);
    this.size = new GrowableF64(capacity);
  }
  row(ts: number, side: number, ticks: number, size: number, action: number, flags: number): void {
    this.ts.push(ts);
    this.side.push(side);
    this.price.push(ticks / TICKS_PER_UNIT);
    this.size.push(size);
    this.action.push(action);
    this.flags.push(flags);
  }
  finish(): BookColumns {
    return {
      ts: this.ts.finish(),
      side: this.side.finish(),
      price: this.price.finish(),
      size: this.size.finish(),
      action: this.action.finish(),
      flags: this.flags.finish(),
    };
  }
}

/** Returns the book rows of the given sessions (concatenated, time-ordered). */
export function generateBook(sessions: readonly IntradaySession[], options: BookGeneratorOptions, rng: RandomStream): BookColumns {
  const { eventsPerDay, levels: n, snapshotSeconds } = options;
  const perSnapshot = 2 * n;
  const snapshotsPerDay = Math.ceil((SESSION_CLOSE_US - SESSION_OPEN_US) / (snapshotSeconds * US_PER_SECOND));
  const out = new BookBuilder(Math.ceil(sessions.length * (eventsPerDay * 1.6 + snapshotsPerDay * perSnapshot)));
  // Sizes by tick; a level exists while it has an entry. Ladders are contiguous: [bid - n + 1, bid], [ask, ask + n - 1].
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  let bid = 0;
  let ask = 0;
  let spread = 1;
  const offsets = new Float64Array(MAX_PER_STEP);

  const freshSize = (depth: number): number => Math.max(1, Math.round(300 * (1 + 0.25 * depth) * Math.exp(0.5 * rng.normal())));
  let targetBid = 0;
  let targetAsk = 0;
  /** Sets the target touch for a path value: best bid <= path < best ask. */
  const aim = (pathValue: number): void => {
    if (rng.next() < 0.02) spread = Math.min(3, Math.max(1, spread + (rng.next() < 0.5 ? -1 : 1)));
    const f = pathValue * TICKS_PER_UNIT;
    targetBid = Math.max(1, Math.floor(f) - Math.floor((spread - 1) / 2));
    targetAsk = targetBid + spread;
  };
  const set = (ts: number, book: Map<number, number>, side: number, ticks: number, depth: number): void => {
    const size = freshSize(depth);
    book.set(ticks, size);
    out.row(ts, side, ticks, size, BOOK_ACTION.update, 0);
  };
  const remove = (ts: number, book: Map<number, number>, side: number, ticks: number): void => {
    book.delete(ticks);
    out.row(ts, side, ticks, 0, BOOK_ACTION.delete, 0);
  };
  const snapshot = (ts: number): void => {
    for (let k = 0; k < n; k++) {
      out.row(ts, BOOK_SIDE.bid, bid - k, bids.get(bid - k)!, BOOK_ACTION.snapshot, k === 0 ? BOOK_FLAGS.snapshotBegin : 0);
    }
    for (let k = 0; k < n; k++) {
      out.row(ts, BOOK_SIDE.ask, ask + k, asks.get(ask + k)!, BOOK_ACTION.snapshot, k === n - 1 ? BOOK_FLAGS.snapshotEnd : 0);
    }
  };
  const move = (ts: number, newBid: number, newAsk: number): void => {
    const oldBid = bid;
    const oldAsk = ask;
    // Retreats first: the ask side moving up, the bid side moving down.
    if (newAsk > oldAsk) {
      for (let p = Math.max(oldAsk + n, newAsk); p <= newAsk + n - 1; p++) set(ts, asks, BOOK_SIDE.ask, p, p - newAsk);
      for (let p = oldAsk; p <= Math.min(newAsk - 1, oldAsk + n - 1); p++) remove(ts, asks, BOOK_SIDE.ask, p);
    }
    if (newBid < oldBid) {
      for (let p = Math.min(oldBid - n, newBid); p >= newBid - n + 1; p--) set(ts, bids, BOOK_SIDE.bid, p, newBid - p);
      for (let p = oldBid; p >= Math.max(newBid + 1, oldBid - n + 1); p--) remove(ts, bids, BOOK_SIDE.bid, p);
    }
    // Advances next, each adding near levels before dropping the far ones beyond `n`.
    if (newAsk < oldAsk) {
      for (let p = Math.min(oldAsk - 1, newAsk + n - 1); p >= newAsk; p--) set(ts, asks, BOOK_SIDE.ask, p, p - newAsk);
      for (let p = oldAsk + n - 1; p >= Math.max(oldAsk, newAsk + n); p--) remove(ts, asks, BOOK_SIDE.ask, p);
    }
    if (newBid > oldBid) {
      for (let p = Math.max(oldBid + 1, newBid - n + 1); p <= newBid; p++) set(ts, bids, BOOK_SIDE.bid, p, newBid - p);
      for (let p = oldBid - n + 1; p <= Math.min(oldBid, newBid - n); p++) remove(ts, bids, BOOK_SIDE.bid, p);
    }
  };

  for (const session of sessions) {
    const open = session.day + SESSION_OPEN_US;
    const { points, activity } = session;
    bids.clear();
    asks.clear();
    spread = 1;
    aim(points[0]!);
    bid = targetBid;
    ask = targetAsk;
    for (let k = 0; k < n; k++) {
      bids.set(bid - k, freshSize(k));
      asks.set(ask + k, freshSize(k));
    }
    let nextSnapshot = open;
    for (let i = 0; i < STEPS_PER_SESSION; i++) {
      const k = Math.min(MAX_PER_STEP, rng.poisson(eventsPerDay * (0.3 / STEPS_PER_SESSION + 0.7 * activity[i]!)));
      const stepStart = open + i * STEP_US;
      if (k === 0) {
        while (nextSnapshot < stepStart + STEP_US) {
          snapshot(nextSnapshot);
          nextSnapshot += snapshotSeconds * US_PER_SECOND;
        }
        continue;
      }
      sortedOffsets(k, STEP_US - k - 1, rng, offsets);
      const a = points[i]!;
      const b = points[i + 1]!;
      for (let j = 0; j < k; j++) {
        const ts = stepStart + offsets[j]!;
        while (nextSnapshot <= ts) {
          snapshot(nextSnapshot);
          nextSnapshot += snapshotSeconds * US_PER_SECOND;
        }
        aim(priceWithinStep(a, b, offsets[j]! / STEP_US, rng));
        if (targetBid !== bid || targetAsk !== ask) {
          move(ts, targetBid, targetAsk);
          bid = targetBid;
          ask = targetAsk;
        } else {
          // Size change at one level, more often near the touch.
          const isBid = rng.next() < 0.5;
          const depth = Math.min(n - 1, Math.floor(rng.exponential(0.4)));
          const book = isBid ? bids : asks;
          const ticks = isBid ? bid - depth : ask + depth;
          const size = rng.next() < 0.3 ? freshSize(depth) : Math.max(1, Math.round(book.get(ticks)! * Math.exp(0.3 * rng.normal())));
          book.set(ticks, size);
          out.row(ts, isBid ? BOOK_SIDE.bid : BOOK_SIDE.ask, ticks, size, BOOK_ACTION.update, 0);
        }
      }
    }
    while (nextSnapshot < open + STEPS_PER_SESSION * STEP_US) {
      snapshot(nextSnapshot);
      nextSnapshot += snapshotSeconds * US_PER_SECOND;
    }
  }
  return out.finish();
}
