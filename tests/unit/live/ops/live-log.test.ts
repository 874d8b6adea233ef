import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../../../live/clock.js';
import { LiveLog, parseLogLevel, redactUrlCredentials } from '../../../../live/ops/live-log.js';
import type { LogFormat } from '../../../../live/ops/live-log.js';

// 2026-12-05T03:01:02.123Z in microseconds.
const T0 = Date.UTC(2026, 11, 5, 3, 1, 2, 123) * 1000;

function capture(): { write(s: string): void; text: string; lines(): string[] } {
  return {
    text: '',
    write(s: string) {
      this.text += s;
    },
    lines() {
      return this.text.split('\n').filter((l) => l !== '');
    },
  };
}

describe('LiveLog', () => {
  it('writes a text line: ISO wall time, the level padded to 5, the event, then key=value fields', () => {
    const out = capture();
    const log = new LiveLog({ stream: out, timers: new ManualTimers(T0) });
    log.info('feed.connected', { url: 'ws://127.0.0.1:8080', stream: 'abc' });
    log.warn('feed.gap', { missing: 3, note: 'two words' });
    expect(out.text).toBe(
      '2026-12-05T03:01:02.123Z info  feed.connected url=ws://127.0.0.1:8080 stream=abc\n' +
        '2026-12-05T03:01:02.123Z warn  feed.gap missing=3 note="two words"\n',
    );
  });

  it('writes one JSON object per line with time, level and event first; a field cannot overwrite them', () => {
    const out = capture();
    const timers = new ManualTimers(T0);
    const log = new LiveLog({ stream: out, timers, format: 'json' });
    log.error('order.rejected', { orderId: 'O-1', level: 'fake', qty: 10 });
    timers.advance(1500);
    log.info('x');
    expect(out.lines()).toEqual([
      '{"time":"2026-12-05T03:01:02.123Z","level":"error","event":"order.rejected","orderId":"O-1","qty":10}',
      '{"time":"2026-12-05T03:01:03.623Z","level":"info","event":"x"}',
    ]);
  });

  it('filters by the minimum level', () => {
    const out = capture();
    const log = new LiveLog({ stream: out, timers: new ManualTimers(T0), level: 'warn' });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(out.lines().map((l) => l.split(' ').at(-1))).toEqual(['c', 'd']);
    expect(log.enabled('info')).toBe(false);
    expect(new LiveLog({ stream: out, level: 'debug' }).enabled('debug')).toBe(true);
  });

  it.each<LogFormat>(['text', 'json'])('never writes a registered secret (%s): fields, nested objects, messages, errors and their stacks', (format) => {
    const out = capture();
    const secret = 'hunter2-"quoted"\\slash-Zq9';
    const log = new LiveLog({ stream: out, timers: new ManualTimers(T0), format });
    log.addSecret(secret);
    const err = new Error(`401 for token ${secret}`);
    (err as Error & { cause?: unknown }).cause = { header: `Bearer ${secret}` };
    log.error(`event-${secret}`, {
      token: secret,
      nested: { deep: { deeper: [`x${secret}y`, { k: secret }] } },
      [`key-${secret}`]: 1,
      err,
      wrapped: { err },
      encoded: `https://h/?t=${encodeURIComponent(secret)}`,
    });
    log.info('plain', { message: `the secret is ${secret}` });
    expect(out.text.length).toBeGreaterThan(0);
    expect(out.text).not.toContain(secret);
    expect(out.text).not.toContain('hunter2');
    expect(out.text).not.toContain(encodeURIComponent(secret));
    expect(out.text).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(out.text).toContain('[redacted]');
    if (format === 'json') {
      // The stack is carried (redacted) and every line is still valid JSON.
      const first = JSON.parse(out.lines()[0]!) as { err: { stack: string; message: string; cause: { header: string } } };
      expect(first.err.message).toBe('401 for token [redacted]');
      expect(first.err.stack).toContain('401 for token [redacted]');
      expect(first.err.cause.header).toBe('Bearer [redacted]');
    }
  });

  it("applies a component's own redaction (the webhook client hides its URL path) to fields and lines", () => {
    const out = capture();
    const log = new LiveLog({ stream: out, timers: new ManualTimers(T0), format: 'json' });
    log.addRedactor((t) => t.split('/hook/TOKEN123').join('***'));
    log.warn('broker.retry', { url: 'https://broker.example/hook/TOKEN123', err: new Error('POST /hook/TOKEN123: 503') });
    expect(out.text).not.toContain('TOKEN123');
    expect(JSON.parse(out.text)).toMatchObject({ url: 'https://broker.example***', err: { message: 'POST ***: 503' } });
  });

  it('hides the credentials of any URL, registered or not', () => {
    const out = capture();
    const log = new LiveLog({ stream: out, timers: new ManualTimers(T0) });
    log.info('broker.url', { url: 'https://user:p4ss@broker.example.com/hook', text: 'see wss://tok@feed.example/x' });
    expect(out.text).toContain('url=https://[redacted]@broker.example.com/hook');
    expect(out.text).toContain('wss://[redacted]@feed.example/x');
    expect(out.text).not.toContain('p4ss');
    expect(redactUrlCredentials('http://a:b@h:1/p and ws://127.0.0.1:8080')).toBe('http://[redacted]@h:1/p and ws://127.0.0.1:8080');
  });

  it('never throws on a circular field, a BigInt, NaN, a function or a throwing getter', () => {
    for (const format of ['text', 'json'] as const) {
      const out = capture();
      const log = new LiveLog({ stream: out, timers: new ManualTimers(T0), format });
      const a: Record<string, unknown> = { name: 'a' };
      a.self = a;
      const shared = { v: 1 };
      log.info('odd', { a, big: 123n, nan: Number.NaN, fn: () => 1, shared: [shared, shared], when: new Date(0) });
      const bad = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('getter'); } });
      log.info('bad', { bad });
      expect(out.lines()).toHaveLength(2);
      expect(out.lines()[0]).toContain('[circular]');
      expect(out.lines()[0]).toContain('123');
      expect(out.lines()[1]).toContain('fields not rendered: getter');
      if (format === 'json') {
        const o = JSON.parse(out.lines()[0]!) as Record<string, unknown>;
        expect(o).toMatchObject({ a: { name: 'a', self: '[circular]' }, big: '123', nan: 'NaN', fn: '[function]', shared: [{ v: 1 }, { v: 1 }], when: '1970-01-01T00:00:00.000Z' });
        expect(JSON.parse(out.lines()[1]!)).toMatchObject({ event: 'bad', logError: 'fields not rendered: getter' });
      }
    }
  });

  it('writes nothing of a text a throwing redactor was given, and does not throw', () => {
    const out = capture();
    const log = new LiveLog({ stream: out, timers: new ManualTimers(T0) });
    log.addRedactor((t) => {
      if (t.includes('TOKEN')) throw new Error('cannot');
      return t;
    });
    expect(() => log.info('x', { a: 'TOKEN-9' })).not.toThrow();
    expect(out.text).not.toContain('TOKEN');
    expect(out.text).toContain('a="[redaction failed]"');
  });

  it('does not throw when the stream does', () => {
    const log = new LiveLog({ stream: { write: () => { throw new Error('EPIPE'); } } });
    expect(() => log.error('x', { y: 1 })).not.toThrow();
  });

  it('parses a level name and refuses an unknown one, naming it', () => {
    expect(parseLogLevel('warn')).toBe('warn');
    expect(() => parseLogLevel('verbose')).toThrow("unknown log level 'verbose' (expected one of debug, info, warn, error)");
  });
});
