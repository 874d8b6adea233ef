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

/**
 * Drops the sign of a value that rounds to zero ("-0.00" reads as a loss that is not there): text that is
 * "-0", "-0." or "-0.0...0". Read char by char, not by a regular expression: it runs for every number of
 * every table (a run's page formats ~20,000).
 */
function noNegativeZero(text: string): string {
  if (text.charCodeAt(0) !== MINUS || text.charCodeAt(1) !== ZERO) return text;
  if (text.length > 2) {
    if (text.charCodeAt(2) !== DOT) return text;
    for (let i = 3; i < text.length; i++) if (text.charCodeAt(i) !== ZERO) return text;
  }
  return text.slice(1);
}

const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** Returns an amount of money with thousands separators and two decimals (1234567.8 -> "1,234,567.80"), or "n/a". */
export function formatMoney(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NOT_AVAILABLE;
  const abs = Math.abs(x).toFixed(digits);
  const sign = x < 0 && hasNonZeroDigit(abs) ? '-' : '';
  const dot = abs.indexOf('.');
  const grouped = groupThousands(dot < 0 ? abs : abs.slice(0, dot));
  return dot < 0 ? `${sign}${grouped}` : `${sign}${grouped}.${abs.slice(dot + 1)}`;
}

/** Whether `text` has a digit 1 to 9 (the amount does not round to zero). */
function hasNonZeroDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > ZERO && c <= NINE) return true;
  }
  return false;
}

/**
 * Returns the integer part of an amount with a comma before each group of three digits from the right.
 * Digits alone (every amount below 1e21) are grouped in a loop; other text (toFixed's exponent form from
 * 1e21 up) keeps the regular expression that defines the grouping: a comma where three, six, ... digits
 * and then no digit follow, inside a run of digits.
 */
function groupThousands(int: string): string {
  const n = int.length;
  if (n <= 3) return int;
  for (let i = 0; i < n; i++) {
    const c = int.charCodeAt(i);
    if (c < ZERO || c > NINE) return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  const head = n % 3 || 3;
  let out = int.slice(0, head);
  for (let i = head; i < n; i += 3) out += `,${int.slice(i, i + 3)}`;
  return out;
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
  // The first 'T' becomes a space and a whole second's '.000Z' a 'Z' (by index: it runs for every row of a table).
  const t = iso.indexOf('T');
  const spaced = t < 0 ? iso : `${iso.slice(0, t)} ${iso.slice(t + 1)}`;
  return spaced.endsWith('.000Z') ? `${spaced.slice(0, -5)}Z` : spaced;
}
