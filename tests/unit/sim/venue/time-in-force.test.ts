import { describe, expect, it } from 'vitest';
import { orderId, resolveCalendar, strategyId } from '../../../../engine/core/index.js';
import { Order } from '../../../../engine/model/index.js';
import type { OrderEvent } from '../../../../engine/model/index.js';
import { SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';
import { after, barTs, DAY, harness, T0 } from './venue-harness.js';

describe('volume-share cap', () => {
  it('fills at most the share of the bar volume and carries the rest to the next bar\'s open', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 0.1 } });
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 150 }, after(0));
    h.bar(1, 101, 102, 100, 101, 1000);
    expect(h.fills().map((f) => [f.qty, f.price, f.ts])).toEqual([[100, 101, barTs(1)]]);
    h.bar(2, 102, 103, 101, 102, 1000);
    expect(h.fills().map((f) => [f.qty, f.price, f.ts])).toEqual([
      [100, 101, barTs(1)],
      [50, 102, barTs(2)],
    ]);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderFilled']);
    expect(h.venue.workingOrders()).toBe(0);
  });

  it('rounds the capped quantity down to the lot size', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 0.1 }, lotSize: 10 });
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 100 }, after(0));
    h.bar(1, 101, 102, 100, 101, 555);
    expect(h.fills().map((f) => f.qty)).toEqual([50]);
  });
});

describe('time in force', () => {
  it('IOC fills what the cap allows on arrival and cancels the rest', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 0.1 } });
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 150, timeInForce: 'IOC' }, after(0));
    h.bar(1, 101, 102, 100, 101, 1000);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCancelled']);
    expect(h.fills()[0]!.qty).toBe(100);
    h.bar(2, 102, 103, 101, 102, 1000);
    expect(h.fills()).toHaveLength(1);
  });

  it('IOC limit not marketable at the open is cancelled even if the bar reaches it later', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99, timeInForce: 'IOC' }, after(0));
    h.bar(1, 100, 101, 98, 100);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderCancelled']);
  });

  it('FOK is cancelled whole when the volume cap would split it', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 0.1 } });
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 150, timeInForce: 'FOK' }, after(0));
    h.bar(1, 101, 102, 100, 101, 1000);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderCancelled']);
    expect(h.venue.position(0)).toBe(0);
  });

  it('FOK fills completely when the cap allows the whole quantity', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 0.1 } });
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 80, timeInForce: 'FOK' }, after(0));
    h.bar(1, 101, 102, 100, 101, 1000);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled']);
    expect(h.fills()[0]!.qty).toBe(80);
  });

  it('rejects IOC and FOK on stop orders', () => {
    const h = harness();
    h.submit({ side: 'buy', qty: 1, type: 'stop', stopPrice: 105, timeInForce: 'IOC' }, after(0));
    const [e] = h.events;
    expect(e!.kind === 'OrderRejected' && e!.reason).toMatch(/'timeInForce': IOC is not supported on stop orders/);
  });

  it('a DAY order decided at a daily close trades only on the next bar and expires at the following bar', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 95, timeInForce: 'DAY' }, after(0));
    h.bar(1, 100, 101, 96, 100); // its only chance; the low stays above 95
    expect(h.kinds(id)).toEqual(['OrderAccepted']);
    h.bar(2, 100, 101, 90, 100); // would fill, but the day of submission is over
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderExpired']);
    const expired = h.events.find((e) => e.kind === 'OrderExpired')!;
    expect(expired.ts).toBe(after(0) + DAY);
    expect(h.fills()).toEqual([]);
  });

  it('a DAY order expires at the UTC midnight on time advance', () => {
    const h = harness();
    const tenAm = T0 + 10 * 3600e6;
    const id = h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 95, timeInForce: 'DAY' }, tenAm);
    h.venue.onTimeAdvance(T0 + DAY - 1);
    expect(h.kinds(id)).toEqual(['OrderAccepted']);
    h.venue.onTimeAdvance(T0 + DAY);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderExpired']);
    expect(h.venue.workingOrders()).toBe(0);
  });

  it('with a session calendar, a DAY order expires at the session close in New York time (after the close: the next session\'s; weekends and holidays skipped)', () => {
    const cal = resolveCalendar({ timeZone: 'America/New_York', open: '09:30', close: '16:00', holidays: ['2024-03-11'] });
    const events: OrderEvent[] = [];
    const venue = new SimulatedVenue(venueConfig({ barIntervalUs: 60_000_000 }), { onOrderEvent: (e) => events.push(e) }, ['AAA'], cal);
    const at = (iso: string) => Date.parse(iso) * 1000;
    let n = 0;
    const submit = (ts: number) => {
      const o = new Order(orderId(`D-${++n}`), { symbol: 'AAA', side: 'buy', qty: 1, type: 'limit', limitPrice: 95, timeInForce: 'DAY' }, ts, strategyId('S'));
      venue.submit(o, ts);
      return o.id;
    };
    const expiry = (id: string) => events.find((e) => e.kind === 'OrderExpired' && e.orderId === id);
    // Thursday 2024-03-07 11:00 EST: expires at 16:00 EST = 21:00 UTC, not at UTC midnight.
    const a = submit(at('2024-03-07T16:00:00Z'));
    // Friday 2024-03-08 after the close (17:00 EST): the next session is Tuesday the 12th (weekend, then the Monday holiday), 16:00 EDT = 20:00 UTC.
    const b = submit(at('2024-03-08T22:00:00Z'));
    venue.onTimeAdvance(at('2024-03-07T20:59:00Z'));
    expect(expiry(a)).toBeUndefined();
    venue.onTimeAdvance(at('2024-03-07T21:00:00Z'));
    expect(expiry(a)).toMatchObject({ ts: at('2024-03-07T21:00:00Z'), reason: 'DAY order expired at the end of the session (2024-03-07T21:00:00.000Z)' });
    venue.onTimeAdvance(at('2024-03-12T19:59:00Z'));
    expect(expiry(b)).toBeUndefined();
    venue.onTimeAdvance(at('2024-03-12T20:00:00Z'));
    expect(expiry(b)?.ts).toBe(at('2024-03-12T20:00:00Z'));
    expect(venue.assumptions()).toContain('DAY orders expire at the first session close after submission (calendar America/New_York 09:30-16:00, weekdays, 1 holiday)');
  });

  it('a GTC order keeps working across days', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 95 }, after(0));
    for (let i = 1; i < 5; i++) h.bar(i, 100, 101, 99, 100);
    h.venue.onTimeAdvance(after(10));
    expect(h.venue.workingOrders()).toBe(1);
    h.bar(5, 100, 101, 94, 100);
    expect(h.fills().map((f) => f.price)).toEqual([95]);
  });
});
