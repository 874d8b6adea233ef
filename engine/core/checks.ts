import { InvalidArgumentError } from './errors.js';
import { printable } from './printable.js';

/**
 * Argument checks. Each throws InvalidArgumentError naming the parameter and the value, e.g.
 * `invalid quantity 'qty': not positive, was -1`.
 */
function fail(name: string, what: string, value: unknown): never {
  throw new InvalidArgumentError(`invalid '${name}': ${what}, was ${shownValue(value)}`);
}

/**
 * A value as messages show it: strings and objects as JSON (an object is not `[object Object]`),
 * cut to 80 characters, control characters escaped; anything else as String() does.
 */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 80 ? printable(value) : JSON.stringify(value);
  if (value !== null && typeof value === 'object') {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    if (json === undefined) return Array.isArray(value) ? 'an array' : 'an object';
    return json.length > 80 ? `${json.slice(0, 80)}... (${json.length - 80} more characters)` : json;
  }
  return String(value);
}

export function checkFinite(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, 'not a finite number', value);
  return value;
}

export function checkPositive(value: number, name: string): number {
  checkFinite(value, name);
  if (!(value > 0)) fail(name, 'not positive', value);
  return value;
}

export function checkNonNegative(value: number, name: string): number {
  checkFinite(value, name);
  if (!(value >= 0)) fail(name, 'negative', value);
  return value;
}

export function checkInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value)) fail(name, 'not a safe integer', value);
  return value;
}

export function checkPositiveInteger(value: number, name: string): number {
  checkInteger(value, name);
  if (value <= 0) fail(name, 'not a positive integer', value);
  return value;
}

/**
 * The longest indicator or strategy period (in bars, ticks or book updates) Tapedeck accepts:
 * 10 million, far beyond any real warm-up (40,000 years of daily bars, 19 years of minute bars),
 * and small enough that the period's window buffer (8 bytes a slot) is a plain allocation rather
 * than an "Invalid typed array length" or an out-of-memory abort. A run also refuses a period
 * longer than its data (see the run's warm-up check).
 */
export const MAX_PERIOD = 10_000_000;

/** Checks a period (a window length): a positive integer of at most {@link MAX_PERIOD}. */
export function checkPeriod(value: number, name: string): number {
  checkPositiveInteger(value, name);
  if (value > MAX_PERIOD) fail(name, `above the longest period Tapedeck accepts (at most ${MAX_PERIOD})`, value);
  return value;
}

export function checkInRange(value: number, min: number, max: number, name: string): number {
  checkFinite(value, name);
  if (value < min || value > max) fail(name, `outside [${min}, ${max}]`, value);
  return value;
}

export function checkNonEmptyString(value: string, name: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(name, 'not a non-empty string', value);
  return value;
}

export function checkOneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if (!(allowed as readonly string[]).includes(value)) fail(name, `not one of ${allowed.join(', ')}`, value);
  return value as T;
}

/** Throws when `condition` is false; for pre-conditions that are not about a single value. */
export function checkCondition(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvalidArgumentError(message);
}
