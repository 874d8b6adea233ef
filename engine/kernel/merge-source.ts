/**
 * The states a merge source can be in. `as const` numbers rather than strings because the merge reads
 * the state once per event and small integers keep that comparison cheap and monomorphic.
 */
export const SourceState = {
  /** A current row is available: `ts()` and `seq()` describe it. */
  Ready: 0,
  /** The buffered rows are used up but the source has not ended: the caller must refill it (usually
   * with an asynchronous read) before the merge can decide what comes next. */
  Starved: 1,
  /** No more rows, ever. */
  Ended: 2,
} as const;
export type SourceState = (typeof SourceState)[keyof typeof SourceState];

/**
 * A cursor over one time-sorted event stream, as seen by {@link EventMerge}.
 *
 * Rows of one source come in non-decreasing `(ts, seq)` order; the merge asserts it and throws
 * InvariantError naming the source otherwise. The merge calls `ts()` and `seq()` only while
 * `state()` is `Ready`, and calls `advance()` only on a source whose current row it has just handed out.
 */
export interface MergeSource {
  /** Names the source in error messages (e.g. `trades:AAPL`). */
  readonly name: string;
  /** Orders sources whose events share a timestamp: lower priority comes first. Must be finite and
   * must not change while the source is being merged. */
  readonly priority: number;
  /** Returns the timestamp (integer microseconds) of the current row. */
  ts(): number;
  /** Returns the sequence number of the current row; it orders events of equal `(ts, priority)`. */
  seq(): number;
  /** Returns the state: {@link SourceState}.Ready, Starved or Ended. */
  state(): SourceState;
  /** Moves to the next row; the state then says whether there is one. */
  advance(): void;
}
