import { ConfigError, InvariantError } from './errors.js';
import { US_PER_DAY, US_PER_MINUTE, US_PER_YEAR } from './time.js';

/**
 * Trading calendars: when a market is open, which session a time belongs to, and how many sessions
 * and trading minutes a year holds (the annualization of metrics). Pure: local times come from the
 * built-in Intl.DateTimeFormat (the IANA time zone database of the runtime), never from the clock.
 *
 * - `24/7`: always open; a session is a UTC day.
 * - `fx-24/5`: Sunday 17:00 to Friday 17:00 America/New_York; a session runs 17:00 to 17:00 New York
 *   time and belongs to the New York date it closes on (Monday to Friday).
 * - an exchange session: a time zone, open and close times of day (close after open, same day),
 *   weekdays (1 = Monday .. 7 = Sunday, default Monday to Friday) and holiday dates (local, no session).
 * - `XNYS`: the exchange session America/New_York 09:30-16:00, Monday to Friday, without holidays
 *   (give the object form with `holidays` to leave them out).
 */

/** An exchange session as a scenario writes it. */
export interface SessionCalendarSpec {
  readonly timeZone: string;
  /** Local time of day `HH:MM` the session opens. */
  readonly open: string;
  /** Local time of day `HH:MM` the session closes (after `open`; `24:00` allowed). */
  readonly close: string;
  /** ISO weekdays with a session, 1 = Monday .. 7 = Sunday. Default [1, 2, 3, 4, 5]. */
  readonly weekdays?: readonly number[];
  /** Local dates `YYYY-MM-DD` without a session. */
  readonly holidays?: readonly string[];
}

/** A calendar as a scenario writes it. */
export type CalendarSpec = '24/7' | 'fx-24/5' | 'XNYS' | SessionCalendarSpec;

/** The named calendars. */
export const CALENDAR_NAMES = ['24/7', 'fx-24/5', 'XNYS'] as const;

/** A resolved calendar (see {@link resolveCalendar}). */
export interface Calendar {
  readonly kind: '24/7' | 'fx-24/5' | 'session';
  /** The time zone local times are read in (UTC for 24/7). */
  readonly timeZone: string;
  /** Session open and close in minutes after local midnight (fx: 17:00 to 17:00 the next day). */
  readonly openMinute: number;
  readonly closeMinute: number;
  /** Session weekdays, ISO (1 = Monday .. 7 = Sunday), of the session day. */
  readonly weekdays: readonly number[];
  /** Holiday session days, as days since 1970-01-01 of the local date. */
  readonly holidays: ReadonlySet<number>;
  /** Minutes of one session. */
  readonly sessionMinutes: number;
  /** Long-run average sessions per year (see {@link resolveCalendar}). */
  readonly sessionsPerYear: number;
  /** One line describing it, for the report's assumptions. */
  readonly label: string;
}

const DAYS_PER_YEAR = US_PER_YEAR / US_PER_DAY; // 365.25
const US_PER_MS = 1000;
const MS_PER_MINUTE = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Returns true when the runtime's time zone database knows `timeZone` (an IANA name such as America/New_York). */
export function isKnownTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of local time from UTC in ms at the instant `ms`, read from the time zone database. */
function offsetAtMs(timeZone: string, ms: number): number {
  const p = formatterOf(timeZone).formatToParts(new Date(ms));
  const get = (t: string): number => Number(p.find((x) => x.type === t)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - (ms - (((ms % 1000) + 1000) % 1000));
}

/** Offsets by zone and UTC hour, kept only for hours without a transition inside them. */
const offsetCache = new Map<string, Map<number, number>>();

/**
 * Returns the offset of `timeZone`'s local time from UTC, in minutes, at `ts` (microseconds since the
 * epoch): e.g. -300 for New York in winter, -240 in summer.
 */
export function timeZoneOffsetMinutes(timeZone: string, ts: number): number {
  if (timeZone === 'UTC') return 0;
  const ms = Math.floor(ts / US_PER_MS);
  const hour = Math.floor(ms / 3_600_000);
  let cache = offsetCache.get(timeZone);
  if (cache === undefined) offsetCache.set(timeZone, (cache = new Map()));
  const hit = cache.get(hour);
  if (hit !== undefined) return hit;
  const start = offsetAtMs(timeZone, hour * 3_600_000);
  const end = offsetAtMs(timeZone, hour * 3_600_000 + 3_599_999);
  if (start === end) {
    if (cache.size > 200_000) cache.clear();
    cache.set(hour, start / MS_PER_MINUTE);
    return start / MS_PER_MINUTE;
  }
  return offsetAtMs(timeZone, ms) / MS_PER_MINUTE;
}

/** Local wall-clock time of `ts` in `timeZone`: days since 1970-01-01 of the local date and minutes after local midnight. */
export function localTime(timeZone: string, ts: number): { readonly day: number; readonly minute: number } {
  const localUs = ts + timeZoneOffsetMinutes(timeZone, ts) * US_PER_MINUTE;
  const day = Math.floor(localUs / US_PER_DAY);
  return { day, minute: (localUs - day * US_PER_DAY) / US_PER_MINUTE };
}

/** ISO weekday (1 = Monday .. 7 = Sunday) of a day number (days since 1970-01-01, a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** Returns the UTC time (µs) of the local wall-clock time `day` + `minute` in `timeZone` (the later instant in a repeated hour). */
export function utcOfLocal(timeZone: string, day: number, minute: number): number {
  const local = day * US_PER_DAY + minute * US_PER_MINUTE;
  let ts = local - timeZoneOffsetMinutes(timeZone, local) * US_PER_MINUTE;
  ts = local - timeZoneOffsetMinutes(timeZone, ts) * US_PER_MINUTE;
  return ts;
}

function parseClockMinutes(text: string, path: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  if (!m || Number(m[2]) > 59 || minutes > 24 * 60) throw new ConfigError(path, `not a time of day HH:MM between 00:00 and 24:00, was '${text}'`);
  return minutes;
}

function dayOfDate(text: string, path: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== text) throw new ConfigError(path, `not a date YYYY-MM-DD, was '${text}'`);
  return ms / 86_400_000;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const clock = (m: number): string => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
const WEEKDAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * Resolves a calendar spec; `path` names it in errors (ConfigError naming the field and the value:
 * an unknown time zone, a malformed time or date, close not after open). Sessions per year, the
 * long-run average: 24/7, 365.25; fx-24/5, 365.25 x 5/7 = 260.89; an exchange session,
 * 365.25 x weekdays/7 less the holidays per year (the listed holidays on a session weekday, divided
 * by the calendar years from the first listed holiday's to the last's). XNYS: 365.25 x 5/7 = 260.89
 * (no holidays listed).
 */
export function resolveCalendar(spec: CalendarSpec, path = 'calendar'): Calendar {
  if (spec === '24/7') {
    return { kind: '24/7', timeZone: 'UTC', openMinute: 0, closeMinute: 1440, weekdays: [1, 2, 3, 4, 5, 6, 7], holidays: new Set(), sessionMinutes: 1440, sessionsPerYear: DAYS_PER_YEAR, label: 'calendar 24/7' };
  }
  if (spec === 'fx-24/5') {
    return {
      kind: 'fx-24/5',
      timeZone: 'America/New_York',
      openMinute: 17 * 60,
      closeMinute: 17 * 60,
      weekdays: [1, 2, 3, 4, 5],
      holidays: new Set(),
      sessionMinutes: 1440,
      sessionsPerYear: (DAYS_PER_YEAR * 5) / 7,
      label: 'calendar fx-24/5: Sunday 17:00 to Friday 17:00 America/New_York',
    };
  }
  if (spec === 'XNYS') return resolveCalendar({ timeZone: 'America/New_York', open: '09:30', close: '16:00' }, path);
  if (spec === null || typeof spec !== 'object') throw new ConfigError(path, `expected ${CALENDAR_NAMES.map((n) => `'${n}'`).join(', ')} or { timeZone, open, close, weekdays?, holidays? }, was ${JSON.stringify(spec)}`);
  if (!isKnownTimeZone(spec.timeZone)) throw new ConfigError(`${path}.timeZone`, `unknown time zone (an IANA name such as America/New_York), was ${JSON.stringify(spec.timeZone)}`);
  const open = parseClockMinutes(spec.open, `${path}.open`);
  const close = parseClockMinutes(spec.close, `${path}.close`);
  if (!(close > open)) throw new ConfigError(`${path}.close`, `'${spec.close}' is not after open '${spec.open}' (a session opens and closes on the same local day)`);
  const weekdays = [...new Set(spec.weekdays ?? [1, 2, 3, 4, 5])].sort((a, b) => a - b);
  weekdays.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1 || d > 7) throw new ConfigError(`${path}.weekdays[${i}]`, `not an ISO weekday 1 (Monday) .. 7 (Sunday), was ${d}`);
  });
  if (weekdays.length === 0) throw new ConfigError(`${path}.weekdays`, 'no weekday: the market would never open');
  const holidays = new Set((spec.holidays ?? []).map((h, i) => dayOfDate(h, `${path}.holidays[${i}]`)));
  const onSession = [...holidays].filter((d) => weekdays.includes(isoWeekday(d)));
  let holidaysPerYear = 0;
  if (onSession.length > 0) {
    const year = (d: number): number => new Date(d * 86_400_000).getUTCFullYear();
    const years = year(Math.max(...onSession)) - year(Math.min(...onSession)) + 1;
    holidaysPerYear = onSession.length / years;
  }
  const days = weekdays.length === 5 && weekdays.every((d, i) => d === i + 1) ? 'weekdays' : weekdays.map((d) => WEEKDAY_NAMES[d]).join(',');
  const hol = holidays.size > 0 ? `, ${holidays.size} holiday${holidays.size === 1 ? '' : 's'}` : '';
  return {
    kind: 'session',
    timeZone: spec.timeZone,
    openMinute: open,
    closeMinute: close,
    weekdays,
    holidays,
    sessionMinutes: close - open,
    sessionsPerYear: (DAYS_PER_YEAR * weekdays.length) / 7 - holidaysPerYear,
    label: `calendar ${spec.timeZone} ${clock(open)}-${clock(close)}, ${days}${hol}`,
  };
}

/** Trading minutes per year: sessions per year x minutes per session (e.g. 260.89 x 390 = 101,748.2 for a 09:30-16:00 weekday session). */
export function tradingMinutesPerYear(cal: Calendar): number {
  return cal.sessionsPerYear * cal.sessionMinutes;
}

/**
 * Bars per year of bars `barIntervalUs` long on the calendar: intraday bars (shorter than half a day)
 * sessions per year x bars per session (ceil(session minutes / bar minutes): a 6.5-hour session
 * holds 7 one-hour bars; 390 one-minute bars); daily bars (half a day to a day and a half) the
 * sessions per year; null for longer bars (weekly, monthly: annualized by calendar time instead).
 */
export function calendarPeriodsPerYear(cal: Calendar, barIntervalUs: number): number | null {
  if (barIntervalUs < 0.5 * US_PER_DAY) return cal.sessionsPerYear * Math.ceil((cal.sessionMinutes * US_PER_MINUTE) / barIntervalUs - 1e-9);
  if (barIntervalUs < 1.5 * US_PER_DAY) return cal.sessionsPerYear;
  return null;
}

/**
 * The session day of `ts` (days since 1970-01-01 of the session's local date): the UTC day (24/7),
 * the New York date the fx session closes on (a time from 17:00 belongs to the next day's session),
 * or the local date (an exchange session). Day boundaries (DAY orders, daily loss limits) follow it.
 */
export function sessionDay(cal: Calendar, ts: number): number {
  if (cal.kind === '24/7') return Math.floor(ts / US_PER_DAY);
  const { day, minute } = localTime(cal.timeZone, ts);
  return cal.kind === 'fx-24/5' && minute >= cal.closeMinute ? day + 1 : day;
}

/** Returns true when the market is open at `ts`. */
export function isOpen(cal: Calendar, ts: number): boolean {
  if (cal.kind === '24/7') return true;
  const { day, minute } = localTime(cal.timeZone, ts);
  if (cal.kind === 'fx-24/5') return cal.weekdays.includes(isoWeekday(minute >= cal.closeMinute ? day + 1 : day));
  return cal.weekdays.includes(isoWeekday(day)) && !cal.holidays.has(day) && minute >= cal.openMinute && minute < cal.closeMinute;
}

/**
 * The end (µs) of the session `ts` belongs to: the next UTC midnight (24/7), 17:00 New York of the
 * session day (fx), or the close of the local day (an exchange session; a time after the close
 * belongs to that day, so its session has ended: the result is then <= ts).
 */
export function sessionEnd(cal: Calendar, ts: number): number {
  const day = sessionDay(cal, ts);
  if (cal.kind === '24/7') return (day + 1) * US_PER_DAY;
  return utcOfLocal(cal.timeZone, day, cal.closeMinute);
}

/**
 * The start and end (µs, [start, end)) of the session day `ts` belongs to: the UTC day (24/7 or no
 * calendar), 17:00 to 17:00 New York (fx-24/5), or local midnight to midnight (an exchange session,
 * 23 or 25 hours long on a DST change). Daily loss limits reset at these boundaries.
 */
export function sessionDayBounds(cal: Calendar | undefined, ts: number): readonly [number, number] {
  if (cal === undefined || cal.kind === '24/7') {
    const start = Math.floor(ts / US_PER_DAY) * US_PER_DAY;
    return [start, start + US_PER_DAY];
  }
  const day = sessionDay(cal, ts);
  const at = cal.kind === 'fx-24/5' ? cal.closeMinute : 0;
  const prev = cal.kind === 'fx-24/5' ? day - 1 : day;
  return [utcOfLocal(cal.timeZone, prev, at), utcOfLocal(cal.timeZone, prev + 1, at)];
}

/**
 * When a DAY order submitted at `ts` expires: the first session close after `ts` (the close of the
 * current session, or, submitted after the close, on a weekend or a holiday, the close of the next
 * session); the next UTC midnight on 24/7; 17:00 New York of the fx session day (Friday's for a
 * weekend order).
 */
export function dayOrderExpiry(cal: Calendar, ts: number): number {
  if (cal.kind === '24/7') return (Math.floor(ts / US_PER_DAY) + 1) * US_PER_DAY;
  let day = cal.kind === 'fx-24/5' ? sessionDay(cal, ts) : localTime(cal.timeZone, ts).day;
  // A session a week at least (weekdays is never empty); holidays may add a few more days.
  for (let i = 0; i < 7 + cal.holidays.size; i++, day++) {
    if (!cal.weekdays.includes(isoWeekday(day)) || cal.holidays.has(day)) continue;
    const close = utcOfLocal(cal.timeZone, day, cal.closeMinute);
    if (close > ts) return close;
  }
  throw new InvariantError(`no session close within ${7 + cal.holidays.size} days of ${ts}`);
}

/**
 * Returns true when the market is open at some time in [start, end) (µs): e.g. a daily bar stamped
 * at UTC midnight overlaps the weekday session of America/Chicago 08:30-15:15, a Saturday's does not.
 */
export function openWithin(cal: Calendar, start: number, end: number): boolean {
  if (cal.kind === '24/7') return end > start;
  if (!(end > start)) return false;
  if (isOpen(cal, start)) return true;
  const fx = cal.kind === 'fx-24/5';
  const last = sessionDay(cal, end) + 1;
  for (let day = sessionDay(cal, start); day <= last; day++) {
    if (!cal.weekdays.includes(isoWeekday(day)) || cal.holidays.has(day)) continue;
    // fx: the session of day d runs from 17:00 New York of d - 1 to 17:00 of d.
    const open = fx ? utcOfLocal(cal.timeZone, day - 1, cal.openMinute) : utcOfLocal(cal.timeZone, day, cal.openMinute);
    const close = utcOfLocal(cal.timeZone, day, cal.closeMinute);
    if (open < end && close > start) return true;
  }
  return false;
}

/**
 * Returns true when a bar opening at `openTs` and closing at `closeTs` (µs) is inside the calendar's
 * sessions, i.e. a fill opportunity of a venue that trades only in session: an intraday bar (shorter
 * than half a day) when the market is open at its open time (a 09:00-10:00 bar is outside a 09:30
 * open: its open price is from before the session); a longer bar (daily, weekly: stamped at
 * midnight, not at the session's open) when a session overlaps it.
 */
export function barInSession(cal: Calendar, openTs: number, closeTs: number): boolean {
  if (closeTs - openTs < 0.5 * US_PER_DAY) return isOpen(cal, openTs);
  return openWithin(cal, openTs, closeTs);
}
