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
 * twice and the order is exactly that of an all-in-memory merge. Sources may also be starved before
 * the first event; they are then reported one after the other. Typical loop:
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
 * and throws InvariantError naming the source and both values. NaN and infinite timestamps fail the
 * same check.
 *
 * ### Cost
 * A tournament tree of losers (the classic structure for k-way merging: a binary heap whose
 * internal nodes hold the source that lost the match there) over source indices in an Int32Array,
 * with the keys cached in Float64Arrays. Replacing the winner replays one leaf-to-root path:
 * exactly ceil(log2 k) key comparisons per event (2 for 4 sources), against up to twice that for a
 * binary heap's sift-down. Per event: one `advance()`, `state()`, `ts()` and `seq()` call on the
 * source, no allocation. An ended source gets the key +Infinity and sinks out of contention.
 */
export class EventMerge {
  /** Index of the source that starved when `next()` last returned Starved; -1 otherwise. */
  starvedSource: number;
  /**
   * The key of the event last returned by `next()` when it returned a source index: [0] its ts, [1] its
   * source's priority (stale otherwise: see {@link currentTs}). The run loop reads it with no call: a
   * getter V8 does not inline (the sequencer's inlining budget is spent on `next()`) returns its
   * double boxed, an allocation per event.
   */
  readonly currentKey = new Float64Array(2);

  private readonly sources: readonly MergeSource[];
  private readonly k: number;
  /** `tree[0]` is the current winner; `tree[1..k-1]` are the losers of the internal matches. Leaf
   * `i` sits at virtual position `k + i`, so the parent of position `p` is `p >> 1`. */
  private readonly tree: Int32Array;
  private readonly keyTs: Float64Array;
  private readonly keyPriority: Float64Array;
  private readonly keySeq: Float64Array;
  /** False until every source has a first row or has ended (the tree needs every leaf's key). */
  private built: boolean;
  /** The source that starved after being advanced; its leaf must be replayed once refilled. -1 if none. */
  private waiting: number;
  /** The source handed out by the last `next()`, to be advanced by the following one; -1 if none. */
  private current: number;

  /** Creates a merge over `sources`; their indices in this array are the indices `next()` returns. */
  constructor(sources: readonly MergeSource[]) {
    const k = sources.length;
    this.sources = sources.slice();
    this.k = k;
    this.tree = new Int32Array(Math.max(k, 1));
    this.keyTs = new Float64Array(k).fill(-Infinity);
    this.keyPriority = new Float64Array(k);
    this.keySeq = new Float64Array(k).fill(-Infinity);
    this.built = false;
    this.waiting = -1;
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
    }
  }

  /** Returns the number of sources (ended ones included). */
  get sourceCount(): number {
    return this.k;
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
    let s = this.current;
    if (s >= 0) {
      this.current = -1;
      this.sources[s]!.advance();
    } else {
      s = this.waiting;
      if (s < 0) return this.built ? this.winner() : this.build();
    }
    const src = this.sources[s]!;
    const state = src.state();
    if (state === SourceState.Ready) {
      this.load(s, src);
    } else if (state === SourceState.Ended) {
      this.keyTs[s] = Infinity;
    } else {
      this.waiting = s;
      this.starvedSource = s;
      return MergeSignal.Starved;
    }
    this.waiting = -1;
    this.starvedSource = -1;
    this.replay(s);
    return this.winner();
  }

  /**
   * Writes into `out` the key `[ts, priority, seq, source index]` of the event that would follow the
   * current one if the current source had no more rows: the best current row of the other sources
   * ([+Infinity, 0, 0, k] when there is none, or every other source has ended). Call it only right after
   * `next()` returned a source index. In a tournament of losers that row lost its match to the winner,
   * so it is among the losers on the winner's path: ceil(log2 k) comparisons. See EventSequencer.startRun.
   */
  runnerUp(out: Float64Array): void {
    const s = this.current;
    const tree = this.tree;
    let best = -1;
    for (let p = (s + this.k) >> 1; p > 0; p >>= 1) {
      const other = tree[p]!;
      if (best < 0 || this.less(other, best)) best = other;
    }
    if (best < 0 || this.keyTs[best] === Infinity) {
      out[0] = Infinity;
      out[1] = 0;
      out[2] = 0;
      out[3] = this.k;
      return;
    }
    out[0] = this.keyTs[best]!;
    out[1] = this.keyPriority[best]!;
    out[2] = this.keySeq[best]!;
    out[3] = best;
  }

  /**
   * The current source was moved on by the caller to a row it checked comes next in the merge's order
   * and keeps the source's own order (a run: see EventSequencer.nextInRun): caches that row's key, so
   * that `next()` goes on from it (and checks the row after it against it) as if each row had come
   * through `next()`.
   */
  syncCurrent(): void {
    const s = this.current;
    if (s < 0) return;
    const src = this.sources[s]!;
    const ts = src.ts();
    this.keyTs[s] = ts;
    this.keySeq[s] = src.seq();
    this.currentKey[0] = ts;
  }

  /** Returns the winner as the current event, or Ended when even the winner has ended. */
  private winner(): number {
    const w = this.tree[0]!;
    const ts = this.keyTs[w]!;
    if (this.k === 0 || ts === Infinity) return MergeSignal.Ended;
    this.current = w;
    this.currentKey[0] = ts;
    this.currentKey[1] = this.keyPriority[w]!;
    return w;
  }

  /** Plays the first tournament once every source has a row or has ended; reports the first starved
   * source otherwise. */
  private build(): number {
    const k = this.k;
    for (let i = 0; i < k; i++) {
      const state = this.sources[i]!.state();
      if (state === SourceState.Starved) {
        this.starvedSource = i;
        return MergeSignal.Starved;
      }
      this.checkState(i, state);
    }
    for (let i = 0; i < k; i++) {
      const src = this.sources[i]!;
      if (src.state() === SourceState.Ready) this.load(i, src);
      else this.keyTs[i] = Infinity;
    }
    this.starvedSource = -1;
    // Winners of each match, bottom-up; positions k..2k-1 are the leaves.
    const win = new Int32Array(2 * k);
    for (let i = 0; i < k; i++) win[k + i] = i;
    for (let p = k - 1; p >= 1; p--) {
      const a = win[2 * p]!;
      const b = win[2 * p + 1]!;
      if (this.less(a, b)) {
        win[p] = a;
        this.tree[p] = b;
      } else {
        win[p] = b;
        this.tree[p] = a;
      }
    }
    this.tree[0] = k === 1 ? 0 : win[1]!;
    this.built = true;
    return this.winner();
  }

  private checkState(i: number, state: number): void {
    if (state !== SourceState.Ready && state !== SourceState.Starved && state !== SourceState.Ended) {
      throw new InvariantError(`source '${this.sources[i]!.name}' (index ${i}) reported an unknown state ${state}`);
    }
  }

  /** Replays the matches on the path from leaf `s` to the root after `s`'s key changed. */
  private replay(s: number): void {
    const tree = this.tree;
    let winner = s;
    for (let p = (s + this.k) >> 1; p > 0; p >>= 1) {
      const other = tree[p]!;
      if (this.less(other, winner)) {
        tree[p] = winner;
        winner = other;
      }
    }
    tree[0] = winner;
  }

  /** Reads the current row's key of source `i` into the cache, checking it did not go backwards. */
  private load(i: number, src: MergeSource): void {
    const ts = src.ts();
    const seq = src.seq();
    const lastTs = this.keyTs[i]!;
    if (!(ts >= lastTs && ts < Infinity)) {
      throw new InvariantError(
        `source '${src.name}' (index ${i}): ts went backwards (or is not a finite number), from ${describeTs(lastTs)} to ${describeTs(ts)}`,
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
}
