import type { Calendar } from '../core/calendar.js';
import { checkPositive } from '../core/checks.js';
import type { Symbol_ } from '../core/ids.js';

/** A cash instrument (equity, ETF, spot crypto, FX pair): one unit is one unit. */
export interface SpotInstrument {
  readonly kind: 'spot';
  readonly symbol: Symbol_;
  /** Smallest price increment. */
  readonly tickSize: number;
  /** Smallest quantity increment; 0 allows any fractional quantity. */
  readonly lotSize: number;
  readonly multiplier: 1;
}

/** A listed European option on an underlying. */
export interface OptionInstrument {
  readonly kind: 'option';
  readonly symbol: Symbol_;
  readonly underlying: Symbol_;
  /** Expiry, microseconds. */
  readonly expiry: number;
  readonly strike: number;
  readonly right: 'call' | 'put';
  readonly tickSize: number;
  readonly lotSize: number;
  /** Units of the underlying per contract (100 for US equity options). */
  readonly multiplier: number;
}

export type Instrument = SpotInstrument | OptionInstrument;

/** Returns a spot instrument; `lotSize` 1 trades whole units, 0 fractional ones. */
export function spotInstrument(symbol: Symbol_, opts: { tickSize?: number; lotSize?: number } = {}): SpotInstrument {
  const tickSize = checkPositive(opts.tickSize ?? 0.01, 'tickSize');
  const lotSize = opts.lotSize ?? 0;
  if (lotSize !== 0) checkPositive(lotSize, 'lotSize');
  return { kind: 'spot', symbol, tickSize, lotSize, multiplier: 1 };
}

/** Rounds a quantity toward zero to the instrument's lot size (no-op for fractional instruments). */
export function roundToLot(qty: number, lotSize: number): number {
  if (lotSize <= 0) return qty;
  const lots = Math.trunc(qty / lotSize + 1e-9 * Math.sign(qty));
  // 15 significant digits drop the float residue of the product (3 x 0.1 is 0.3, not 0.30000000000000004).
  return lots === 0 ? 0 : Number((lots * lotSize).toPrecision(15));
}

/** The asset classes an instrument spec can name. */
export type AssetClass = 'equity' | 'fx' | 'crypto' | 'future' | 'option';

/**
 * What the account and the venue need to know about one traded symbol (the scenario's
 * `instruments` section or file, resolved per run symbol).
 */
export interface InstrumentSpec {
  readonly symbol: string;
  readonly assetClass: AssetClass;
  /** Currency value of a one-point price move per unit (a future's point value; 1 for spot). */
  readonly multiplier: number;
  /** Smallest price increment; 0 accepts any price. */
  readonly tickSize: number;
  /** Smallest quantity increment; 0 allows any fractional quantity. */
  readonly lotSize: number;
  /** Currency the instrument is priced and settled in (the account currency: no FX conversion exists). */
  readonly currency: string;
  /** Initial margin in currency per unit/contract; null when the account's rule applies. */
  readonly initialMargin: number | null;
  /** Maintenance margin in currency per unit/contract; null when the account's rule applies. */
  readonly maintenanceMargin: number | null;
  /**
   * The instrument's trading session (absent: it trades whenever the run's data has a price). The
   * bar/L1 venue fills its orders only inside it and expires its DAY orders at its session close
   * (sim/venue/simulated-venue.ts).
   */
  readonly session?: Calendar;
}

/** True for instruments settled by variation margin (cash moves by P&L only, no notional). */
export function isFuture(spec: InstrumentSpec | null | undefined): boolean {
  return spec?.assetClass === 'future';
}
