import { checkInteger, checkNonNegative, checkOneOf, checkPositive, InvalidArgumentError } from '../../engine/core/index.js';
import type { FeeConfig } from './fee-model.js';
import { createFeeModel } from './fee-model.js';
import type { SlippageConfig } from './slippage-model.js';
import { createSlippageModel } from './slippage-model.js';

/** Where market orders fill on bar data: the next bar's open (default) or the current bar's close. */
export type MarketFill = 'next_open' | 'close';
export const MARKET_FILLS = ['next_open', 'close'] as const;

/**
 * The order in which a bar's prices are assumed to have traded, for stops and limits:
 * - `ohlc`: open -> high -> low -> close.
 * - `olhc`: open -> low -> high -> close.
 * - `nearest`: the extreme nearer to the open is visited first (ties: high first), as backtrader does.
 * - `worst`: per order, the path least favourable to it. Buy orders assume open -> high -> low -> close,
 *   sell orders open -> low -> high -> close: the price moves in the order's direction first, so a
 *   limit (which waits for the price to come against the trader's direction) fills as late as possible
 *   and a stop triggers as early as possible, and after a stop or stop-limit fills the rest of the bar
 *   moves against the new position. For two exits of a long position in one bar (a sell stop below and
 *   a sell limit above), the stop-loss fills first; likewise for a short position's buy exits.
 */
export type IntrabarPath = 'ohlc' | 'olhc' | 'worst' | 'nearest';
export const INTRABAR_PATHS = ['ohlc', 'olhc', 'worst', 'nearest'] as const;

/**
 * When a resting limit order fills: `touch` (default) as soon as the price reaches the limit
 * (buy: low <= limit), `through` only when the price trades beyond it (buy: low < limit), a
 * conservative proxy for queue position at the limit price.
 */
export type LimitFill = 'touch' | 'through';
export const LIMIT_FILLS = ['touch', 'through'] as const;

/** Frozen, fully qualified venue configuration. Build it with {@link venueConfig}. */
export interface VenueConfig {
  readonly marketFill: MarketFill;
  readonly intrabarPath: IntrabarPath;
  readonly limitFill: LimitFill;
  /** Bar length in microseconds; needed to time-stamp fills at a bar's close. Null when unknown. */
  readonly barIntervalUs: number | null;
  readonly slippage: SlippageConfig;
  readonly fees: FeeConfig;
  /** Smallest quantity increment; 0 accepts any positive quantity. */
  readonly lotSize: number;
  /** Smallest price increment, checked when `enforceTickSize`. */
  readonly tickSize: number;
  /** Reject limit and stop prices that are not on the `tickSize` grid. */
  readonly enforceTickSize: boolean;
}

/** User-facing venue configuration: every field optional, defaults applied by {@link venueConfig}. */
export type VenueConfigInput = { readonly [K in keyof VenueConfig]?: VenueConfig[K] };

export const DEFAULT_VENUE_CONFIG: VenueConfig = Object.freeze({
  marketFill: 'next_open',
  intrabarPath: 'ohlc',
  limitFill: 'touch',
  barIntervalUs: null,
  slippage: Object.freeze({ kind: 'none' }),
  fees: Object.freeze({ kind: 'none' }),
  lotSize: 0,
  tickSize: 0.01,
  enforceTickSize: false,
} as const);

const KEYS = Object.keys(DEFAULT_VENUE_CONFIG);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Returns a frozen, validated venue configuration with every default applied. Unknown keys and
 * invalid values throw InvalidArgumentError naming the field (prefixed by `path`) and the value.
 */
export function venueConfig(input: VenueConfigInput = {}, path = 'venue'): VenueConfig {
  for (const key of Object.keys(input)) {
    if (!KEYS.includes(key)) throw new InvalidArgumentError(`invalid '${path}.${key}': unknown key (allowed: ${KEYS.join(', ')})`);
  }
  const d = DEFAULT_VENUE_CONFIG;
  const marketFill = checkOneOf(input.marketFill ?? d.marketFill, MARKET_FILLS, `${path}.marketFill`);
  const intrabarPath = checkOneOf(input.intrabarPath ?? d.intrabarPath, INTRABAR_PATHS, `${path}.intrabarPath`);
  const limitFill = checkOneOf(input.limitFill ?? d.limitFill, LIMIT_FILLS, `${path}.limitFill`);
  const barIntervalUs = input.barIntervalUs ?? null;
  if (barIntervalUs !== null) checkPositive(checkInteger(barIntervalUs, `${path}.barIntervalUs`), `${path}.barIntervalUs`);
  if (marketFill === 'close' && barIntervalUs === null) {
    throw new InvalidArgumentError(`invalid '${path}.barIntervalUs': required when marketFill is 'close' (fills are stamped at the bar's close), was null`);
  }
  const slippage = structuredClone(input.slippage ?? d.slippage);
  const fees = structuredClone(input.fees ?? d.fees);
  createSlippageModel(slippage, `${path}.slippage`);
  createFeeModel(fees, `${path}.fees`);
  const lotSize = checkNonNegative(input.lotSize ?? d.lotSize, `${path}.lotSize`);
  const tickSize = checkPositive(input.tickSize ?? d.tickSize, `${path}.tickSize`);
  const enforceTickSize = input.enforceTickSize ?? d.enforceTickSize;
  if (typeof enforceTickSize !== 'boolean') throw new InvalidArgumentError(`invalid '${path}.enforceTickSize': not a boolean, was ${String(enforceTickSize)}`);
  return deepFreeze({ marketFill, intrabarPath, limitFill, barIntervalUs, slippage, fees, lotSize, tickSize, enforceTickSize });
}
