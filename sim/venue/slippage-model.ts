import { assertNever, checkInRange, checkNonNegative, InvalidArgumentError } from '../../engine/core/index.js';

/**
 * Slippage configuration, discriminated on `kind`.
 * - `fixed_bps`: market and stop fills move against the order by `bps` basis points of the price;
 *   limit fills move too but are clamped to the limit (never worse than the limit).
 * - `volume_share`: an order fills at most `share` x the bar's volume per bar (or `share` x the
 *   displayed opposite size of a quote, or `share` x the size of a trade print); the rest stays working.
 * - `composite`: applies each part (price moves compound, the capacity is the smallest cap).
 */
export type SlippageConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'fixed_bps'; readonly bps: number }
  | { readonly kind: 'volume_share'; readonly share: number }
  | { readonly kind: 'composite'; readonly parts: readonly SlippageConfig[] };

/** How the venue moves fill prices against an order and caps the quantity per opportunity. */
export interface SlippageModel {
  /** Returns `price` moved against an order of sign `sign` (+1 buy, -1 sell). */
  adjust(price: number, sign: 1 | -1): number;
  /** Returns the most an order may fill against `liquidity` units (bar volume, quote size, print size); Infinity when uncapped. */
  capacity(liquidity: number): number;
  /** True when quantities are capped by available liquidity. */
  readonly capsVolume: boolean;
  /** Describes the model in words for the report's assumptions. */
  describe(): string[];
}

class NoSlippage implements SlippageModel {
  readonly capsVolume = false;
  adjust(price: number): number {
    return price;
  }
  capacity(): number {
    return Infinity;
  }
  describe(): string[] {
    return ['Slippage: none (fills at the modelled price)'];
  }
}

class FixedBpsSlippage implements SlippageModel {
  readonly capsVolume = false;
  private readonly fraction: number;
  constructor(private readonly bps: number) {
    this.fraction = bps / 10_000;
  }
  adjust(price: number, sign: 1 | -1): number {
    return price * (1 + sign * this.fraction);
  }
  capacity(): number {
    return Infinity;
  }
  describe(): string[] {
    return [`Slippage: market and stop fills move ${this.bps} bps against the order; limit fills move too but never past the limit price`];
  }
}

class VolumeShareSlippage implements SlippageModel {
  readonly capsVolume = true;
  constructor(private readonly share: number) {}
  adjust(price: number): number {
    return price;
  }
  capacity(liquidity: number): number {
    return this.share * liquidity;
  }
  describe(): string[] {
    return [
      `Volume cap: an order fills at most ${this.share} x the bar's volume per bar (x the displayed opposite size per quote, x the print size per trade); each order is capped on its own, orders do not share the cap`,
      'Volume cap: the unfilled rest stays working and fills on later bars at those bars\' prices (a market order or triggered stop at the next bar\'s open, a limit at its limit price or a better open)',
    ];
  }
}

class CompositeSlippage implements SlippageModel {
  readonly capsVolume: boolean;
  constructor(private readonly parts: readonly SlippageModel[]) {
    this.capsVolume = parts.some((p) => p.capsVolume);
  }
  adjust(price: number, sign: 1 | -1): number {
    let p = price;
    for (const m of this.parts) p = m.adjust(p, sign);
    return p;
  }
  capacity(liquidity: number): number {
    let c = Infinity;
    for (const m of this.parts) c = Math.min(c, m.capacity(liquidity));
    return c;
  }
  describe(): string[] {
    return this.parts.length === 0 ? new NoSlippage().describe() : this.parts.flatMap((p) => p.describe());
  }
}

/** Returns the slippage model for `config`; errors name the field and the value. */
export function createSlippageModel(config: SlippageConfig, path = 'slippage'): SlippageModel {
  switch (config.kind) {
    case 'none':
      return new NoSlippage();
    case 'fixed_bps':
      return new FixedBpsSlippage(checkNonNegative(config.bps, `${path}.bps`));
    case 'volume_share': {
      const share = checkInRange(config.share, 0, 1, `${path}.share`);
      if (share === 0) throw new InvalidArgumentError(`invalid '${path}.share': must be above 0 (0 would never fill), was 0`);
      return new VolumeShareSlippage(share);
    }
    case 'composite':
      return new CompositeSlippage(config.parts.map((p, i) => createSlippageModel(p, `${path}.parts.${i}`)));
    default: {
      const kind = (config as { kind?: unknown }).kind;
      if (typeof kind === 'string') throw new InvalidArgumentError(`invalid '${path}.kind': not one of none, fixed_bps, volume_share, composite, was "${kind}"`);
      return assertNever(config, 'slippage model');
    }
  }
}
