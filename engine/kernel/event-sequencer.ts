import { checkFinite, checkInteger } from '../core/index.js';
import type { ArrayBatchSource } from './array-batch-source.js';
import { MergeSignal } from './event-merge.js';
import type { EventMerge } from './event-merge.js';
import type { SimulatedClock } from './simulated-clock.js';
import type { TimerQueue } from './timer-queue.js';

/** Negative results of {@link EventSequencer.next}; a result `>= 0` is a data source index. */
export const SequencerStep = {
  /** The data has ended (and no timer is due by `endTs`). */
  Ended: MergeSignal.Ended,
  /** A data source must be refilled: see `merge.starvedSource`. */
  Starved: MergeSignal.Starved,
  /** A timer fired: see `timers.firedName` and `timers.firedTs`. */
  Timer: -3,
} as const;
export type SequencerStep = (typeof SequencerStep)[keyof typeof SequencerStep];

/** Marks "no data event held back"; distinct from every source index and MergeSignal. */
const NONE = -100;

/** Options of an {@link EventSequencer}. */
export interface EventSequencerOptions {
  /**
   * The priority timers take against data sources at the same timestamp, as if the timers were one
   * more merge source. At equal `(ts, priority)` the timer fires first: it was due before that data
   * arrived. Default 0.
   */
  readonly timerPriority?: number;
  /**
   * After the data has ended, timers due at or before `endTs` still fire (in order); later ones never
   * do. Default: no timer fires after the last data event.
   */
  readonly endTs?: number;
}

/**
 * Interleaves timers with merged data in one total order and drives the clock: the heart of a run
 * loop. Each `next()` returns either a data source index (its current row is the event, and the clock
 * is at its ts), {@link SequencerStep}.Timer (the clock is at the timer's ts), Starved or Ended.
 *
 * Order rule: the earliest timestamp goes first; at equal timestamps a timer goes before a data
 * event whose source priority is greater than or equal to `timerPriority`, after one whose
 * priority is lower. Timers scheduled by a handler (even for "now") take part in the very next step,
 * so a timer due before the pending data event fires before it.
 *
 * Runs of rows: after a data event a loop may call {@link startRun} and then {@link nextInRun} while it
 * returns true, handling one more row of the same source each time: the same events in the same order,
 * without the merge per row (with one data source, the merge has nothing to decide until the batch ends
 * or a timer is due).
 *
 * ```ts
 * for (;;) {
 *   const step = seq.next();
 *   if (step >= 0) onData(step);
 *   else if (step === SequencerStep.Timer) onTimer(timers.firedName);
 *   else if (step === SequencerStep.Starved) await refill(merge.starvedSource);
 *   else break;
 * }
 * ```
 */
export class EventSequencer {
  private readonly merge: EventMerge;
  private readonly timers: TimerQueue;
  private readonly clock: SimulatedClock;
  private readonly timerPriority: number;
  private readonly endTs: number;
  /** A data event already taken from the merge but not yet delivered because a timer came first;
   * NONE when there is none. */
  private held: number;

  constructor(merge: EventMerge, timers: TimerQueue, clock: SimulatedClock, options: EventSequencerOptions = {}) {
    this.merge = merge;
    this.timers = timers;
    this.clock = clock;
    this.timerPriority = checkFinite(options.timerPriority ?? 0, 'timerPriority');
    this.endTs = options.endTs === undefined ? -Infinity : checkInteger(options.endTs, 'endTs');
    this.held = NONE;
  }

  /** The source of the run under way (see {@link startRun}), or null. */
  private run: ArrayBatchSource | null = null;
  /** Its index among the merge's sources, and its priority. */
  private runIndex = -1;
  private runPriority = 0;
  /** The key `[ts, priority, seq, source index]` the run's rows must come before: the other sources' best row. */
  private readonly bound = new Float64Array(4);

  /**
   * Starts a run of rows after `next()` returned `index`, the index of `source` (an ArrayBatchSource
   * among the merge's sources) and its row was handled: {@link nextInRun} then moves to the source's
   * following rows, in its current batch, for as long as each is the next event of the total order
   * (before every other source's current row and every timer due), without the merge. With one data
   * source the run goes on to the end of the batch or the next timer.
   */
  startRun(index: number, source: ArrayBatchSource): void {
    this.merge.runnerUp(this.bound);
    this.run = source;
    this.runIndex = index;
    this.runPriority = source.priority;
  }

  /**
   * Moves the run's source to its next row and the clock to that row's ts, and returns true, when that
   * row is in the current batch and is the next event: it comes before the other sources' best row in
   * `(ts, priority, seq, source index)` order, before the earliest timer (scheduled by now, by the
   * handlers of the run's rows too) under the timer priority rule, and keeps the source's own order
   * (`(ts, seq)` not decreasing, ts finite). Otherwise it ends the run and returns false, leaving the row
   * to `next()`, which delivers it (or the timer first) or refuses it exactly as it would have without
   * the run. The order of events is the same to the event as stepping every row through `next()`.
   */
  nextInRun(): boolean {
    const src = this.run;
    if (src === null) return false;
    const r = src.row + 1;
    if (r < src.len) {
      const tsCol = src.tsCol;
      const ts = tsCol[r]!;
      const prev = tsCol[r - 1]!;
      if (ts > prev ? ts < Infinity : ts === prev && this.seqKept(src, r)) {
        const b = this.bound;
        const bTs = b[0]!;
        if (ts < bTs || (ts === bTs && this.beforeAtBound(src, r))) {
          const timerTs = this.timers.peekTs();
          if (ts < timerTs || (ts === timerTs && this.timerPriority > this.runPriority)) {
            src.row = r;
            this.clock.advanceTo(ts);
            return true;
          }
        }
      }
    }
    this.run = null;
    this.merge.syncCurrent();
    return false;
  }

  /** At a ts equal to its previous row's, whether row `r`'s seq does not go back. */
  private seqKept(src: ArrayBatchSource, r: number): boolean {
    const seq = src.seqCol;
    return seq === null || seq[r]! >= seq[r - 1]!;
  }

  /** At the bound's ts: whether row `r` of the run comes before the bound by priority, seq, then source index. */
  private beforeAtBound(src: ArrayBatchSource, r: number): boolean {
    const b = this.bound;
    const p = this.runPriority;
    if (p !== b[1]!) return p < b[1]!;
    const seq = src.seqCol !== null ? src.seqCol[r]! : src.seq() + 1;
    if (seq !== b[2]!) return seq < b[2]!;
    return this.runIndex < b[3]!;
  }

  /** Returns the next step: a data source index, or Timer, Starved or Ended. */
  next(): number {
    if (this.run !== null) {
      this.run = null;
      this.merge.syncCurrent();
    }
    let data = this.held;
    if (data === NONE) {
      data = this.merge.next();
      if (data === MergeSignal.Starved) return SequencerStep.Starved;
    }
    const timerTs = this.timers.peekTs();
    if (data >= 0) {
      const key = this.merge.currentKey;
      const dataTs = key[0]!;
      if (timerTs < dataTs || (timerTs === dataTs && this.timerPriority <= key[1]!)) {
        this.held = data;
        return this.fireTimer(timerTs);
      }
      this.held = NONE;
      this.clock.advanceTo(dataTs);
      return data;
    }
    this.held = NONE;
    if (timerTs <= this.endTs) return this.fireTimer(timerTs);
    return SequencerStep.Ended;
  }

  private fireTimer(ts: number): number {
    this.clock.advanceTo(ts);
    this.timers.fire();
    return SequencerStep.Timer;
  }
}
