import { InvalidArgumentError } from '../core/index.js';

const EPS = 2.220446049250313e-16;

function checkPairs(y: ArrayLike<number>, p: ArrayLike<number>, what: string): void {
  if (y.length !== p.length) throw new InvalidArgumentError(`${what}: labels and probabilities differ in length (${y.length} and ${p.length})`);
  if (y.length === 0) throw new InvalidArgumentError(`${what}: no observations`);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new InvalidArgumentError(`${what}: label ${i} is not 0 or 1, was ${y[i]}`);
    const q = p[i]!;
    if (!(q >= 0 && q <= 1)) throw new InvalidArgumentError(`${what}: probability ${i} is not in [0, 1], was ${q}`);
  }
}

/**
 * Returns the area under the ROC curve of probabilities `p` for 0/1 labels `y`, as
 * sklearn.metrics.roc_auc_score: the Mann-Whitney statistic, ties counted one half. NaN when only one
 * class is present (sklearn raises).
 */
export function rocAuc(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkPairs(y, p, 'rocAuc');
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a]! - p[b]! || a - b);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && p[order[j + 1]!] === p[order[i]!]) j++;
    // Ranks i+1 .. j+1 share their average.
    const rank = (i + j + 2) / 2;
    for (let t = i; t <= j; t++) {
      if (y[order[t]!] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Returns the mean binary log loss (nats), as sklearn.metrics.log_loss (1.2, eps='auto'):
 * probabilities clipped to [eps, 1 - eps] with eps the float64 machine epsilon.
 */
export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkPairs(y, p, 'logLoss');
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i]!, EPS), 1 - EPS);
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / y.length;
}

/** Returns the share of labels predicted right when a probability above 0.5 predicts 1 (scikit-learn's `predict`). */
export function accuracy(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkPairs(y, p, 'accuracy');
  let right = 0;
  for (let i = 0; i < y.length; i++) if ((p[i]! > 0.5 ? 1 : 0) === y[i]) right++;
  return right / y.length;
}

/** One bin of a calibration table. */
export interface CalibrationBin {
  /** The bin's probability range [lower, upper] (bin 0 includes 0; a value on an inner edge falls in the lower bin). */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean predicted probability in the bin (null when empty). */
  readonly meanPredicted: number | null;
  /** Share of positives in the bin (null when empty). */
  readonly fractionPositive: number | null;
}

/**
 * Returns the calibration table of `p` against `y` over `bins` equal-width bins of [0, 1], binned as
 * sklearn.calibration.calibration_curve(strategy='uniform') (which returns the non-empty bins'
 * fractionPositive and meanPredicted); empty bins are kept, with null means.
 */
export function calibrationTable(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): CalibrationBin[] {
  checkPairs(y, p, 'calibrationTable');
  if (!Number.isInteger(bins) || bins < 1) throw new InvalidArgumentError(`calibrationTable: invalid 'bins': expected a positive integer, was ${bins}`);
  const edges = Array.from({ length: bins + 1 }, (_, i) => i / bins);
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const q = p[i]!;
    // numpy.searchsorted(edges[1:-1], q, side='left'): the number of inner edges strictly below q.
    let b = 0;
    while (b < bins - 1 && edges[b + 1]! < q) b++;
    count[b]! += 1;
    sumP[b]! += q;
    sumY[b]! += y[i]!;
  }
  return edges.slice(0, bins).map((lower, b) => ({
    lower,
    upper: edges[b + 1]!,
    count: count[b]!,
    meanPredicted: count[b]! > 0 ? sumP[b]! / count[b]! : null,
    fractionPositive: count[b]! > 0 ? sumY[b]! / count[b]! : null,
  }));
}
