import { assertNever, checkFinite, checkPositive } from '../core/index.js';
import { failParam } from './strategy-params.js';

/**
 * How many units a strategy holds when it takes a position.
 * `units`: a fixed number of units. `equity_fraction`: `fraction x equity / close` units at the
 * decision (floored to whole units unless fractional units are allowed).
 */
export type PositionSizing =
  | { readonly kind: 'units'; readonly units: number }
  | { readonly kind: 'equity_fraction'; readonly fraction: number };

/**
 * Returns a frozen copy of `sizing` after checking it: units positive (and whole unless
 * `fractional`), fraction in (0, 1]. Errors name `sizing.<field>` and the value.
 */
export function checkSizing(sizing: unknown, fractional: boolean, name = 'sizing'): PositionSizing {
  if (sizing === null || typeof sizing !== 'object' || Array.isArray(sizing)) {
    failParam(name, "expected { kind: 'units', units } or { kind: 'equity_fraction', fraction }", sizing);
  }
  const s = sizing as Record<string, unknown>;
  const kind = s['kind'];
  if (kind === 'units') {
    for (const key of Object.keys(s)) if (key !== 'kind' && key !== 'units') failParam(`${name}.${key}`, 'unknown field of units sizing', s[key]);
    const units = checkPositive(s['units'] as number, `${name}.units`);
    if (!fractional && !Number.isInteger(units)) failParam(`${name}.units`, 'not a whole number of units (fractional is false)', units);
    return Object.freeze({ kind, units });
  }
  if (kind === 'equity_fraction') {
    for (const key of Object.keys(s)) if (key !== 'kind' && key !== 'fraction') failParam(`${name}.${key}`, 'unknown field of equity_fraction sizing', s[key]);
    const fraction = checkPositive(s['fraction'] as number, `${name}.fraction`);
    if (fraction > 1) failParam(`${name}.fraction`, 'outside (0, 1]', fraction);
    return Object.freeze({ kind, fraction });
  }
  return failParam(`${name}.kind`, "not one of units, equity_fraction", kind);
}

/**
 * Returns the unsigned position size in units for a position taken at `price` with account
 * `equity`: the fixed units, or `fraction x equity / price` floored to whole units unless
 * `fractional`. Returns 0 when equity is not positive.
 */
export function positionSize(sizing: PositionSizing, fractional: boolean, equity: number, price: number): number {
  switch (sizing.kind) {
    case 'units':
      return sizing.units;
    case 'equity_fraction': {
      checkFinite(equity, 'equity');
      checkPositive(price, 'price');
      if (!(equity > 0)) return 0;
      const units = (sizing.fraction * equity) / price;
      return fractional ? units : Math.floor(units);
    }
    default:
      return assertNever(sizing, 'sizing');
  }
}
