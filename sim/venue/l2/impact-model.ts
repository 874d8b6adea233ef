import { assertNever, checkPositive, InvalidArgumentError } from '../../../engine/core/index.js';

/**
 * How liquidity taken by own orders weighs on later own orders. The replayed book never changes
 * (own orders do not alter it); the venue keeps, per level, how much own orders took and offers
 * later own orders only the displayed size minus what still weighs.
 */
export interface ImpactModel {
  /**
   * True when what was taken at a level is forgotten as soon as the feed changes that level (the
   * replayed size is the truth again); false when it persists across updates and decays.
   */
  readonly resetOnUpdate: boolean;
  /** Returns how much of `taken` units, taken `elapsedUs` ago, still weighs on the level. */
  remaining(taken: number, elapsedUs: number): number;
  describe(): string;
}

/** The no-impact assumption: taken liquidity weighs only until the level next changes in the feed. */
export class NoImpact implements ImpactModel {
  readonly resetOnUpdate = true;
  remaining(taken: number): number {
    return taken;
  }
  describe(): string {
    return 'Market impact: none. Own orders do not alter the replayed book; within one book state (until the feed changes a level) own orders share the displayed size of that level, so fills never exceed displayed liquidity';
  }
}

/**
 * A temporary impact: liquidity taken by own orders recovers exponentially with half-life
 * `halfLifeUs`, across feed updates of the level (the replayed size minus what still weighs).
 */
export class DecayingImpact implements ImpactModel {
  readonly resetOnUpdate = false;
  constructor(readonly halfLifeUs: number) {
    checkPositive(halfLifeUs, 'impact.halfLifeUs');
  }
  remaining(taken: number, elapsedUs: number): number {
    return taken * Math.pow(2, -elapsedUs / this.halfLifeUs);
  }
  describe(): string {
    return `Market impact: temporary. Depth taken by own orders recovers with a half-life of ${this.halfLifeUs} us (the offered size is the displayed size minus what still weighs, also across feed updates)`;
  }
}

/** Impact configuration, discriminated on `kind`. */
export type ImpactConfig = { readonly kind: 'none' } | { readonly kind: 'decaying'; readonly halfLifeUs: number };

/** Returns the impact model for `config`; errors name the field and the value. */
export function createImpactModel(config: ImpactConfig, path = 'impact'): ImpactModel {
  switch (config.kind) {
    case 'none':
      return new NoImpact();
    case 'decaying':
      return new DecayingImpact(checkPositive(config.halfLifeUs, `${path}.halfLifeUs`));
    default: {
      const kind = (config as { kind?: unknown }).kind;
      if (typeof kind === 'string') throw new InvalidArgumentError(`invalid '${path}.kind': not one of none, decaying, was "${kind}"`);
      return assertNever(config, 'impact model');
    }
  }
}
