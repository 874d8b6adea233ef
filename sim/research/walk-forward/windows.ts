import { checkInteger, checkNonNegative, checkPositiveInteger, InvalidArgumentError } from '../../../engine/core/index.js';

/** A half-open range [start, end) of time (microseconds) or of row indices. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Options of {@link walkForwardWindows}. All lengths are in the unit of `start`/`end` (microseconds or rows). */
export interface WalkForwardWindowOptions {
  /** Start of the data, inclusive. */
  readonly start: number;
  /** End of the data, exclusive. */
  readonly end: number;
  /** Length of a train window (rolling), or of the first one (anchored). */
  readonly train: number;
  /** Length of a test window; consecutive test windows abut (the step is the test length). */
  readonly test: number;
  /** Anchored: every train window starts at `start` and grows; rolling (default): fixed length, moving. */
  readonly anchored?: boolean;
  /** Drops the last `purge` of each train window, so train data ends `purge` before its test starts (default 0). */
  readonly purge?: number;
  /**
   * Drops the `embargo` following each test window from any later train window (default 0). In a
   * walk-forward every train window ends before its own test starts, and the span right after an
   * earlier test lies inside the next test window, so the embargo removes nothing here; it is
   * accepted for symmetry with {@link cpcvSplits}, where train groups follow test groups, and
   * recorded in each fold.
   */
  readonly embargo?: number;
}

/** One walk-forward fold. */
export interface WalkForwardFold {
  readonly index: number;
  /** Train window after the purge. */
  readonly train: Span;
  /** The purged span between train and test (empty when purge is 0). */
  readonly purged: Span;
  readonly test: Span;
  readonly embargo: number;
}

function checkSpanOptions(o: WalkForwardWindowOptions): { purge: number; embargo: number } {
  checkInteger(o.start, 'start');
  checkInteger(o.end, 'end');
  if (!(o.end > o.start)) throw new InvalidArgumentError(`invalid 'end': not after start (${o.start}), was ${o.end}`);
  checkPositiveInteger(o.train, 'train');
  checkPositiveInteger(o.test, 'test');
  const purge = checkNonNegative(o.purge ?? 0, 'purge');
  const embargo = checkNonNegative(o.embargo ?? 0, 'embargo');
  checkInteger(purge, 'purge');
  checkInteger(embargo, 'embargo');
  if (purge >= o.train) throw new InvalidArgumentError(`invalid 'purge': not shorter than the train window (${o.train}), was ${purge}`);
  return { purge, embargo };
}

/**
 * Returns the walk-forward folds over [start, end): fold k tests [s_k, s_k + test) with
 * s_k = start + train + k test, and trains on [s_k - train, s_k - purge) (rolling) or
 * [start, s_k - purge) (anchored). Only complete test windows are kept; throws when not even one
 * fits, naming the lengths.
 */
export function walkForwardWindows(options: WalkForwardWindowOptions): WalkForwardFold[] {
  const { purge, embargo } = checkSpanOptions(options);
  const { start, end, train, test } = options;
  const folds: WalkForwardFold[] = [];
  for (let s = start + train; s + test <= end; s += test) {
    const trainStart = options.anchored === true ? start : s - train;
    folds.push(
      Object.freeze({
        index: folds.length,
        train: Object.freeze({ start: trainStart, end: s - purge }),
        purged: Object.freeze({ start: s - purge, end: s }),
        test: Object.freeze({ start: s, end: s + test }),
        embargo,
      }),
    );
  }
  if (folds.length === 0) {
    throw new InvalidArgumentError(
      `invalid 'train'/'test': train (${train}) + test (${test}) do not fit in the data [${start}, ${end}) (length ${end - start})`,
    );
  }
  return folds;
}

/** Options of {@link cpcvSplits}; lengths count observations (rows). */
export interface CpcvOptions {
  /** Number of observations T (rows 0..T-1). */
  readonly observations: number;
  /** Number of contiguous groups N, 2 <= N <= T. */
  readonly groups: number;
  /** Number of test groups k per split, 1 <= k < N. */
  readonly testGroups: number;
  /** Train observations dropped right before each test group (default 0). */
  readonly purge?: number;
  /** Train observations dropped right after each test group (default 0). */
  readonly embargo?: number;
}

/** One CPCV split. */
export interface CpcvSplit {
  readonly index: number;
  /** The test groups, ascending. */
  readonly testGroups: readonly number[];
  /** Test rows as merged ranges. */
  readonly test: readonly Span[];
  /** Train rows as merged ranges, after purge and embargo. */
  readonly train: readonly Span[];
}

/** The result of {@link cpcvSplits}. */
export interface CpcvResult {
  /** Row range of each group. */
  readonly groups: readonly Span[];
  /** All C(N, k) splits, test groups in lexicographic order. */
  readonly splits: readonly CpcvSplit[];
  /**
   * The backtest paths, C(N-1, k-1) of them: `paths[p][g]` is the split whose test window supplies
   * group g on path p. Each group's test appearances are dealt to paths in split order, so every
   * path covers every group exactly once and every (split, test group) pair is used exactly once.
   */
  readonly paths: readonly (readonly number[])[];
}

function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const current: number[] = [];
  const walk = (from: number): void => {
    if (current.length === k) {
      out.push(current.slice());
      return;
    }
    for (let i = from; i <= n - (k - current.length); i++) {
      current.push(i);
      walk(i + 1);
      current.pop();
    }
  };
  walk(0);
  return out;
}

/** Returns the binomial coefficient C(n, k). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * (n - Math.min(k, n - k) + i)) / i;
  return Math.round(r);
}

function merge(ranges: Span[]): Span[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/**
 * Returns the combinatorial purged cross-validation splits of Lopez de Prado (Advances in Financial
 * Machine Learning, ch. 12): the T rows are cut into N contiguous groups (sizes differing by at most
 * one), every choice of k groups is a test set, and the train set is every other row except the
 * `purge` rows before and the `embargo` rows after each test group. The C(N-1, k-1) paths stitch one
 * out-of-sample test result for every group.
 */
export function cpcvSplits(options: CpcvOptions): CpcvResult {
  const t = checkPositiveInteger(options.observations, 'observations');
  const n = checkPositiveInteger(options.groups, 'groups');
  const k = checkPositiveInteger(options.testGroups, 'testGroups');
  if (n < 2 || n > t) throw new InvalidArgumentError(`invalid 'groups': outside [2, observations (${t})], was ${n}`);
  if (k >= n) throw new InvalidArgumentError(`invalid 'testGroups': not below groups (${n}), was ${k}`);
  const purge = checkNonNegative(options.purge ?? 0, 'purge');
  const embargo = checkNonNegative(options.embargo ?? 0, 'embargo');
  checkInteger(purge, 'purge');
  checkInteger(embargo, 'embargo');
  const groups: Span[] = Array.from({ length: n }, (_, g) => Object.freeze({ start: Math.floor((g * t) / n), end: Math.floor(((g + 1) * t) / n) }));
  const splits: CpcvSplit[] = combinations(n, k).map((testGroups, index) => {
    const test = merge(testGroups.map((g) => groups[g]!));
    const excluded = merge(test.map((r) => ({ start: Math.max(0, r.start - purge), end: Math.min(t, r.end + embargo) })));
    const train: Span[] = [];
    let cursor = 0;
    for (const r of excluded) {
      if (r.start > cursor) train.push({ start: cursor, end: r.start });
      cursor = r.end;
    }
    if (cursor < t) train.push({ start: cursor, end: t });
    return Object.freeze({ index, testGroups: Object.freeze(testGroups), test: Object.freeze(test), train: Object.freeze(train) });
  });
  const pathCount = binomial(n - 1, k - 1);
  const paths: number[][] = Array.from({ length: pathCount }, () => new Array<number>(n).fill(-1));
  const dealt = new Array<number>(n).fill(0);
  for (const split of splits) {
    for (const g of split.testGroups) paths[dealt[g]!++]![g] = split.index;
  }
  return Object.freeze({ groups: Object.freeze(groups), splits: Object.freeze(splits), paths: Object.freeze(paths.map((p) => Object.freeze(p))) });
}
