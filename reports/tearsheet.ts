import { checkCondition, checkPositiveInteger, formatIsoUs, InvalidArgumentError, US_PER_DAY } from '../engine/core/index.js';
// The module itself, not reports/html/index.js (that would load ECharts with every run).
import { monthlyReturns, yearlyReturns } from './html/monthly-returns.js';
import { curveScan, drawdownEpisodes, numberColumns } from './metrics.js';
import type { CurveObserver, DrawdownEpisode, EquityCurveInput, EquityCurveScan } from './metrics.js';

/**
 * The tear sheet of a run (report.json `tearSheet`): worst drawdowns, the distribution of the period
 * returns, yearly returns beside buy and hold, alpha and beta against buy and hold, rolling Sharpe,
 * volatility and beta, and round-trip durations. Functions of the equity curve (whole, or a streamed run's
 * read in chunks a few times over, never held whole), the sampled prices and the round trips. The period
 * returns are computeMetrics' (r_i = E_i / E_{i-1} - 1), the annualization its periodsPerYear and the
 * drawdown episodes its own (drawdownEpisodes in reports/metrics.ts). A figure undefined for the data is null.
 */

/** Episodes the worst-drawdowns table lists. */
export const WORST_DRAWDOWNS = 5;
/** Bins of the return histogram. */
export const HISTOGRAM_BINS = 30;
/** Most points of each rolling series in the report. */
export const MAX_ROLLING_POINTS = 2000;
/** The shortest rolling window. */
export const MIN_ROLLING_WINDOW = 20;

export interface WorstDrawdown {
  /** The last sample at the peak before the fall, ISO-8601. */
  readonly start: string;
  /** The deepest sample of the episode (its first occurrence), ISO-8601. */
  readonly trough: string;
  /** The first sample back at or above the peak, or null when the curve never recovers. */
  readonly end: string | null;
  /** 1 - trough equity / peak equity: a positive fraction. */
  readonly depth: number;
  /** Days from start to end, or to the last sample when not recovered. */
  readonly lengthDays: number;
  /** Days from trough to end, or null when not recovered. */
  readonly recoveryDays: number | null;
}

/** One bin of the return histogram: returns in [from, to) (the last bin includes `to`), as numpy.histogram. */
export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** The distribution of the period returns. */
export interface ReturnDistribution {
  readonly periods: number;
  readonly mean: number;
  /** Sample standard deviation (ddof 1); null with one return. */
  readonly std: number | null;
  /** Adjusted Fisher-Pearson skewness, scipy.stats.skew(bias=False) = pandas' skew(); null under 3 returns or with zero variance. */
  readonly skew: number | null;
  /** Excess kurtosis, scipy.stats.kurtosis(fisher=True, bias=False) = pandas' kurt(); null under 4 returns or with zero variance. */
  readonly kurtosis: number | null;
  readonly min: number;
  readonly max: number;
  /** Historical value at risk: the 5% quantile of the returns (linear interpolation, numpy's default); a return, negative for a loss. */
  readonly var95: number;
  /** Conditional VaR: the mean of the returns below var95 (var95 itself when none is below), as quantstats. */
  readonly cvar95: number;
  readonly histogram: readonly HistogramBin[];
  /** The normal distribution drawn over the histogram: the returns' mean and std. */
  readonly normal: { readonly mean: number; readonly std: number | null };
}

/** One calendar year (UTC): the compounded return of the strategy and of buy and hold over the months the run covers. */
export interface YearlyRow {
  readonly year: number;
  readonly strategy: number | null;
  readonly benchmark: number | null;
}

/** The strategy's period returns regressed on buy and hold's (OLS with intercept: r_s = a + b r_b + e). */
export interface BenchmarkStats {
  /** Number of period returns regressed. */
  readonly periods: number;
  /** Intercept a per period x periodsPerYear (quantstats' annualization); null without periodsPerYear. */
  readonly alpha: number | null;
  /** Slope b = cov(r_s, r_b) / var(r_b); null when buy and hold is flat. */
  readonly beta: number | null;
  readonly correlation: number | null;
  /** correlation squared (the regression's R squared). */
  readonly rSquared: number | null;
  /** std(r_s - r_b) (ddof 1) x sqrt(periodsPerYear). */
  readonly trackingError: number | null;
  /** mean(r_s - r_b) / std(r_s - r_b) x sqrt(periodsPerYear). */
  readonly informationRatio: number | null;
}

/**
 * Rolling figures over a trailing window of `window` period returns, at the samples `ts` (a subset of
 * the equity samples: evenly spaced, the last kept, at most MAX_ROLLING_POINTS). A value is null until
 * the window has filled (the first `window` samples) and where it is undefined (zero variance).
 */
export interface RollingStats {
  readonly window: number;
  readonly ts: readonly number[];
  /** (mean - rf per period) / std x sqrt(periodsPerYear), as the whole-run Sharpe. */
  readonly sharpe: readonly (number | null)[];
  /** std (ddof 1) x sqrt(periodsPerYear). */
  readonly volatility: readonly (number | null)[];
  /** cov(r_s, r_b) / var(r_b) against buy and hold; null without a benchmark. */
  readonly beta: readonly (number | null)[] | null;
}

/** Durations of a set of round trips, in days (entry to exit). */
export interface DurationStats {
  readonly count: number;
  readonly meanDays: number | null;
  readonly medianDays: number | null;
  readonly maxDays: number | null;
}

/** Round-trip durations: all, winners (pnl > 0) and losers (pnl < 0). */
export interface TradeStats {
  readonly all: DurationStats;
  readonly winners: DurationStats;
  readonly losers: DurationStats;
  /** Maximum adverse / favourable excursion: not recorded by the engine's round trips, so null. */
  readonly mae: null;
  readonly mfe: null;
}

/** The buy-and-hold curve at the report's equity samples (report.json `equity[i].ts`): growth of 1. */
export interface BenchmarkCurve {
  /** The symbols held, in equal weights. */
  readonly symbols: readonly string[];
  readonly ts: readonly number[];
  /** Value of 1 invested at the start: mean over the symbols of price(t) / first price. */
  readonly value: readonly number[];
}

/** report.json's `tearSheet`. */
export interface TearSheet {
  readonly periodsPerYear: number | null;
  readonly worstDrawdowns: readonly WorstDrawdown[];
  readonly distribution: ReturnDistribution | null;
  readonly yearly: readonly YearlyRow[];
  readonly benchmarkCurve: BenchmarkCurve | null;
  readonly benchmark: BenchmarkStats | null;
  readonly rolling: RollingStats | null;
  readonly tradeStats: TradeStats;
}

/** Returns null in place of a non-finite number. */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Close prices of one symbol, as report.json's `prices` (ts increasing). */
type Prices = { readonly ts: readonly number[]; readonly close: readonly number[] };

/**
 * Returns the `count` deepest drawdown episodes of the curve, deepest first (an earlier episode first on
 * a tie). The episodes are computeMetrics' (drawdownEpisodes in reports/metrics.ts): they run from the last
 * sample at a peak to the first sample back at that peak and never overlap, so the deepest five are
 * pyfolio's get_top_drawdowns. Only the `count` deepest are kept while the curve is read.
 */
export function worstDrawdowns(curve: EquityCurveInput | EquityCurveScan, count: number = WORST_DRAWDOWNS): WorstDrawdown[] {
  const worst = new WorstDrawdownKeeper(count);
  drawdownEpisodes(curve, (e) => worst.add(e));
  return worst.result();
}

/**
 * Keeps the `count` deepest of the drawdown episodes given to {@link add} in time order (an earlier one first
 * on a tie): {@link worstDrawdowns} of a curve, or of computeMetrics' own pass (MetricsInput.onDrawdownEpisode).
 */
export class WorstDrawdownKeeper {
  private readonly kept: DrawdownEpisode[] = [];

  constructor(private readonly count: number = WORST_DRAWDOWNS) {}

  add(e: DrawdownEpisode): void {
    const kept = this.kept;
    // Insert after every kept episode at least as deep (earlier ones win ties), drop the shallowest.
    let at = kept.length;
    while (at > 0 && kept[at - 1]!.depth < e.depth) at--;
    if (at < this.count) {
      kept.splice(at, 0, e);
      if (kept.length > this.count) kept.pop();
    }
  }

  /** The episodes kept, deepest first, as the report lists them. */
  result(): WorstDrawdown[] {
    return this.kept.map((e) => ({
      start: formatIsoUs(e.peakTs),
      trough: formatIsoUs(e.troughTs),
      end: e.endTs === null ? null : formatIsoUs(e.endTs),
      depth: e.depth,
      lengthDays: (e.lastTs - e.peakTs) / US_PER_DAY,
      recoveryDays: e.endTs === null ? null : (e.endTs - e.troughTs) / US_PER_DAY,
    }));
  }
}

/**
 * The equal-weight buy and hold of `symbols`, read forward in time: {@link value} at t is the mean over
 * the symbols of price_s(t) / first price_s, where price_s(t) is the symbol's last price at or before t
 * (as of t) and a symbol not yet priced counts as 1 (its share still in cash). Symbols without a positive
 * first price are left out.
 */
export class BuyAndHoldCursor {
  readonly symbols: readonly string[];
  private readonly series: readonly Prices[];
  private readonly at: Int32Array;
  /** The value last computed, and the earliest time a symbol's next price takes effect: before it, the value is the same. */
  private last = Number.NaN;
  private nextTs = Number.NEGATIVE_INFINITY;

  constructor(prices: Readonly<Record<string, Prices>>, symbols: readonly string[]) {
    this.symbols = symbols.filter((s) => prices[s] !== undefined && prices[s]!.close.length > 0 && prices[s]!.close[0]! > 0);
    this.series = this.symbols.map((s) => prices[s]!);
    this.at = new Int32Array(this.symbols.length).fill(-1);
  }

  /** The value at `t`; calls must come in non-decreasing `t`. Recomputed only when a price takes effect (the sampled prices are far fewer than the equity samples). */
  value(t: number): number {
    if (t < this.nextTs) return this.last;
    let sum = 0;
    let next = Number.POSITIVE_INFINITY;
    for (let k = 0; k < this.series.length; k++) {
      const p = this.series[k]!;
      let j = this.at[k]!;
      while (j + 1 < p.ts.length && p.ts[j + 1]! <= t) j++;
      this.at[k] = j;
      sum += j < 0 ? 1 : p.close[j]! / p.close[0]!;
      if (j + 1 < p.ts.length && p.ts[j + 1]! < next) next = p.ts[j + 1]!;
    }
    this.nextTs = next;
    this.last = sum / this.series.length;
    return this.last;
  }
}

/**
 * Returns the equal-weight buy-and-hold curve at the samples `ts` (growth of 1; see {@link BuyAndHoldCursor}).
 * With the report's sampled prices (at most MAX_PRICE_POINTS per symbol) it is exact at every sample of a
 * run up to that many bars per symbol and a step curve between the kept samples beyond. Null when no
 * symbol has a positive first price.
 */
export function buyAndHoldCurve(ts: ArrayLike<number>, prices: Readonly<Record<string, Prices>>, symbols: readonly string[]): { symbols: string[]; value: Float64Array } | null {
  const cursor = new BuyAndHoldCursor(prices, symbols);
  if (cursor.symbols.length === 0) return null;
  const value = new Float64Array(ts.length);
  for (let i = 0; i < ts.length; i++) value[i] = cursor.value(ts[i]!);
  return { symbols: [...cursor.symbols], value };
}

/**
 * Period returns, replayable: each call visits them in order. `r` is the strategy's, `b` the benchmark's
 * (NaN without one or once it is undefined), `i` the equity sample the period ends at (the return r_i =
 * E_i / E_{i-1} - 1 ends at sample i). Strategy returns end after the first one whose base or value is
 * not positive (computeMetrics' rule: once equity is not positive a percentage return has no meaning).
 */
export type ReturnSource = ((visit: (r: number, b: number, i: number) => void) => void) & {
  /** The same returns held in memory (return j ends at sample j + 1), when they are: read directly where a pass needs them whole. */
  readonly arrays?: HeldReturns;
};

/** Returns held in memory: `r[j]` ends at sample j + 1; `b` the benchmark's, in an array or as runs, or null (no benchmark). */
export interface HeldReturns {
  readonly r: Float64Array;
  readonly b: Float64Array | ReturnRuns | null;
}

/**
 * Values held as runs of equal values: value j is `values[k]` for the last k with `starts[k] <= j`
 * (`starts[0]` is 0). The benchmark's returns are kept so: buy and hold moves only at the sampled prices
 * (MAX_PRICE_POINTS per symbol), so its return is exactly 0 between them and a 2.5 M-sample run's are a
 * few thousand runs rather than 20 MB of memory touched for the first time.
 */
export interface ReturnRuns {
  readonly starts: readonly number[];
  readonly values: readonly number[];
}

/** Calls `visit` with every held return in order (a run's value for each of its returns). */
function visitHeld(held: HeldReturns, visit: (r: number, b: number, i: number) => void): void {
  const { r, b } = held;
  if (b === null || b instanceof Float64Array) {
    for (let j = 0; j < r.length; j++) visit(r[j]!, b === null ? Number.NaN : b[j]!, j + 1);
    return;
  }
  const { starts, values } = b;
  let k = 0;
  let value = Number.NaN;
  let next = starts.length > 0 ? starts[0]! : Number.POSITIVE_INFINITY;
  for (let j = 0; j < r.length; j++) {
    if (j === next) {
      value = values[k++]!;
      next = k < starts.length ? starts[k]! : Number.POSITIVE_INFINITY;
    }
    visit(r[j]!, value, j + 1);
  }
}

/** The source of held returns. */
function heldReturns(held: HeldReturns): ReturnSource {
  return Object.assign((visit: (r: number, b: number, i: number) => void) => visitHeld(held, visit), { arrays: held });
}

/**
 * Keeps values pushed in order as runs of equal values (SameValue: NaN equals NaN, -0 differs from 0), or in
 * a Float64Array of `capacity` once the runs would take more room than the values.
 */
class RunsBuilder {
  private readonly starts: number[] = [];
  private readonly values: number[] = [];
  private dense: Float64Array | null = null;
  private n = 0;

  constructor(private readonly capacity: number) {}

  push(v: number): void {
    const dense = this.dense;
    if (dense !== null) {
      dense[this.n++] = v;
      return;
    }
    const k = this.values.length;
    if (k === 0 || !Object.is(this.values[k - 1], v)) {
      if (k >= this.capacity >>> 3) {
        this.densify()[this.n++] = v;
        return;
      }
      this.starts.push(this.n);
      this.values.push(v);
    }
    this.n++;
  }

  /** The values pushed: the runs, or the array's first n. */
  held(): Float64Array | ReturnRuns {
    return this.dense !== null ? this.dense.subarray(0, this.n) : { starts: this.starts, values: this.values };
  }

  private densify(): Float64Array {
    const { starts, values, n } = this;
    const dense = new Float64Array(this.capacity);
    for (let k = 0; k < starts.length; k++) dense.fill(values[k]!, starts[k]!, k + 1 < starts.length ? starts[k + 1]! : n);
    this.dense = dense;
    return dense;
  }
}

/** Most returns the tear sheet (and {@link replayable}) keeps in arrays (32 MB each of strategy and benchmark returns); a longer curve is read anew at each pass. */
export const REPLAYABLE_RETURNS = 1 << 22;

/**
 * Returns `source` (at most `returns` returns) keeping what its first pass visits, so that later passes
 * replay them from arrays instead of reading the curve and the benchmark again:
 * the same values in the same order, so every figure is the same. Above `max` returns, `source` itself.
 */
export function replayable(source: ReturnSource, returns: number, max: number = REPLAYABLE_RETURNS): ReturnSource {
  if (returns > max) return source;
  let kept: { r: Float64Array; b: Float64Array; n: number } | null = null;
  return (visit) => {
    if (kept !== null) {
      const { r, b, n } = kept;
      for (let j = 0; j < n; j++) visit(r[j]!, b[j]!, j + 1);
      return;
    }
    const r = new Float64Array(returns);
    const b = new Float64Array(returns);
    let n = 0;
    let consecutive = true;
    source((x, y, i) => {
      if (n < returns && i === n + 1) {
        r[n] = x;
        b[n] = y;
      } else {
        consecutive = false;
      }
      n++;
      visit(x, y, i);
    });
    if (consecutive) kept = { r, b, n };
  };
}

/** Returns the returns of arrays `rs` (and `rb`, same periods) as a source; return j ends at sample j + 1. */
export function arrayReturns(rs: ArrayLike<number>, rb: ArrayLike<number> | null = null): ReturnSource {
  const source = (visit: (r: number, b: number, i: number) => void): void => {
    for (let j = 0; j < rs.length; j++) visit(rs[j]!, rb !== null && j < rb.length ? rb[j]! : Number.NaN, j + 1);
  };
  if (!(rs instanceof Float64Array) || !(rb === null || (rb instanceof Float64Array && rb.length === rs.length))) return source;
  return heldReturns({ r: rs, b: rb });
}

/**
 * The period-return rule of {@link curveReturns}, one sample at a time: {@link step} takes sample i (its
 * equity and buy-and-hold value) and says whether a return ends there ({@link r}, {@link b}).
 */
class ReturnSteps {
  r = Number.NaN;
  b = Number.NaN;
  private prev = Number.NaN;
  private prevB = Number.NaN;
  private ended = false;

  step(e: number, bv: number, i: number): boolean {
    let ends = false;
    if (i > 0 && !this.ended) {
      this.r = e / this.prev - 1;
      this.b = this.prevB > 0 ? bv / this.prevB - 1 : Number.NaN;
      ends = true;
      if (!(e > 0)) this.ended = true;
    }
    this.prev = e;
    this.prevB = this.prevB > 0 || i === 0 ? bv : this.prevB; // the benchmark's returns end at its first non-positive value
    return ends;
  }
}

/** Returns the period returns of a curve and of buy and hold at its samples (`prices` null: no benchmark), read anew at each call. */
export function curveReturns(curve: EquityCurveScan, prices: { readonly prices: Readonly<Record<string, Prices>>; readonly symbols: readonly string[] } | null): ReturnSource {
  return (visit) => {
    const cursor = prices === null ? null : new BuyAndHoldCursor(prices.prices, prices.symbols);
    const steps = new ReturnSteps();
    let i = 0;
    curve.scan((ts, equity, m) => {
      for (let j = 0; j < m; j++, i++) {
        if (steps.step(equity[j]!, cursor === null ? Number.NaN : cursor.value(ts[j]!), i)) visit(steps.r, steps.b, i);
      }
    });
  };
}

/**
 * Returns numpy.histogram's equal-width bin of `v` over [lo, hi] with `bins` bins: the bin computed from
 * (v - lo) x bins / (hi - lo), corrected against the linspace edges, the last bin closed. Monotone in `v`.
 */
function binOf(v: number, lo: number, norm: number, edges: Float64Array, bins: number): number {
  let b = Math.floor((v - lo) * norm);
  if (b >= bins) b = bins - 1;
  if (b < 0) b = 0;
  if (v < edges[b]!) b--;
  else if (b !== bins - 1 && v >= edges[b + 1]!) b++;
  return b;
}

/** Linspace edges of `bins` equal-width bins over [lo, hi], the last exactly `hi` (numpy.histogram's). */
function edgesOf(lo: number, hi: number, bins: number): Float64Array {
  const step = (hi - lo) / bins;
  const edges = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) edges[b] = b * step + lo;
  edges[bins] = hi;
  return edges;
}

/** The value range [lo, hi] of numpy.histogram for data within [min, max] (one unit wide around a single value). */
function rangeOf(min: number, max: number): [number, number] {
  return min === max ? [min - 0.5, max + 0.5] : [min, max];
}

/**
 * Returns numpy.histogram(x, bins) with equal-width bins over [min, max] (over [x - 0.5, x + 0.5] when
 * every value is equal), placing each value as numpy does.
 */
export function histogram(x: ArrayLike<number>, bins: number = HISTOGRAM_BINS): HistogramBin[] {
  checkPositiveInteger(bins, 'bins');
  checkCondition(x.length >= 1, `invalid 'x': empty, was length 0`);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < min) min = x[i]!;
    if (x[i]! > max) max = x[i]!;
  }
  return histogramOf((visit) => {
    for (let i = 0; i < x.length; i++) visit(x[i]!);
  }, min, max, bins);
}

/** Counts of values (within [min, max]) per bin of numpy.histogram's equal-width bins over [min, max]. */
class HistogramCounts {
  private readonly lo: number;
  private readonly norm: number;
  private readonly edges: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    min: number,
    max: number,
    private readonly count: number,
  ) {
    const [lo, hi] = rangeOf(min, max);
    this.lo = lo;
    this.edges = edgesOf(lo, hi, count);
    this.norm = count / (hi - lo);
    this.counts = new Float64Array(count);
  }

  add(v: number): void {
    this.counts[binOf(v, this.lo, this.norm, this.edges, this.count)]!++;
  }

  bins(): HistogramBin[] {
    return Array.from(this.counts, (count, b) => ({ from: this.edges[b]!, to: this.edges[b + 1]!, count }));
  }
}

function histogramOf(values: (visit: (v: number) => void) => void, min: number, max: number, bins: number): HistogramBin[] {
  const counts = new HistogramCounts(min, max, bins);
  values((v) => counts.add(v));
  return counts.bins();
}

/** Values gathered at once to select order statistics from; above, the range is narrowed by a histogram first. */
const SELECT_GATHER = 1 << 20;
const SELECT_BINS = 1 << 16;
/** Levels of narrowing at most (each divides the range by up to SELECT_BINS); then the candidates are gathered whatever their number. */
const SELECT_LEVELS = 6;

/**
 * Returns the order statistics `ranks` (0-based, ascending) of the `n` values (within [min, max]) that
 * `values` visits, in memory bounded by SELECT_GATHER: while more than that many values could hold them,
 * a pass counts the values per bin of the candidate range (binOf, monotone) and keeps the bins holding the
 * ranks; then a pass gathers the candidates, which are sorted.
 */
function orderStatistics(values: (visit: (v: number) => void) => void, n: number, min: number, max: number, ranks: readonly number[]): number[] {
  // Each level narrows the candidates to bins [from, to] of a histogram over [lo, hi]; `below` values lie under them.
  const levels: { lo: number; norm: number; edges: Float64Array; from: number; to: number }[] = [];
  let below = 0;
  let inRange = n;
  let lo = min;
  let hi = max;
  const candidate = (v: number): boolean => {
    for (const L of levels) {
      const b = binOf(v, L.lo, L.norm, L.edges, SELECT_BINS);
      if (b < L.from || b > L.to) return false;
    }
    return true;
  };
  while (inRange > SELECT_GATHER && hi > lo && levels.length < SELECT_LEVELS) {
    const edges = edgesOf(lo, hi, SELECT_BINS);
    const norm = SELECT_BINS / (hi - lo);
    const counts = new Float64Array(SELECT_BINS);
    values((v) => {
      if (!candidate(v)) return;
      counts[binOf(v, lo, norm, edges, SELECT_BINS)]!++;
    });
    let acc = below;
    let from = -1;
    let to = -1;
    let under = below;
    for (let b = 0; b < SELECT_BINS && to < 0; b++) {
      const next = acc + counts[b]!;
      if (from < 0 && next > ranks[0]!) {
        from = b;
        under = acc;
      }
      if (from >= 0 && next > ranks[ranks.length - 1]!) to = b;
      acc = next;
    }
    let kept = 0;
    for (let b = from; b <= to; b++) kept += counts[b]!;
    levels.push({ lo, norm, edges, from, to });
    below = under;
    inRange = kept;
    // The candidates' own range, for the next level's bins.
    let cmin = Number.POSITIVE_INFINITY;
    let cmax = Number.NEGATIVE_INFINITY;
    values((v) => {
      if (!candidate(v)) return;
      if (v < cmin) cmin = v;
      if (v > cmax) cmax = v;
    });
    lo = cmin;
    hi = cmax;
  }
  if (!(hi > lo)) return ranks.map(() => lo); // every candidate is the same value
  const gathered = new Float64Array(inRange);
  let g = 0;
  values((v) => {
    if (candidate(v)) gathered[g++] = v;
  });
  gathered.sort();
  return ranks.map((k) => gathered[k - below]!);
}

/** Returns the q-quantile of `x` with linear interpolation (numpy's default, Hyndman-Fan type 7). */
export function quantile(x: ArrayLike<number>, q: number): number {
  const n = x.length;
  checkCondition(n >= 1, `invalid 'x': empty, was length 0`);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (x[i]! < min) min = x[i]!;
    if (x[i]! > max) max = x[i]!;
  }
  return quantileOf((visit) => {
    for (let i = 0; i < n; i++) visit(x[i]!);
  }, n, min, max, q);
}

function quantileOf(values: (visit: (v: number) => void) => void, n: number, min: number, max: number, q: number): number {
  const h = (n - 1) * q;
  const k = Math.floor(h);
  const [a, b] = orderStatistics(values, n, min, max, k + 1 < n ? [k, k + 1] : [k, k]);
  return a! + (h - k) * (b! - a!);
}

/** Values {@link quantileInMemory} samples to bracket the order statistics it selects. */
const BRACKET_SAMPLE = 8192;

/**
 * Returns the q-quantile (numpy's linear interpolation, as {@link quantile}) of the values of `x` (`min` and
 * `max` their range): the order statistics are bracketed by the values of an evenly spaced sample, one
 * pass counts the values below the bracket and those in it, a second gathers those in it, which are sorted:
 * the same order statistics as a sort of every value. Null (the caller selects with {@link quantileOf})
 * when the bracket misses them or a value is not comparable (NaN).
 */
function quantileInMemory(x: Float64Array, q: number, min: number, max: number): number | null {
  const n = x.length;
  const h = (n - 1) * q;
  const k = Math.floor(h);
  const k1 = k + 1 < n ? k + 1 : k;
  let lo = min;
  let hi = max;
  if (n > 4 * BRACKET_SAMPLE) {
    const stride = Math.floor(n / BRACKET_SAMPLE);
    const sample = new Float64Array(BRACKET_SAMPLE);
    for (let j = 0; j < BRACKET_SAMPLE; j++) sample[j] = x[j * stride]!;
    sample.sort();
    const margin = 4 * Math.ceil(Math.sqrt(BRACKET_SAMPLE));
    lo = sample[Math.max(0, Math.floor((k / n) * BRACKET_SAMPLE) - margin)]!;
    hi = sample[Math.min(BRACKET_SAMPLE - 1, Math.ceil((k1 / n) * BRACKET_SAMPLE) + margin)]!;
  }
  let below = 0;
  let within = 0;
  let above = 0;
  for (let j = 0; j < n; j++) {
    const v = x[j]!;
    if (v < lo) below++;
    else if (v <= hi) within++;
    else if (v > hi) above++;
  }
  if (below + within + above !== n || k < below || k1 >= below + within) return null;
  const gathered = new Float64Array(within);
  let g = 0;
  for (let j = 0; j < n; j++) {
    const v = x[j]!;
    if (v >= lo && v <= hi) gathered[g++] = v;
  }
  gathered.sort();
  const a = gathered[k - below]!;
  return a + (h - k) * (gathered[k1 - below]! - a);
}

/** Calls `visit` with every return of `source` in order, read from its arrays when it holds them. */
function eachReturn(source: ReturnSource, visit: (r: number, b: number, i: number) => void): void {
  const held = source.arrays;
  if (held === undefined) source(visit);
  else visitHeld(held, visit);
}

/** The sums of {@link returnStatsOf}'s two passes, in fields (a closure's captured numbers would be boxed anew at each write). */
class ReturnSums {
  n = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  nb = 0;
  ss = 0;
  sb = 0;
  s2 = 0;
  s3 = 0;
  s4 = 0;
  vss = 0;
  vbb = 0;
  vsb = 0;
  va = 0;
  tail = 0;
  below = 0;
  private mean = Number.NaN;
  private regress = false;
  private ms = Number.NaN;
  private mb = Number.NaN;
  private ma = Number.NaN;
  private var95 = Number.NaN;

  constructor(private readonly withBenchmark: boolean) {}

  /** First pass: count, sum and range; with the benchmark, the sums over the periods where it is defined. */
  first(r: number, b: number): void {
    this.n++;
    this.sum += r;
    if (r < this.min) this.min = r;
    if (r > this.max) this.max = r;
    if (this.withBenchmark && !Number.isNaN(b)) {
      this.nb++;
      this.ss += r;
      this.sb += b;
    }
  }

  centre(mean: number, regress: boolean, ms: number, mb: number, ma: number): void {
    this.mean = mean;
    this.regress = regress;
    this.ms = ms;
    this.mb = mb;
    this.ma = ma;
  }

  /** Second pass: central moments; with the regression, its (co)variances. */
  second(r: number, b: number): void {
    const d = r - this.mean;
    const d2 = d * d;
    this.s2 += d2;
    this.s3 += d2 * d;
    this.s4 += d2 * d2;
    if (this.regress && !Number.isNaN(b)) {
      const ds = r - this.ms;
      const db = b - this.mb;
      const da = r - b - this.ma;
      this.vss += ds * ds;
      this.vbb += db * db;
      this.vsb += ds * db;
      this.va += da * da;
    }
  }

  tailBelow(var95: number): void {
    this.var95 = var95;
  }

  /** Second pass too: the returns below var95. */
  third(r: number): void {
    if (r < this.var95) {
      this.tail += r;
      this.below++;
    }
  }
}

/**
 * Returns the distribution of the returns `source` visits (the strategy's; null when there are none) and,
 * with `withBenchmark`, their OLS regression on the benchmark's (null without two periods where both are
 * defined), from the same two passes (var95 selected between them). The distribution: moments are central
 * moments about the mean, summed in order; skew and kurtosis are the bias-corrected estimators (scipy.stats.skew / kurtosis with
 * bias=False, pandas' skew() / kurt(), quantstats' figures). The regression: tracking error and information
 * ratio annualized by P. Memory is bounded; when the source holds its returns in arrays, var95 is selected
 * from them directly ({@link quantileInMemory}). `fed`: the first pass's sums (ReturnSums.first of every return
 * in order), when the caller summed the returns as it gathered them ({@link TearSheetPass}); the pass is then not run.
 * `alongside`: a rolling window fed every return in the last pass (none when there are no returns).
 */
function returnStatsOf(
  source: ReturnSource,
  bins: number,
  withBenchmark: boolean,
  periodsPerYear: number | null,
  fed?: ReturnSums,
  alongside?: RollingWindow,
): { distribution: ReturnDistribution | null; benchmark: BenchmarkStats | null } {
  let sums = fed;
  if (sums === undefined) {
    const own = new ReturnSums(withBenchmark);
    eachReturn(source, (r, b) => own.first(r, b));
    sums = own;
  }
  const { n, sum, min, max, nb, ss, sb } = sums;
  if (n === 0) return { distribution: null, benchmark: null };
  const mean = sum / n;
  const regress = nb >= 2;
  const ms = ss / nb;
  const mb = sb / nb;
  const ma = (ss - sb) / nb;
  sums.centre(mean, regress, ms, mb, ma);
  // var95 needs the first pass only: the central moments, the regression, the tail below var95, the histogram
  // (and the caller's `alongside`) then share one pass, each summed in the same order as in passes of their own.
  const held = source.arrays?.r;
  const var95 = (held !== undefined && held.length === n ? quantileInMemory(held, 0.05, min, max) : null) ?? quantileOf((visit) => source((r) => visit(r)), n, min, max, 0.05);
  const hist = new HistogramCounts(min, max, bins);
  sums.tailBelow(var95);
  eachReturn(source, (r, b, i) => {
    sums.second(r, b);
    sums.third(r);
    hist.add(r);
    alongside?.push(r, b, i);
  });
  const { s2, s3, s4, vss, vbb, vsb, va } = sums;
  const m2 = s2 / n;
  const m3 = s3 / n;
  const m4 = s4 / n;
  const std = n >= 2 ? Math.sqrt(s2 / (n - 1)) : null;
  const skew = n >= 3 && m2 > 0 ? finite(((m3 / Math.pow(m2, 1.5)) * Math.sqrt(n * (n - 1))) / (n - 2)) : null;
  const kurtosis = n >= 4 && m2 > 0 ? finite((((n + 1) * (m4 / (m2 * m2) - 3) + 6) * (n - 1)) / ((n - 2) * (n - 3))) : null;
  const { tail, below } = sums;
  const distribution: ReturnDistribution = {
    periods: n,
    mean,
    std,
    skew,
    kurtosis,
    min,
    max,
    var95,
    cvar95: below > 0 ? tail / below : var95,
    histogram: hist.bins(),
    normal: { mean, std },
  };
  if (!regress) return { distribution, benchmark: null };
  const beta = vbb > 0 ? vsb / vbb : null;
  const correlation = vbb > 0 && vss > 0 ? finite(vsb / Math.sqrt(vss * vbb)) : null;
  const sdActive = Math.sqrt(va / (nb - 1));
  const P = periodsPerYear;
  return {
    distribution,
    benchmark: {
      periods: nb,
      alpha: beta !== null && P !== null ? finite((ms - beta * mb) * P) : null,
      beta,
      correlation,
      rSquared: correlation === null ? null : correlation * correlation,
      trackingError: P !== null ? sdActive * Math.sqrt(P) : null,
      informationRatio: P !== null && sdActive > 0 ? finite((ma / sdActive) * Math.sqrt(P)) : null,
    },
  };
}

/**
 * Returns the distribution of the returns `source` visits (the strategy's), or null when there are none
 * (see {@link returnStatsOf}). A few passes over the returns, in bounded memory.
 */
export function distributionOf(source: ReturnSource, bins: number = HISTOGRAM_BINS): ReturnDistribution | null {
  return returnStatsOf(source, bins, false, null).distribution;
}

/** {@link distributionOf} the returns in `r`. */
export function returnDistribution(r: ArrayLike<number>, bins: number = HISTOGRAM_BINS): ReturnDistribution | null {
  return distributionOf(arrayReturns(r), bins);
}

/**
 * Returns the OLS regression of the strategy's period returns on the benchmark's (over the periods where
 * both are defined, at least two), with the tracking error and information ratio annualized by P; null
 * without two such periods (see {@link returnStatsOf}).
 */
export function benchmarkStatsOf(source: ReturnSource, periodsPerYear: number | null): BenchmarkStats | null {
  return returnStatsOf(source, HISTOGRAM_BINS, true, periodsPerYear).benchmark;
}

/** {@link benchmarkStatsOf} the returns `rs` on `rb` (same periods). */
export function benchmarkStats(rs: ArrayLike<number>, rb: ArrayLike<number>, periodsPerYear: number | null): BenchmarkStats | null {
  return benchmarkStatsOf(arrayReturns(rs, rb), periodsPerYear);
}

/** The rolling window of a run: round(P / 2) period returns (about six months), at least MIN_ROLLING_WINDOW. */
export function rollingWindowOf(periodsPerYear: number): number {
  return Math.max(MIN_ROLLING_WINDOW, Math.round(periodsPerYear / 2));
}

/** Returns at most `max` sample indices of a curve of `n` samples: every k-th (k = ceil(n / max)), the last always kept (reports/html/downsample.ts everyKth's choice). */
export function rollingPicks(n: number, max: number = MAX_ROLLING_POINTS): number[] {
  const k = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let i = 0; i < n; i += k) out.push(i);
  if (n > 0 && (n - 1) % k !== 0) out[out.length - 1] = n - 1;
  return out;
}

/**
 * Returns the rolling Sharpe, volatility and beta at the samples `pick` (increasing indices into the equity
 * curve; `pickTs` their times). At sample i >= window the window holds the `window` returns ending at
 * samples i - window + 1 .. i; before, and past the returns' end (after a ruin), the value is null.
 *
 * One pass in order keeps the window in a ring and running sums of r, r^2, b, b^2 and r b, summed afresh
 * from the ring every `window` returns so rounding cannot drift: O(n) whatever the window (a minute-bar
 * run's half-year window holds ~49,000 returns) in memory of the window's size. A window of equal returns
 * (a strategy out of the market) is found exactly, from the last change, and has a variance of exactly 0
 * rather than a rounding residue: no Sharpe, volatility 0, beta 0, and no beta against a flat benchmark.
 * `returns`: how many returns the source visits at most (bounds the ring when the window is longer).
 */
export function rollingStatsOf(source: ReturnSource, hasBenchmark: boolean, periodsPerYear: number, window: number, pick: readonly number[], pickTs: ArrayLike<number>, riskFreeRate = 0, returns = Number.POSITIVE_INFINITY): RollingStats {
  const w = new RollingWindow(hasBenchmark, periodsPerYear, window, pick, riskFreeRate, returns);
  eachReturn(source, (r, b, i) => w.push(r, b, i));
  return w.stats(pickTs);
}

/** The state of {@link rollingStatsOf}'s pass, in fields (a closure's captured numbers would be boxed anew at each write). */
class RollingWindow {
  readonly sharpe: (number | null)[];
  readonly volatility: (number | null)[];
  readonly beta: (number | null)[] | null;
  private readonly rfp: number;
  private readonly scale: number;
  private readonly ringS: Float64Array;
  private readonly ringB: Float64Array;
  private s1 = 0;
  private s2 = 0;
  private b1 = 0;
  private b2 = 0;
  private sb = 0;
  private count = 0;
  private lastChangeS = 0;
  private lastChangeB = 0;
  private prevS = Number.NaN;
  private prevB = Number.NaN;
  private bEnded = false;
  private next = 0;

  constructor(
    hasBenchmark: boolean,
    periodsPerYear: number,
    private readonly window: number,
    private readonly pick: readonly number[],
    riskFreeRate: number,
    returns: number,
  ) {
    checkPositiveInteger(window, 'window');
    if (window < 2) throw new InvalidArgumentError(`invalid 'window': below 2, was ${window}`);
    this.rfp = Math.pow(1 + riskFreeRate, 1 / periodsPerYear) - 1;
    this.scale = Math.sqrt(periodsPerYear);
    const n = pick.length;
    this.sharpe = new Array<number | null>(n).fill(null);
    this.volatility = new Array<number | null>(n).fill(null);
    this.beta = hasBenchmark ? new Array<number | null>(n).fill(null) : null;
    // A window longer than the returns never fills and never wraps: the ring needs no more room than the returns.
    this.ringS = new Float64Array(Math.min(window, returns));
    this.ringB = new Float64Array(Math.min(window, returns));
  }

  /** Takes return r (and the benchmark's b) ending at sample i. */
  push(r: number, b: number, i: number): void {
    const { window, pick, ringS, ringB } = this;
    const n = pick.length;
    let next = this.next;
    while (next < n && pick[next]! < i) next++;
    this.next = next;
    const count = this.count;
    const pos = count % window;
    if (count >= window) {
      const oldS = ringS[pos]!;
      const oldB = ringB[pos]!;
      this.s1 -= oldS;
      this.s2 -= oldS * oldS;
      this.b1 -= oldB;
      this.b2 -= oldB * oldB;
      this.sb -= oldS * oldB;
    }
    if (Number.isNaN(b)) {
      this.bEnded = true;
      b = 0;
    }
    ringS[pos] = r;
    ringB[pos] = b;
    this.s1 += r;
    this.s2 += r * r;
    this.b1 += b;
    this.b2 += b * b;
    this.sb += r * b;
    if (count > 0 && r !== this.prevS) this.lastChangeS = count;
    if (count > 0 && b !== this.prevB) this.lastChangeB = count;
    this.prevS = r;
    this.prevB = b;
    this.count = count + 1;
    if (this.count % window === 0) this.resum();
    if (next < n && pick[next] === i && this.count >= window) this.record(next);
  }

  /** The rolling figures, once every return was pushed; `pickTs`: the picked samples' times. */
  stats(pickTs: ArrayLike<number>): RollingStats {
    return { window: this.window, ts: Array.from(pickTs), sharpe: this.sharpe, volatility: this.volatility, beta: this.beta };
  }

  /** Sums the window afresh from the ring, so that rounding cannot drift. */
  private resum(): void {
    let s1 = 0;
    let s2 = 0;
    let b1 = 0;
    let b2 = 0;
    let sb = 0;
    for (let j = 0; j < this.window; j++) {
      const x = this.ringS[j]!;
      const y = this.ringB[j]!;
      s1 += x;
      s2 += x * x;
      b1 += y;
      b2 += y * y;
      sb += x * y;
    }
    this.s1 = s1;
    this.s2 = s2;
    this.b1 = b1;
    this.b2 = b2;
    this.sb = sb;
  }

  /** The figures of the window at picked sample `at`. */
  private record(at: number): void {
    const { window, s1, s2, b1, b2, sb } = this;
    // The window is returns count - window .. count - 1; flat when none of them differs from the one before.
    const first = this.count - window;
    const sFlat = this.lastChangeS <= first;
    const mean = s1 / window;
    const vss = sFlat ? 0 : Math.max(0, s2 - s1 * mean);
    const sd = Math.sqrt(vss / (window - 1));
    this.volatility[at] = sd * this.scale;
    this.sharpe[at] = sd > 0 ? finite(((mean - this.rfp) / sd) * this.scale) : null;
    if (this.beta !== null && !this.bEnded) {
      const bFlat = this.lastChangeB <= first;
      const vbb = bFlat ? 0 : Math.max(0, b2 - (b1 * b1) / window);
      const vsb = sFlat || bFlat ? 0 : sb - (s1 * b1) / window;
      this.beta[at] = vbb > 0 ? finite(vsb / vbb) : null;
    }
  }
}

/** {@link rollingStatsOf} over arrays: `rs[j]` (and `rb[j]`) is the return ending at sample j + 1 of `ts`. */
export function rollingStats(ts: ArrayLike<number>, rs: ArrayLike<number>, rb: ArrayLike<number> | null, periodsPerYear: number, window: number, pick: readonly number[], riskFreeRate = 0): RollingStats {
  return rollingStatsOf(arrayReturns(rs, rb), rb !== null, periodsPerYear, window, pick, pick.map((i) => ts[i]!), riskFreeRate, rs.length);
}

/** Duration figures of `days` (in round-trip order; sorted in place once their mean is summed). */
function durationStats(days: Float64Array): DurationStats {
  const n = days.length;
  if (n === 0) return { count: 0, meanDays: null, medianDays: null, maxDays: null };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += days[i]!;
  const sorted = days.sort();
  const mid = n >>> 1;
  return { count: n, meanDays: sum / n, medianDays: n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2, maxDays: sorted[n - 1]! };
}

/** Returns the round trips' durations (exit - entry, in days): all of them, the winners (pnl > 0) and the losers (pnl < 0). */
export function tradeStats(trades: TearSheetInput['trades']): TradeStats {
  const columns = numberColumns<'entryTs' | 'exitTs' | 'pnl'>(trades);
  const n = columns.length;
  const entryTs = columns.column('entryTs');
  const exitTs = columns.column('exitTs');
  const pnl = columns.column('pnl');
  const all = new Float64Array(n);
  const winners = new Float64Array(n);
  const losers = new Float64Array(n);
  let w = 0;
  let l = 0;
  for (let i = 0; i < n; i++) {
    const d = (exitTs[i]! - entryTs[i]!) / US_PER_DAY;
    all[i] = d;
    const p = pnl[i]!;
    if (p > 0) winners[w++] = d;
    else if (p < 0) losers[l++] = d;
  }
  return { all: durationStats(all), winners: durationStats(winners.subarray(0, w)), losers: durationStats(losers.subarray(0, l)), mae: null, mfe: null };
}

/** Returns the UTC calendar month holding `t` (microseconds) as [start, end). */
function utcMonthOf(t: number): [number, number] {
  const d = new Date(Math.floor(t / 1000));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return [Date.UTC(y, m, 1) * 1000, Date.UTC(y, m + 1, 1) * 1000];
}

/** What {@link computeTearSheet} reads. */
export interface TearSheetInput {
  /** The equity curve, whole or in chunks (a streamed run's); at least two samples. */
  readonly curve: EquityCurveInput | EquityCurveScan;
  /** computeMetrics' periods per year (metrics.periodsPerYear); null leaves out alpha, the annualized figures and the rolling series. */
  readonly periodsPerYear: number | null;
  readonly riskFreeRate?: number;
  /** Close prices per symbol (report.json `prices`) and the symbols held in the buy-and-hold benchmark; null: no benchmark. */
  readonly benchmark: { readonly prices: Readonly<Record<string, Prices>>; readonly symbols: readonly string[] } | null;
  /** The samples the report draws (report.json `equity[i].ts`): the benchmark curve is given at these. */
  readonly previewTs: readonly number[];
  /** The round trips, as records or as columns (a run's `records.trades`). */
  readonly trades: readonly { readonly entryTs: number; readonly exitTs: number; readonly pnl: number }[] | { readonly length: number; column(field: 'entryTs' | 'exitTs' | 'pnl'): ArrayLike<number> };
  /** Returns in the rolling window; default {@link rollingWindowOf}(periodsPerYear). */
  readonly rollingWindow?: number;
  /** Most points of each rolling series; default MAX_ROLLING_POINTS. */
  readonly maxPoints?: number;
  /** The worst drawdowns of `curve` when the caller has them (a WorstDrawdownKeeper fed by computeMetrics' pass); otherwise the curve is read for them. */
  readonly worstDrawdowns?: readonly WorstDrawdown[];
}

/**
 * The tear sheet's pass over the curve, fed its chunks in time order ({@link push}): by computeTearSheet's
 * own read of the curve, or by computeMetrics' pass as its observer (MetricsInput.observer), so that a
 * report reads its curve once. It gathers the period returns (kept up to REPLAYABLE_RETURNS of them: the
 * strategy's in a Float64Array, the benchmark's as runs) and their first sums, the first sample and each month's last (yearly
 * returns), the picked samples' times (rolling series) and the benchmark at the drawn samples; {@link finish}
 * makes the tear sheet once the periods per year are known.
 */
export class TearSheetPass implements CurveObserver {
  private readonly curve: EquityCurveScan;
  private readonly n: number;
  private readonly bench: { readonly prices: Readonly<Record<string, Prices>>; readonly symbols: readonly string[] } | null;
  private readonly cursor: BuyAndHoldCursor | null;
  private readonly steps = new ReturnSteps();
  private readonly sums: ReturnSums;
  private readonly keptR: Float64Array | null;
  private readonly keptB: RunsBuilder | null;
  private readonly pick: number[];
  private readonly pickTs: Float64Array;
  private readonly preview: readonly number[];
  private readonly monthTs: number[] = [];
  private readonly monthEquity: number[] = [];
  private readonly monthBench: number[] = [];
  private readonly previewValue: number[] = [];
  // The pass's position, carried from chunk to chunk in fields; each chunk works on locals.
  private i = 0;
  private p = 0;
  private d = 0;
  private kept = 0;
  private monthStart = Number.NaN;
  private monthEnd = Number.NaN;
  private prevT = Number.NaN;
  private prevE = Number.NaN;
  private prevB = Number.NaN;

  constructor(private readonly input: Omit<TearSheetInput, 'periodsPerYear' | 'worstDrawdowns'>) {
    const curve = curveScan(input.curve);
    const n = curve.length;
    checkCondition(n >= 2, `invalid 'equity': a tear sheet needs at least 2 samples, was ${n}`);
    this.curve = curve;
    this.n = n;
    const held = input.benchmark === null ? null : new BuyAndHoldCursor(input.benchmark.prices, input.benchmark.symbols);
    this.bench = held === null || held.symbols.length === 0 ? null : { prices: input.benchmark!.prices, symbols: held.symbols };
    this.cursor = this.bench === null ? null : new BuyAndHoldCursor(this.bench.prices, this.bench.symbols);
    this.sums = new ReturnSums(this.bench !== null);
    this.keptR = n - 1 <= REPLAYABLE_RETURNS ? new Float64Array(n - 1) : null;
    this.keptB = this.keptR !== null && this.bench !== null ? new RunsBuilder(n - 1) : null;
    this.pick = rollingPicks(n, input.maxPoints ?? MAX_ROLLING_POINTS);
    this.pickTs = new Float64Array(this.pick.length);
    this.preview = input.previewTs;
  }

  push(ts: ArrayLike<number>, equity: ArrayLike<number>, m: number): void {
    const { cursor, steps, sums, keptR, keptB, pick, pickTs, preview, monthTs, monthEquity, monthBench, previewValue } = this;
    let { i, p, d, kept, monthStart, monthEnd, prevT, prevE, prevB } = this;
    const picks = pick.length;
    for (let j = 0; j < m; j++, i++) {
      const t = ts[j]!;
      const e = equity[j]!;
      const b = cursor === null ? Number.NaN : cursor.value(t);
      if (steps.step(e, b, i)) {
        sums.first(steps.r, steps.b);
        if (keptR !== null) {
          keptR[kept] = steps.r;
          keptB?.push(steps.b);
          kept++;
        }
      }
      // monthlyReturns reads the first sample and each month's last: keep just those.
      if (!(t >= monthStart && t < monthEnd)) {
        monthTs.push(i === 0 ? t : prevT);
        monthEquity.push(i === 0 ? e : prevE);
        monthBench.push(i === 0 ? b : prevB);
        [monthStart, monthEnd] = utcMonthOf(t);
      }
      if (p < picks && pick[p] === i) pickTs[p++] = t;
      // The benchmark at each drawn sample (each is an equity sample; as of the sample before, were one not).
      while (d < preview.length && preview[d]! < t) {
        previewValue.push(i > 0 ? prevB : b);
        d++;
      }
      while (d < preview.length && preview[d] === t) {
        previewValue.push(b);
        d++;
      }
      prevT = t;
      prevE = e;
      prevB = b;
    }
    this.i = i;
    this.p = p;
    this.d = d;
    this.kept = kept;
    this.monthStart = monthStart;
    this.monthEnd = monthEnd;
    this.prevT = prevT;
    this.prevE = prevE;
    this.prevB = prevB;
  }

  /** Every period return, when all n - 1 were kept (none ended them: every base is positive); else null. */
  periodReturns(): Float64Array | null {
    return this.keptR !== null && this.kept === this.n - 1 ? this.keptR : null;
  }

  /**
   * The tear sheet, once every sample was pushed: `periodsPerYear` is computeMetrics'; `worst` the curve's
   * worst drawdowns when the caller has them (else the curve is read for them).
   */
  finish(periodsPerYear: number | null, worst?: readonly WorstDrawdown[]): TearSheet {
    const { input, bench, keptR, keptB, kept, curve, n } = this;
    const P = periodsPerYear;
    const monthTs = [...this.monthTs, this.prevT];
    const monthEquity = [...this.monthEquity, this.prevE];
    const monthBench = [...this.monthBench, this.prevB];
    const previewValue = this.previewValue.slice();
    for (let d = this.d; d < this.preview.length; d++) previewValue.push(this.prevB);
    // The same returns in the same order either way, so every figure is the same.
    const source = keptR !== null ? heldReturns({ r: keptR.subarray(0, kept), b: keptB === null ? null : keptB.held() }) : curveReturns(curve, bench);
    const window = P === null ? null : new RollingWindow(bench !== null, P, input.rollingWindow ?? rollingWindowOf(P), this.pick, input.riskFreeRate ?? 0, n - 1);
    // The rolling window reads the returns in the distribution's last pass.
    const stats = returnStatsOf(source, HISTOGRAM_BINS, bench !== null, P, this.sums, window ?? undefined);
    const years = yearlyReturns(monthlyReturns(monthTs, monthEquity));
    const benchYears = bench === null ? null : new Map(yearlyReturns(monthlyReturns(monthTs, monthBench)).map((y) => [y.year, y.value]));
    const rolling = window === null ? null : window.stats(this.pickTs);
    return {
      periodsPerYear: P,
      worstDrawdowns: worst !== undefined ? [...worst] : worstDrawdowns(curve),
      distribution: stats.distribution,
      yearly: years.map((y) => ({ year: y.year, strategy: y.value, benchmark: benchYears === null ? null : (benchYears.get(y.year) ?? null) })),
      benchmarkCurve: bench === null ? null : { symbols: [...bench.symbols], ts: [...input.previewTs], value: previewValue },
      benchmark: stats.benchmark,
      rolling,
      tradeStats: tradeStats(input.trades),
    };
  }
}

/**
 * Returns the tear sheet of a run (see {@link TearSheet}): one {@link TearSheetPass} over the curve, and one
 * more for the drawdowns unless the caller gives them. The returns are kept up to REPLAYABLE_RETURNS of them
 * (the strategy's in a Float64Array, the benchmark's as runs: see ReturnRuns); the distribution, the
 * regression and the rolling figures then read those in one pass, after var95's selection. A longer curve is
 * never held whole: it is read again at each pass, in memory bounded by the rolling window, the months and
 * the 2,000 picked samples.
 */
export function computeTearSheet(input: TearSheetInput): TearSheet {
  const pass = new TearSheetPass(input);
  curveScan(input.curve).scan((ts, equity, m) => pass.push(ts, equity, m));
  return pass.finish(input.periodsPerYear, input.worstDrawdowns);
}
