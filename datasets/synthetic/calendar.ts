import { US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, utcDayStart, type TimestampUs } from '../../engine/core/index.js';

/**
 * The synthetic trading calendar: every weekday is a trading day (no holidays); the session runs
 * 09:30-16:00 with exchange time written as UTC. The price path moves in 15-second steps within the
 * session and by one overnight gap between sessions.
 */
export const SESSION_OPEN_US = 9 * US_PER_HOUR + 30 * US_PER_MINUTE;
export const SESSION_CLOSE_US = 16 * US_PER_HOUR;
export const STEP_US = 15 * US_PER_SECOND;
/** Path steps per session (6.5 h of 15 s). */
export const STEPS_PER_SESSION = (SESSION_CLOSE_US - SESSION_OPEN_US) / STEP_US;

/** Returns the first `count` weekdays at or after `start`, as UTC midnights. */
export function tradingDays(start: number, count: number): Float64Array {
  const days = new Float64Array(count);
  let t = utcDayStart(start) as number;
  for (let i = 0; i < count; ) {
    // 1970-01-01 was a Thursday: day index 0 -> weekday 4 (0 = Sunday).
    const weekday = (Math.floor(t / US_PER_DAY) + 4) % 7;
    if (weekday !== 0 && weekday !== 6) days[i++] = t;
    t += US_PER_DAY;
  }
  return days;
}

/** Returns the third Friday 16:00 of the month containing `ts` (a monthly option expiry). */
export function thirdFridayClose(year: number, month: number): TimestampUs {
  const first = Date.UTC(year, month, 1) * 1000;
  const weekday = (Math.floor(first / US_PER_DAY) + 4) % 7;
  const firstFriday = 1 + ((5 - weekday + 7) % 7);
  return (first + (firstFriday + 14 - 1) * US_PER_DAY + SESSION_CLOSE_US) as TimestampUs;
}

/** Returns the next `count` monthly expiries strictly after `ts`. */
export function monthlyExpiriesAfter(ts: number, count: number): TimestampUs[] {
  const d = new Date(Math.floor(ts / 1000));
  let year = d.getUTCFullYear();
  let month = d.getUTCMonth();
  const out: TimestampUs[] = [];
  while (out.length < count) {
    const e = thirdFridayClose(year, month);
    if (e > ts) out.push(e);
    month++;
    if (month === 12) {
      month = 0;
      year++;
    }
  }
  return out;
}
