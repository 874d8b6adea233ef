import { z } from 'zod';

/** A value as the risk messages show it (strings quoted). */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** One zod rule with the risk section's own wording: `what, was VALUE` (every failure of the field reads the same). */
const says = (what: string) => ({ error: (iss: { input?: unknown }) => `${what}, was ${shown(iss.input)}` });

const positive = says('must be a positive finite number');
const limit = (text: string) => z.number(positive).finite(positive).positive(positive).optional().describe(text);
const positiveInt = says('must be a positive integer');

/**
 * The scenario's `risk` section as a zod schema (the fields of {@link RiskConfig}, with their
 * descriptions). Every limit is optional and an absent limit is not checked; `reducingAlwaysAllowed`
 * defaults to true (applied by `validateRiskConfig`). Its messages are the risk section's own
 * (`must be a positive finite number, was -5`), so a scenario and a programmatic RiskConfig are
 * refused in the same words. The rules across fields and elements (`drawdownResetAfterUs` needs
 * `maxDrawdown`, no duplicate in `allowedSymbols`) are `validateRiskConfig`'s.
 */
const RISK_FIELDS = {
  maxPositionUnits: limit('Largest absolute position in any one symbol, units (worst case: position plus working orders on the same side).'),
  maxPositionNotional: limit("Largest absolute position value in any one symbol, currency (units x the order's reference price)."),
  maxGrossExposureRatio: limit('Largest gross exposure (sum over symbols of |position| x price) as a multiple of equity, e.g. 1.0 or 2.0.'),
  maxGrossExposureNotional: limit('Largest gross exposure (sum over symbols of |position| x price), currency.'),
  maxOpenPositions: z.number(positiveInt).int(positiveInt).positive(positiveInt).optional().describe('Largest number of symbols with a non-zero position (or a working order that may open one).'),
  allowedSymbols: z
    .array(z.string(says('must be a non-empty string')).min(1, says('must be a non-empty string')), says('must be an array of symbols'))
    .min(1, { error: 'is empty, so no symbol could trade; omit it to allow every symbol' })
    .optional().describe('Symbols that may be traded; absent means any symbol.'),
  maxOrderUnits: limit('Largest single order, units.'),
  maxOrderNotional: limit('Largest single order value (qty x reference price), currency.'),
  dailyLossLimit: limit('Loss from the equity at the start of the UTC day, currency, at which new risk halts until the next UTC day.'),
  maxDrawdown: z.number(says('must be a fraction in (0, 1)')).gt(0, says('must be a fraction in (0, 1)')).lt(1, says('must be a fraction in (0, 1)')).optional().describe('Drawdown from the equity peak, a fraction in (0, 1), at which a circuit breaker halts new risk for the rest of the run (or for `drawdownResetAfterUs`).'),
  drawdownResetAfterUs: z
    .number(says('must be a positive integer number of microseconds'))
    .int(says('must be a positive integer number of microseconds'))
    .positive(says('must be a positive integer number of microseconds'))
    .optional()
    .describe('A drawdown halt lifts after this many microseconds and the peak restarts from the equity at that moment. Requires `maxDrawdown`.'),
  reducingAlwaysAllowed: z
    .boolean(says('must be true or false'))
    .optional()
    .meta({ default: true })
    .describe('When true, an order that only reduces |position| passes every check, halts included; when false, reducing orders go through every check.'),
  maxNetDelta: limit('Largest absolute net delta per underlying, in underlying units (option deltas x multiplier x contracts, plus the underlying position), counting working orders as filled. Runs with option chains.'),
  maxNetGamma: limit('Largest absolute net gamma per underlying (delta change per unit move of the underlying). Runs with option chains.'),
  maxNetVega: limit('Largest absolute net vega per underlying, currency per 1.00 change of volatility. Runs with option chains.'),
};

export const RiskSchema = z
  .strictObject(RISK_FIELDS, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown risk limit (known: ${Object.keys(RISK_FIELDS).join(', ')})` : undefined) })
  .describe('Pre-trade risk limits; an order that would exceed one is denied whole, never clipped. Every limit is optional.');
