import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../../../live/clock.js';
import { LiveLog } from '../../../../live/ops/live-log.js';
import { formatStatus, StatusLine } from '../../../../live/ops/status-line.js';
import type { StatusInput, StatusView } from '../../../../live/ops/status-line.js';

const VIEW: StatusView = {
  state: 'live',
  equity: 100250,
  cash: 60100,
  positions: [
    { symbol: 'SPY', qty: 10 },
    { symbol: 'QQQ', qty: -5 },
    { symbol: 'IWM', qty: 0 },
  ],
  lagMs: 120.4,
  eventsPerSec: 35.24,
  refusals: 2,
};

describe('formatStatus', () => {
  it('shows state, equity, cash, signed positions, lag, rate and refusals', () => {
    expect(formatStatus(VIEW, 200)).toBe('[live] equity 100250.00 cash 60100.00 | SPY +10 / QQQ -5 | lag 120ms | 35.2 ev/s | refused 2');
  });

  it('shows a lag of a second or more in seconds, none before the first event, and a flat book', () => {
    expect(formatStatus({ ...VIEW, state: 'reconnecting', positions: [], lagMs: 3456, eventsPerSec: 0, refusals: 0 }, 200)).toBe(
      '[reconnecting] equity 100250.00 cash 60100.00 | flat | lag 3.5s | 0.0 ev/s | refused 0',
    );
    expect(formatStatus({ ...VIEW, state: 'connecting', positions: [{ symbol: 'BTC', qty: 0.25 }], lagMs: null }, 200)).toBe(
      '[connecting] equity 100250.00 cash 60100.00 | BTC +0.25 | lag - | 35.2 ev/s | refused 2',
    );
  });

  it('truncates to the width with an ellipsis', () => {
    // "[live] equity 100250.00 cash 60100.00 | " is 40 characters.
    expect(formatStatus(VIEW, 40)).toBe('[live] equity 100250.00 cash 60100.00 |…');
    expect(formatStatus(VIEW, 40)).toHaveLength(40);
    expect(formatStatus(VIEW, 0)).toBe('');
  });
});

function tty(isTTY = true, columns = 61): { isTTY: boolean; columns: number; text: string; write(s: string): boolean } {
  return {
    isTTY,
    columns,
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

const T0 = 1_800_000_000_000_000;

function input(over: Partial<StatusInput> = {}): StatusInput {
  return { state: 'live', equity: 1000, cash: 500, positions: [{ symbol: 'SPY', qty: 3 }], lastEventTsUs: T0 - 50_000, events: 0, refusals: 0, ...over };
}

describe('StatusLine', () => {
  it('draws in place on a terminal: \\r, the line cut to the width minus one, clear to the end', () => {
    // 61 columns: 60 characters, the 60th the ellipsis.
    const out = tty();
    const timers = new ManualTimers(T0);
    const line = new StatusLine({ stream: out, timers });
    line.update(input());
    expect(out.text).toBe('\r[live] equity 1000.00 cash 500.00 | SPY +3 | lag 50ms | 0.0…\x1b[K');
    line.close();
  });

  it('draws at most every 250 ms; the last update wins', () => {
    const out = tty(true, 200);
    const timers = new ManualTimers(T0);
    const line = new StatusLine({ stream: out, timers });
    line.update(input({ equity: 1 }));
    out.text = '';
    timers.advance(100);
    line.update(input({ equity: 2 }));
    line.update(input({ equity: 3 }));
    expect(out.text).toBe('');
    timers.advance(149);
    expect(out.text).toBe('');
    timers.advance(1);
    expect(out.text.match(/\r/g)).toHaveLength(1);
    expect(out.text).toContain('equity 3.00');
    line.close();
  });

  it('derives the lag from wall time and redraws a silent session so the lag is seen growing', () => {
    const out = tty(true, 200);
    const timers = new ManualTimers(T0);
    const line = new StatusLine({ stream: out, timers });
    line.update(input({ lastEventTsUs: T0 - 2_000_000 }));
    expect(out.text).toContain('lag 2.0s');
    out.text = '';
    timers.advance(1000);
    expect(out.text).toContain('lag 3.0s');
    line.close();
  });

  it('measures events per second over the updates of the last 5 s', () => {
    const out = tty(true, 200);
    const timers = new ManualTimers(T0);
    const line = new StatusLine({ stream: out, timers });
    line.update(input({ events: 0 }));
    timers.advance(2000);
    line.update(input({ events: 100 }));
    expect(line.view()?.eventsPerSec).toBe(50);
    timers.advance(4000);
    line.update(input({ events: 130 }));
    // The sample at 0 s left the window: (130 - 100) / 4 s.
    expect(line.view()?.eventsPerSec).toBe(7.5);
    // An update per event: the samples 10 ms apart are merged, the rate still counts every event.
    for (let i = 1; i <= 1000; i++) {
      timers.advance(10);
      line.update(input({ events: 130 + i }));
    }
    // 10 s later: the window holds the last ~5 s, 100 events a second.
    expect(line.view()?.eventsPerSec).toBeCloseTo(100, 9);
    expect((line as unknown as { samples: unknown[] }).samples.length).toBeLessThanOrEqual(60);
    line.close();
  });

  it('clears itself before a log line and redraws after it, never on the same line', () => {
    const out = tty(true, 200);
    const timers = new ManualTimers(T0);
    const line = new StatusLine({ stream: out, timers });
    const log = new LiveLog({ stream: line.stream, timers });
    line.update(input());
    out.text = '';
    log.info('order.filled', { qty: 3 });
    expect(out.text).toBe('\r\x1b[K2027-01-15T08:00:00.000Z info  order.filled qty=3\n');
    timers.advance(250);
    expect(out.text.endsWith('\x1b[K')).toBe(true);
    expect(out.text.split('\n')[1]).toMatch(/^\r\[live\] equity/);
    line.close();
  });

  it('draws nothing when the stream is not a terminal, and passes log lines through', () => {
    const out = tty(false);
    const timers = new ManualTimers(T0);
    const line = new StatusLine({ stream: out, timers });
    line.update(input());
    timers.advance(5000);
    expect(out.text).toBe('');
    line.stream.write('a line\n');
    expect(out.text).toBe('a line\n');
    expect(timers.armed).toBe(0);
  });

  it('close() erases the line, cancels its timers and ignores later updates', () => {
    const out = tty(true, 200);
    const timers = new ManualTimers(T0);
    const line = new StatusLine({ stream: out, timers });
    line.update(input());
    timers.advance(100);
    line.update(input({ equity: 5 }));
    expect(timers.armed).toBeGreaterThan(0);
    out.text = '';
    line.close();
    expect(out.text).toBe('\r\x1b[K');
    expect(timers.armed).toBe(0);
    line.update(input());
    timers.advance(5000);
    expect(out.text).toBe('\r\x1b[K');
  });
});
