import { InvalidArgumentError } from '../core/index.js';
import { compileClassifier, trainClassifier } from './classifier.js';
import type { ClassifierSpec, CompiledClassifier } from './classifier.js';
import { BarFeatures, checkFeatureNames, upLabels } from './features.js';
import type { FeatureName } from './features.js';

/** Settings of {@link OnlineDirectionForecaster} (a scenario's `direction` filter, less `kind` and `minProbability`). */
export interface OnlineDirectionConfig {
  /** `logit`: L2 logistic regression; `rf`: seeded random forest (ml-random-forest). */
  readonly model: 'logit' | 'rf';
  /** Bar features (engine/models/features.ts FEATURE_NAMES) the model learns from, in column order. */
  readonly features: readonly FeatureName[];
  /** Bars ahead of the up/down label: row s is labelled 1 when close[s + horizon] > close[s]. */
  readonly horizon: number;
  /** Labelled bars each fit trains on: the last `window` whose label is known. */
  readonly window: number;
  /** Bars between fits. */
  readonly refitEvery: number;
  /** Seed of the random forest's draws (rf only); absent: 0. */
  readonly seed?: number;
  /** Inverse L2 strength of the logistic regression (logit only); absent: 1. */
  readonly C?: number;
  /** Trees of the random forest (rf only); absent: 10. */
  readonly trees?: number;
  /** Deepest split level of each tree (rf only); absent: 4. */
  readonly maxDepth?: number;
}

/** Defaults of the optional model settings. */
export const ONLINE_DIRECTION_DEFAULTS = { C: 1, trees: 10, maxDepth: 4, seed: 0 } as const;

/**
 * A {@link DirectionForecaster} trained online on trailing data only. Per symbol it keeps the last
 * `window + horizon` bars' features (engine/models BarFeatures, the ones `tapedeck train` uses) and
 * closes. At the close of bar t the labelled rows are the bars s <= t - horizon (their label needs
 * close[s + horizon], known by t) from the first whose features are all defined; a fit trains
 * {@link trainClassifier} on the last `window` of them (leaving out any whose features are not all
 * defined), then P(up) of bar t's features is the forecast until the next bar. The first fit comes
 * once `window` labelled rows exist, then one every `refitEvery` bars; a window with one class only
 * keeps the previous fit (or none). Before the first fit the forecast is NaN. The random forest
 * trains each tree on a seeded bootstrap sample of the window with every feature (diversity from the
 * samples: drawing features per tree would leave a tree of a short feature list blind), so the same
 * seed gives the same forecasts.
 *
 * Cost: a fit is O(window x features) for logit (a few Newton steps) and O(trees x window log window)
 * for rf, once per `refitEvery` bars and symbol; between fits a bar costs one feature update and one
 * prediction, with no allocation.
 */
export class OnlineDirectionForecaster {
  private readonly features: BarFeatures[];
  private readonly k: number;
  private readonly span: number;
  /** Per symbol: the last `span` bars' feature rows (ring by bar count). */
  private readonly rows: Float64Array;
  /** Per symbol: 1 where the ring's row has every feature defined. */
  private readonly ready: Uint8Array;
  /** Per symbol: the last `span` closes (ring by bar count). */
  private readonly closes: Float64Array;
  private readonly count: Int32Array;
  /** Per symbol: the first bar whose features were all defined (-1: none yet). */
  private readonly firstReady: Int32Array;
  private readonly sinceFit: Int32Array;
  private readonly models: (CompiledClassifier | null)[];
  /** Per symbol: rows of the fit in force (0: none). */
  private readonly trainedRows: Int32Array;
  private readonly probUp: Float64Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly window: Float64Array;
  private readonly spec: ClassifierSpec;
  private readonly seed: number;
  /** Fits made, all symbols. */
  fits = 0;

  constructor(
    readonly config: OnlineDirectionConfig,
    symbolCount: number,
  ) {
    const names = checkFeatureNames(config.features);
    const { horizon, window, refitEvery } = config;
    if (!Number.isInteger(horizon) || horizon < 1) throw new InvalidArgumentError(`invalid 'horizon': expected a positive integer, was ${horizon}`);
    if (!Number.isInteger(window) || window <= horizon) throw new InvalidArgumentError(`invalid 'window': expected an integer above horizon (${horizon}), was ${window}`);
    if (!Number.isInteger(refitEvery) || refitEvery < 1) throw new InvalidArgumentError(`invalid 'refitEvery': expected a positive integer, was ${refitEvery}`);
    this.k = names.length;
    this.span = window + horizon;
    this.features = Array.from({ length: symbolCount }, () => new BarFeatures(names));
    this.rows = new Float64Array(symbolCount * this.span * this.k);
    this.ready = new Uint8Array(symbolCount * this.span);
    this.closes = new Float64Array(symbolCount * this.span);
    this.count = new Int32Array(symbolCount);
    this.firstReady = new Int32Array(symbolCount).fill(-1);
    this.sinceFit = new Int32Array(symbolCount);
    this.models = new Array<CompiledClassifier | null>(symbolCount).fill(null);
    this.trainedRows = new Int32Array(symbolCount);
    this.probUp = new Float64Array(symbolCount).fill(Number.NaN);
    this.x = new Float64Array(window * this.k);
    this.y = new Float64Array(window);
    this.window = new Float64Array(this.span);
    this.spec =
      config.model === 'logit'
        ? { kind: 'logit', C: config.C ?? ONLINE_DIRECTION_DEFAULTS.C }
        : {
            kind: 'rf',
            nEstimators: config.trees ?? ONLINE_DIRECTION_DEFAULTS.trees,
            maxDepth: config.maxDepth ?? ONLINE_DIRECTION_DEFAULTS.maxDepth,
            minSamplesLeaf: 1,
            maxFeatures: null,
            bootstrap: true,
            maxSamples: null,
            classWeight: null,
          };
    this.seed = config.seed ?? ONLINE_DIRECTION_DEFAULTS.seed;
  }

  onBar(i: number, _ts: number, _open: number, high: number, low: number, close: number, volume: number): void {
    const f = this.features[i]!;
    const ok = f.update(high, low, close, volume);
    const t = this.count[i]!;
    const slot = i * this.span + (t % this.span);
    this.rows.set(f.values, slot * this.k);
    this.ready[slot] = ok ? 1 : 0;
    this.closes[slot] = close;
    this.count[i] = t + 1;
    if (ok && this.firstReady[i] === -1) this.firstReady[i] = t;
    this.sinceFit[i] = this.sinceFit[i]! + 1;
    if (this.labelled(i) >= this.config.window && (this.models[i] === null || this.sinceFit[i]! >= this.config.refitEvery)) this.refit(i);
    const m = this.models[i]!;
    this.probUp[i] = m !== null && ok ? m.probability(f.values) : Number.NaN;
  }

  /** Fits symbol `i`'s model on the last `window` labelled bars (those with every feature defined). */
  private refit(i: number): void {
    const { horizon, window } = this.config;
    const t = this.count[i]! - 1;
    const k = this.k;
    // Chronological copy of bars t - span + 1 .. t: rows 0 .. window - 1 are the labelled ones (s <= t - horizon).
    for (let j = 0; j < this.span; j++) this.window[j] = this.closes[i * this.span + ((t + 1 + j) % this.span)]!;
    const labels = upLabels(this.window, horizon);
    let n = 0;
    for (let j = 0; j < window; j++) {
      const slot = i * this.span + ((t + 1 + j) % this.span);
      if (this.ready[slot] !== 1) continue;
      for (let c = 0; c < k; c++) this.x[n * k + c] = this.rows[slot * k + c]!;
      this.y[n] = labels[j]!;
      n++;
    }
    this.sinceFit[i] = 0;
    // Too few rows with defined features (the features' warm-up) or one class only: keep the fit in force.
    if (n < 2) return;
    let fit;
    try {
      fit = trainClassifier(this.spec, n === window ? this.x : this.x.subarray(0, n * k), n === window ? this.y : this.y.subarray(0, n), n, { features: this.config.features, seed: this.seed });
    } catch (err) {
      if (err instanceof InvalidArgumentError) return;
      throw err;
    }
    this.fits++;
    this.models[i] = compileClassifier(fit.model);
    this.trainedRows[i] = n;
  }

  /** P(symbol `i`'s close `horizon` bars on is above its last), NaN before the first fit. */
  probabilityUp(i: number): number {
    return this.probUp[i]!;
  }

  /** Rows the fit in force for symbol `i` trained on (0: no fit yet). */
  trainedOn(i: number): number {
    return this.trainedRows[i]!;
  }

  /** Labelled rows of symbol `i` so far: bars s <= t - horizon from the first with every feature defined (a fit needs `window`). */
  labelled(i: number): number {
    const first = this.firstReady[i]!;
    return first < 0 ? 0 : Math.max(0, this.count[i]! - this.config.horizon - first);
  }
}
