import { assertNever, checkFinite, checkPositive } from '../core/index.js';
import type { BarSeries } from './context.js';
import { failParam } from './strategy-params.js';

/**
 * How many units a strategy holds when it takes a position (scenario `params.sizing`):
 * - `units`: a fixed number of units.
 * - `equity_fraction`: `fraction x equity / (price x multiplier)` units at the decision.
 * - `risk`: risk `fraction` of equity on the trade: `fraction x equity / (stop distance x
 *   multiplier)`, the stop distance being `stopPct x price` or `stopAtr x ATR(atrPeriod)` (Wilder's
 *   ATR, as the `Atr` indicator). Only for strategies that place that protective stop (they pass
 *   `placesStops` to {@link checkSizing}); refused for the others.
 * - `volatility_target`: `targetAnnualVol x equity / (price x vol x multiplier)`, where `vol` is the
 *   realized volatility of the last `lookback` close-to-close log returns (sample standard
 *   deviation x sqrt(periodsPerYear)), capped at `maxLeverage x equity / (price x multiplier)`.
 *   No position until `lookback + 1` bars are in view.
 * Quantities are floored to whole units unless the strategy's `fractional` is true.
 */
export type PositionSizing =
  | { readonly kind: 'units'; readonly units: number }
  | { readonly kind: 'equity_fraction'; readonly fraction: number }
  | RiskSizing
  | VolatilityTargetSizing;

/** `risk` sizing: exactly one of `stopPct` and `stopAtr` is set (the other is null). */
export interface RiskSizing {
  readonly kind: 'risk';
  /** Fraction of equity lost if the stop is hit, in (0, 1]. */
  readonly fraction: number;
  /** Stop distance as a fraction of the entry price, in (0, 1); null when `stopAtr` is used. */
  readonly stopPct: number | null;
  /** Stop distance as a multiple of ATR(`atrPeriod`); null when `stopPct` is used. */
  readonly stopAtr: number | null;
  /** ATR period in bars (14) with `stopAtr`; null with `stopPct`. */
  readonly atrPeriod: number | null;
}

/** `volatility_target` sizing. */
export interface VolatilityTargetSizing {
  readonly kind: 'volatility_target';
  /** Annualized volatility the position aims at (0.1 = 10%), > 0. */
  readonly targetAnnualVol: number;
  /** Close-to-close returns the realized volatility is measured over, >= 2 (20). */
  readonly lookback: number;
  /** Cap on the position's notional over equity, > 0 (1). */
  readonly maxLeverage: number;
  /** Bars per year that annualize the volatility (252, daily bars). */
  readonly periodsPerYear: number;
}

/** Every sizing kind, in the order messages list them. */
export const SIZING_KINDS = ['units', 'equity_fraction', 'risk', 'volatility_target'] as const satisfies readonly PositionSizing['kind'][];

/** What {@link checkSizing} needs to know of the strategy. */
export interface SizingSupport {
  /**
   * True when the strategy places the protective stop `risk` sizing assumes (at the stop distance
   * from its entry); without it `risk` is refused.
   */
  readonly placesStops?: boolean;
  /** The strategy's name for messages (e.g. `rsi_reversion`). */
  readonly strategy?: string;
}

function onlyKeys(s: Record<string, unknown>, name: string, kind: string, keys: readonly string[]): void {
  for (const key of Object.keys(s)) if (key !== 'kind' && !keys.includes(key)) failParam(`${name}.${key}`, `unknown field of ${kind} sizing (known: ${keys.join(', ')})`, s[key]);
}

function fractionIn01(v: unknown, path: string): number {
  const f = checkPositive(v as number, path);
  if (f > 1) failParam(path, 'outside (0, 1]', f);
  return f;
}

function wholeAtLeast(v: unknown, min: number, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) failParam(path, `not a whole number >= ${min}`, v);
  return v;
}

/**
 * Returns a frozen copy of `sizing` after checking it (see {@link PositionSizing}): units positive
 * (and whole unless `fractional`), fractions in (0, 1], stop distances and volatilities positive,
 * periods whole. `risk` is refused unless `support.placesStops`. Errors name `sizing.<field>` and
 * the value.
 */
export function checkSizing(sizing: unknown, fractional: boolean, name = 'sizing', support: SizingSupport = {}): PositionSizing {
  if (sizing === null || typeof sizing !== 'object' || Array.isArray(sizing)) {
    failParam(name, `expected an object { kind, ... } with kind one of ${SIZING_KINDS.join(', ')}`, sizing);
  }
  const s = sizing as Record<string, unknown>;
  const kind = s['kind'];
  switch (kind) {
    case 'units': {
      onlyKeys(s, name, kind, ['units']);
      const units = checkPositive(s['units'] as number, `${name}.units`);
      if (!fractional && !Number.isInteger(units)) failParam(`${name}.units`, 'not a whole number of units (fractional is false)', units);
      return Object.freeze({ kind, units });
    }
    case 'equity_fraction':
      onlyKeys(s, name, kind, ['fraction']);
      return Object.freeze({ kind, fraction: fractionIn01(s['fraction'], `${name}.fraction`) });
    case 'risk': {
      if (support.placesStops !== true) {
        failParam(
          `${name}.kind`,
          `risk sizing assumes a protective stop at the stop distance, which ${support.strategy ?? 'this strategy'} does not place (use units, equity_fraction or volatility_target)`,
          kind,
        );
      }
      onlyKeys(s, name, kind, ['fraction', 'stopPct', 'stopAtr', 'atrPeriod']);
      const fraction = fractionIn01(s['fraction'], `${name}.fraction`);
      // null is "not given": a qualified sizing (which holds nulls) passes through unchanged.
      const given = (k: string): boolean => s[k] !== undefined && s[k] !== null;
      const hasPct = given('stopPct');
      const hasAtr = given('stopAtr');
      if (hasPct === hasAtr) failParam(`${name}.stopPct`, 'give exactly one of stopPct (a fraction of the price) and stopAtr (a multiple of the ATR)', hasPct ? s['stopPct'] : undefined);
      if (!hasAtr && given('atrPeriod')) failParam(`${name}.atrPeriod`, 'only with stopAtr', s['atrPeriod']);
      const stopPct = hasPct ? checkPositive(s['stopPct'] as number, `${name}.stopPct`) : null;
      if (stopPct !== null && stopPct >= 1) failParam(`${name}.stopPct`, 'outside (0, 1)', stopPct);
      const stopAtr = hasAtr ? checkPositive(s['stopAtr'] as number, `${name}.stopAtr`) : null;
      const atrPeriod = !hasAtr ? null : given('atrPeriod') ? wholeAtLeast(s['atrPeriod'], 1, `${name}.atrPeriod`) : 14;
      return Object.freeze({ kind, fraction, stopPct, stopAtr, atrPeriod });
    }
    case 'volatility_target': {
      onlyKeys(s, name, kind, ['targetAnnualVol', 'lookback', 'maxLeverage', 'periodsPerYear']);
      const targetAnnualVol = checkPositive(s['targetAnnualVol'] as number, `${name}.targetAnnualVol`);
      const lookback = s['lookback'] === undefined ? 20 : wholeAtLeast(s['lookback'], 2, `${name}.lookback`);
      const maxLeverage = s['maxLeverage'] === undefined ? 1 : checkPositive(s['maxLeverage'] as number, `${name}.maxLeverage`);
      const periodsPerYear = s['periodsPerYear'] === undefined ? 252 : checkPositive(s['periodsPerYear'] as number, `${name}.periodsPerYear`);
      return Object.freeze({ kind, targetAnnualVol, lookback, maxLeverage, periodsPerYear });
    }
    default:
      return failParam(`${name}.kind`, `not one of ${SIZING_KINDS.join(', ')}`, kind);
  }
}

/**
 * The bars a sizing needs in view before it can size a position (`volatility_target`: lookback + 1
 * closes; `risk` with `stopAtr`: atrPeriod + 1 bars for the ATR), else 0.
 */
export function sizingWarmupBars(sizing: PositionSizing): number {
  if (sizing.kind === 'volatility_target') return sizing.lookback + 1;
  if (sizing.kind === 'risk' && sizing.atrPeriod !== null) return sizing.atrPeriod + 1;
  return 0;
}

/**
 * The realized annualized volatility of `bars` over its last `lookback` close-to-close log returns
 * (sample standard deviation x sqrt(periodsPerYear)); NaN while fewer than lookback + 1 bars are in view.
 */
export function realizedVolatility(bars: BarSeries, lookback: number, periodsPerYear: number): number {
  if (bars.length < lookback + 1) return Number.NaN;
  let sum = 0;
  let sumSq = 0;
  for (let ago = 0; ago < lookback; ago++) {
    const r = Math.log(bars.close(ago) / bars.close(ago + 1));
    sum += r;
    sumSq += r * r;
  }
  const mean = sum / lookback;
  const variance = Math.max(0, (sumSq - lookback * mean * mean) / (lookback - 1));
  return Math.sqrt(variance * periodsPerYear);
}

/**
 * The stop distance (price units) of `risk` sizing at entry price `price`: `stopPct x price`, or
 * `stopAtr x atr` (NaN while the ATR is not ready).
 */
export function stopDistance(sizing: RiskSizing, price: number, atr: number): number {
  return sizing.stopPct !== null ? sizing.stopPct * price : sizing.stopAtr! * atr;
}

/**
 * Returns the unsigned position size in units for a position taken at `price` with account
 * `equity` (see {@link PositionSizing}), floored to whole units unless `fractional`. Returns 0 when
 * equity is not positive, and while what the kind needs is not there yet: `risk` without a finite
 * positive `stop` distance (the ATR warming up), `volatility_target` with fewer than lookback + 1
 * `bars`. `multiplier` is the instrument's point value (1 for cash instruments).
 */
export function positionSize(
  sizing: PositionSizing,
  fractional: boolean,
  equity: number,
  price: number,
  bars: BarSeries | null = null,
  stop = Number.NaN,
  multiplier = 1,
): number {
  if (sizing.kind === 'units') return sizing.units;
  checkFinite(equity, 'equity');
  checkPositive(price, 'price');
  if (!(equity > 0)) return 0;
  let units: number;
  switch (sizing.kind) {
    case 'equity_fraction':
      units = (sizing.fraction * equity) / (price * multiplier);
      break;
    case 'risk':
      if (!(stop > 0) || !Number.isFinite(stop)) return 0;
      units = (sizing.fraction * equity) / (stop * multiplier);
      break;
    case 'volatility_target': {
      const vol = bars === null ? Number.NaN : realizedVolatility(bars, sizing.lookback, sizing.periodsPerYear);
      if (!(vol >= 0)) return 0;
      const cap = (sizing.maxLeverage * equity) / (price * multiplier);
      units = vol > 0 ? Math.min(cap, (sizing.targetAnnualVol * equity) / (price * vol * multiplier)) : cap;
      break;
    }
    default:
      return assertNever(sizing, 'sizing');
  }
  return fractional ? units : Math.floor(units);
}
