import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../../../live/clock.js';
import { LiveLog } from '../../../../live/ops/live-log.js';
import { flushOnShutdown, shutdownExitCode } from '../../../../live/ops/shutdown.js';

/** What cli/shutdown.ts aborts with: an error carrying the signal. */
function abortWith(controller: AbortController, signal: NodeJS.Signals): void {
  controller.abort(Object.assign(new Error(`interrupted by ${signal}`), { signal }));
}

/** Lets the promise callbacks queued so far run. */
const settle = (): Promise<void> => new Promise<void>((resolve) => queueMicrotask(() => resolve())).then(() => Promise.resolve());

function logSink(): { text: string; write(s: string): void } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

describe('flushOnShutdown', () => {
  it('flushes once on SIGINT, then exits 130', async () => {
    const controller = new AbortController();
    const exits: number[] = [];
    let flushes = 0;
    const timers = new ManualTimers(0);
    const sd = flushOnShutdown({ signal: controller.signal, flush: async () => void flushes++, exit: (c) => exits.push(c), timers });
    expect(flushes).toBe(0);
    abortWith(controller, 'SIGINT');
    abortWith(controller, 'SIGINT');
    expect(await sd.done).toBe(130);
    expect(flushes).toBe(1);
    expect(exits).toEqual([130]);
    // The timeout was cancelled once the flush ended.
    expect(timers.armed).toBe(0);
  });

  it('exits 143 on SIGTERM, after the flush has finished', async () => {
    const controller = new AbortController();
    const order: string[] = [];
    let release!: () => void;
    const timers = new ManualTimers(0);
    const sd = flushOnShutdown({
      signal: controller.signal,
      flush: () => new Promise<void>((resolve) => (release = () => (order.push('flushed'), resolve()))),
      exit: (c) => order.push(`exit ${c}`),
      timers,
    });
    abortWith(controller, 'SIGTERM');
    await settle();
    timers.advance(4999);
    await settle();
    expect(order).toEqual([]);
    release();
    expect(await sd.done).toBe(143);
    expect(order).toEqual(['flushed', 'exit 143']);
  });

  it('exits after the timeout when the flush hangs, and logs it', async () => {
    const controller = new AbortController();
    const exits: number[] = [];
    const out = logSink();
    const timers = new ManualTimers(0);
    const log = new LiveLog({ stream: out, timers, format: 'json' });
    const sd = flushOnShutdown({ signal: controller.signal, flush: () => new Promise<void>(() => undefined), exit: (c) => exits.push(c), timers, timeoutMs: 2000, log });
    abortWith(controller, 'SIGINT');
    timers.advance(1999);
    await settle();
    expect(exits).toEqual([]);
    timers.advance(1);
    expect(exits).toEqual([130]);
    expect(await sd.done).toBe(130);
    const events = out.text.trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toEqual(['shutdown.flushing', 'shutdown.flush_timeout']);
  });

  it('a flush that throws or rejects is logged (redacted) and still ends in the exit', async () => {
    for (const flush of [() => Promise.reject(new Error('disk full at /secret-path')), () => { throw new Error('disk full at /secret-path'); }]) {
      const controller = new AbortController();
      const exits: number[] = [];
      const out = logSink();
      const timers = new ManualTimers(0);
      const log = new LiveLog({ stream: out, timers, secrets: ['/secret-path'] });
      const sd = flushOnShutdown({ signal: controller.signal, flush, exit: (c) => exits.push(c), timers, log });
      abortWith(controller, 'SIGTERM');
      expect(await sd.done).toBe(143);
      expect(exits).toEqual([143]);
      expect(out.text).toContain('shutdown.flush_failed error="Error: disk full at [redacted]"');
      expect(out.text).not.toContain('secret-path');
    }
  });

  it('acts at once on a signal that was already aborted, and not at all once disposed', async () => {
    const early = new AbortController();
    abortWith(early, 'SIGTERM');
    const exits: number[] = [];
    await flushOnShutdown({ signal: early.signal, flush: async () => undefined, exit: (c) => exits.push(c), timers: new ManualTimers(0) }).done;
    expect(exits).toEqual([143]);

    const later = new AbortController();
    let flushed = false;
    const sd = flushOnShutdown({ signal: later.signal, flush: async () => void (flushed = true), exit: (c) => exits.push(c), timers: new ManualTimers(0) });
    sd.dispose();
    abortWith(later, 'SIGINT');
    await settle();
    expect(flushed).toBe(false);
    expect(exits).toEqual([143]);
  });

  it('maps the abort reason to the exit code: SIGTERM 143, anything else 130', () => {
    expect(shutdownExitCode({ signal: 'SIGTERM' })).toBe(143);
    expect(shutdownExitCode({ signal: 'SIGINT' })).toBe(130);
    expect(shutdownExitCode(undefined)).toBe(130);
  });
});
