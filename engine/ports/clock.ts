import type { TimestampUs } from '../core/index.js';

/**
 * The source of "now" for everything in the engine. The engine never reads the wall clock: a
 * simulation plugs in a clock driven by the event stream (`SimulatedClock` in engine/kernel), a live
 * runtime plugs in one driven by the operating system.
 */
export interface Clock {
  /** Returns the current time in integer microseconds since the Unix epoch. */
  now(): TimestampUs;
}
