import { InvariantError, type Symbol_ } from '../core/index.js';
import type { StrategyContext } from './context.js';

/**
 * The timestamp rule of the multi-symbol strategies (`pairs`, `granger_causality`,
 * `correlation_matrix`): the engine calls onBar once per symbol per timestamp, in an order the
 * strategy does not choose, so a strategy that reads several symbols decides on a timestamp only
 * when the bar that completes it arrives, the last of its symbols' bars with that open time (`ts(0)`).
 * A timestamp at which one of the symbols has no bar is never complete: no decision is taken on it
 * and its closes enter none of the windows, so every window holds the symbols' closes of the same
 * timestamps. Each decision reads only the closes of bars already delivered (no look-ahead).
 */
export class TimestampSync {
  private readonly index: Map<string, number>;
  private readonly last: Float64Array;
  private decided = Number.NaN;
  /** Complete timestamps seen so far. */
  count = 0;

  constructor(readonly symbols: readonly Symbol_[]) {
    this.index = new Map(symbols.map((s, i) => [s as string, i]));
    this.last = new Float64Array(symbols.length).fill(Number.NaN);
  }

  /**
   * Records that `symbol`'s bar opening at `ts` arrived; returns true exactly once per timestamp,
   * when every symbol's bar at `ts` has arrived (on the last of them).
   */
  arrive(symbol: string, ts: number): boolean {
    const i = this.index.get(symbol);
    if (i === undefined) throw new InvariantError(`received a bar for ${symbol}, which is not one of the strategy's symbols`);
    this.last[i] = ts;
    const last = this.last;
    for (let j = 0; j < last.length; j++) if (last[j] !== ts) return false;
    if (ts === this.decided) return false;
    this.decided = ts;
    this.count++;
    return true;
  }

  /** Writes the latest close of each symbol (the bars of the timestamp just completed) into `out`. */
  closes(ctx: StrategyContext, out: Float64Array): void {
    for (let j = 0; j < this.symbols.length; j++) out[j] = ctx.bars(this.symbols[j]!).close(0);
  }
}

/**
 * The last `window` values of several aligned series (one per symbol, all pushed together), in ring
 * buffers allocated once; `copy` writes one series oldest first into a scratch array.
 */
export class AlignedWindow {
  private readonly data: Float64Array[];
  private pos = 0;
  /** Rows pushed so far. */
  seen = 0;

  constructor(
    readonly series: number,
    readonly window: number,
  ) {
    this.data = Array.from({ length: series }, () => new Float64Array(window));
  }

  /** Returns whether `window` rows are in. */
  get full(): boolean {
    return this.seen >= this.window;
  }

  /** Adds one row (a value per series). */
  push(row: Float64Array): void {
    for (let s = 0; s < this.series; s++) this.data[s]![this.pos] = row[s]!;
    this.pos = this.pos + 1 === this.window ? 0 : this.pos + 1;
    this.seen++;
  }

  /** The value of series `s` `ago` rows back (0 = the latest); `ago` < window. */
  at(s: number, ago: number): number {
    let i = this.pos - 1 - ago;
    if (i < 0) i += this.window;
    return this.data[s]![i]!;
  }

  /** Writes series `s`, oldest first, into `out` (length >= window) and returns it. */
  copy(s: number, out: Float64Array): Float64Array {
    const d = this.data[s]!;
    const w = this.window;
    for (let k = 0, i = this.pos; k < w; k++, i = i + 1 === w ? 0 : i + 1) out[k] = d[i]!;
    return out;
  }
}
