import { checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { Sma } from '../indicators/index.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { followView } from './bar-rule.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/**
 * An evidence source of `bayesian_updater`, a yes/no state of the bar just closed:
 * `prev_return` the close is above the previous close; `above_sma` the close is above its
 * SMA(smaPeriod); `volume_above_average` the volume is above its SMA(volumePeriod).
 */
export type EvidenceSource = 'prev_return' | 'above_sma' | 'volume_above_average';

/** Every EvidenceSource, in the order messages list them. */
export const EVIDENCE_SOURCES = ['prev_return', 'above_sma', 'volume_above_average'] as const satisfies readonly EvidenceSource[];

/** Parameters of `bayesian_updater`. */
export interface BayesianUpdaterParams {
  /** The evidence sources combined (at least one, none twice). Default all three. */
  readonly evidence: readonly EvidenceSource[];
  /** SMA period of `above_sma`, >= 1. Default 20. */
  readonly smaPeriod: number;
  /** Volume SMA period of `volume_above_average`, >= 1. Default 20. */
  readonly volumePeriod: number;
  /** Beta(prior, prior) prior of every posterior (> 0; 1 is uniform). Default 1. */
  readonly prior: number;
  /** Forgetting factor in (0, 1]: each update keeps this share of a posterior's past evidence (1 keeps all). Default 0.99. */
  readonly forgetting: number;
  /** Updates (bars with a known outcome) before it acts, >= 1. Default 30. */
  readonly minObservations: number;
  /** Long when P(up) is above this, short (`long_short`) or flat below 1 - threshold; in (0.5, 1). Default 0.55. */
  readonly threshold: number;
  /** Default `long_only`: a short view is flat. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `bayesian_updater` (each documented on {@link BayesianUpdaterParams}). */
export const BAYESIAN_UPDATER_DEFAULTS: BayesianUpdaterParams = Object.freeze({
  evidence: Object.freeze(['prev_return', 'above_sma', 'volume_above_average'] as EvidenceSource[]),
  smaPeriod: 20,
  volumePeriod: 20,
  prior: 1,
  forgetting: 0.99,
  minObservations: 30,
  threshold: 0.55,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

function checkEvidence(value: unknown): readonly EvidenceSource[] {
  if (!Array.isArray(value) || value.length === 0) failParam('evidence', `expected a non-empty array of ${EVIDENCE_SOURCES.join(', ')}`, value);
  const seen = new Set<string>();
  value.forEach((s: unknown, i) => {
    if (typeof s !== 'string' || !(EVIDENCE_SOURCES as readonly string[]).includes(s)) failParam(`evidence[${i}]`, `not one of ${EVIDENCE_SOURCES.join(', ')}`, s);
    if (seen.has(s)) failParam(`evidence[${i}]`, 'given twice', s);
    seen.add(s);
  });
  return Object.freeze([...(value as EvidenceSource[])]);
}

/** Returns the validated `bayesian_updater` parameters with defaults applied. */
export function bayesianUpdaterParams(params?: Partial<BayesianUpdaterParams>): BayesianUpdaterParams {
  const p = withDefaults('bayesian_updater', BAYESIAN_UPDATER_DEFAULTS, params);
  if (typeof p.prior !== 'number' || !Number.isFinite(p.prior) || !(p.prior > 0)) failParam('prior', 'not a positive finite number', p.prior);
  if (typeof p.forgetting !== 'number' || !(p.forgetting > 0 && p.forgetting <= 1)) failParam('forgetting', 'outside (0, 1]', p.forgetting);
  if (typeof p.threshold !== 'number' || !(p.threshold > 0.5 && p.threshold < 1)) failParam('threshold', 'outside (0.5, 1)', p.threshold);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    evidence: checkEvidence(p.evidence),
    smaPeriod: checkPeriod(p.smaPeriod, 'smaPeriod'),
    volumePeriod: checkPeriod(p.volumePeriod, 'volumePeriod'),
    prior: p.prior,
    forgetting: p.forgetting,
    minObservations: checkPeriod(p.minObservations, 'minObservations'),
    threshold: p.threshold,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'bayesian_updater' }),
    fractional,
  });
}

/** Bars until every used source has a state (the close, its SMA, the volume SMA). */
function evidenceBars(p: BayesianUpdaterParams): number {
  let bars = 2;
  if (p.evidence.includes('above_sma')) bars = Math.max(bars, p.smaPeriod);
  if (p.evidence.includes('volume_above_average')) bars = Math.max(bars, p.volumePeriod);
  return bars;
}

const logit = (p: number): number => Math.log(p / (1 - p));

class BeliefView extends SymbolView {
  prevClose = Number.NaN;
  /** Base rate Beta(a, b) of an up bar. */
  baseA: number;
  baseB: number;
  /** Beta of P(up | source s in state e) at [2s + e]. */
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  /** The sources' states on the previous bar (-1 unknown). */
  readonly states: Int8Array;
  observations = 0;
  /** Inspection: the last combined posterior P(up) and its confidence. */
  posterior = Number.NaN;
  confidence = Number.NaN;
  constructor(
    symbol: Symbol_,
    sources: number,
    prior: number,
    readonly sma: Sma,
    readonly volumeSma: Sma,
  ) {
    super(symbol);
    this.baseA = prior;
    this.baseB = prior;
    this.alpha = new Float64Array(2 * sources).fill(prior);
    this.beta = new Float64Array(2 * sources).fill(prior);
    this.states = new Int8Array(sources).fill(-1);
  }
}

/**
 * `bayesian_updater` (seed 000's Bayesian Belief Updater): a Beta-Bernoulli posterior on whether
 * the next bar closes up (close > previous close; a flat bar counts as not up).
 *
 * Learning, from past bars only: on each close with a known outcome y (1 up, 0 not), the posterior
 * of each source s in the state e it had on the previous bar, and the base rate's, is updated with
 * forgetting λ toward the Beta(prior, prior) prior: α ← λα + (1 - λ)prior + y, β ← λβ + (1 - λ)prior + 1 - y.
 *
 * Deciding: with each source's state now, P_s = α/(α + β) of its Beta (the posterior mean of
 * P(up | state)) and p0 the base rate's mean, the sources are combined as naive Bayes (independent
 * given the outcome) in log-odds: logit P = logit p0 + Σ_s (logit P_s - logit p0). Once
 * `minObservations` updates are in: long when P > threshold, short (`long_short`) or flat when
 * P < 1 - threshold, flat in between. First decision on bar max(2, smaPeriod, volumePeriod of the
 * used sources) + minObservations.
 *
 * Signal: strength |2P - 1|; confidence the posterior certainty, the mean over the sources of
 * 1 - sqrt(12 x variance of the Beta used), clamped to [0, 1] (0 for a uniform Beta, toward 1 as
 * evidence accumulates).
 */
export class BayesianUpdaterStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: BayesianUpdaterParams;
  private readonly views: SymbolViews<BeliefView>;
  private readonly longShort: boolean;
  /** The used sources as indices into EVIDENCE_SOURCES. */
  private readonly kinds: Int8Array;
  private readonly reasonUp: string;
  private readonly reasonDown: string;
  private readonly reasonFlat: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<BayesianUpdaterParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = bayesianUpdaterParams(params);
    const p = this.params;
    this.kinds = Int8Array.from(p.evidence.map((s) => EVIDENCE_SOURCES.indexOf(s)));
    this.views = new SymbolViews(
      'bayesian_updater',
      this.symbols.map((s) => new BeliefView(s, p.evidence.length, p.prior, new Sma(p.smaPeriod), new Sma(p.volumePeriod))),
    );
    this.longShort = p.mode === 'long_short';
    const low = Math.round((1 - p.threshold) * 1e12) / 1e12;
    this.reasonUp = `posterior P(up) above ${p.threshold}`;
    this.reasonDown = `posterior P(up) below ${low}`;
    this.reasonFlat = `posterior P(up) within [${low}, ${p.threshold}]`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const p = this.params;
    const close = bars.close(0);
    const volume = bars.volume(0);
    const sma = v.sma.update(close);
    const volumeSma = v.volumeSma.update(volume);
    const prev = v.prevClose;
    v.prevClose = close;
    if (prev !== prev) return;
    const y = close > prev ? 1 : 0;
    const n = this.kinds.length;
    const lambda = p.forgetting;
    const keep = (1 - lambda) * p.prior;
    // Learn from the previous bar's states and this bar's outcome.
    if (v.states[0]! >= 0) {
      v.baseA = lambda * v.baseA + keep + y;
      v.baseB = lambda * v.baseB + keep + 1 - y;
      for (let s = 0; s < n; s++) {
        const at = 2 * s + v.states[s]!;
        v.alpha[at] = lambda * v.alpha[at]! + keep + y;
        v.beta[at] = lambda * v.beta[at]! + keep + 1 - y;
      }
      v.observations++;
    }
    // This bar's states (all or none known).
    for (let s = 0; s < n; s++) {
      const kind = this.kinds[s]!;
      let state: number;
      if (kind === 0) state = y;
      else if (kind === 1) state = v.sma.ready ? (close > sma ? 1 : 0) : -1;
      else state = v.volumeSma.ready ? (volume > volumeSma ? 1 : 0) : -1;
      if (state < 0) {
        v.states[0] = -1;
        return;
      }
      v.states[s] = state;
    }
    if (v.observations < p.minObservations) return;
    const p0 = v.baseA / (v.baseA + v.baseB);
    const base = logit(p0);
    let logOdds = base;
    let certainty = 0;
    for (let s = 0; s < n; s++) {
      const at = 2 * s + v.states[s]!;
      const a = v.alpha[at]!;
      const b = v.beta[at]!;
      const sum = a + b;
      logOdds += logit(a / sum) - base;
      const c = 1 - Math.sqrt((12 * a * b) / (sum * sum * (sum + 1)));
      certainty += c > 0 ? c : 0;
    }
    const posterior = 1 / (1 + Math.exp(-logOdds));
    const confidence = certainty / n;
    v.posterior = posterior;
    v.confidence = confidence;
    let want: -1 | 0 | 1 = posterior > p.threshold ? 1 : posterior < 1 - p.threshold ? -1 : 0;
    if (want === -1 && !this.longShort) want = 0;
    if (want !== v.direction) {
      const reason = want === 1 ? this.reasonUp : posterior < 1 - p.threshold ? this.reasonDown : this.reasonFlat;
      followView(ctx, v, p, want, bars, Math.abs(2 * posterior - 1), reason, 1, confidence > 1 ? 1 : confidence);
    }
  }
}

/** The built-in `bayesian_updater` (scenario `"type": "bayesian_updater"`). */
export const bayesianUpdater = defineStrategy({
  name: 'bayesian_updater',
  description:
    'Bayesian belief updater: Beta-Bernoulli posteriors of P(up next bar | evidence) learned online with forgetting (previous return, close vs SMA, volume vs average), combined as naive Bayes in log-odds; long above threshold, short or flat below 1 - threshold.',
  defaults: BAYESIAN_UPDATER_DEFAULTS,
  params: bayesianUpdaterParams,
  warmup: (p) => {
    const own = evidenceBars(p) + p.minObservations;
    const sizing = sizingWarmupBars(p.sizing);
    return sizing > own ? { bars: sizing, because: `sizing.kind=${p.sizing.kind}` } : { bars: own, because: `evidence from bar ${evidenceBars(p)}, minObservations=${p.minObservations}` };
  },
  create: ({ id, symbols, params }) => new BayesianUpdaterStrategy(id, symbols, params),
});

export default bayesianUpdater;
