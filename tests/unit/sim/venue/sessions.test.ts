import { describe, expect, it } from 'vitest';
import { orderId, resolveCalendar, strategyId, US_PER_DAY, US_PER_HOUR } from '../../../../engine/core/index.js';
import type { CalendarSpec, OrderId } from '../../../../engine/core/index.js';
import { Order } from '../../../../engine/model/index.js';
import type { Fill, InstrumentSpec, OrderEvent, OrderRequest } from '../../../../engine/model/index.js';
import { SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';
import type { VenueConfigInput } from '../../../../sim/venue/index.js';

/** Microseconds of a New York wall-clock time in March 2024 before the DST change of the 10th (EST, UTC-5). */
const ny = (date: string, time: string): number => Date.parse(`${date}T${time}:00-05:00`) * 1000;
/** Tuesday 2024-03-05 00:30 New York: hourly bar k opens at START + k hours (k = 9: 09:30, k = 20: 20:30, k = 33: Wednesday 09:30). */
const START = ny('2024-03-05', '00:30');
const HOUR = US_PER_HOUR;
const RTH: CalendarSpec = { timeZone: 'America/New_York', open: '09:30', close: '16:00' };

const spec = (symbol: string, session?: CalendarSpec): InstrumentSpec => ({
  symbol,
  assetClass: 'future',
  multiplier: 1,
  tickSize: 0,
  lotSize: 1,
  currency: 'USD',
  initialMargin: null,
  maintenanceMargin: null,
  ...(session !== undefined ? { session: resolveCalendar(session, `instruments.${symbol}.session`) } : {}),
});

/** A venue over ES (with `session`) and AAA (no session), a recording sink and order helpers. */
function sessionVenue(session: CalendarSpec = RTH, config: VenueConfigInput = {}, intervalUs = HOUR) {
  const events: OrderEvent[] = [];
  const venue = new SimulatedVenue(venueConfig({ barIntervalUs: intervalUs, ...config }), { onOrderEvent: (e) => events.push(e) }, ['ES', 'AAA']);
  venue.useInstruments([spec('ES', session), null]);
  let n = 0;
  return {
    venue,
    events,
    submit(req: Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'qty' | 'symbol'>, ts: number): OrderId {
      const o = new Order(orderId(`O-${++n}`), req, ts, strategyId('S'));
      venue.submit(o, ts);
      return o.id;
    },
    /** Feeds the same bar to both symbols (ES first). */
    bar(ts: number, open: number, high = open + 0.5, low = open - 0.5, close = open + 0.25): void {
      venue.onBar(0, ts, open, high, low, close, 1_000_000);
      venue.onBar(1, ts, open, high, low, close, 1_000_000);
    },
    fill(id: OrderId): Fill | undefined {
      return events.flatMap((e) => (e.kind === 'OrderFilled' && e.orderId === id ? [e.fill] : []))[0];
    },
    kinds(id: OrderId): string[] {
      return events.filter((e) => e.orderId === id).map((e) => e.kind);
    },
  };
}

describe('instrument trading sessions on the bar venue', () => {
  it('a market order decided at 20:00 New York fills at the open of the 09:30 bar, the first inside an RTH session; a symbol without a session fills at the next bar', () => {
    const h = sessionVenue();
    for (let k = 0; k <= 19; k++) h.bar(START + k * HOUR, 100 + k);
    const es = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, ny('2024-03-05', '20:00'));
    const aaa = h.submit({ symbol: 'AAA', side: 'buy', qty: 1 }, ny('2024-03-05', '20:00'));
    for (let k = 20; k <= 34; k++) h.bar(START + k * HOUR, 100 + k);
    // AAA: the 20:30 bar (k = 20) opens at 120. ES: the 20:30 .. 08:30 bars are outside 09:30-16:00; Wednesday's 09:30 bar (k = 33) opens at 133.
    expect(h.fill(aaa)).toMatchObject({ price: 120, ts: ny('2024-03-05', '20:30') });
    expect(h.fill(es)).toMatchObject({ price: 133, ts: ny('2024-03-06', '09:30') });
  });

  it('a DAY limit submitted at 10:00 expires at the 16:00 close of its session, so neither the 17:30 bar nor the next morning fills it; without a session it fills at 17:30', () => {
    const h = sessionVenue();
    const lowAt = new Set([17, 33]); // Tuesday 17:30 and Wednesday 09:30 reach 90
    const bar = (k: number) => h.bar(START + k * HOUR, 100, 100.5, lowAt.has(k) ? 90 : 99.5, 100);
    for (let k = 0; k <= 9; k++) bar(k);
    const es = h.submit({ symbol: 'ES', side: 'buy', qty: 1, type: 'limit', limitPrice: 95, timeInForce: 'DAY' }, ny('2024-03-05', '10:00'));
    const gtc = h.submit({ symbol: 'ES', side: 'buy', qty: 1, type: 'limit', limitPrice: 95 }, ny('2024-03-05', '10:00'));
    const aaa = h.submit({ symbol: 'AAA', side: 'buy', qty: 1, type: 'limit', limitPrice: 95, timeInForce: 'DAY' }, ny('2024-03-05', '10:00'));
    for (let k = 10; k <= 34; k++) bar(k);
    expect(h.kinds(es)).toEqual(['OrderAccepted', 'OrderExpired']);
    expect(h.events.find((e) => e.kind === 'OrderExpired' && e.orderId === es)).toMatchObject({
      ts: ny('2024-03-05', '16:00'),
      reason: "DAY order expired at the end of ES's session (2024-03-05T21:00:00.000Z)",
    });
    // The same order GTC is not filled by the 17:30 bar (outside) but by Wednesday's 09:30 bar, at its limit.
    expect(h.fill(gtc)).toMatchObject({ price: 95, ts: ny('2024-03-06', '09:30') });
    // AAA: DAY ends at UTC midnight (19:00 New York), after the 17:30 bar that reaches 90.
    expect(h.fill(aaa)).toMatchObject({ price: 95, ts: ny('2024-03-05', '17:30') });
  });

  it('a stop does not trigger on a bar outside the session; the first bar inside that gaps through it fills it at its open', () => {
    const h = sessionVenue();
    h.bar(START + 14 * HOUR, 100); // 14:30
    const es = h.submit({ symbol: 'ES', side: 'sell', qty: 1, type: 'stop', stopPrice: 95 }, ny('2024-03-05', '15:30'));
    h.bar(START + 15 * HOUR, 100); // 15:30, inside, above the stop
    h.bar(START + 16 * HOUR, 96, 97, 90, 93); // 16:30, outside: its low 90 would trigger at 95
    h.bar(START + 33 * HOUR, 93, 94, 92, 93.5); // Wednesday 09:30 opens below the stop
    expect(h.kinds(es)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(h.fill(es)).toMatchObject({ price: 93, ts: ny('2024-03-06', '09:30') });
  });

  it('under marketFill close, an order decided after a bar outside the session fills at the close of the first bar inside, stamped at its close', () => {
    const h = sessionVenue(RTH, { marketFill: 'close' });
    h.bar(START + 8 * HOUR, 100, 101, 99, 100.5); // 08:30, outside
    const es = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, ny('2024-03-05', '09:30'));
    const aaa = h.submit({ symbol: 'AAA', side: 'buy', qty: 1 }, ny('2024-03-05', '09:30'));
    expect(h.fill(aaa)).toMatchObject({ price: 100.5, ts: ny('2024-03-05', '09:30') });
    expect(h.fill(es)).toBeUndefined();
    h.bar(START + 9 * HOUR, 101, 102, 100, 101.75); // 09:30, inside
    expect(h.fill(es)).toMatchObject({ price: 101.75, ts: ny('2024-03-05', '10:30') });
  });

  it('weekend bars are skipped by a Monday-to-Friday session', () => {
    const h = sessionVenue();
    h.bar(ny('2024-03-08', '15:30'), 100); // Friday
    const es = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, ny('2024-03-08', '16:30'));
    h.bar(ny('2024-03-09', '10:30'), 101); // Saturday, inside the hours but not a session day
    h.bar(ny('2024-03-10', '11:30'), 102); // Sunday (EDT from 03:00: Date.parse with -05:00 is 12:30 EDT)
    expect(h.fill(es)).toBeUndefined();
    const monday = Date.parse('2024-03-11T09:30:00-04:00') * 1000;
    h.bar(monday, 103);
    expect(h.fill(es)).toMatchObject({ price: 103, ts: monday });
  });

  it('a holiday in the list is skipped: the order fills on the next session day', () => {
    const h = sessionVenue({ ...RTH, holidays: ['2024-03-06'] });
    h.bar(START + 15 * HOUR, 100); // Tuesday 15:30
    const es = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, ny('2024-03-05', '16:30'));
    h.bar(START + 33 * HOUR, 101); // Wednesday 09:30: the holiday
    h.bar(START + 34 * HOUR, 102); // Wednesday 10:30
    expect(h.fill(es)).toBeUndefined();
    h.bar(START + 57 * HOUR, 104); // Thursday 09:30
    expect(h.fill(es)).toMatchObject({ price: 104, ts: ny('2024-03-07', '09:30') });
  });

  it('a daily bar stamped at UTC midnight is inside when a session overlaps it: Saturday and Sunday are skipped', () => {
    const h = sessionVenue({ timeZone: 'America/Chicago', open: '08:30', close: '15:15' }, {}, US_PER_DAY);
    const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) * 1000;
    h.bar(day('2024-03-08'), 100); // Friday
    const es = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, day('2024-03-09'));
    h.bar(day('2024-03-09'), 101);
    h.bar(day('2024-03-10'), 102);
    expect(h.fill(es)).toBeUndefined();
    h.bar(day('2024-03-11'), 103); // Monday: 08:30-15:15 Chicago is inside [00:00, 24:00) UTC
    expect(h.fill(es)).toMatchObject({ price: 103, ts: day('2024-03-11') });
  });

  it('quotes outside the session do not fill; the first quote inside does, at the touch', () => {
    const h = sessionVenue();
    h.venue.onQuote(0, ny('2024-03-05', '08:00'), 99, 10, 101, 10);
    const es = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, ny('2024-03-05', '08:10'));
    h.venue.onQuote(0, ny('2024-03-05', '09:29'), 100, 10, 102, 10);
    expect(h.fill(es)).toBeUndefined();
    h.venue.onQuote(0, ny('2024-03-05', '09:30'), 101, 10, 103, 10);
    expect(h.fill(es)).toMatchObject({ price: 103, ts: ny('2024-03-05', '09:30') });
  });

  it('an order placed inside the session does not match a quote from before the open or from the previous session', () => {
    const h = sessionVenue();
    h.venue.onQuote(0, ny('2024-03-05', '09:29'), 99, 10, 101, 10);
    const early = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, ny('2024-03-05', '09:31'));
    expect(h.fill(early)).toBeUndefined();
    h.venue.onQuote(0, ny('2024-03-05', '15:59'), 100, 10, 102, 10);
    expect(h.fill(early)).toMatchObject({ price: 102, ts: ny('2024-03-05', '15:59') });
    const nextDay = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, ny('2024-03-06', '09:31'));
    expect(h.fill(nextDay)).toBeUndefined();
    h.venue.onQuote(0, ny('2024-03-06', '09:32'), 101, 10, 104, 10);
    expect(h.fill(nextDay)).toMatchObject({ price: 104, ts: ny('2024-03-06', '09:32') });
    // In the session of the current quote, a new order matches it at once.
    const same = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, ny('2024-03-06', '09:40'));
    expect(h.fill(same)).toMatchObject({ price: 104, ts: ny('2024-03-06', '09:40') });
  });

  it("a '24/7' session matches the current quote across UTC midnight, as a symbol without one does", () => {
    const h = sessionVenue('24/7');
    h.venue.onQuote(0, Date.parse('2024-03-05T23:59:00Z') * 1000, 99, 10, 101, 10);
    const id = h.submit({ symbol: 'ES', side: 'buy', qty: 1 }, Date.parse('2024-03-06T00:01:00Z') * 1000);
    expect(h.fill(id)).toMatchObject({ price: 101, ts: Date.parse('2024-03-06T00:01:00Z') * 1000 });
  });

  it('lists each session among the assumptions', () => {
    const h = sessionVenue();
    const a = h.venue.assumptions();
    expect(a).toContain('DAY orders expire at the end of the UTC day of submission (symbols without a session)');
    expect(a.some((x) => x.startsWith('ES trades only in its session (America/New_York 09:30-16:00, weekdays): a bar fills its orders when it opens inside the session'))).toBe(true);
  });
});
