import { describe, expect, it } from 'vitest';
import { parseFeedMessage } from '../../../../live/feed/protocol.js';

describe('feed protocol', () => {
  it('reads a bar with integer microseconds and an ISO open time', () => {
    const r = parseFeedMessage(JSON.stringify({ type: 'bar', symbol: 'AAA', ts: 1672652400000000, seq: 3, barTs: '2023-01-02T09:00:00Z', open: 10, high: 11, low: 9.5, close: 10.5, volume: 100 }));
    expect(r).toEqual({ ok: true, message: { type: 'bar', symbol: 'AAA', ts: 1672652400000000, seq: 3, barTs: 1672650000000000, open: 10, high: 11, low: 9.5, close: 10.5, volume: 100 } });
  });

  it('reads ISO timestamps to the microsecond', () => {
    const r = parseFeedMessage('{"type":"trade","symbol":"AAA","ts":"2023-01-02T09:30:00.000123Z","price":10,"size":5,"side":"buy"}');
    expect(r.ok && r.message.type === 'trade' && r.message.ts).toBe(1672651800000123);
  });

  it('defaults a book row without flags to 0 and ignores unknown extra fields', () => {
    const r = parseFeedMessage('{"type":"book","symbol":"AAA","ts":5,"side":"ask","price":10.01,"size":3,"action":"update","venueId":"x"}');
    expect(r).toEqual({ ok: true, message: { type: 'book', symbol: 'AAA', ts: 5, side: 'ask', price: 10.01, size: 3, action: 'update', flags: 0 } });
  });

  it('names the bad field of a message in one line', () => {
    const r = parseFeedMessage('{"type":"bar","symbol":"AAA","ts":1,"seq":12,"barTs":0,"open":1,"high":2,"low":1,"close":"x","volume":0}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal).toBe('invalid');
    expect(r.reason).toBe("invalid bar (seq 12): 'close': expected number, received string");
    expect(r.reason).not.toContain('\n');
  });

  it('refuses a missing field, a fractional microsecond, a crossed quote and a bar outside its range by name', () => {
    const reason = (o: unknown): string => {
      const r = parseFeedMessage(JSON.stringify(o));
      if (r.ok) throw new Error('accepted');
      return r.reason;
    };
    expect(reason({ type: 'trade', symbol: 'AAA', ts: 1, price: 10, side: 'buy' })).toMatch(/^invalid trade: 'size': /);
    expect(reason({ type: 'trade', symbol: 'AAA', ts: 1.5, price: 10, size: 1, side: 'buy' })).toBe("invalid trade: 'ts': expected integer epoch microseconds, was 1.5");
    expect(reason({ type: 'trade', symbol: 'AAA', ts: 'yesterday', price: 10, size: 1, side: 'buy' })).toMatch(/^invalid trade: 'ts': expected epoch microseconds or an ISO-8601 time/);
    expect(reason({ type: 'quote', symbol: 'AAA', ts: 1, bid: 10.02, bidSize: 1, ask: 10.01, askSize: 1 })).toBe("invalid quote: 'bid': crossed quote: bid 10.02 is above ask 10.01");
    expect(reason({ type: 'bar', symbol: 'AAA', ts: 1, barTs: 0, open: 1, high: 2, low: 1, close: 3, volume: 0 })).toBe("invalid bar: 'close': close 3 is outside [low 1, high 2]");
    expect(reason({ type: 'bar', symbol: 'AAA', ts: 1, barTs: 2, open: 1, high: 2, low: 1, close: 1, volume: 0 })).toMatch(/^invalid bar: 'barTs': /);
    expect(reason({ type: 'trade', symbol: 'AAA', ts: 1, price: -1, size: 1, side: 'buy' })).toMatch(/^invalid trade: 'price': /);
    expect(reason({ type: 'book', symbol: 'AAA', ts: 1, side: 'bid', price: 10, size: 0, action: 'update' })).toBe("invalid book: 'size': an update needs a positive size, was 0");
  });

  it('tells malformed JSON from an unknown type', () => {
    const a = parseFeedMessage('{"type":"bar",');
    expect(a.ok === false && a.refusal).toBe('malformed');
    const b = parseFeedMessage('[1,2]');
    expect(b.ok === false && b.refusal).toBe('malformed');
    const c = parseFeedMessage('{"type":"candle","symbol":"AAA"}');
    expect(c.ok === false && c.refusal).toBe('unknownType');
    expect(c.ok === false && c.reason).toMatch(/^unknown message type "candle"; expected one of bar, trade, quote, book, heartbeat/);
  });
});
