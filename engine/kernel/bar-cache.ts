import { InvalidArgumentError } from '../core/errors.js';
import type { Symbol_ } from '../core/ids.js';
import type { BarSeries } from '../strategies/context.js';
import type { BarColumns } from '../model/market-batches.js';

/** Bar columns as a replay feed holds them (defined with the market-data batches in engine/model). */
export type { BarColumns };

/**
 * The last `capacity` bars of one symbol in ring buffers: the BarSeries a strategy reads. Only bars
 * already delivered are stored, and `ago` may only reach back, never forward, so look-ahead is
 * impossible by construction. Memory is fixed by `capacity`, whatever the tape length.
 * Strategies get this object itself, a live view by design (see BarSeries): typed as BarSeries,
 * they see only its readers; `push`, `pushRow` and `reset` are the engine's.
 */
export class BarRing implements BarSeries {
  readonly symbol: Symbol_;
  length = 0;
  count = 0;
  private readonly cap: number;
  private head = -1;
  private readonly tsCol: Float64Array;
  private readonly o: Float64Array;
  private readonly h: Float64Array;
  private readonly l: Float64Array;
  private readonly c: Float64Array;
  private readonly v: Float64Array;

  constructor(symbol: Symbol_, capacity: number) {
    this.symbol = symbol;
    this.cap = Math.max(1, capacity | 0);
    this.tsCol = new Float64Array(this.cap);
    this.o = new Float64Array(this.cap);
    this.h = new Float64Array(this.cap);
    this.l = new Float64Array(this.cap);
    this.c = new Float64Array(this.cap);
    this.v = new Float64Array(this.cap);
  }

  push(ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    const i = this.head + 1 === this.cap ? 0 : this.head + 1;
    this.head = i;
    this.tsCol[i] = ts;
    this.o[i] = open;
    this.h[i] = high;
    this.l[i] = low;
    this.c[i] = close;
    this.v[i] = volume;
    this.count++;
    if (this.length < this.cap) this.length++;
  }

  /** Appends row `row` of column arrays (the replay path: no double crosses a call boundary). */
  pushRow(cols: BarColumns, row: number): void {
    const i = this.head + 1 === this.cap ? 0 : this.head + 1;
    this.head = i;
    this.tsCol[i] = cols.barTs[row]!;
    this.o[i] = cols.open[row]!;
    this.h[i] = cols.high[row]!;
    this.l[i] = cols.low[row]!;
    this.c[i] = cols.close[row]!;
    this.v[i] = cols.volume[row]!;
    this.count++;
    if (this.length < this.cap) this.length++;
  }

  reset(): void {
    this.length = 0;
    this.count = 0;
    this.head = -1;
  }

  private at(ago: number): number {
    // The refusal is built elsewhere: its template is most of this function's bytecode, which would
    // count against the inlining budget of every strategy's onBar that reads a bar (see badAgo).
    if (!(ago >= 0 && ago < this.length) || ago !== (ago | 0)) throw this.badAgo(ago);
    const i = this.head - ago;
    return i >= 0 ? i : i + this.cap;
  }

  /**
   * The refusal of an `ago` out of range. Kept out of {@link at}: V8 inlines a strategy's onBar callees
   * within a budget of bytecode, and a call it does not inline boxes each number passed to it (a
   * strategy that plots on every bar then allocates on every bar).
   */
  private badAgo(ago: number): InvalidArgumentError {
    return new InvalidArgumentError(
      `bars(${this.symbol}): index 'ago' must be an integer in [0, ${this.length - 1}] (0 = the bar that just closed; the future is not readable), was ${ago}`,
    );
  }

  /**
   * The ring's columns of highs, lows and closes and the row of the last bar (-1 while empty): what the
   * built-in indicators' `updateFrom` reads in place (engine/indicators CloseSeries), so that no number
   * crosses a call on a strategy's bar path. Not on BarSeries: a strategy reads bars by `ago`.
   */
  get highs(): Float64Array {
    return this.h;
  }
  get lows(): Float64Array {
    return this.l;
  }
  get closes(): Float64Array {
    return this.c;
  }
  get lastRow(): number {
    return this.length > 0 ? this.head : -1;
  }

  ts(ago = 0): number {
    return this.tsCol[this.at(ago)]!;
  }
  open(ago = 0): number {
    return this.o[this.at(ago)]!;
  }
  high(ago = 0): number {
    return this.h[this.at(ago)]!;
  }
  low(ago = 0): number {
    return this.l[this.at(ago)]!;
  }
  close(ago = 0): number {
    return this.c[this.at(ago)]!;
  }
  volume(ago = 0): number {
    return this.v[this.at(ago)]!;
  }
}

/**
 * The bars of one symbol resampled to a coarser interval before the run (`data.timeframes`): row
 * `i` is the bucket opening at `barTs[i]` (UTC epoch buckets: a multiple of the interval since
 * 1970-01-01T00:00Z), first open, highest high, lowest low, last close and summed volume of the
 * finer bars in it. `visibleTs[i]` is when the bar may be read: the bucket's end, or the close of the
 * last finer bar in it when that is later (bars not aligned to the bucket). Rows are in time order
 * and `visibleTs` never decreases.
 */
export interface CoarseBarColumns extends BarColumns {
  readonly length: number;
  readonly visibleTs: Float64Array;
}

/** One requested coarser interval: its length and, by symbol name, the resampled bars. */
export interface TimeframeBars {
  /** The interval as the scenario wrote it (`1d`). */
  readonly label: string;
  readonly intervalUs: number;
  /** Resampled bars by symbol (the run's bar symbols). */
  readonly bars: ReadonlyMap<string, CoarseBarColumns>;
}

/**
 * The BarSeries a strategy reads for a coarser interval (`ctx.bars(symbol, '1d')`): the resampled
 * bars whose `visibleTs` is at or before now, newest last, at most `capacity` of them. It is pulled,
 * not pushed: {@link sync} moves it to the clock before each read, so a coarse bar appears on the
 * first event at or after its bucket closes, whichever source that event comes from, and a bucket
 * still open (the last one when the data ends inside it) is never readable. The clock only moves
 * forward within a run; {@link reset} starts over.
 */
export class CoarseBarView implements BarSeries {
  readonly symbol: Symbol_;
  length = 0;
  count = 0;
  private readonly cap: number;

  constructor(
    symbol: Symbol_,
    private readonly cols: CoarseBarColumns,
    capacity: number,
  ) {
    this.symbol = symbol;
    this.cap = Math.max(1, capacity | 0);
  }

  /** Makes visible every bar closed by `now`; returns this. */
  sync(now: number): this {
    const visible = this.cols.visibleTs;
    const n = this.cols.length;
    let c = this.count;
    while (c < n && visible[c]! <= now) c++;
    if (c !== this.count) {
      this.count = c;
      this.length = c < this.cap ? c : this.cap;
    }
    return this;
  }

  reset(): void {
    this.count = 0;
    this.length = 0;
  }

  private at(ago: number): number {
    if (!(ago >= 0 && ago < this.length) || ago !== (ago | 0)) throw this.badAgo(ago);
    return this.count - 1 - ago;
  }

  /** The refusal of an `ago` out of range, kept out of {@link at} as BarRing's is. */
  private badAgo(ago: number): InvalidArgumentError {
    return new InvalidArgumentError(
      `bars(${this.symbol}) of a coarser interval: index 'ago' must be an integer in [0, ${this.length - 1}] (0 = the last closed bar; a bar still open is not readable), was ${ago}`,
    );
  }

  /** The columns and the row of the last visible bar (-1 while none), as BarRing's. */
  get highs(): Float64Array {
    return this.cols.high;
  }
  get lows(): Float64Array {
    return this.cols.low;
  }
  get closes(): Float64Array {
    return this.cols.close;
  }
  get lastRow(): number {
    return this.length > 0 ? this.count - 1 : -1;
  }

  ts(ago = 0): number {
    return this.cols.barTs[this.at(ago)]!;
  }
  open(ago = 0): number {
    return this.cols.open[this.at(ago)]!;
  }
  high(ago = 0): number {
    return this.cols.high[this.at(ago)]!;
  }
  low(ago = 0): number {
    return this.cols.low[this.at(ago)]!;
  }
  close(ago = 0): number {
    return this.cols.close[this.at(ago)]!;
  }
  volume(ago = 0): number {
    return this.cols.volume[this.at(ago)]!;
  }
}
