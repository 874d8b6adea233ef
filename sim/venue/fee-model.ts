import { assertNever, checkNonNegative, InvalidArgumentError } from '../../engine/core/index.js';
import type { Liquidity } from '../../engine/model/index.js';

/**
 * Commission configuration, discriminated on `kind`. Rates are non-negative (no maker rebates).
 * `minimum` is a minimum commission per ORDER (not per fill): the total charged for one order is
 * `max(sum of the per-fill fees, minimum)`, see {@link commissionForFill}.
 */
export type FeeConfig =
  | { readonly kind: 'none' }
  /** `rate` is a fraction of traded notional: 0.002 = 0.2%. */
  | { readonly kind: 'fraction'; readonly rate: number; readonly makerRate?: number; readonly minimum?: number }
  /** `bps` basis points of traded notional: 20 = 0.2%. */
  | { readonly kind: 'bps'; readonly bps: number; readonly makerBps?: number; readonly minimum?: number }
  /** `perUnit` currency per unit traded. */
  | { readonly kind: 'per_unit'; readonly perUnit: number; readonly makerPerUnit?: number; readonly minimum?: number };

/** Computes the commission of one fill before the per-order minimum. */
export interface FeeModel {
  /** Returns the fee of `qty` units at `price` for the given liquidity, before any minimum. */
  fee(qty: number, price: number, liquidity: Liquidity): number;
  /** Minimum commission per order (0 when none). */
  readonly minimumPerOrder: number;
  /** Describes the model in words for the report's assumptions. */
  describe(): string;
}

class NoFees implements FeeModel {
  readonly minimumPerOrder = 0;
  fee(): number {
    return 0;
  }
  describe(): string {
    return 'Commission: none';
  }
}

/** A fee proportional to notional (`fraction`, `bps`) or to units (`per_unit`). */
class LinearFees implements FeeModel {
  constructor(
    private readonly takerRate: number,
    private readonly makerRate: number,
    private readonly perUnit: boolean,
    readonly minimumPerOrder: number,
    private readonly text: string,
  ) {}
  fee(qty: number, price: number, liquidity: Liquidity): number {
    const rate = liquidity === 'maker' ? this.makerRate : this.takerRate;
    return this.perUnit ? qty * rate : qty * price * rate;
  }
  describe(): string {
    return this.text;
  }
}

function pct(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(12))}%`;
}

function minimumText(minimum: number): string {
  return minimum > 0 ? `, with a minimum of ${minimum} per order (the order's total commission is max(sum of its fill fees, ${minimum}))` : '';
}

function optionalRate(value: number | undefined, name: string): number | null {
  return value === undefined ? null : checkNonNegative(value, name);
}

/** Returns the fee model for `config`, checking every rate; errors name the field and the value. */
export function createFeeModel(config: FeeConfig, path = 'fees'): FeeModel {
  switch (config.kind) {
    case 'none':
      return new NoFees();
    case 'fraction': {
      const taker = checkNonNegative(config.rate, `${path}.rate`);
      const maker = optionalRate(config.makerRate, `${path}.makerRate`);
      const min = checkNonNegative(config.minimum ?? 0, `${path}.minimum`);
      const rates = maker === null ? `${pct(taker)} of traded notional` : `${pct(taker)} of traded notional for takers, ${pct(maker)} for makers`;
      return new LinearFees(taker, maker ?? taker, false, min, `Commission: ${rates}${minimumText(min)}`);
    }
    case 'bps': {
      const taker = checkNonNegative(config.bps, `${path}.bps`);
      const maker = optionalRate(config.makerBps, `${path}.makerBps`);
      const min = checkNonNegative(config.minimum ?? 0, `${path}.minimum`);
      const rates = maker === null ? `${taker} bps of traded notional` : `${taker} bps of traded notional for takers, ${maker} bps for makers`;
      return new LinearFees(taker / 10_000, (maker ?? taker) / 10_000, false, min, `Commission: ${rates}${minimumText(min)}`);
    }
    case 'per_unit': {
      const taker = checkNonNegative(config.perUnit, `${path}.perUnit`);
      const maker = optionalRate(config.makerPerUnit, `${path}.makerPerUnit`);
      const min = checkNonNegative(config.minimum ?? 0, `${path}.minimum`);
      const rates = maker === null ? `${taker} per unit traded` : `${taker} per unit traded for takers, ${maker} for makers`;
      return new LinearFees(taker, maker ?? taker, true, min, `Commission: ${rates}${minimumText(min)}`);
    }
    default: {
      const kind = (config as { kind?: unknown }).kind;
      if (typeof kind === 'string') throw new InvalidArgumentError(`invalid '${path}.kind': not one of none, fraction, bps, per_unit, was "${kind}"`);
      return assertNever(config, 'fee model');
    }
  }
}

/**
 * Returns the commission to charge for one fill of an order, given the raw fees (before the minimum)
 * of the order's earlier fills and what was actually charged for them. The order's cumulative charge
 * is `max(cumulative raw fee, minimum)`: the first fill pays at least the minimum, later fills pay only
 * what their fees add beyond what was already charged (0 until the raw total passes the minimum).
 */
export function commissionForFill(rawFee: number, rawBefore: number, chargedBefore: number, minimum: number): number {
  if (minimum <= 0) return rawFee;
  const total = Math.max(rawBefore + rawFee, minimum);
  return Math.max(0, total - chargedBefore);
}
