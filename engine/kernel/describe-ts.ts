import { formatIsoUs } from '../core/index.js';

/** Largest |ms| a JS Date can represent; formatting beyond it would throw inside an error message. */
const MAX_DATE_MS = 8.64e15;

/** Returns a timestamp for an error message: the raw microseconds, plus ISO-8601 when representable. */
export function describeTs(ts: number): string {
  if (!Number.isFinite(ts) || Math.abs(ts / 1000) > MAX_DATE_MS) return String(ts);
  return `${ts} (${formatIsoUs(ts)})`;
}
