import { assertNever, InvalidArgumentError } from '../core/index.js';
import type { Signal } from '../model/events.js';
import { fitGarch11 } from './garch.js';
import { ONLINE_DIRECTION_DEFAULTS, OnlineDirectionForecaster } from './online-direction.js';
import type { OnlineDirectionConfig } from './online-direction.js';

/*
 * Predictive filters (seed 001's PredictiveModelManager): models that judge a strategy's (or an
 * ensemble's) new risk before it reaches the account. Each sees the bars of the run as they close
 * (onBar, the bar the strategies see at the same moment, never a later one) and, for an entry (a
 * change that opens, adds to or flips a position), says whether it may go, with the prediction it
 * judged by. The decision pipeline's PredictiveFilterGate (engine/kernel/predictive-filter-gate.ts)
 * asks them, writes every block to the audit trail and puts their predictions in the signals'
 * metadata.
 */

/** What a filter says of one entry. */
export interface FilterVerdict {
  readonly pass: boolean;
  /** Why, in words (shown in the audit entry of a block). */
  readonly reason: string;
}

/** A predictive filter over the bars of a run's symbols (by index). */
export interface PredictiveFilter {
  /** The filter's kind as the scenario names it (`garch_volatility`, `volume_surge`, `confidence`, `direction`). */
  readonly kind: string;
  /** A bar of symbol `i` closed: the filter may read it (and only it, and the bars before). */
  onBar(i: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void;
  /**
   * Judges an entry of `side` (+1 buys, -1 sells) in symbol `i`; `signal` is the deciding strategy's
   * latest signal in the symbol (null: none yet, or an ensemble's account, which emits none).
   */
  assess(i: number, side: 1 | -1, signal: Signal | null): FilterVerdict;
  /** Writes the filter's current predictions for symbol `i` into `out` (signal metadata, audit details). */
  predictions(i: number, out: Record<string, number | string | null>): void;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Settings of {@link GarchVolatilityFilter}. */
export interface GarchVolatilityFilterConfig {
  readonly kind: 'garch_volatility';
  /** Log returns (bars) of the trailing window each fit uses. */
  readonly window: number;
  /** Bars between refits; between them the fitted model's variance recursion rolls forward with each new return. */
  readonly refitEvery: number;
  /** The highest forecast volatility (standard deviation of the next bar's log return, annualized when `annualization` is set) at which an entry may go. */
  readonly maxVolatility: number;
  /** Bars per year to annualize the forecast by (sqrt(h * annualization)); null: the threshold is per bar. */
  readonly annualization: number | null;
}

/**
 * Blocks entries while the GARCH(1,1) forecast of the next bar's volatility is above `maxVolatility`.
 * Per symbol: the last `window` close-to-close log returns; once there are `window`, {@link fitGarch11}
 * is fitted on them (mean included), then again every `refitEvery` bars; after each bar the one-step
 * forecast h rolls forward (h = omega + alpha e^2 + beta h, e the bar's return less mu). The forecast
 * at a decision uses only returns up to the bar just closed. Before the first fit there is no forecast
 * and entries pass (the filter cannot say volatility is high); a window whose fit is refused (constant
 * prices) keeps the previous fit, or none.
 */
export class GarchVolatilityFilter implements PredictiveFilter {
  readonly kind = 'garch_volatility';
  private readonly returns: Float64Array;
  private readonly count: Int32Array;
  private readonly lastClose: Float64Array;
  private readonly sinceFit: Int32Array;
  /** Per symbol: mu, omega, alpha, beta of the last fit (NaN: none). */
  private readonly params: Float64Array;
  /** Per symbol: the variance forecast of the next bar's return (NaN: none). */
  private readonly next: Float64Array;
  private readonly scratch: Float64Array;
  private readonly scale: number;
  /** Fits made, all symbols. */
  fits = 0;

  constructor(
    readonly config: GarchVolatilityFilterConfig,
    symbolCount: number,
  ) {
    this.returns = new Float64Array(symbolCount * config.window);
    this.count = new Int32Array(symbolCount);
    this.lastClose = new Float64Array(symbolCount).fill(Number.NaN);
    this.sinceFit = new Int32Array(symbolCount);
    this.params = new Float64Array(symbolCount * 4).fill(Number.NaN);
    this.next = new Float64Array(symbolCount).fill(Number.NaN);
    this.scratch = new Float64Array(config.window);
    this.scale = config.annualization ?? 1;
  }

  onBar(i: number, _ts: number, _open: number, _high: number, _low: number, close: number, _volume: number): void {
    const prev = this.lastClose[i]!;
    this.lastClose[i] = close;
    if (!(prev > 0) || !(close > 0)) return;
    const r = Math.log(close / prev);
    const w = this.config.window;
    const n = this.count[i]!;
    this.returns[i * w + (n % w)] = r;
    this.count[i] = n + 1;
    const p = i * 4;
    if (this.next[i] === this.next[i]) {
      const e = r - this.params[p]!;
      this.next[i] = this.params[p + 1]! + this.params[p + 2]! * e * e + this.params[p + 3]! * this.next[i]!;
    }
    this.sinceFit[i] = this.sinceFit[i]! + 1;
    if (n + 1 >= w && (this.params[p] !== this.params[p] || this.sinceFit[i]! >= this.config.refitEvery)) this.refit(i);
  }

  private refit(i: number): void {
    const w = this.config.window;
    const n = this.count[i]!;
    // Oldest first: the ring's slot n % w holds the oldest of the last w returns.
    for (let k = 0; k < w; k++) this.scratch[k] = this.returns[i * w + ((n + k) % w)]!;
    this.sinceFit[i] = 0;
    let fit;
    try {
      fit = fitGarch11(this.scratch);
    } catch (err) {
      if (err instanceof InvalidArgumentError) return;
      throw err;
    }
    this.fits++;
    const p = i * 4;
    this.params[p] = fit.mu;
    this.params[p + 1] = fit.omega;
    this.params[p + 2] = fit.alpha;
    this.params[p + 3] = fit.beta;
    this.next[i] = fit.forecast(1)[0]!;
  }

  /** The forecast volatility of symbol `i`'s next bar, on the threshold's scale (NaN before the first fit). */
  forecastVolatility(i: number): number {
    return Math.sqrt(this.next[i]! * this.scale);
  }

  assess(i: number, _side: 1 | -1, _signal: Signal | null): FilterVerdict {
    const v = this.forecastVolatility(i);
    const unit = this.config.annualization === null ? 'per bar' : 'annualized';
    if (v !== v) return { pass: true, reason: `no GARCH forecast yet (${this.count[i]} of ${this.config.window} returns)` };
    return v > this.config.maxVolatility
      ? { pass: false, reason: `GARCH forecast volatility ${v.toPrecision(4)} ${unit} > maxVolatility ${this.config.maxVolatility}` }
      : { pass: true, reason: `GARCH forecast volatility ${v.toPrecision(4)} ${unit} <= maxVolatility ${this.config.maxVolatility}` };
  }

  predictions(i: number, out: Record<string, number | string | null>): void {
    out['garchVolatility'] = finiteOrNull(this.forecastVolatility(i));
  }
}

/** Settings of {@link VolumeSurgeFilter}. */
export interface VolumeSurgeFilterConfig {
  readonly kind: 'volume_surge';
  /** Bars before the latest whose volumes make the baseline. */
  readonly window: number;
  /** The lowest z-score of the latest bar's volume at which an entry may go. */
  readonly minZScore: number;
}

/**
 * Lets an entry go only on a volume surge: z = (v - mean) / sd of the latest closed bar's volume v
 * against the `window` bars before it (sample standard deviation, n - 1), at least `minZScore`. Before
 * `window + 1` bars there is no z-score and entries are blocked (no surge is seen). A baseline of
 * equal volumes has sd 0: z is +Infinity above it, -Infinity below, 0 at it.
 */
export class VolumeSurgeFilter implements PredictiveFilter {
  readonly kind = 'volume_surge';
  private readonly volumes: Float64Array;
  private readonly count: Int32Array;
  private readonly z: Float64Array;

  constructor(
    readonly config: VolumeSurgeFilterConfig,
    symbolCount: number,
  ) {
    this.volumes = new Float64Array(symbolCount * (config.window + 1));
    this.count = new Int32Array(symbolCount);
    this.z = new Float64Array(symbolCount).fill(Number.NaN);
  }

  onBar(i: number, _ts: number, _open: number, _high: number, _low: number, _close: number, volume: number): void {
    const w = this.config.window;
    const size = w + 1;
    const n = this.count[i]!;
    this.volumes[i * size + (n % size)] = volume;
    this.count[i] = n + 1;
    if (n < w) return;
    // The baseline: the w slots other than the latest one.
    let mean = 0;
    for (let k = 1; k <= w; k++) mean += this.volumes[i * size + ((n + k) % size)]!;
    mean /= w;
    let ss = 0;
    for (let k = 1; k <= w; k++) {
      const d = this.volumes[i * size + ((n + k) % size)]! - mean;
      ss += d * d;
    }
    const sd = Math.sqrt(ss / (w - 1));
    const d = volume - mean;
    this.z[i] = sd > 0 ? d / sd : d > 0 ? Number.POSITIVE_INFINITY : d < 0 ? Number.NEGATIVE_INFINITY : 0;
  }

  /** The latest bar's volume z-score in symbol `i` (NaN before window + 1 bars). */
  zScore(i: number): number {
    return this.z[i]!;
  }

  assess(i: number, _side: 1 | -1, _signal: Signal | null): FilterVerdict {
    const z = this.z[i]!;
    if (z !== z) return { pass: false, reason: `no volume z-score yet (${this.count[i]} of ${this.config.window + 1} bars)` };
    return z >= this.config.minZScore
      ? { pass: true, reason: `volume z-score ${z.toPrecision(4)} >= minZScore ${this.config.minZScore}` }
      : { pass: false, reason: `volume z-score ${z.toPrecision(4)} < minZScore ${this.config.minZScore}` };
  }

  predictions(i: number, out: Record<string, number | string | null>): void {
    out['volumeZScore'] = finiteOrNull(this.z[i]!);
  }
}

/** Settings of {@link ConfidenceFilter}. */
export interface ConfidenceFilterConfig {
  readonly kind: 'confidence';
  /** The lowest confidence of the strategy's latest signal in the symbol at which an entry may go. */
  readonly minConfidence: number;
}

/**
 * Lets an entry go only when the deciding strategy's latest signal in the symbol (emitted at or before
 * the entry) has confidence at least `minConfidence`; an entry without any signal is blocked.
 */
export class ConfidenceFilter implements PredictiveFilter {
  readonly kind = 'confidence';
  constructor(readonly config: ConfidenceFilterConfig) {}
  onBar(): void {}
  assess(_i: number, _side: 1 | -1, signal: Signal | null): FilterVerdict {
    if (signal === null) return { pass: false, reason: 'no signal from the strategy in this symbol' };
    return signal.confidence >= this.config.minConfidence
      ? { pass: true, reason: `signal confidence ${signal.confidence} >= minConfidence ${this.config.minConfidence}` }
      : { pass: false, reason: `signal confidence ${signal.confidence} < minConfidence ${this.config.minConfidence}` };
  }
  predictions(): void {}
}

/**
 * A model of the next bar's direction: the probability that symbol `i`'s next close is above its last,
 * from the bars it has seen (NaN while it cannot tell). A classifier (engine/models) plugs in here to
 * make a {@link DirectionFilter}.
 */
export interface DirectionForecaster {
  onBar(i: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void;
  probabilityUp(i: number): number;
  /** Optional: writes what the forecast rests on (model, rows trained on) into `out`, beside `probabilityUp`. */
  describe?(i: number, out: Record<string, number | string | null>): void;
  /** Optional: why there is no forecast yet (the reason a filter gives while P(up) is NaN). */
  pending?(i: number): string;
}

/**
 * Blocks a buy when the forecast is down and a sell when it is up: a buy goes when P(up) >= `minProbability`,
 * a sell when 1 - P(up) >= `minProbability`. While the forecaster cannot tell (NaN), entries are blocked,
 * or pass with `whileUnknown: 'pass'`.
 */
export class DirectionFilter implements PredictiveFilter {
  readonly kind = 'direction';
  constructor(
    private readonly forecaster: DirectionForecaster,
    readonly minProbability: number,
    readonly whileUnknown: 'pass' | 'block' = 'block',
  ) {
    if (!(minProbability >= 0 && minProbability <= 1)) throw new InvalidArgumentError(`invalid 'minProbability': not in [0, 1], was ${minProbability}`);
  }
  onBar(i: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    this.forecaster.onBar(i, ts, open, high, low, close, volume);
  }
  assess(i: number, side: 1 | -1, _signal: Signal | null): FilterVerdict {
    const up = this.forecaster.probabilityUp(i);
    if (up !== up) {
      const why = this.forecaster.pending?.(i);
      return { pass: this.whileUnknown === 'pass', reason: `no direction forecast yet${why === undefined ? '' : ` (${why})`}` };
    }
    const p = side > 0 ? up : 1 - up;
    const what = side > 0 ? 'up' : 'down';
    return p >= this.minProbability
      ? { pass: true, reason: `P(${what}) ${p.toPrecision(4)} >= minProbability ${this.minProbability}` }
      : { pass: false, reason: `P(${what}) ${p.toPrecision(4)} < minProbability ${this.minProbability}: the forecast is ${side > 0 ? 'down' : 'up'}` };
  }
  predictions(i: number, out: Record<string, number | string | null>): void {
    out['probabilityUp'] = finiteOrNull(this.forecaster.probabilityUp(i));
    this.forecaster.describe?.(i, out);
  }
}

/** Settings of a scenario's `direction` filter: an {@link OnlineDirectionForecaster} behind a {@link DirectionFilter}. */
export interface DirectionFilterConfig extends OnlineDirectionConfig {
  readonly kind: 'direction';
  /** A buy goes when P(up) >= minProbability, a sell or short when P(up) <= 1 - minProbability. */
  readonly minProbability: number;
}

/**
 * The scenario's `direction` filter: a classifier trained online on trailing bars only
 * ({@link OnlineDirectionForecaster}) judges each entry; before its first fit entries pass (the filter
 * cannot say the forecast is against them), with the reason in the filter's verdict.
 */
export function directionFilter(config: DirectionFilterConfig, symbolCount: number): DirectionFilter {
  const forecaster = new OnlineDirectionForecaster(config, symbolCount);
  return new DirectionFilter(
    {
      onBar: (i, ts, open, high, low, close, volume) => forecaster.onBar(i, ts, open, high, low, close, volume),
      probabilityUp: (i) => forecaster.probabilityUp(i),
      describe: (i, out) => {
        out['directionModel'] = config.model;
        out['directionTrainedRows'] = forecaster.trainedOn(i);
      },
      pending: (i) => `${forecaster.labelled(i)} of ${config.window} labelled rows; entries pass until the first fit`,
    },
    config.minProbability,
    'pass',
  );
}

/** A filter as a scenario configures it (`strategies[i].filters`, `ensemble.filters`). */
export type PredictiveFilterConfig = GarchVolatilityFilterConfig | VolumeSurgeFilterConfig | ConfidenceFilterConfig | DirectionFilterConfig;

/** Returns a new filter of `config` over `symbolCount` symbols. */
export function createPredictiveFilter(config: PredictiveFilterConfig, symbolCount: number): PredictiveFilter {
  switch (config.kind) {
    case 'garch_volatility':
      return new GarchVolatilityFilter(config, symbolCount);
    case 'volume_surge':
      return new VolumeSurgeFilter(config, symbolCount);
    case 'confidence':
      return new ConfidenceFilter(config);
    case 'direction':
      return directionFilter(config, symbolCount);
    default:
      return assertNever(config, 'filter kind');
  }
}

/** Describes a filter for the report's assumptions. */
export function describePredictiveFilter(config: PredictiveFilterConfig): string {
  switch (config.kind) {
    case 'garch_volatility':
      return `garch_volatility (GARCH(1,1) on the last ${config.window} log returns, refit every ${config.refitEvery} bars; entries blocked while the next bar's forecast volatility${config.annualization === null ? ' per bar' : `, annualized over ${config.annualization} bars,`} is above ${config.maxVolatility})`;
    case 'volume_surge':
      return `volume_surge (entries only when the bar's volume z-score against the ${config.window} bars before it is at least ${config.minZScore})`;
    case 'confidence':
      return `confidence (entries only when the strategy's latest signal has confidence at least ${config.minConfidence})`;
    case 'direction': {
      const model =
        config.model === 'logit'
          ? `logistic regression (C ${config.C ?? ONLINE_DIRECTION_DEFAULTS.C})`
          : `random forest (${config.trees ?? ONLINE_DIRECTION_DEFAULTS.trees} trees, maxDepth ${config.maxDepth ?? ONLINE_DIRECTION_DEFAULTS.maxDepth}, seed ${config.seed ?? ONLINE_DIRECTION_DEFAULTS.seed})`;
      return `direction (${model} on ${config.features.join(', ')}, trained online on the last ${config.window} bars whose ${config.horizon}-bar up/down label is known at the decision, refit every ${config.refitEvery} bars; a buy goes when P(up) >= ${config.minProbability}, a sell when P(up) <= ${Number((1 - config.minProbability).toFixed(12))}; entries pass before the first fit)`;
    }
    default:
      return assertNever(config, 'filter kind');
  }
}
