import { checkInteger } from './checks.js';
import { InvalidArgumentError } from './errors.js';

declare const brand: unique symbol;
/** Attaches a compile-time brand to a primitive so units and ids cannot be mixed up. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Integer microseconds since the Unix epoch (exact in a JS number until about year 2255). */
export type TimestampUs = Brand<number, 'TimestampUs'>;
/** A duration in integer microseconds. */
export type DurationUs = Brand<number, 'DurationUs'>;

export const US_PER_MS = 1_000;
export const US_PER_SECOND = 1_000_000;
export const US_PER_MINUTE = 60 * US_PER_SECOND;
export const US_PER_HOUR = 60 * US_PER_MINUTE;
export const US_PER_DAY = 24 * US_PER_HOUR;
/** Calendar-year length used to annualize from data time (365.25 days). */
export const US_PER_YEAR = 365.25 * US_PER_DAY;

/** Returns `value` as a timestamp after checking it is a safe integer. */
export function timestampUs(value: number, name = 'ts'): TimestampUs {
  return checkInteger(value, name) as TimestampUs;
}

/** Returns `value` as a duration after checking it is a safe integer. */
export function durationUs(value: number, name = 'duration'): DurationUs {
  return checkInteger(value, name) as DurationUs;
}

/** Truncates nanoseconds (bigint or number) to integer microseconds. */
export function fromNanos(ns: bigint | number): TimestampUs {
  const us = typeof ns === 'bigint' ? Number(ns / 1000n) : Math.trunc(ns / 1000);
  return timestampUs(us);
}

export function fromMillis(ms: number): TimestampUs {
  return timestampUs(Math.round(ms * US_PER_MS));
}

/** Parses an ISO-8601 date or datetime (a date alone or a datetime without zone is UTC). */
export function parseIsoUs(text: string, name = 'time'): TimestampUs {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (!m) throw new InvalidArgumentError(`invalid '${name}': not an ISO-8601 date or datetime, was ${JSON.stringify(text)}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    throw new InvalidArgumentError(`invalid '${name}': not a calendar date/time, was ${JSON.stringify(text)}`);
  }
  let us = ms * US_PER_MS + Number((frac + '000000').slice(0, 6));
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    us -= sign * offsetMin * US_PER_MINUTE;
  }
  return timestampUs(us);
}

/** Formats a timestamp as ISO-8601 UTC; keeps microseconds when they are not zero. */
export function formatIsoUs(ts: number): string {
  const ms = Math.floor(ts / US_PER_MS);
  const subMs = ts - ms * US_PER_MS;
  const iso = new Date(ms).toISOString();
  if (subMs === 0) return iso;
  return `${iso.slice(0, -1)}${String(subMs).padStart(3, '0')}Z`;
}

/**
 * formatIsoUs of each time of `ts`, in order (a curve's samples): the same texts, with less work for times that
 * repeat a day or a time of day. A time on a whole millisecond on the day of the time before it is that day's date
 * and its time of day, each formatted once (a bar's time of day recurs every day): cold, ~half the cost of
 * formatting each time whole. Other times are formatted as formatIsoUs does.
 */
export function formatIsoUsEach(ts: ArrayLike<number>): string[] {
  const out = new Array<string>(ts.length);
  // The day of the last time formatted whole, its date ('2024-03-01', or '+010000-01-01'), and the time-of-day
  // texts ('T09:30:00.000Z': the last 14 characters of toISOString's) met so far by millisecond of the day.
  let day = Number.NaN;
  let date = '';
  const clock = new Map<number, string>();
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const ms = Math.floor(t / US_PER_MS);
    if (t - ms * US_PER_MS !== 0) {
      out[i] = formatIsoUs(t);
      continue;
    }
    const d = Math.floor(ms / MS_PER_DAY);
    const inDay = ms - d * MS_PER_DAY;
    // (A time past toISOString's range, +-8.64e15 ms, is formatted whole: toISOString throws for it.)
    const time = d === day && Math.abs(ms) <= MAX_DATE_MS ? clock.get(inDay) : undefined;
    if (time !== undefined) {
      out[i] = date + time;
      continue;
    }
    const iso = new Date(ms).toISOString();
    const cut = iso.length - 14;
    if (d !== day) {
      day = d;
      date = iso.slice(0, cut);
    }
    if (!clock.has(inDay)) clock.set(inDay, iso.slice(cut));
    out[i] = iso;
  }
  return out;
}

const MS_PER_DAY = US_PER_DAY / US_PER_MS;
const MAX_DATE_MS = 8.64e15;

/** Parses a duration such as `90d`, `12h`, `30m`, `15s`, `250ms`, `10us` into microseconds. */
export function parseDurationUs(text: string, name = 'duration'): DurationUs {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h|d|w)\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`invalid '${name}': expected a number with a unit (us, ms, s, m, h, d, w), was ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const unit = { us: 1, ms: US_PER_MS, s: US_PER_SECOND, m: US_PER_MINUTE, h: US_PER_HOUR, d: US_PER_DAY, w: 7 * US_PER_DAY }[
    m[2] as 'us' | 'ms' | 's' | 'm' | 'h' | 'd' | 'w'
  ];
  return durationUs(Math.round(n * unit), name);
}

/** Returns the UTC midnight at or before `ts`. */
export function utcDayStart(ts: number): TimestampUs {
  return (Math.floor(ts / US_PER_DAY) * US_PER_DAY) as TimestampUs;
}
