import { checkFinite, checkInteger } from '../core/index.js';
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

  /** Returns the next step: a data source index, or Timer, Starved or Ended. */
  next(): number {
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
