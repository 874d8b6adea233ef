import { InvalidArgumentError } from '../core/index.js';
import { Ibs, RollingStd, Rsi, Sma, ZScore } from '../indicators/index.js';

/**
 * The named bar features a classifier is trained on and predicts from, each known at a bar's close
 * from that bar and earlier ones only (no look-ahead):
 *
 * | name     | value                                                                 | first value at bar |
 * |----------|-----------------------------------------------------------------------|--------------------|
 * | `ret1`   | log(close / close 1 bar ago)                                          | 2                  |
 * | `ret5`   | log(close / close 5 bars ago)                                         | 6                  |
 * | `ret20`  | log(close / close 20 bars ago)                                        | 21                 |
 * | `ibs`    | internal bar strength (close - low) / (high - low), 0.5 without range | 1                  |
 * | `rsi14`  | RSI(14) of the closes (Wilder), 0..100                                | 15                 |
 * | `volz20` | z-score of the volume over the last 20 bars, 0 on a constant window  | 20                 |
 * | `rvol20` | realized volatility: sample standard deviation of the last 20 `ret1`  | 21                 |
 * | `range`  | (high - low) / close                                                  | 1                  |
 * | `dist20` | close / SMA(20) of the closes - 1                                     | 20                 |
 *
 * The indicators are engine/indicators' (TTR-checked); a bar is usable once every selected feature
 * has its first value.
 */
export const FEATURE_NAMES = ['ret1', 'ret5', 'ret20', 'ibs', 'rsi14', 'volz20', 'rvol20', 'range', 'dist20'] as const;

/** One of {@link FEATURE_NAMES}. */
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Returns true when `name` is one of {@link FEATURE_NAMES}. */
export function isFeatureName(name: string): name is FeatureName {
  return (FEATURE_NAMES as readonly string[]).includes(name);
}

/**
 * Checks a feature list (non-empty, known names, no repeats) and returns it typed; throws an
 * InvalidArgumentError naming `where` and the offending entry.
 */
export function checkFeatureNames(names: readonly string[], where = 'features'): readonly FeatureName[] {
  if (!Array.isArray(names) || names.length === 0) throw new InvalidArgumentError(`invalid '${where}': expected a non-empty list of feature names (${FEATURE_NAMES.join(', ')})`);
  const seen = new Set<string>();
  for (const [i, n] of names.entries()) {
    if (typeof n !== 'string' || !isFeatureName(n)) throw new InvalidArgumentError(`invalid '${where}[${i}]': unknown feature ${JSON.stringify(n)} (known: ${FEATURE_NAMES.join(', ')})`);
    if (seen.has(n)) throw new InvalidArgumentError(`invalid '${where}[${i}]': feature '${n}' is listed twice`);
    seen.add(n);
  }
  return names as readonly FeatureName[];
}

const LAGS = 21;

/**
 * Streaming feature construction: one {@link update} per bar (O(1), no allocation) writes the
 * selected features, in the order given, into {@link values}. The same class builds the training
 * rows (see {@link featureMatrix}) and the rows a strategy predicts from, so training and trading see
 * identical numbers.
 */
export class BarFeatures {
  readonly names: readonly FeatureName[];
  /** The selected features of the last bar, in the order of {@link names}; NaN until each has a value. */
  readonly values: Float64Array;
  private readonly codes: Int32Array;
  private readonly closes = new Float64Array(LAGS);
  private seen = 0;
  /** The bar count at the last return that was not finite (0: none). */
  private badReturnAt = 0;
  private readonly ibs = new Ibs();
  private readonly rsi = new Rsi(14);
  private readonly volZ = new ZScore(20);
  private readonly rvol = new RollingStd(20);
  private readonly sma = new Sma(20);

  constructor(names: readonly string[]) {
    this.names = checkFeatureNames(names);
    this.values = new Float64Array(this.names.length).fill(Number.NaN);
    this.codes = Int32Array.from(this.names.map((n) => FEATURE_NAMES.indexOf(n)));
  }

  /** Bars seen so far. */
  get count(): number {
    return this.seen;
  }

  /** Returns true when every selected feature of the last bar is finite. */
  get ready(): boolean {
    const v = this.values;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
    return this.seen > 0;
  }

  /** Adds one bar and returns {@link ready}. */
  update(high: number, low: number, close: number, volume: number): boolean {
    const slot = this.seen % LAGS;
    this.closes[slot] = close;
    this.seen++;
    const ret1 = Math.log(close / this.lag(slot, 1));
    const ibs = this.ibs.update(high, low, close);
    const rsi = this.rsi.update(close);
    const volz = this.volZ.update(volume);
    // A return that is not finite (a close of 0 or below) is kept out of the realized volatility's
    // window, which then has no value until 20 finite returns have followed it.
    if (Number.isFinite(ret1)) this.rvol.update(ret1);
    else if (this.seen > 1) this.badReturnAt = this.seen;
    const rvol = this.seen - this.badReturnAt > 20 ? this.rvol.value : Number.NaN;
    const sma = this.sma.update(close);
    const v = this.values;
    for (let i = 0; i < this.codes.length; i++) {
      switch (this.codes[i]) {
        case 0: v[i] = ret1; break;
        case 1: v[i] = Math.log(close / this.lag(slot, 5)); break;
        case 2: v[i] = Math.log(close / this.lag(slot, 20)); break;
        case 3: v[i] = ibs; break;
        case 4: v[i] = rsi; break;
        case 5: v[i] = volz; break;
        case 6: v[i] = rvol; break;
        case 7: v[i] = (high - low) / close; break;
        default: v[i] = close / sma - 1; break;
      }
    }
    return this.ready;
  }

  /** The close `k` bars before the one in `slot`, NaN before it exists. */
  private lag(slot: number, k: number): number {
    return this.seen > k ? this.closes[(slot - k + LAGS) % LAGS]! : Number.NaN;
  }
}

/** Bars as columns (the same length each). */
export interface FeatureBars {
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly close: ArrayLike<number>;
  readonly volume: ArrayLike<number>;
}

/**
 * Returns the feature matrix of `bars` (row-major, `rows x names.length`, NaN where a feature has no
 * value yet), built bar by bar with {@link BarFeatures}, and `ready[t]` (1 when every feature of row t is finite).
 */
export function featureMatrix(bars: FeatureBars, names: readonly string[]): { x: Float64Array; ready: Uint8Array; rows: number; cols: number } {
  const f = new BarFeatures(names);
  const rows = bars.close.length;
  const cols = f.names.length;
  const x = new Float64Array(rows * cols);
  const ready = new Uint8Array(rows);
  for (let t = 0; t < rows; t++) {
    ready[t] = f.update(bars.high[t]!, bars.low[t]!, bars.close[t]!, bars.volume[t]!) ? 1 : 0;
    x.set(f.values, t * cols);
  }
  return { x, ready, rows, cols };
}

/**
 * Returns the direction labels of a forward horizon: `y[t] = 1` when close[t + horizon] > close[t],
 * else 0, and NaN for the last `horizon` bars (no future to label them with). Labels of neighbouring
 * bars overlap by `horizon - 1` bars of returns: validation must purge and embargo `horizon` bars
 * around each test block.
 */
export function upLabels(close: ArrayLike<number>, horizon: number): Float64Array {
  if (!Number.isInteger(horizon) || horizon < 1) throw new InvalidArgumentError(`invalid 'horizon': expected a positive integer, was ${horizon}`);
  const n = close.length;
  const y = new Float64Array(n).fill(Number.NaN);
  for (let t = 0; t + horizon < n; t++) y[t] = close[t + horizon]! > close[t]! ? 1 : 0;
  return y;
}
