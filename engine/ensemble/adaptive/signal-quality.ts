import { checkInRange, checkNonNegative, checkPositive } from '../../core/index.js';

/**
 * Signal quality scoring (seed 002). A signal's quality q in [0, 1] is the weighted mean of
 * - confluence: min(1, agreeing / confluenceTarget), where `agreeing` counts the strategies whose
 *   latest signal on the symbol has the same direction (the signal itself included);
 * - regime alignment in [0, 1] (see {@link regimeAlignment});
 * - historical success: the smoothed hit rate (wins + 1) / (trades + 2) of similar setups (same
 *   strategy, symbol, direction and regime), 0.5 without history.
 * The adjusted confidence is confidence x q, so scoring only ever lowers confidence. A signal passes
 * when q >= threshold; its position-size multiplier is min(maxMultiplier, q / neutralQuality)
 * (0 when it fails), capped at 2.0 by default.
 */
export interface SignalQualityConfig {
  readonly weights: { readonly confluence: number; readonly regime: number; readonly history: number };
  readonly confluenceTarget: number;
  readonly threshold: number;
  readonly neutralQuality: number;
  readonly maxMultiplier: number;
}

export const SIGNAL_QUALITY_DEFAULTS: SignalQualityConfig = Object.freeze({
  weights: Object.freeze({ confluence: 0.4, regime: 0.3, history: 0.3 }),
  confluenceTarget: 3,
  threshold: 0.4,
  neutralQuality: 0.5,
  maxMultiplier: 2.0,
});

export interface SignalQualityInput {
  readonly confidence: number;
  readonly confluence: number;
  readonly regimeAlignment: number;
  /** Smoothed hit rate of similar setups, or null without history. */
  readonly historicalSuccess: number | null;
}

export interface SignalQuality {
  readonly quality: number;
  readonly adjustedConfidence: number;
  readonly pass: boolean;
  readonly sizeMultiplier: number;
}

/** Returns the quality of a signal. */
export function scoreSignal(input: SignalQualityInput, config: SignalQualityConfig = SIGNAL_QUALITY_DEFAULTS): SignalQuality {
  checkInRange(input.confidence, 0, 1, 'confidence');
  checkNonNegative(input.confluence, 'confluence');
  checkInRange(input.regimeAlignment, 0, 1, 'regimeAlignment');
  if (input.historicalSuccess !== null) checkInRange(input.historicalSuccess, 0, 1, 'historicalSuccess');
  checkPositive(config.confluenceTarget, 'confluenceTarget');
  checkPositive(config.neutralQuality, 'neutralQuality');
  checkInRange(config.maxMultiplier, 0, 2, 'maxMultiplier');
  const w = config.weights;
  const total = w.confluence + w.regime + w.history;
  checkPositive(total, 'weights');
  const conf = Math.min(1, input.confluence / config.confluenceTarget);
  const hist = input.historicalSuccess ?? 0.5;
  const quality = (w.confluence * conf + w.regime * input.regimeAlignment + w.history * hist) / total;
  const pass = quality >= config.threshold;
  return {
    quality,
    adjustedConfidence: input.confidence * quality,
    pass,
    sizeMultiplier: pass ? Math.min(config.maxMultiplier, quality / config.neutralQuality) : 0,
  };
}

/**
 * Returns how well a signal of `direction` fits the regime of its symbol, whose recent trend is
 * `trend` (+1 up, -1 down, 0 none): in a trending regime a signal with the trend aligns (1) and one
 * against it does not (0); in a ranging regime fading the move aligns (1) and following it does
 * not (0); in a volatile regime every signal scores 0.25; mixed regimes, flat signals and a
 * trendless symbol score 0.5.
 */
export function regimeAlignment(regime: string, direction: -1 | 0 | 1, trend: -1 | 0 | 1): number {
  if (regime === 'volatile') return 0.25;
  if (direction === 0 || trend === 0) return 0.5;
  if (regime === 'trending') return direction === trend ? 1 : 0;
  if (regime === 'ranging') return direction === trend ? 0 : 1;
  return 0.5;
}

/** Outcomes of similar setups, keyed by (strategy, symbol, direction, regime). */
export class SetupHistory {
  private readonly stats = new Map<string, { wins: number; total: number }>();

  private static key(strategyId: string, symbol: string, direction: number, regime: string): string {
    return `${strategyId}\u0000${symbol}\u0000${direction}\u0000${regime}`;
  }

  /** Records the outcome of a setup (a closed trade). */
  record(strategyId: string, symbol: string, direction: number, regime: string, won: boolean): void {
    const k = SetupHistory.key(strategyId, symbol, direction, regime);
    const s = this.stats.get(k) ?? { wins: 0, total: 0 };
    s.total++;
    if (won) s.wins++;
    this.stats.set(k, s);
  }

  /** Returns (wins + 1) / (total + 2), or null without history. */
  successRate(strategyId: string, symbol: string, direction: number, regime: string): number | null {
    const s = this.stats.get(SetupHistory.key(strategyId, symbol, direction, regime));
    return s === undefined ? null : (s.wins + 1) / (s.total + 2);
  }
}
