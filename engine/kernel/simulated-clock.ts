import { TimeTravelError, checkInteger } from '../core/index.js';
import type { TimestampUs } from '../core/index.js';
import type { Clock } from '../ports/clock.js';
import { describeTs } from './describe-ts.js';

/**
 * A clock that only moves when told to: the run loop advances it to the timestamp of each event or
 * timer before dispatching it. Time never goes backwards; an attempt to move it back is a broken
 * invariant (out-of-order data or a timer scheduled in the past) and throws.
 */
export class SimulatedClock implements Clock {
  /**
   * The current time, in a typed array rather than a number field: a field holding a double that changes on
   * every event is stored boxed, and each advance allocated a new box (~16 MiB per 2 M-bar run).
   */
  private readonly time = new Float64Array(1);

  /** Creates a clock reading `start` (default: the Unix epoch). */
  constructor(start: TimestampUs = 0 as TimestampUs) {
    this.time[0] = checkInteger(start, 'start');
  }

  /** Returns the current simulated time. */
  now(): TimestampUs {
    return this.time[0]! as TimestampUs;
  }

  /**
   * Moves the clock to `ts`. Staying at the same time is allowed (several events share a
   * microsecond). Throws TimeTravelError naming both timestamps if `ts` is earlier than now, or is not
   * a number (NaN fails the comparison on purpose).
   */
  advanceTo(ts: number): void {
    // The refusal is built elsewhere so that this stays small enough for V8 to inline into the run
    // loop: a call that is not inlined boxes its number argument (an allocation per event).
    if (!(ts >= this.time[0]!)) throw this.backwards(ts);
    this.time[0] = ts;
  }

  private backwards(ts: number): TimeTravelError {
    return new TimeTravelError(`time would go backwards: clock is at ${describeTs(this.time[0]!)}, asked to move to ${describeTs(ts)}`);
  }
}
