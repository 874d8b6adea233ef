import { InvalidArgumentError } from '../../engine/core/index.js';
import {
  accuracy,
  calibrationTable,
  logLoss,
  mutualInformation,
  predictProbabilities,
  quantileBins,
  rocAuc,
  trainClassifier,
  type CalibrationBin,
  type ClassifierModel,
  type ClassifierSpec,
} from '../../engine/models/index.js';
import { cpcvSplits, walkForwardWindows, type Span } from './walk-forward/windows.js';

/**
 * Honest out-of-sample validation of a direction classifier on time-ordered rows: purged and
 * embargoed cross-validation over the walk-forward / CPCV windows of ./walk-forward/windows.ts.
 *
 * - `kfold`: the rows are cut into `folds` contiguous groups (cpcvSplits with one test group); each
 *   group is tested once by a model trained on every other row except the `purge` rows before and
 *   the `embargo` rows after the test group. Every row is predicted out of sample exactly once.
 * - `walkforward`: anchored walk-forward windows (walkForwardWindows): `folds` test blocks of
 *   n / (folds + 1) rows, each predicted by a model trained on every row before it but the last `purge`;
 *   the first block is only ever trained on. No row after a test block is trained on, so an
 *   embargo would remove nothing (refused above 0).
 *
 * A label built from the next `h` bars overlaps the labels of the `h - 1` rows around it: purge and
 * embargo must be at least `h` rows, or rows next to a test block leak its outcome into training.
 */
export interface ValidationOptions {
  readonly scheme: 'kfold' | 'walkforward';
  readonly folds: number;
  readonly purge: number;
  readonly embargo: number;
  readonly seed: number;
  readonly features: readonly string[];
  readonly symbol: string;
  /** Calibration bins (default 10). */
  readonly bins?: number;
}

/** Out-of-sample scores of a set of predictions. */
export interface Scores {
  readonly rows: number;
  readonly auc: number | null;
  readonly logLoss: number;
  readonly accuracy: number;
  /** Share of positive labels (the accuracy of always predicting the majority class is max(rate, 1 - rate)). */
  readonly positiveRate: number;
}

/** One validation fold, spans in row indices (half-open). */
export interface ValidationFold extends Scores {
  readonly index: number;
  readonly train: readonly Span[];
  readonly test: readonly Span[];
  readonly trainRows: number;
}

/** The result of {@link validateClassifier}. */
export interface ValidationResult {
  readonly scheme: ValidationOptions['scheme'];
  readonly purge: number;
  readonly embargo: number;
  readonly folds: readonly ValidationFold[];
  /** Scores of every out-of-sample prediction pooled. */
  readonly outOfSample: Scores;
  readonly calibration: readonly CalibrationBin[];
  /** Per feature: importance of the model trained on every row, and the mutual information (nats) of its deciles with the label. */
  readonly features: readonly { readonly name: string; readonly importance: number; readonly mutualInformation: number }[];
}

function scores(y: ArrayLike<number>, p: ArrayLike<number>): Scores {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i]!;
  const auc = rocAuc(y, p);
  return { rows: y.length, auc: Number.isNaN(auc) ? null : auc, logLoss: logLoss(y, p), accuracy: accuracy(y, p), positiveRate: pos / y.length };
}

function gather(x: Float64Array, y: Float64Array, k: number, spans: readonly Span[]): { x: Float64Array; y: Float64Array; n: number } {
  const n = spans.reduce((s, r) => s + r.end - r.start, 0);
  const gx = new Float64Array(n * k);
  const gy = new Float64Array(n);
  let o = 0;
  for (const r of spans) {
    gx.set(x.subarray(r.start * k, r.end * k), o * k);
    gy.set(y.subarray(r.start, r.end), o);
    o += r.end - r.start;
  }
  return { x: gx, y: gy, n };
}

/** Returns the train/test spans of each fold over `n` rows (see {@link ValidationOptions}). */
export function validationSplits(n: number, o: Pick<ValidationOptions, 'scheme' | 'folds' | 'purge' | 'embargo'>): { train: Span[]; test: Span[] }[] {
  if (!Number.isInteger(o.folds) || o.folds < 2) throw new InvalidArgumentError(`invalid 'folds': expected an integer >= 2, was ${o.folds}`);
  if (o.scheme === 'kfold') {
    return cpcvSplits({ observations: n, groups: o.folds, testGroups: 1, purge: o.purge, embargo: o.embargo }).splits.map((s) => ({ train: [...s.train], test: [...s.test] }));
  }
  if (o.embargo > 0) throw new InvalidArgumentError(`invalid 'embargo': a walk-forward never trains after its test block, so an embargo would remove nothing; give 0 or use kfold`);
  const block = Math.floor(n / (o.folds + 1));
  if (block < 1) throw new InvalidArgumentError(`invalid 'folds': ${o.folds} folds need at least ${o.folds + 1} rows, there are ${n}`);
  return walkForwardWindows({ start: 0, end: block * (o.folds + 1), train: block, test: block, anchored: true, purge: o.purge }).map((f) => ({ train: [f.train], test: [f.test] }));
}

/**
 * Validates `spec` on rows `x` (row-major, n x features) with 0/1 labels `y`, trains the final model
 * on every row, and returns both. Deterministic for a seed.
 */
export function validateClassifier(spec: ClassifierSpec, x: Float64Array, y: Float64Array, n: number, o: ValidationOptions): { result: ValidationResult; model: ClassifierModel } {
  const k = o.features.length;
  const splits = validationSplits(n, o);
  const folds: ValidationFold[] = [];
  const oosY: number[] = [];
  const oosP: number[] = [];
  for (const [index, s] of splits.entries()) {
    const tr = gather(x, y, k, s.train);
    const te = gather(x, y, k, s.test);
    if (tr.n < 2) throw new InvalidArgumentError(`fold ${index}: only ${tr.n} training rows after purge and embargo; use fewer folds or more data`);
    const fit = trainClassifier(spec, tr.x, tr.y, tr.n, { features: o.features, seed: o.seed, symbol: o.symbol });
    const p = predictProbabilities(fit.model, te.x, te.n);
    folds.push({ index, train: s.train, test: s.test, trainRows: tr.n, ...scores(te.y, p) });
    for (let i = 0; i < te.n; i++) {
      oosY.push(te.y[i]!);
      oosP.push(p[i]!);
    }
  }
  const final = trainClassifier(spec, x, y, n, { features: o.features, seed: o.seed, symbol: o.symbol });
  const column = new Float64Array(n);
  const features = o.features.map((name, j) => {
    for (let i = 0; i < n; i++) column[i] = x[i * k + j]!;
    return { name, importance: final.importance[j]!, mutualInformation: mutualInformation(quantileBins(column, 10), y) };
  });
  return {
    result: { scheme: o.scheme, purge: o.purge, embargo: o.embargo, folds, outOfSample: scores(oosY, oosP), calibration: calibrationTable(oosY, oosP, o.bins ?? 10), features } satisfies ValidationResult,
    model: final.model,
  };
}
