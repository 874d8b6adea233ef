import { US_PER_DAY, US_PER_HOUR, US_PER_MINUTE } from '../../engine/core/index.js';

/** What a null metric reads as in a report: undefined for the data, never zero. */
export const NOT_AVAILABLE = 'n/a';

/** Returns a fraction as a percentage with `digits` decimals (0.0123 -> "1.23%"), or "n/a" for null or non-finite. */
export function formatPercent(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NOT_AVAILABLE;
  return `${noNegativeZero((x * 100).toFixed(digits))}%`;
}

/** Returns a plain number with `digits` decimals, or "n/a" for null or non-finite. */
export function formatNumber(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NOT_AVAILABLE;
  return noNegativeZero(x.toFixed(digits));
}

/** Drops the sign of a value that rounds to zero ("-0.00" reads as a loss that is not there). */
function noNegativeZero(text: string): string {
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** Returns an amount of money with thousands separators and two decimals (1234567.8 -> "1,234,567.80"), or "n/a". */
export function formatMoney(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NOT_AVAILABLE;
  const abs = Math.abs(x).toFixed(digits);
  const sign = x < 0 && /[1-9]/.test(abs) ? '-' : '';
  const [int, frac] = abs.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${frac}`;
}

/** Returns an integer count with thousands separators, or "n/a". */
export function formatCount(x: number | null | undefined): string {
  return formatMoney(x, 0);
}

/**
 * Returns a duration in microseconds in the largest unit that keeps it readable ("283.0 d",
 * "4.5 h", "12 min", "350 us"), or "n/a".
 */
export function formatDurationUs(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return NOT_AVAILABLE;
  const a = Math.abs(us);
  if (a >= US_PER_DAY) return `${(us / US_PER_DAY).toFixed(1)} d`;
  if (a >= US_PER_HOUR) return `${(us / US_PER_HOUR).toFixed(1)} h`;
  if (a >= US_PER_MINUTE) return `${(us / US_PER_MINUTE).toFixed(1)} min`;
  if (a >= 1_000_000) return `${(us / 1_000_000).toFixed(1)} s`;
  return `${us} us`;
}

/** Returns an ISO timestamp shortened for tables: the date alone at midnight UTC, else date and time to the second. */
export function shortTime(iso: string): string {
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.replace('T', ' ').replace(/\.000Z$/, 'Z');
}
