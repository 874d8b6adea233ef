import { describe, expect, it } from 'vitest';
import {
  barInSession,
  calendarPeriodsPerYear,
  isOpen,
  localTime,
  openWithin,
  resolveCalendar,
  sessionDay,
  sessionEnd,
  timeZoneOffsetMinutes,
  tradingMinutesPerYear,
  US_PER_DAY,
  US_PER_HOUR,
  US_PER_MINUTE,
} from '../../../../engine/core/index.js';

const at = (iso: string): number => Date.parse(iso) * 1000;
const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const NYSE = { timeZone: 'America/New_York', open: '09:30', close: '16:00' };

describe('calendar', () => {
  it('counts sessions and trading minutes per year: 365.25 x 5/7 sessions of 390 minutes on a weekday 09:30-16:00 session', () => {
    const c = resolveCalendar(NYSE);
    expect(c.sessionsPerYear).toBeCloseTo(260.892857142857, 12);
    expect(tradingMinutesPerYear(c)).toBeCloseTo(101_748.214285714, 6);
    expect(c.label).toBe('calendar America/New_York 09:30-16:00, weekdays');
    expect(resolveCalendar('XNYS')).toEqual(c);
  });

  it('takes listed holidays off the sessions per year, averaged over the years they span', () => {
    // 2024 and 2025: 3 weekday holidays, 1 on a Saturday (2024-12-25 Wed, 2025-01-01 Wed, 2025-07-04 Fri; 2024-05-25 is a Saturday).
    const c = resolveCalendar({ ...NYSE, holidays: ['2024-12-25', '2025-01-01', '2025-07-04', '2024-05-25'] });
    expect(c.sessionsPerYear).toBeCloseTo((365.25 * 5) / 7 - 3 / 2, 12);
    // Nine weekday holidays in one year: 260.89 - 9 = 251.89 sessions.
    const nine = ['2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28'];
    expect(resolveCalendar({ ...NYSE, holidays: nine }).sessionsPerYear).toBeCloseTo(251.892857142857, 12);
  });

  it('gives 24/7 525,960 minutes a year and fx-24/5 five days of 1440 minutes a week', () => {
    expect(tradingMinutesPerYear(resolveCalendar('24/7'))).toBe(525_960);
    expect(tradingMinutesPerYear(resolveCalendar('fx-24/5'))).toBeCloseTo((365.25 * 5 * 1440) / 7, 9);
  });

  it('annualizes bars: sessions x bars per session intraday, sessions for daily bars, null beyond', () => {
    const c = resolveCalendar(NYSE);
    const s = (365.25 * 5) / 7;
    expect(calendarPeriodsPerYear(c, US_PER_MINUTE)).toBeCloseTo(s * 390, 9);
    expect(calendarPeriodsPerYear(c, 5 * US_PER_MINUTE)).toBeCloseTo(s * 78, 9);
    expect(calendarPeriodsPerYear(c, US_PER_HOUR)).toBeCloseTo(s * 7, 9); // 09:30, 10:30, ..., 15:30
    expect(calendarPeriodsPerYear(c, US_PER_DAY)).toBeCloseTo(s, 12);
    expect(calendarPeriodsPerYear(c, 7 * US_PER_DAY)).toBeNull();
    expect(calendarPeriodsPerYear(resolveCalendar('24/7'), US_PER_MINUTE)).toBe(525_960);
  });

  it('reads New York time across the DST changes', () => {
    expect(timeZoneOffsetMinutes('America/New_York', at('2024-03-10T06:59:00Z'))).toBe(-300);
    expect(timeZoneOffsetMinutes('America/New_York', at('2024-03-10T07:00:00Z'))).toBe(-240);
    expect(timeZoneOffsetMinutes('America/New_York', at('2024-11-03T05:59:00Z'))).toBe(-240);
    expect(timeZoneOffsetMinutes('America/New_York', at('2024-11-03T06:00:00Z'))).toBe(-300);
    expect(localTime('America/New_York', at('2024-07-01T13:30:00Z'))).toEqual({ day: dayOf('2024-07-01'), minute: 570 });
  });

  it('is open 09:30 to 16:00 New York time on weekdays but not on holidays', () => {
    const c = resolveCalendar({ ...NYSE, holidays: ['2024-07-04'] });
    expect(isOpen(c, at('2024-07-03T13:30:00Z'))).toBe(true); // 09:30 EDT
    expect(isOpen(c, at('2024-07-03T13:29:00Z'))).toBe(false);
    expect(isOpen(c, at('2024-07-03T19:59:00Z'))).toBe(true); // 15:59
    expect(isOpen(c, at('2024-07-03T20:00:00Z'))).toBe(false); // 16:00
    expect(isOpen(c, at('2024-01-03T14:30:00Z'))).toBe(true); // 09:30 EST
    expect(isOpen(c, at('2024-01-03T13:30:00Z'))).toBe(false);
    expect(isOpen(c, at('2024-07-04T15:00:00Z'))).toBe(false); // holiday
    expect(isOpen(c, at('2024-07-06T15:00:00Z'))).toBe(false); // Saturday
  });

  it('puts fx from Sunday 17:00 to Friday 17:00 New York, a session closing at 17:00', () => {
    const fx = resolveCalendar('fx-24/5');
    expect(isOpen(fx, at('2024-07-07T20:59:00Z'))).toBe(false); // Sunday 16:59 EDT
    expect(isOpen(fx, at('2024-07-07T21:00:00Z'))).toBe(true); // Sunday 17:00: Monday's session
    expect(sessionDay(fx, at('2024-07-07T21:00:00Z'))).toBe(dayOf('2024-07-08'));
    expect(isOpen(fx, at('2024-07-12T20:59:00Z'))).toBe(true); // Friday 16:59
    expect(isOpen(fx, at('2024-07-12T21:00:00Z'))).toBe(false); // Friday 17:00
    expect(sessionEnd(fx, at('2024-07-09T03:00:00Z'))).toBe(at('2024-07-09T21:00:00Z'));
  });

  it('ends sessions at the local close: session day and end of an exchange session, and of 24/7', () => {
    const c = resolveCalendar(NYSE);
    // 2024-03-11 19:00 UTC is 15:00 EDT: the session closes at 20:00 UTC.
    expect(sessionDay(c, at('2024-03-11T19:00:00Z'))).toBe(dayOf('2024-03-11'));
    expect(sessionEnd(c, at('2024-03-11T19:00:00Z'))).toBe(at('2024-03-11T20:00:00Z'));
    // 2024-03-08 (EST) closes at 21:00 UTC; 02:00 UTC on the 9th is still the 8th in New York.
    expect(sessionEnd(c, at('2024-03-08T15:00:00Z'))).toBe(at('2024-03-08T21:00:00Z'));
    expect(sessionDay(c, at('2024-03-09T02:00:00Z'))).toBe(dayOf('2024-03-08'));
    expect(sessionEnd(resolveCalendar('24/7'), at('2024-03-08T15:00:00Z'))).toBe(at('2024-03-09T00:00:00Z'));
  });

  it('refuses an unknown time zone, a malformed time and a close before the open, naming the path and the value', () => {
    expect(() => resolveCalendar({ ...NYSE, timeZone: 'America/Nowhere' })).toThrow('calendar.timeZone: unknown time zone (an IANA name such as America/New_York), was "America/Nowhere"');
    expect(() => resolveCalendar({ ...NYSE, close: '09:00' })).toThrow("calendar.close: '09:00' is not after open '09:30'");
    expect(() => resolveCalendar({ ...NYSE, open: '9:30' })).toThrow("calendar.open: not a time of day HH:MM between 00:00 and 24:00, was '9:30'");
    expect(() => resolveCalendar({ ...NYSE, holidays: ['2024-02-30'] })).toThrow("calendar.holidays[0]: not a date YYYY-MM-DD, was '2024-02-30'");
  });

  it('decides whether a bar is inside the sessions: an intraday bar by its open time, a daily bar by overlap', () => {
    const cme = resolveCalendar({ timeZone: 'America/Chicago', open: '08:30', close: '15:15' });
    const hour = 3_600_000_000;
    // 2024-03-08 is a Friday (CST, UTC-6): the session is 14:30-21:15 UTC.
    expect(barInSession(cme, at('2024-03-08T14:30:00Z'), at('2024-03-08T14:30:00Z') + hour)).toBe(true);
    expect(barInSession(cme, at('2024-03-08T14:00:00Z'), at('2024-03-08T14:00:00Z') + hour)).toBe(false); // opens at 08:00, before the open
    expect(barInSession(cme, at('2024-03-08T21:15:00Z'), at('2024-03-08T21:15:00Z') + hour)).toBe(false); // opens at the close
    // Daily bars stamped at UTC midnight: Friday's overlaps its session, Saturday's and Sunday's do not.
    const day = 24 * hour;
    expect(barInSession(cme, at('2024-03-08T00:00:00Z'), at('2024-03-08T00:00:00Z') + day)).toBe(true);
    expect(barInSession(cme, at('2024-03-09T00:00:00Z'), at('2024-03-09T00:00:00Z') + day)).toBe(false);
    expect(barInSession(cme, at('2024-03-10T00:00:00Z'), at('2024-03-10T00:00:00Z') + day)).toBe(false);
    // A weekly bar from Saturday holds the next week's sessions.
    expect(openWithin(cme, at('2024-03-09T00:00:00Z'), at('2024-03-09T00:00:00Z') + 7 * day)).toBe(true);
    // fx: Sunday's UTC day holds the opening at 17:00 New York (21:00 UTC in July), Saturday's nothing.
    const fx = resolveCalendar('fx-24/5');
    expect(openWithin(fx, at('2024-07-07T00:00:00Z'), at('2024-07-08T00:00:00Z'))).toBe(true);
    expect(openWithin(fx, at('2024-07-06T00:00:00Z'), at('2024-07-07T00:00:00Z'))).toBe(false);
    expect(openWithin(fx, at('2024-07-07T00:00:00Z'), at('2024-07-07T20:59:00Z'))).toBe(false);
  });
});
