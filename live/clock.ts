/**
 * The one place in Tapedeck that reads the wall clock and arms real timers. Everything in live/ that
 * waits (heartbeat watchdogs, reconnect backoff, the pacing of `feed serve`) goes through a
 * {@link LiveTimers}, so a test can hand in {@link ManualTimers} and drive time itself, and an
 * architecture test checks that no other file of live/ reads `Date.now` or calls `setTimeout`.
 */

/** A timer armed by {@link LiveTimers.after}; `cancel()` is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

/** Wall time and timers, injectable. */
export interface LiveTimers {
  /** Returns the current time in integer microseconds since the Unix epoch. */
  nowUs(): number;
  /** Calls `fn` once after `ms` milliseconds (0: on a later turn of the event loop). */
  after(ms: number, fn: () => void): TimerHandle;
}

/** Returns a promise resolved after `ms` milliseconds of `timers`' time. */
export function sleep(timers: LiveTimers, ms: number): Promise<void> {
  return new Promise((resolve) => {
    timers.after(ms, resolve);
  });
}

/** The operating system's clock and Node's timers. Timers do not keep the process alive on their own. */
export const wallTimers: LiveTimers = {
  nowUs(): number {
    return Date.now() * 1000;
  },
  after(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * Keeps the process alive until the returned function is called: the timers above do not, so a session
 * waiting only on them (a reconnect backoff, a broker retry) would otherwise let Node exit mid-session.
 */
export function keepProcessAlive(): () => void {
  const t = setInterval(() => {}, 60_000);
  return () => clearInterval(t);
}

/**
 * Timers driven by the caller: time stands still until {@link ManualTimers.advance}, which fires the
 * timers due in (due time, arming order) order. For tests of backoff and watchdogs without waiting.
 */
export class ManualTimers implements LiveTimers {
  private now: number;
  private next = 0;
  private readonly pending = new Map<number, { due: number; fn: () => void }>();

  /** Starts at `startUs` (microseconds since the epoch). */
  constructor(startUs = 0) {
    this.now = startUs;
  }

  nowUs(): number {
    return this.now;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const id = this.next++;
    this.pending.set(id, { due: this.now + Math.max(0, ms) * 1000, fn });
    return { cancel: () => void this.pending.delete(id) };
  }

  /** Returns the number of armed timers. */
  get armed(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms` milliseconds, firing each timer due on the way at its due time. */
  advance(ms: number): void {
    const end = this.now + ms * 1000;
    for (;;) {
      let bestId = -1;
      let best: { due: number; fn: () => void } | null = null;
      for (const [id, t] of this.pending) if (t.due <= end && (best === null || t.due < best.due)) [bestId, best] = [id, t];
      if (best === null) break;
      this.pending.delete(bestId);
      this.now = best.due;
      best.fn();
    }
    this.now = end;
  }
}
