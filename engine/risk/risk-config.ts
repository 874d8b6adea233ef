import { ConfigError } from '../core/index.js';
import { RiskSchema } from './risk-schema.js';

/**
 * Pre-trade risk limits. Every limit is optional; an absent limit is not checked. Units are in the
 * names: `Units` are instrument units, `Notional` and `dailyLossLimit` are account currency,
 * `Ratio` is a multiple of equity and `maxDrawdown` a fraction of the equity peak.
 *
 * A limit that an order would exceed denies the whole order (it is never clipped): a clipped order
 * would silently change the strategy's intent, whereas a denial is an explicit, recorded event.
 */
export interface RiskConfig {
  /** Largest absolute position in any one symbol, units (worst case: position plus working orders on the same side). */
  readonly maxPositionUnits?: number;
  /** Largest absolute position value in any one symbol, currency (units x the order's reference price). */
  readonly maxPositionNotional?: number;
  /** Largest gross exposure (sum over symbols of |position| x price) as a multiple of equity, e.g. 1.0 or 2.0. */
  readonly maxGrossExposureRatio?: number;
  /** Largest gross exposure (sum over symbols of |position| x price), currency. */
  readonly maxGrossExposureNotional?: number;
  /** Largest number of symbols with a non-zero position (or a working order that may open one). */
  readonly maxOpenPositions?: number;
  /** Symbols that may be traded; absent means any symbol. */
  readonly allowedSymbols?: readonly string[];
  /** Largest single order, units. */
  readonly maxOrderUnits?: number;
  /** Largest single order value (qty x reference price), currency. */
  readonly maxOrderNotional?: number;
  /**
   * Loss from the equity at the start of the UTC day, currency, at which new risk halts until the
   * next UTC day.
   */
  readonly dailyLossLimit?: number;
  /**
   * Drawdown from the equity peak, a fraction in (0, 1), at which a circuit breaker halts new risk
   * for the rest of the run (or for `drawdownResetAfterUs`).
   */
  readonly maxDrawdown?: number;
  /**
   * When set, a drawdown halt lifts after this many microseconds and the peak restarts from the
   * equity at that moment (otherwise the breaker would trip again at once). Requires `maxDrawdown`.
   */
  readonly drawdownResetAfterUs?: number;
  /**
   * When true (the default), an order that only reduces |position| (it cannot cross zero even if
   * every working order on its side fills) passes every check, halts included. When false,
   * reducing orders go through every check like any other order.
   */
  readonly reducingAlwaysAllowed?: boolean;
  /**
   * Largest absolute net delta per underlying, in underlying units (option deltas x multiplier x
   * contracts, plus the underlying position), counting working orders as filled. Greek limits need the
   * account's option Greeks (runs with option chains); an order that does not increase the absolute
   * net Greek always passes its limit, and Greek limits apply to reducing orders too.
   */
  readonly maxNetDelta?: number;
  /** Largest absolute net gamma per underlying (delta change per unit move of the underlying). */
  readonly maxNetGamma?: number;
  /** Largest absolute net vega per underlying, currency per 1.00 change of volatility. */
  readonly maxNetVega?: number;
}

/** A validated, frozen RiskConfig with its defaults applied. */
export type QualifiedRiskConfig = Readonly<RiskConfig & { readonly reducingAlwaysAllowed: boolean }>;

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * Returns a frozen copy of `config` with defaults applied, or throws a ConfigError whose path names
 * the offending field under `path` (e.g. `risk.maxDrawdown`). Each field's type and range is
 * {@link RiskSchema}'s (unknown keys, non-finite or non-positive limits, a non-integer
 * `maxOpenPositions`, a `maxDrawdown` outside (0, 1), an empty `allowedSymbols`); this adds what
 * spans fields or elements: a `drawdownResetAfterUs` without `maxDrawdown`, a duplicated symbol.
 * A `maxOrderUnits` above `maxPositionUnits` is allowed (the position check is the binding one).
 */
export function validateRiskConfig(config: RiskConfig, path = 'risk'): QualifiedRiskConfig {
  const at = (field: string): string => (path ? `${path}.${field}` : field);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError(path, `expected an object of risk limits, was ${shown(config)}`);
  }
  const parsed = RiskSchema.safeParse(config, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
    if (issue.code === 'unrecognized_keys') {
      throw new ConfigError(at(issue.keys[0]!), issue.message);
    }
    throw new ConfigError(`${path}${path ? where : where.replace(/^\./, '')}`, issue.message);
  }
  const c = parsed.data;
  if (c.drawdownResetAfterUs !== undefined && c.maxDrawdown === undefined) {
    throw new ConfigError(at('drawdownResetAfterUs'), 'is set but maxDrawdown is not: there is no drawdown halt to reset');
  }
  const allowed = c.allowedSymbols;
  if (allowed !== undefined) {
    const seen = new Set<string>();
    allowed.forEach((s, i) => {
      if (seen.has(s)) throw new ConfigError(`${at('allowedSymbols')}[${i}]`, `duplicate symbol ${JSON.stringify(s)}`);
      seen.add(s);
    });
  }
  return Object.freeze({
    ...c,
    ...(allowed !== undefined ? { allowedSymbols: Object.freeze([...allowed]) } : {}),
    reducingAlwaysAllowed: c.reducingAlwaysAllowed ?? true,
  });
}

/**
 * Returns the limits in force as sentences, in a fixed order, for the report's assumptions (an
 * empty config gives one sentence saying no limit applies).
 */
export function describeRiskConfig(config: QualifiedRiskConfig, day = 'UTC day'): string[] {
  const out: string[] = [];
  const c = config;
  if (c.allowedSymbols !== undefined) out.push(`Only these symbols may trade: ${c.allowedSymbols.join(', ')}.`);
  if (c.maxOrderUnits !== undefined) out.push(`No single order may exceed ${c.maxOrderUnits} units.`);
  if (c.maxOrderNotional !== undefined) out.push(`No single order may be worth more than ${c.maxOrderNotional} (quantity x reference price).`);
  if (c.maxPositionUnits !== undefined) {
    out.push(`No position may exceed ${c.maxPositionUnits} units in absolute value, counting working orders on the same side as filled.`);
  }
  if (c.maxPositionNotional !== undefined) out.push(`No position may be worth more than ${c.maxPositionNotional} at the order's reference price.`);
  if (c.maxOpenPositions !== undefined) out.push(`At most ${c.maxOpenPositions} symbols may hold a position (or a working order) at once.`);
  if (c.maxGrossExposureNotional !== undefined) out.push(`Gross exposure (sum of |position| x price) may not exceed ${c.maxGrossExposureNotional}.`);
  if (c.maxGrossExposureRatio !== undefined) out.push(`Gross exposure may not exceed ${c.maxGrossExposureRatio} x equity.`);
  if (c.dailyLossLimit !== undefined) {
    out.push(`A loss of ${c.dailyLossLimit} from the equity at the start of the ${day} halts new risk until the next ${day}.`);
  }
  if (c.maxDrawdown !== undefined) {
    out.push(
      `A drawdown of ${c.maxDrawdown * 100}% from the equity peak halts new risk ` +
        (c.drawdownResetAfterUs !== undefined ? `for ${c.drawdownResetAfterUs} us, after which the peak restarts.` : 'for the rest of the run.'),
    );
  }
  const greeks = (['maxNetDelta', 'maxNetGamma', 'maxNetVega'] as const).filter((f) => c[f] !== undefined);
  if (greeks.length > 0) {
    out.push(
      `Net option Greeks per underlying may not exceed ${greeks.map((f) => `|${f.slice(6).toLowerCase()}| ${c[f]}`).join(', ')} (Black-Scholes-Merton Greeks x multiplier x contracts plus the underlying position; working orders count as filled; an order that does not increase an absolute Greek always passes, reducing orders included).`,
    );
  }
  if (out.length === 0) return ['No pre-trade risk limit applies.'];
  out.push(
    c.reducingAlwaysAllowed
      ? 'Orders that only reduce a position always pass, even while new risk is halted. An order that breaks a limit is denied whole, never clipped.'
      : 'Orders that only reduce a position are checked like any other. An order that breaks a limit is denied whole, never clipped.',
  );
  return out;
}
