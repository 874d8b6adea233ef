import { DataError, InvalidArgumentError, checkOneOf, checkPositive, checkPositiveInteger } from '../../../engine/core/index.js';

/** Side codes of book rows (the canonical `book.side` column): 1 bid, -1 ask. */
export const BID = 1;
export const ASK = -1;
/** Action codes of book rows (`book.action`). */
export const ACTION_UPDATE = 0;
export const ACTION_DELETE = 1;
export const ACTION_SNAPSHOT = 2;
/** Flag bits of book rows (`book.flags`). */
export const FLAG_SNAPSHOT_BEGIN = 1;
export const FLAG_SNAPSHOT_END = 2;

/**
 * What the book does with an invalid row (NaN or off-grid price, negative size, unknown side or
 * action, a snapshot row outside a snapshot or a delta inside one, a delete of an absent level when
 * the feed promises full depth, a row that leaves the book crossed or locked):
 * - `error`: throws a DataError naming the row index, ts, side and price. The default: bad data
 *   never passes silently.
 * - `skip-event`: ignores the offending row and counts it; a crossing row is not applied, so the book
 *   keeps its previous (uncrossed) state. A snapshot that ends crossed loses the overlapping levels
 *   of both sides (there is no earlier state to keep).
 * - `drop-crossed-levels`: applies a crossing delta (the newest information wins) and deletes the
 *   stale levels of the other side that it crosses, counting them; a snapshot that ends crossed loses
 *   the overlapping levels of both sides. Every other invalid row is skipped and counted as under
 *   `skip-event`.
 */
export type BookRepairPolicy = 'error' | 'drop-crossed-levels' | 'skip-event';
export const BOOK_REPAIR_POLICIES = ['error', 'drop-crossed-levels', 'skip-event'] as const;

/** Counts of what the repair policy did, for the report. All zero under `error`. */
export interface BookRepairCounters {
  /** Rows ignored, all reasons together. */
  skippedRows: number;
  /** Rows that would have crossed or locked the book (skipped, or applied with levels dropped). */
  crossedRows: number;
  /** Levels deleted to uncross the book. */
  droppedLevels: number;
  negativeSize: number;
  invalidPrice: number;
  unknownLevel: number;
  /** Unknown side, action or flags, and snapshot rows out of sequence. */
  malformed: number;
}

/** Options of an {@link OrderBook}. */
export interface OrderBookOptions {
  /** Price increment; prices are held as integer ticks `round(price / tickSize)`. */
  readonly tickSize: number;
  /** True when the feed promises every level (a delete of an absent level is then invalid). Default false. */
  readonly fullDepth?: boolean;
  /** Default 'error'. */
  readonly repair?: BookRepairPolicy;
  /** Names the source in error messages (a file or symbol). Default 'book'. */
  readonly name?: string;
  /** Initial ladder length per side, in ticks (grows by doubling). Default 1024. */
  readonly initialTicks?: number;
  /** Largest distance in ticks between the lowest and highest level of one side. Default 2^22. */
  readonly maxSpanTicks?: number;
}

/** What the last {@link OrderBook.apply} call did, in {@link OrderBook.lastChange}. */
export const BookChange = {
  /** Nothing changed (a skipped row, a delete of an absent level, a snapshot row before its end). */
  None: 0,
  /** One level changed: `lastSide`, `lastTick`, `lastPrevSize`, `lastSize`. */
  Level: 1,
  /** Many levels changed (a snapshot ended, or levels were dropped to uncross): resynchronise. */
  Many: 2,
} as const;
export type BookChange = (typeof BookChange)[keyof typeof BookChange];

const EMPTY = Number.NaN;

/**
 * One side of the book: sizes in a Float64Array indexed by `tick - base`, so a level is found by one
 * subtraction. The ladder re-centres (and doubles when needed) when a level falls outside it.
 */
class Ladder {
  sizes: Float64Array;
  base: number;
  count: number;
  /** Best tick (highest bid, lowest ask); NaN when empty. */
  best: number;

  constructor(
    readonly isBid: boolean,
    capacity: number,
  ) {
    this.sizes = new Float64Array(capacity);
    this.base = 0;
    this.count = 0;
    this.best = EMPTY;
  }

  sizeAt(tick: number): number {
    const i = tick - this.base;
    return i >= 0 && i < this.sizes.length ? this.sizes[i]! : 0;
  }

  clear(): void {
    if (this.count > 0) this.sizes.fill(0);
    this.count = 0;
    this.best = EMPTY;
  }

  /** Sets level `tick` to `size > 0`; returns the previous size. */
  set(tick: number, size: number, maxSpan: number): number {
    let i = tick - this.base;
    if (i < 0 || i >= this.sizes.length) {
      this.fit(tick, maxSpan);
      i = tick - this.base;
    }
    const prev = this.sizes[i]!;
    this.sizes[i] = size;
    if (prev === 0) {
      this.count++;
      const b = this.best;
      if (!(b === b) || (this.isBid ? tick > b : tick < b)) this.best = tick;
    }
    return prev;
  }

  /** Removes level `tick`; returns its previous size (0 when absent). */
  remove(tick: number): number {
    const i = tick - this.base;
    if (i < 0 || i >= this.sizes.length) return 0;
    const sizes = this.sizes;
    const prev = sizes[i]!;
    if (prev === 0) return 0;
    sizes[i] = 0;
    if (--this.count === 0) {
      this.best = EMPTY;
    } else if (tick === this.best) {
      let j = i;
      if (this.isBid) while (sizes[--j] === 0);
      else while (sizes[++j] === 0);
      this.best = j + this.base;
    }
    return prev;
  }

  /** Returns the next present tick beyond `tick` (away from the touch), NaN when none. */
  next(tick: number): number {
    const sizes = this.sizes;
    let j = tick - this.base;
    if (this.isBid) {
      if (j > sizes.length) j = sizes.length;
      while (--j >= 0) if (sizes[j] !== 0) return j + this.base;
    } else {
      if (j < -1) j = -1;
      while (++j < sizes.length) if (sizes[j] !== 0) return j + this.base;
    }
    return EMPTY;
  }

  /** Returns the worst (farthest) tick present; the side must not be empty. */
  worst(): number {
    const sizes = this.sizes;
    if (this.isBid) {
      let j = 0;
      while (sizes[j] === 0) j++;
      return j + this.base;
    }
    let j = sizes.length - 1;
    while (sizes[j] === 0) j--;
    return j + this.base;
  }

  /** Moves (and grows if needed) the ladder so that `tick` and every present level fit, centred. */
  private fit(tick: number, maxSpan: number): void {
    const n = this.sizes.length;
    if (this.count === 0) {
      this.base = tick - (n >> 1);
      return;
    }
    const w = this.worst();
    const lo = Math.min(tick, this.isBid ? w : this.best);
    const hi = Math.max(tick, this.isBid ? this.best : w);
    const span = hi - lo + 1;
    if (span > maxSpan) {
      throw new InvalidArgumentError(`invalid book level: tick ${tick} would make one side span ${span} ticks, more than maxSpanTicks ${maxSpan}`);
    }
    let cap = n;
    while (cap < 2 * span) cap *= 2;
    const base = lo - ((cap - span) >> 1);
    const next = new Float64Array(cap);
    const from = lo - this.base;
    const to = hi - this.base;
    // Copy the occupied range [lo, hi] minus the new tick, which may lie outside the old ladder.
    const a = Math.max(from, 0);
    const b = Math.min(to, n - 1);
    if (a <= b) next.set(this.sizes.subarray(a, b + 1), a + this.base - base);
    this.sizes = next;
    this.base = base;
  }
}

/**
 * An L2 (market-by-price) order book for one instrument, built from snapshots and deltas in the
 * canonical `book` row format. Prices are held as integer ticks in typed-array ladders: best bid and
 * ask are O(1), `sizeAt` is one subtraction, depth queries write into caller buffers and allocate
 * nothing. Every row is checked; invalid rows throw or are repaired under a {@link BookRepairPolicy}.
 *
 * Snapshot semantics follow datasets/schema.ts: the row with `snapshotBegin` clears both sides, the
 * snapshot rows list levels (size 0 lists none), the row with `snapshotEnd` completes the book;
 * crossing is checked after every row outside a snapshot and at a snapshot's end. An `update` sets a
 * level (adding it if absent); an update to size 0 deletes the level (a common feed convention).
 */
export class OrderBook {
  readonly tickSize: number;
  readonly fullDepth: boolean;
  readonly repair: BookRepairPolicy;
  readonly name: string;
  readonly counters: BookRepairCounters;
  /** 1 / tickSize when that is an integer (0.01 -> 100), else 0. */
  private readonly ticksPerUnit: number;
  /** What the last `apply` did: a {@link BookChange}. */
  lastChange: BookChange;
  declare lastSide: number;
  declare lastTick: number;
  declare lastPrevSize: number;
  declare lastSize: number;
  /** Rows applied (valid or repaired) and rows seen. */
  declare rowsSeen: number;

  private readonly bids: Ladder;
  private readonly asks: Ladder;
  private readonly maxSpan: number;
  private inSnapshot: boolean;

  constructor(options: OrderBookOptions) {
    this.tickSize = checkPositive(options.tickSize, 'tickSize');
    this.fullDepth = options.fullDepth ?? false;
    this.repair = checkOneOf(options.repair ?? 'error', BOOK_REPAIR_POLICIES, 'repair');
    this.name = options.name ?? 'book';
    const inv = Math.round(1 / this.tickSize);
    this.ticksPerUnit = Math.abs(inv * this.tickSize - 1) < 1e-12 ? inv : 0;
    const initial = checkPositiveInteger(options.initialTicks ?? 1024, 'initialTicks');
    this.maxSpan = checkPositiveInteger(options.maxSpanTicks ?? 1 << 22, 'maxSpanTicks');
    this.bids = new Ladder(true, initial);
    this.asks = new Ladder(false, initial);
    this.counters = { skippedRows: 0, crossedRows: 0, droppedLevels: 0, negativeSize: 0, invalidPrice: 0, unknownLevel: 0, malformed: 0 };
    this.lastChange = BookChange.None;
    this.lastSide = 0;
    this.lastTick = 0;
    this.lastPrevSize = 0;
    this.lastSize = 0;
    this.rowsSeen = 0;
    this.inSnapshot = false;
  }

  /** Empties the book and zeroes the counters. */
  reset(): void {
    this.bids.clear();
    this.asks.clear();
    this.inSnapshot = false;
    this.lastChange = BookChange.None;
    this.rowsSeen = 0;
    const c = this.counters;
    c.skippedRows = c.crossedRows = c.droppedLevels = c.negativeSize = c.invalidPrice = c.unknownLevel = c.malformed = 0;
  }

  // ---------------------------------------------------------------- queries

  /** Returns the integer tick of `price` (rounded to the nearest tick). */
  toTick(price: number): number {
    return Math.round(price / this.tickSize);
  }

  /** Returns the price of integer tick `tick`. */
  toPrice(tick: number): number {
    // Dividing by an integral inverse keeps 0.01 ticks exact in decimal (12345 * 0.01 is 123.45000000000002).
    return this.ticksPerUnit > 0 ? tick / this.ticksPerUnit : tick * this.tickSize;
  }

  /**
   * Returns the next present tick of side `side` beyond `tick` (lower for bids, higher for asks), or
   * NaN when there is none. Walking from the best with it visits the levels in priority order.
   */
  nextTick(side: number, tick: number): number {
    return (side === BID ? this.bids : this.asks).next(tick);
  }

  /** True while a snapshot has begun and not ended (the book is incomplete). */
  get snapshotPending(): boolean {
    return this.inSnapshot;
  }

  /** Best bid tick, NaN when there is no bid. */
  get bestBidTick(): number {
    return this.bids.best;
  }
  /** Best ask tick, NaN when there is no ask. */
  get bestAskTick(): number {
    return this.asks.best;
  }
  /** Best bid price, NaN when there is no bid. */
  get bestBid(): number {
    const t = this.bids.best;
    return t === t ? this.toPrice(t) : EMPTY;
  }
  /** Best ask price, NaN when there is no ask. */
  get bestAsk(): number {
    const t = this.asks.best;
    return t === t ? this.toPrice(t) : EMPTY;
  }
  /** Size at the best bid (0 when none). */
  get bestBidSize(): number {
    const t = this.bids.best;
    return t === t ? this.bids.sizeAt(t) : 0;
  }
  /** Size at the best ask (0 when none). */
  get bestAskSize(): number {
    const t = this.asks.best;
    return t === t ? this.asks.sizeAt(t) : 0;
  }
  /** Mid price, NaN unless both sides have a level. */
  get mid(): number {
    return (this.bestBid + this.bestAsk) / 2;
  }
  /** Number of levels on side `side` (1 bid, -1 ask). */
  levelCount(side: number): number {
    return side === BID ? this.bids.count : this.asks.count;
  }
  /** Displayed size at `tick` on side `side` (0 when absent). */
  sizeAt(side: number, tick: number): number {
    return side === BID ? this.bids.sizeAt(tick) : this.asks.sizeAt(tick);
  }

  /**
   * Writes up to `n` levels of side `side`, best first, into `prices` and `sizes` (which must hold
   * `n` values) and returns how many were written. Allocates nothing.
   */
  depth(side: number, n: number, prices: Float64Array, sizes: Float64Array): number {
    const ladder = side === BID ? this.bids : this.asks;
    const want = Math.min(n, ladder.count, prices.length, sizes.length);
    if (want <= 0) return 0;
    const arr = ladder.sizes;
    const step = ladder.isBid ? -1 : 1;
    let i = ladder.best - ladder.base;
    let k = 0;
    while (k < want) {
      const s = arr[i]!;
      if (s !== 0) {
        prices[k] = this.toPrice(i + ladder.base);
        sizes[k] = s;
        k++;
      }
      i += step;
    }
    return k;
  }

  /**
   * Calls `visit(tick, size)` for the levels of side `side` from the best outwards while it returns
   * true, stopping after `maxTicks` ticks from the best. Allocates nothing itself.
   */
  walk(side: number, visit: (tick: number, size: number) => boolean, maxTicks = Infinity): void {
    const ladder = side === BID ? this.bids : this.asks;
    if (ladder.count === 0) return;
    const arr = ladder.sizes;
    const step = ladder.isBid ? -1 : 1;
    let i = ladder.best - ladder.base;
    let seen = 0;
    for (let d = 0; d <= maxTicks && i >= 0 && i < arr.length && seen < ladder.count; d++, i += step) {
      const s = arr[i]!;
      if (s === 0) continue;
      seen++;
      if (!visit(i + ladder.base, s)) return;
    }
  }

  // ---------------------------------------------------------------- updates

  /**
   * Applies one book row. `row` and `ts` only name the event in errors. Sets `lastChange` (and the
   * `last*` fields for a one-level change). Throws DataError on an invalid row under the `error`
   * policy; otherwise repairs or skips it and counts it in {@link counters}.
   */
  apply(side: number, price: number, size: number, action: number, flags: number, ts: number, row: number): void {
    this.rowsSeen++;
    this.lastChange = BookChange.None;
    if (side !== BID && side !== ASK) return this.invalid('malformed', row, ts, side, price, 'side', `unknown side ${side} (1 bid, -1 ask)`);
    if (!(price > 0 && price < Infinity)) return this.invalid('invalidPrice', row, ts, side, price, 'price', 'price is not a positive finite number');
    const tick = Math.round(price / this.tickSize);
    if (Math.abs(tick * this.tickSize - price) > 1e-9 * Math.max(1, price)) {
      return this.invalid('invalidPrice', row, ts, side, price, 'price', `price is not on the ${this.tickSize} tick grid`);
    }
    if (!(size >= 0 && size < Infinity)) {
      return this.invalid(size < 0 ? 'negativeSize' : 'malformed', row, ts, side, price, 'size', `size ${size} is not a non-negative finite number`);
    }
    if (action === ACTION_SNAPSHOT) return this.snapshotRow(side, tick, size, flags, ts, row, price);
    if (this.inSnapshot) return this.invalid('malformed', row, ts, side, price, 'action', 'delta inside a snapshot (no end flag yet)');
    const ladder = side === BID ? this.bids : this.asks;
    if (action === ACTION_UPDATE && size > 0) {
      const other = side === BID ? this.asks : this.bids;
      const ob = other.best;
      if (ob === ob && (side === BID ? tick >= ob : tick <= ob)) {
        if (!this.crossedDelta(side, tick, row, ts, price)) return;
        const prev = ladder.set(tick, size, this.maxSpan);
        this.lastChange = BookChange.Many;
        this.setLast(side, tick, prev, size);
        return;
      }
      const prev = ladder.set(tick, size, this.maxSpan);
      this.lastChange = BookChange.Level;
      this.setLast(side, tick, prev, size);
      return;
    }
    if (action === ACTION_DELETE || action === ACTION_UPDATE) {
      const prev = ladder.remove(tick);
      if (prev === 0) {
        if (this.fullDepth) return this.invalid('unknownLevel', row, ts, side, price, 'price', 'delete of an absent level (the feed promises full depth)');
        return;
      }
      this.lastChange = BookChange.Level;
      this.setLast(side, tick, prev, 0);
      return;
    }
    return this.invalid('malformed', row, ts, side, price, 'action', `unknown action ${action} (0 update, 1 delete, 2 snapshot)`);
  }

  /** Locates a row for DataError: the row index is left out when the caller did not give one. */
  private where(row: number, column: string): { file: string; row?: number; column: string } {
    return row >= 0 ? { file: this.name, row, column } : { file: this.name, column };
  }

  private setLast(side: number, tick: number, prev: number, size: number): void {
    this.lastSide = side;
    this.lastTick = tick;
    this.lastPrevSize = prev;
    this.lastSize = size;
  }

  private snapshotRow(side: number, tick: number, size: number, flags: number, ts: number, row: number, price: number): void {
    if ((flags & ~(FLAG_SNAPSHOT_BEGIN | FLAG_SNAPSHOT_END)) !== 0) return this.invalid('malformed', row, ts, side, price, 'flags', `unknown flags ${flags}`);
    if (flags & FLAG_SNAPSHOT_BEGIN) {
      this.bids.clear();
      this.asks.clear();
      this.inSnapshot = true;
    } else if (!this.inSnapshot) {
      return this.invalid('malformed', row, ts, side, price, 'flags', 'snapshot row outside a snapshot (no begin flag before it)');
    }
    if (size > 0) (side === BID ? this.bids : this.asks).set(tick, size, this.maxSpan);
    if ((flags & FLAG_SNAPSHOT_END) === 0) return;
    this.inSnapshot = false;
    this.lastChange = BookChange.Many;
    const bb = this.bids.best;
    const ba = this.asks.best;
    if (bb === bb && ba === ba && bb >= ba) {
      if (this.repair === 'error') {
        throw new DataError(`snapshot ending at ts ${ts} leaves the book crossed: best bid ${this.toPrice(bb)} >= best ask ${this.toPrice(ba)}`, this.where(row, 'price'));
      }
      this.counters.crossedRows++;
      // Drop the overlap [best ask, best bid] on both sides: what remains is uncrossed.
      for (let t = ba; t <= bb; t++) {
        if (this.bids.remove(t) > 0) this.counters.droppedLevels++;
        if (this.asks.remove(t) > 0) this.counters.droppedLevels++;
      }
    }
  }

  /** Handles a delta that would cross or lock the book; returns true when it is to be applied. */
  private crossedDelta(side: number, tick: number, row: number, ts: number, price: number): boolean {
    const other = side === BID ? this.asks : this.bids;
    if (this.repair === 'error') {
      const what = side === BID ? `bid ${price} >= best ask ${this.toPrice(other.best)}` : `ask ${price} <= best bid ${this.toPrice(other.best)}`;
      throw new DataError(`row at ts ${ts} (side ${side}, price ${price}) leaves the book crossed: ${what}`, this.where(row, 'price'));
    }
    this.counters.crossedRows++;
    if (this.repair === 'skip-event') {
      this.counters.skippedRows++;
      return false;
    }
    // drop-crossed-levels: the other side's levels at or through the new price are stale.
    if (side === BID) while (this.asks.count > 0 && this.asks.best <= tick) this.dropLevel(this.asks);
    else while (this.bids.count > 0 && this.bids.best >= tick) this.dropLevel(this.bids);
    return true;
  }

  private dropLevel(ladder: Ladder): void {
    ladder.remove(ladder.best);
    this.counters.droppedLevels++;
  }

  private invalid(reason: 'negativeSize' | 'invalidPrice' | 'unknownLevel' | 'malformed', row: number, ts: number, side: number, price: number, column: string, message: string): void {
    if (this.repair === 'error') {
      throw new DataError(`invalid book row at ts ${ts} (side ${side}, price ${price}): ${message}`, this.where(row, column));
    }
    this.counters[reason]++;
    this.counters.skippedRows++;
  }
}
