import { InvalidArgumentError, checkInRange, checkNonNegative, checkPositive } from '../../core/index.js';
import type { StrategyStats } from './performance-stats.js';

/**
 * Adaptive weighting (seed 002). Each strategy k has a base weight b_k and, per regime, a multiple
 * m_k (1 at the start); its adaptive weight is b_k m_k. On each update:
 *
 * 1. composite score s_k in [0, 1] = weighted mean of four components, each in [0, 1]:
 *    expectancy (1 + e / mean|trade|) / 2 clamped, profit factor PF / (1 + PF) (1 when no loss),
 *    drawdown 1 - min(1, maxDrawdown / drawdownLimit), Sharpe (1 + tanh(Sharpe / 2)) / 2. A
 *    component without data (no trades, no returns) is 0.5, neutral.
 * 2. desired multiple = 2 s_k (a neutral strategy keeps 1x, the best doubles);
 * 3. rate limit: the multiple moves at most `maxChange` (default 15%) of its current value;
 * 4. bounds: the multiple stays in [minMultiple, maxMultiple] (default 0.1x to 2.0x of base).
 *
 * Step 3 then 4 keeps both guarantees because the current multiple is already inside the bounds.
 * `normalized` scales the adaptive weights to sum to 1; `rollback` restores the base weights.
 */
export interface AdaptiveWeightsConfig {
  readonly maxChange: number;
  readonly minMultiple: number;
  readonly maxMultiple: number;
  readonly drawdownLimit: number;
  readonly scoreWeights: { readonly expectancy: number; readonly profitFactor: number; readonly drawdown: number; readonly sharpe: number };
}

export const ADAPTIVE_WEIGHTS_DEFAULTS: AdaptiveWeightsConfig = Object.freeze({
  maxChange: 0.15,
  minMultiple: 0.1,
  maxMultiple: 2.0,
  drawdownLimit: 0.25,
  scoreWeights: Object.freeze({ expectancy: 0.25, profitFactor: 0.25, drawdown: 0.25, sharpe: 0.25 }),
});

/** One weight change, for the audit trail. */
export interface WeightChange {
  readonly strategyId: string;
  readonly regime: string;
  readonly previous: number;
  readonly next: number;
  readonly score: number;
  readonly reason: string;
}

/** Returns the composite score in [0, 1] of `stats`. */
export function compositeScore(stats: StrategyStats, config: AdaptiveWeightsConfig = ADAPTIVE_WEIGHTS_DEFAULTS): number {
  const w = config.scoreWeights;
  const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
  const expectancy = stats.expectancy !== null && stats.meanAbsTrade !== null && stats.meanAbsTrade > 0 ? clamp01((1 + stats.expectancy / stats.meanAbsTrade) / 2) : 0.5;
  const pf = stats.profitFactor === null ? 0.5 : stats.profitFactor === Number.POSITIVE_INFINITY ? 1 : stats.profitFactor / (1 + stats.profitFactor);
  const dd = 1 - Math.min(1, stats.maxDrawdown / config.drawdownLimit);
  const sharpe = stats.sharpe === null ? 0.5 : (1 + Math.tanh(stats.sharpe / 2)) / 2;
  const total = w.expectancy + w.profitFactor + w.drawdown + w.sharpe;
  return (w.expectancy * expectancy + w.profitFactor * pf + w.drawdown * dd + w.sharpe * sharpe) / total;
}

/** Checks a config and returns it frozen. */
export function checkAdaptiveWeightsConfig(c: AdaptiveWeightsConfig): AdaptiveWeightsConfig {
  checkInRange(c.maxChange, 0, 1, 'maxChange');
  checkPositive(c.minMultiple, 'minMultiple');
  checkPositive(c.maxMultiple, 'maxMultiple');
  if (!(c.minMultiple <= 1 && c.maxMultiple >= 1)) {
    throw new InvalidArgumentError(`invalid 'minMultiple'/'maxMultiple': must bracket 1, were ${c.minMultiple} and ${c.maxMultiple}`);
  }
  checkPositive(c.drawdownLimit, 'drawdownLimit');
  for (const [k, v] of Object.entries(c.scoreWeights)) checkNonNegative(v, `scoreWeights.${k}`);
  if (Object.values(c.scoreWeights).reduce((a, b) => a + b, 0) <= 0) throw new InvalidArgumentError("invalid 'scoreWeights': all zero");
  return Object.freeze({ ...c });
}

/** Rate-limited, bounded adaptive weights per regime. */
export class AdaptiveWeights {
  readonly config: AdaptiveWeightsConfig;
  private readonly base: ReadonlyMap<string, number>;
  private readonly multiples = new Map<string, Map<string, number>>();

  constructor(base: Readonly<Record<string, number>>, config: AdaptiveWeightsConfig = ADAPTIVE_WEIGHTS_DEFAULTS) {
    this.config = checkAdaptiveWeightsConfig(config);
    const entries = Object.entries(base);
    if (entries.length === 0) throw new InvalidArgumentError("invalid 'base': no strategy");
    for (const [id, w] of entries) checkNonNegative(w, `base weight of ${id}`);
    this.base = new Map(entries);
  }

  private regimeMultiples(regime: string): Map<string, number> {
    let m = this.multiples.get(regime);
    if (m === undefined) {
      m = new Map([...this.base.keys()].map((id) => [id, 1]));
      this.multiples.set(regime, m);
    }
    return m;
  }

  /** The current multiple of a strategy in a regime (1 before any update). */
  multiple(strategyId: string, regime = 'all'): number {
    return this.regimeMultiples(regime).get(strategyId) ?? 1;
  }

  /** Adaptive (unnormalized) weights b_k m_k in a regime. */
  weights(regime = 'all'): Record<string, number> {
    const m = this.regimeMultiples(regime);
    const out: Record<string, number> = {};
    for (const [id, b] of this.base) out[id] = b * m.get(id)!;
    return out;
  }

  /** Adaptive weights scaled to sum to 1 (the base weights' shares when all are zero). */
  normalized(regime = 'all'): Record<string, number> {
    return normalize(this.weights(regime));
  }

  /** Updates the multiples of `regime` from each strategy's statistics; returns the changes. */
  update(stats: Readonly<Record<string, StrategyStats>>, regime = 'all'): WeightChange[] {
    const c = this.config;
    const m = this.regimeMultiples(regime);
    const changes: WeightChange[] = [];
    for (const [id, b] of this.base) {
      const s = stats[id];
      if (s === undefined) continue;
      const score = compositeScore(s, c);
      const prev = m.get(id)!;
      const desired = 2 * score;
      const limited = Math.min(prev * (1 + c.maxChange), Math.max(prev * (1 - c.maxChange), desired));
      const next = Math.min(c.maxMultiple, Math.max(c.minMultiple, limited));
      if (next !== prev) {
        m.set(id, next);
        const capped = limited !== desired ? ` (rate-limited to ${(c.maxChange * 100).toFixed(0)}%)` : '';
        changes.push({ strategyId: id, regime, previous: b * prev, next: b * next, score, reason: `composite score ${score.toFixed(3)} wants ${desired.toFixed(3)}x base${capped}` });
      }
    }
    return changes;
  }

  /** Restores the base weights in `regime` (every regime when absent); returns the changes. */
  rollback(regime?: string): WeightChange[] {
    const changes: WeightChange[] = [];
    for (const [r, m] of this.multiples) {
      if (regime !== undefined && r !== regime) continue;
      for (const [id, prev] of m) {
        if (prev !== 1) {
          const b = this.base.get(id)!;
          changes.push({ strategyId: id, regime: r, previous: b * prev, next: b, score: Number.NaN, reason: 'rollback to base weight' });
          m.set(id, 1);
        }
      }
    }
    return changes;
  }
}

/** Returns `w` scaled to sum to 1 (equal weights when the sum is not positive). */
export function normalize(w: Readonly<Record<string, number>>): Record<string, number> {
  const keys = Object.keys(w);
  const s = keys.reduce((a, k) => a + w[k]!, 0);
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = s > 0 ? w[k]! / s : 1 / keys.length;
  return out;
}
