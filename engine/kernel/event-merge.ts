import { InvalidArgumentError, InvariantError } from '../core/index.js';
import { describeTs } from './describe-ts.js';
import { SourceState } from './merge-source.js';
import type { MergeSource } from './merge-source.js';

/** Negative results of {@link EventMerge.next}; a result `>= 0` is a source index. */
export const MergeSignal = {
  /** Every source has ended: the merged stream is exhausted. */
  Ended: -1,
  /** A source ran out of buffered rows before ending; `starvedSource` names it. Refill it, then call
   * `next()` again. */
  Starved: -2,
} as const;
export type MergeSignal = (typeof MergeSignal)[keyof typeof MergeSignal];

/**
 * A k-way merge of time-sorted sources into one stream in the total order
 * `(ts, priority, seq, sourceIndex)`: the last key only separates rows whose other keys tie, so the
 * order is total and independent of how rows were split into batches.
 *
 * ### Protocol
 * `next()` returns the index of the source whose *current row* is the next event. That row stays
 * current (read its columns through the source) until the following `next()` call, which first
 * advances that source. The result is {@link MergeSignal}.Ended (-1) once every source has ended.
 *
 * ### Starvation
 * The run loop is synchronous, but a source backed by an asynchronous reader (DuckDB) may run out of
 * buffered rows before it has ended. The merge cannot know that source's next timestamp, so it cannot
 * safely emit anything: `next()` returns {@link MergeSignal}.Starved (-2) and sets `starvedSource`.
 * The caller refills that source (awaiting its reader) and calls `next()` again; nothing is advanced
 * twice and the order is exactly that of an all-in-memory merge. A source may also be starved before
 * the first call. Typical loop:
 *
 * ```ts
 * for (;;) {
 *   const i = merge.next();
 *   if (i >= 0) { dispatch(i); continue; }
 *   if (i === MergeSignal.Ended) break;
 *   await refill(merge.starvedSource); // pushes a batch or ends the source
 * }
 * ```
 *
 * ### Invariants
 * Within one source `(ts, seq)` must never decrease; the merge checks each row as it becomes current
 * and throws InvariantError naming the source and both values. NaN timestamps fail the same check.
 *
 * ### Cost
 * A binary heap of source indices in an Int32Array with the keys cached in Float64Arrays: per event one
 * `advance()`, one `state()`, one `ts()`, one `seq()` call and O(log k) comparisons, no allocation.
 */
export class EventMerge {
  /** Index of the source that starved when `next()` last returned Starved; -1 otherwise. */
  starvedSource: number;

  private readonly sources: readonly MergeSource[];
  /** Binary min-heap of source indices, ordered by the cached keys. */
  private readonly heap: Int32Array;
  private size: number;
  private readonly keyTs: Float64Array;
  private readonly keyPriority: Float64Array;
  private readonly keySeq: Float64Array;
  /** Sources not in the heap whose state must be examined before the next event can be chosen:
   * all of them at start, then any that starved. */
  private readonly pending: Int32Array;
  private pendingCount: number;
  /** The source handed out by the last `next()`, to be advanced by the following one; -1 if none. */
  private current: number;

  /** Creates a merge over `sources`; their indices in this array are the indices `next()` returns. */
  constructor(sources: readonly MergeSource[]) {
    const k = sources.length;
    this.sources = sources.slice();
    this.heap = new Int32Array(k);
    this.size = 0;
    this.keyTs = new Float64Array(k).fill(-Infinity);
    this.keyPriority = new Float64Array(k);
    this.keySeq = new Float64Array(k).fill(-Infinity);
    this.pending = new Int32Array(k);
    this.pendingCount = k;
    this.current = -1;
    this.starvedSource = -1;
    for (let i = 0; i < k; i++) {
      const priority = sources[i]!.priority;
      if (!Number.isFinite(priority)) {
        throw new InvalidArgumentError(
          `invalid 'priority' of source '${sources[i]!.name}' (index ${i}): not a finite number, was ${priority}`,
        );
      }
      this.keyPriority[i] = priority;
      this.pending[i] = i;
    }
  }

  /** Returns the number of sources (ended ones included). */
  get sourceCount(): number {
    return this.sources.length;
  }

  /** Returns the source at `index`, e.g. to read the columns of its current row. */
  source(index: number): MergeSource {
    const s = this.sources[index];
    if (s === undefined) throw new InvalidArgumentError(`invalid 'index': no source ${index}, was ${index}`);
    return s;
  }

  /** Returns the timestamp of the event last returned by `next()`; NaN if `next()` did not last
   * return a source index. */
  get currentTs(): number {
    return this.current >= 0 ? this.keyTs[this.current]! : NaN;
  }

  /** Returns the priority of the source of the event last returned by `next()`; NaN if none. */
  get currentPriority(): number {
    return this.current >= 0 ? this.keyPriority[this.current]! : NaN;
  }

  /**
   * Advances the source of the previous event, then returns the index of the source holding the next
   * event in `(ts, priority, seq, sourceIndex)` order, or a {@link MergeSignal}.
   */
  next(): number {
    const last = this.current;
    if (last >= 0) {
      this.current = -1;
      const src = this.sources[last]!;
      src.advance();
      const state = src.state();
      if (state === SourceState.Ready) {
        this.load(last, src);
        // The advanced source was the heap root; its key can only have grown.
        this.siftDown(0);
      } else {
        this.removeRoot();
        if (state === SourceState.Starved) this.pending[this.pendingCount++] = last;
      }
    }
    if (this.pendingCount > 0 && this.admitPending()) return MergeSignal.Starved;
    if (this.size === 0) return MergeSignal.Ended;
    const top = this.heap[0]!;
    this.current = top;
    return top;
  }

  /** Moves pending sources that have a row into the heap and drops ended ones; returns true (and sets
   * `starvedSource`) if one is still starved. */
  private admitPending(): boolean {
    let kept = 0;
    const pending = this.pending;
    for (let p = 0; p < this.pendingCount; p++) {
      const i = pending[p]!;
      const src = this.sources[i]!;
      const state = src.state();
      if (state === SourceState.Ready) {
        this.load(i, src);
        this.push(i);
      } else if (state === SourceState.Starved) {
        pending[kept++] = i;
      } else if (state !== SourceState.Ended) {
        throw new InvariantError(`source '${src.name}' (index ${i}) reported an unknown state ${String(state)}`);
      }
    }
    this.pendingCount = kept;
    if (kept === 0) {
      this.starvedSource = -1;
      return false;
    }
    this.starvedSource = pending[0]!;
    return true;
  }

  /** Reads the current row's key of source `i` into the cache, checking it did not go backwards. */
  private load(i: number, src: MergeSource): void {
    const ts = src.ts();
    const seq = src.seq();
    const lastTs = this.keyTs[i]!;
    if (!(ts >= lastTs)) {
      throw new InvariantError(
        `source '${src.name}' (index ${i}): ts went backwards (or is not a number), from ${describeTs(lastTs)} to ${describeTs(ts)}`,
      );
    }
    if (ts === lastTs && !(seq >= this.keySeq[i]!)) {
      throw new InvariantError(
        `source '${src.name}' (index ${i}): seq went backwards at ts ${describeTs(ts)}, from ${this.keySeq[i]} to ${seq}`,
      );
    }
    this.keyTs[i] = ts;
    this.keySeq[i] = seq;
  }

  /** Returns true if source `a`'s current row comes strictly before source `b`'s. */
  private less(a: number, b: number): boolean {
    const ta = this.keyTs[a]!;
    const tb = this.keyTs[b]!;
    if (ta !== tb) return ta < tb;
    const pa = this.keyPriority[a]!;
    const pb = this.keyPriority[b]!;
    if (pa !== pb) return pa < pb;
    const sa = this.keySeq[a]!;
    const sb = this.keySeq[b]!;
    if (sa !== sb) return sa < sb;
    return a < b;
  }

  private push(i: number): void {
    const heap = this.heap;
    let pos = this.size++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(i, p)) break;
      heap[pos] = p;
      pos = parent;
    }
    heap[pos] = i;
  }

  private removeRoot(): void {
    const n = --this.size;
    if (n > 0) {
      this.heap[0] = this.heap[n]!;
      this.siftDown(0);
    }
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const n = this.size;
    let pos = start;
    const item = heap[pos]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.less(heap[right]!, heap[child]!)) child = right;
      const c = heap[child]!;
      if (!this.less(c, item)) break;
      heap[pos] = c;
      pos = child;
    }
    heap[pos] = item;
  }
}
