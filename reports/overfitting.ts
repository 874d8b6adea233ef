import { checkCondition, checkFinite, checkInRange, checkInteger, checkOneOf, InvalidArgumentError } from '../engine/core/index.js';
import { inverseNormalCdf, normalCdf } from './normal.js';

/**
 * Overfitting statistics of Bailey and López de Prado: the probabilistic Sharpe ratio (PSR), the expected
 * maximum Sharpe ratio of N trials, the deflated Sharpe ratio (DSR), the minimum track record length, and
 * the probability of backtest overfitting (PBO) by combinatorially symmetric cross-validation (CSCV).
 *
 * Conventions: Sharpe ratios are per period (not annualized: divide an annual Sharpe by sqrt(periods per
 * year) and an annual variance by periods per year); kurtosis is raw (a normal distribution has 3).
 */

/** The Euler-Mascheroni constant. */
export const EULER_MASCHERONI = 0.5772156649015329;

export interface SharpeMomentsInput {
  /** Observed per-period Sharpe ratio. */
  readonly sharpe: number;
  /** Skewness of the per-period returns. */
  readonly skewness: number;
  /** Raw kurtosis of the per-period returns (normal = 3). */
  readonly kurtosis: number;
}

export interface ProbabilisticSharpeInput extends SharpeMomentsInput {
  /** Benchmark per-period Sharpe ratio SR*. */
  readonly benchmark: number;
  /** Number of return observations T (>= 2). */
  readonly observations: number;
}

/**
 * Returns the variance factor 1 - skew * SR + (kurtosis - 1) / 4 * SR^2 of the Sharpe ratio estimator
 * (Mertens), throwing when the moments make it non-positive (no valid distribution has that).
 */
function sharpeVarianceFactor({ sharpe, skewness, kurtosis }: SharpeMomentsInput): number {
  checkFinite(sharpe, 'sharpe');
  checkFinite(skewness, 'skewness');
  checkFinite(kurtosis, 'kurtosis');
  const v = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  if (!(v > 0)) {
    throw new InvalidArgumentError(
      `invalid 'skewness'/'kurtosis': 1 - skewness*sharpe + (kurtosis-1)/4*sharpe^2 is not positive, was ${v} (sharpe ${sharpe}, skewness ${skewness}, kurtosis ${kurtosis})`,
    );
  }
  return v;
}

/**
 * Returns the probabilistic Sharpe ratio: the probability that the true Sharpe ratio exceeds `benchmark`,
 * PSR = Phi((SR - SR*) * sqrt(T - 1) / sqrt(1 - skew * SR + (kurtosis - 1) / 4 * SR^2)).
 */
export function probabilisticSharpeRatio(input: ProbabilisticSharpeInput): number {
  const v = sharpeVarianceFactor(input);
  checkFinite(input.benchmark, 'benchmark');
  checkInteger(input.observations, 'observations');
  checkCondition(input.observations >= 2, `invalid 'observations': below 2, was ${input.observations}`);
  return normalCdf(((input.sharpe - input.benchmark) * Math.sqrt(input.observations - 1)) / Math.sqrt(v));
}

/**
 * Returns the expected maximum of N independent standard normal draws by the extreme-value approximation
 * (1 - g) * Phi^-1(1 - 1/N) + g * Phi^-1(1 - 1/(N e)), g the Euler-Mascheroni constant. N = 1 gives 0 (one
 * trial has no selection bias: its expected value is the mean).
 */
export function expectedMaxFactor(trials: number): number {
  checkInteger(trials, 'trials');
  checkCondition(trials >= 1, `invalid 'trials': below 1, was ${trials}`);
  if (trials === 1) return 0;
  return (
    (1 - EULER_MASCHERONI) * inverseNormalCdf(1 - 1 / trials) +
    EULER_MASCHERONI * inverseNormalCdf(1 - 1 / (trials * Math.E))
  );
}

export interface ExpectedMaxSharpeInput {
  /** Number of independent trials N (>= 1), failed ones included. */
  readonly trials: number;
  /** Variance of the trials' per-period Sharpe ratios. */
  readonly trialSharpeVariance: number;
}

/**
 * Returns the expected maximum per-period Sharpe ratio of N trials whose true Sharpe is zero:
 * sqrt(V) * expectedMaxFactor(N). It is the benchmark SR* of the deflated Sharpe ratio.
 */
export function expectedMaxSharpe({ trials, trialSharpeVariance }: ExpectedMaxSharpeInput): number {
  checkFinite(trialSharpeVariance, 'trialSharpeVariance');
  if (trialSharpeVariance < 0) {
    throw new InvalidArgumentError(`invalid 'trialSharpeVariance': negative, was ${trialSharpeVariance}`);
  }
  return Math.sqrt(trialSharpeVariance) * expectedMaxFactor(trials);
}

export interface DeflatedSharpeInput extends SharpeMomentsInput, ExpectedMaxSharpeInput {
  /** Number of return observations T of the selected trial (>= 2). */
  readonly observations: number;
}

/**
 * Returns the deflated Sharpe ratio: the PSR of the selected trial against the expected maximum Sharpe
 * ratio of all N trials, DSR = PSR(SR* = sqrt(V) * expectedMaxFactor(N)).
 */
export function deflatedSharpeRatio(input: DeflatedSharpeInput): number {
  return probabilisticSharpeRatio({
    sharpe: input.sharpe,
    benchmark: expectedMaxSharpe(input),
    observations: input.observations,
    skewness: input.skewness,
    kurtosis: input.kurtosis,
  });
}

export interface MinTrackRecordInput extends SharpeMomentsInput {
  /** Benchmark per-period Sharpe ratio SR*. */
  readonly benchmark: number;
  /** Required probability that the true Sharpe exceeds the benchmark, in (0, 1). */
  readonly confidence: number;
}

/**
 * Returns the minimum track record length (in periods) for the observed Sharpe ratio to exceed the
 * benchmark with the given confidence: 1 + (1 - skew * SR + (kurtosis - 1) / 4 * SR^2) *
 * (Phi^-1(confidence) / (SR - SR*))^2. Returns null when SR <= SR* (no track record is long enough).
 */
export function minTrackRecordLength(input: MinTrackRecordInput): number | null {
  const v = sharpeVarianceFactor(input);
  checkFinite(input.benchmark, 'benchmark');
  checkInRange(input.confidence, 0, 1, 'confidence');
  checkCondition(
    input.confidence > 0 && input.confidence < 1,
    `invalid 'confidence': not inside (0, 1), was ${input.confidence}`,
  );
  const edge = input.sharpe - input.benchmark;
  if (!(edge > 0)) return null;
  const z = inverseNormalCdf(input.confidence);
  return 1 + v * (z / edge) ** 2;
}

/** Performance measure ranked by CSCV: per-period Sharpe (mean / sample std) or the mean return. */
export type PboMetric = 'sharpe' | 'mean';
const PBO_METRICS: readonly PboMetric[] = ['sharpe', 'mean'];

export interface PboOptions {
  /** Number S of contiguous row blocks; even, >= 2. The splits are all C(S, S/2) halves. */
  readonly blocks: number;
  /** The performance measure (default 'sharpe'). */
  readonly metric?: PboMetric;
}

export interface PboResult {
  /** Fraction of splits whose in-sample best configuration ranks at or below the out-of-sample median (logit <= 0). */
  readonly pbo: number;
  /** Number of splits, C(S, S/2). */
  readonly splits: number;
  readonly blocks: number;
  readonly configurations: number;
  /** Logit ln(w / (1 - w)) of the out-of-sample relative rank w of the in-sample best, per split. */
  readonly logits: Float64Array;
  /** Relative rank w = rank / (N + 1) (rank 1 = worst, ties averaged) per split. */
  readonly relativeRanks: Float64Array;
  /** Index of the in-sample best configuration per split (the lowest index among ties). */
  readonly selected: Int32Array;
  /** In-sample and out-of-sample performance of the selected configuration per split. */
  readonly inSamplePerformance: Float64Array;
  readonly outOfSamplePerformance: Float64Array;
  /** Fraction of splits where the selected configuration's out-of-sample performance is negative. */
  readonly probabilityOfLoss: number;
  /**
   * Least-squares line outOfSample = intercept + slope * inSample over the splits (the performance
   * degradation of the paper); null when the in-sample values do not vary or are not all finite.
   */
  readonly degradation: { readonly slope: number; readonly intercept: number } | null;
}

/** Returns the binomial coefficient C(n, k), exact while it fits a double's integer range. */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let c = 1;
  // c * (n - kk + i) is divisible by i at every step (it is i * C(n - kk + i, i)), so c stays an integer.
  for (let i = 1; i <= kk; i++) c = (c * (n - kk + i)) / i;
  return c;
}

/**
 * Combines the summary statistics (count, mean, sum of squared deviations) of the chosen blocks for one
 * configuration with Chan's pairwise update, in block order, and returns the performance measure.
 */
function performance(
  counts: Int32Array,
  means: Float64Array,
  m2s: Float64Array,
  configurations: number,
  config: number,
  blocks: Int32Array,
  metric: PboMetric,
): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let j = 0; j < blocks.length; j++) {
    const b = blocks[j]!;
    const nb = counts[b]!;
    const k = b * configurations + config;
    const mb = means[k]!;
    const total = n + nb;
    const delta = mb - mean;
    mean += (delta * nb) / total;
    m2 += m2s[k]! + ((delta * delta * n) / total) * nb;
    n = total;
  }
  if (metric === 'mean') return mean;
  const sd = Math.sqrt(m2 / (n - 1));
  // A constant series has no dispersion: rank it by the sign of its mean.
  if (sd === 0) return mean > 0 ? Number.POSITIVE_INFINITY : mean < 0 ? Number.NEGATIVE_INFINITY : 0;
  return mean / sd;
}

/**
 * Returns the probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey,
 * Borwein, López de Prado and Zhu, 2015). `matrix` holds T rows (periods) by N columns (configurations)
 * of per-period returns. The rows are cut into S contiguous blocks (sizes differ by at most one row);
 * every choice of S/2 blocks is a training set J and the rest its test set, in lexicographic order of
 * the chosen block indexes. For each split the configuration with the best training performance is
 * selected; w is its out-of-sample rank among the N configurations divided by N + 1, its logit
 * ln(w / (1 - w)); PBO is the fraction of splits with logit <= 0 (at or below the median).
 * Throws InvalidArgumentError for a ragged or non-finite matrix, fewer than 2 configurations, an odd S,
 * or fewer than 2 rows per block with the Sharpe metric (1 with the mean).
 */
export function probabilityOfBacktestOverfitting(matrix: readonly ArrayLike<number>[], options: PboOptions): PboResult {
  const S = options.blocks;
  checkInteger(S, 'blocks');
  checkCondition(S >= 2 && S % 2 === 0, `invalid 'blocks': not an even number >= 2, was ${S}`);
  const metric = checkOneOf(options.metric ?? 'sharpe', PBO_METRICS, 'metric');
  const T = matrix.length;
  const minRows = metric === 'sharpe' ? 2 : 1;
  checkCondition(
    T >= S * minRows,
    `invalid 'matrix': ${T} rows, fewer than ${minRows} per block for ${S} blocks with metric '${metric}'`,
  );
  const N = matrix[0]!.length;
  checkCondition(N >= 2, `invalid 'matrix': fewer than 2 configurations (columns), was ${N}`);
  for (let t = 0; t < T; t++) {
    const row = matrix[t]!;
    if (row.length !== N) throw new InvalidArgumentError(`invalid 'matrix[${t}]': length differs from row 0 (${N}), was ${row.length}`);
    for (let c = 0; c < N; c++) {
      if (!Number.isFinite(row[c]!)) throw new InvalidArgumentError(`invalid 'matrix[${t}][${c}]': not a finite number, was ${row[c]}`);
    }
  }

  // Per block and configuration: row count, mean and sum of squared deviations (two passes per block).
  const counts = new Int32Array(S);
  const means = new Float64Array(S * N);
  const m2s = new Float64Array(S * N);
  for (let b = 0; b < S; b++) {
    const from = Math.floor((b * T) / S);
    const to = Math.floor(((b + 1) * T) / S);
    counts[b] = to - from;
    for (let c = 0; c < N; c++) {
      let sum = 0;
      for (let t = from; t < to; t++) sum += matrix[t]![c]!;
      const mean = sum / (to - from);
      let m2 = 0;
      for (let t = from; t < to; t++) {
        const d = matrix[t]![c]! - mean;
        m2 += d * d;
      }
      means[b * N + c] = mean;
      m2s[b * N + c] = m2;
    }
  }

  const half = S / 2;
  const splits = binomial(S, half);
  const logits = new Float64Array(splits);
  const relativeRanks = new Float64Array(splits);
  const selected = new Int32Array(splits);
  const inSample = new Float64Array(splits);
  const outOfSample = new Float64Array(splits);
  const train = new Int32Array(half);
  const test = new Int32Array(half);
  const oos = new Float64Array(N);
  for (let i = 0; i < half; i++) train[i] = i;
  let overfit = 0;
  let losses = 0;
  for (let s = 0; s < splits; s++) {
    // The test blocks are the complement of the training blocks, in increasing order.
    for (let b = 0, i = 0, j = 0; b < S; b++) {
      if (i < half && train[i] === b) i++;
      else test[j++] = b;
    }
    let best = 0;
    let bestIs = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < N; c++) {
      const isPerf = performance(counts, means, m2s, N, c, train, metric);
      if (isPerf > bestIs || c === 0) {
        bestIs = isPerf;
        best = c;
      }
      oos[c] = performance(counts, means, m2s, N, c, test, metric);
    }
    const chosen = oos[best]!;
    let below = 0;
    let equal = 0;
    for (let c = 0; c < N; c++) {
      const v = oos[c]!;
      if (v < chosen) below++;
      else if (v === chosen) equal++;
    }
    // Average rank among ties (1 = worst): below + (equal + 1) / 2. Twice the rank stays an integer.
    const twiceRank = 2 * below + equal + 1;
    const w = twiceRank / (2 * (N + 1));
    relativeRanks[s] = w;
    logits[s] = Math.log(twiceRank / (2 * (N + 1) - twiceRank)); // w / (1 - w) as a ratio of integers
    if (twiceRank <= N + 1) overfit++;
    if (chosen < 0) losses++;
    selected[s] = best;
    inSample[s] = bestIs;
    outOfSample[s] = chosen;

    // Next combination in lexicographic order.
    let i = half - 1;
    while (i >= 0 && train[i] === S - half + i) i--;
    if (i < 0) break;
    train[i]!++;
    for (let j = i + 1; j < half; j++) train[j] = train[j - 1]! + 1;
  }

  return {
    pbo: overfit / splits,
    splits,
    blocks: S,
    configurations: N,
    logits,
    relativeRanks,
    selected,
    inSamplePerformance: inSample,
    outOfSamplePerformance: outOfSample,
    probabilityOfLoss: losses / splits,
    degradation: leastSquaresLine(inSample, outOfSample),
  };
}

/** Returns the ordinary least-squares line y = intercept + slope * x, or null when x is constant or not finite. */
function leastSquaresLine(x: Float64Array, y: Float64Array): { slope: number; intercept: number } | null {
  const n = x.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) return null;
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    sxx += dx * dx;
    sxy += dx * (y[i]! - my);
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
