import { checkCondition, checkPositiveInteger, formatIsoUs, InvalidArgumentError, US_PER_DAY } from '../engine/core/index.js';
// The module itself, not reports/html/index.js (that would load ECharts with every run).
import { monthlyReturns, yearlyReturns } from './html/monthly-returns.js';
import { curveScan, DeviationSums, drawdownEpisodes, numberColumns } from './metrics.js';
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
export type ReturnSource = (visit: (r: number, b: number, i: number) => void) => void;

/**
 * Returns visited a chunk at a time: `r[j]` and `b[j]` (j < k) end at sample i0 + j. The arrays are the
 * visitor's during the call only. The tear sheet's passes read chunks, so that each figure sums its chunk
 * in a loop of its own over typed arrays rather than one call per return.
 */
type ReturnChunks = (visit: (r: Float64Array, b: Float64Array, i0: number, k: number) => void) => void;

/** Returns per chunk (samples per block of a pass over the curve): a chunk's returns (and the benchmark's) stay in the caches while each figure reads them. */
const BLOCK = 4096;
/**
 * Most returns the tear sheet's first pass keeps for its second (16 bytes each, the benchmark's beside the
 * strategy's: 4 MiB): a curve up to this long is read once, its returns not computed again (see TearSheetPass).
 */
const KEEP_RETURNS = 1 << 18;
/** Samples per call of the tear sheet's first-pass loop (TearSheetPass.run). */
const RUN = 64;
/** Returns per call of the tear sheet's second-pass loop (secondRun). */
const SECOND_RUN = 256;

/** The returns of `source` in chunks of consecutive samples (at most BLOCK). */
function chunksOf(source: ReturnSource): ReturnChunks {
  return (visit) => {
    const r = new Float64Array(BLOCK);
    const b = new Float64Array(BLOCK);
    let k = 0;
    let i0 = 0;
    source((x, y, i) => {
      if (k > 0 && (k === BLOCK || i !== i0 + k)) {
        visit(r, b, i0, k);
        k = 0;
      }
      if (k === 0) i0 = i;
      r[k] = x;
      b[k++] = y;
    });
    if (k > 0) visit(r, b, i0, k);
  };
}

/** Returns the returns of arrays `rs` (and `rb`, same periods) as a source; return j ends at sample j + 1. */
export function arrayReturns(rs: ArrayLike<number>, rb: ArrayLike<number> | null = null): ReturnSource {
  return (visit) => {
    for (let j = 0; j < rs.length; j++) visit(rs[j]!, rb !== null && j < rb.length ? rb[j]! : Number.NaN, j + 1);
  };
}

/**
 * The period-return rule of {@link curveReturns}, a block of samples at a time, in order: r_i = E_i / E_{i-1} - 1
 * ends at each sample i > 0 until the first whose value is not positive (included), and the benchmark's
 * b_i = B_i / B_{i-1} - 1 beside it until its first non-positive value (then NaN).
 */
class ReturnSteps {
  /** The sample the first return of the last {@link block} ends at. */
  firstI = 0;
  private prev = Number.NaN;
  private prevB = Number.NaN;
  private ended = false;
  private i = 0;

  constructor(private readonly cursor: BuyAndHoldCursor | null) {}

  /**
   * Takes samples from..to-1 of `ts` and `equity` (the curve's next ones, at most BLOCK): writes each one's
   * buy-and-hold value to bv[j - from] (NaN without a benchmark) and the returns ending at them to `r` and
   * `b`, and returns how many ended (at consecutive samples, the first at {@link firstI}).
   */
  block(ts: ArrayLike<number>, equity: ArrayLike<number>, from: number, to: number, bv: Float64Array, r: Float64Array, b: Float64Array): number {
    const cursor = this.cursor;
    let { prev, prevB, ended, i } = this;
    let k = 0;
    for (let j = from; j < to; j++, i++) {
      const e = equity[j]!;
      const v = cursor === null ? Number.NaN : cursor.value(ts[j]!);
      bv[j - from] = v;
      if (i > 0 && !ended) {
        if (k === 0) this.firstI = i;
        r[k] = e / prev - 1;
        b[k++] = prevB > 0 ? v / prevB - 1 : Number.NaN;
        if (!(e > 0)) ended = true;
      }
      prev = e;
      if (prevB > 0 || i === 0) prevB = v;
    }
    this.prev = prev;
    this.prevB = prevB;
    this.ended = ended;
    this.i = i;
    return k;
  }
}

/** The benchmark of a tear sheet: close prices per symbol and the symbols held (see {@link BuyAndHoldCursor}). */
type Benchmark = { readonly prices: Readonly<Record<string, Prices>>; readonly symbols: readonly string[] };

/** The period returns of a curve and of buy and hold at its samples (`prices` null: no benchmark) in blocks, read anew at each call. */
function curveReturnChunks(curve: EquityCurveScan, prices: Benchmark | null): ReturnChunks {
  return (visit) => {
    const steps = new ReturnSteps(prices === null ? null : new BuyAndHoldCursor(prices.prices, prices.symbols));
    const bv = new Float64Array(BLOCK);
    const r = new Float64Array(BLOCK);
    const b = new Float64Array(BLOCK);
    curve.scan((ts, equity, m) => {
      for (let from = 0; from < m; from += BLOCK) {
        const k = steps.block(ts, equity, from, Math.min(m, from + BLOCK), bv, r, b);
        if (k > 0) visit(r, b, steps.firstI, k);
      }
    });
  };
}

/** Returns the period returns of a curve and of buy and hold at its samples (`prices` null: no benchmark), read anew at each call. */
export function curveReturns(curve: EquityCurveScan, prices: Benchmark | null): ReturnSource {
  const chunks = curveReturnChunks(curve, prices);
  return (visit) => {
    chunks((r, b, i0, k) => {
      for (let j = 0; j < k; j++) visit(r[j]!, b[j]!, i0 + j);
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
  // Read by secondChunk as well as by the methods below.
  readonly lo: number;
  readonly norm: number;
  readonly edges: Float64Array;
  readonly counts: Float64Array;

  constructor(
    min: number,
    max: number,
    readonly count: number,
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

/** Returns sampled (evenly spaced) in the first pass to bracket var95's order statistics before the second. */
const BRACKET_SAMPLE = 8192;
/** Sampled returns either side of var95's estimated rank that the bracket spans (4 sqrt(BRACKET_SAMPLE): far beyond a sample quantile's spread). */
const BRACKET_MARGIN = 4 * Math.ceil(Math.sqrt(BRACKET_SAMPLE));
/** The quantile var95 is. */
const VAR_QUANTILE = 0.05;
/** Most returns gathered for var95 (32 MB); past it, var95 is selected in passes of bounded memory. */
const GATHER_CAP = 1 << 22;

/**
 * Moves the k-th smallest of a[from..to) to position k, with none larger before it and none smaller after
 * (Hoare's selection, median-of-three pivot), and returns it. An order statistic is a value, so it is what
 * a sort gives; only the sign of a zero may differ, which no figure here can tell (a + t (b - a) is +0 for
 * any signs of zero a and b, and -0 < x just as 0 < x).
 */
function selectInPlace(a: Float64Array, from: number, to: number, k: number): number {
  let lo = from;
  let hi = to - 1;
  while (hi > lo) {
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break; // a[j + 1 .. i - 1] all equal the pivot
  }
  return a[k]!;
}

/**
 * The q-quantile (numpy's linear interpolation) of the `len` first values of `a` given their k-th smallest is
 * selected: the (k+1)-th is the smallest after it. Reorders `a`. `base`: values below a[0..len) not in it.
 */
function interpolateSelected(a: Float64Array, len: number, base: number, n: number, q: number): number {
  const h = (n - 1) * q;
  const k = Math.floor(h);
  const at = selectInPlace(a, 0, len, k - base);
  if (k + 1 >= n) return at;
  let next = Number.POSITIVE_INFINITY;
  for (let j = k - base + 1; j < len; j++) if (a[j]! < next) next = a[j]!;
  return at + (h - k) * (next - at);
}

/**
 * The bracket [lo, hi] of var95's order statistics over `n` returns in [min, max]: from the first pass's
 * evenly spaced sample (its values around the estimated rank, BRACKET_MARGIN either side), or the whole
 * range without one.
 */
function bracketOf(sample: Float64Array | null, n: number, min: number, max: number): [number, number, number] {
  if (sample === null) return [min, max, Math.min(GATHER_CAP, n)];
  const sorted = sample.slice().sort();
  const k = Math.floor((n - 1) * VAR_QUANTILE);
  const k1 = k + 1 < n ? k + 1 : k;
  const S = sorted.length;
  const top = Math.min(S - 1, Math.ceil((k1 / n) * S) + BRACKET_MARGIN);
  // The returns at or below hi, estimated from the sample (each sampled return stands for n / S), and a block more.
  const expected = Math.min(GATHER_CAP, Math.ceil(((top + 1) / S) * n) + BLOCK);
  return [sorted[Math.max(0, Math.floor((k / n) * S) - BRACKET_MARGIN)]!, sorted[top]!, expected];
}

/**
 * The returns at or below `hi`, gathered in order as the second pass visits them (at most GATHER_CAP), and
 * the counts below `lo`, within [lo, hi] and above `hi`. When the bracket holds var95's order statistics they
 * are selected from the gathered values in it ({@link quantile}), and the tail below var95 is summed from the
 * gathered values in their order ({@link tailBelow}): the figures of a sort and of a pass of their own.
 */
class LowerValues {
  // Read and written by secondChunk as well as by the methods below.
  below = 0;
  within = 0;
  above = 0;
  values: Float64Array;
  g = 0;
  full = false;

  /**
   * `capacity`: room for the values expected at or below `hi` (grown, doubling, when more come). Room made
   * up front keeps the second pass's loop off its growing branch: a branch first taken after V8 optimized the
   * loop (a 62k-bar run's gathered values outgrew the 4,096 it started with midway) sends it back to the
   * interpreter until it is optimized again.
   */
  constructor(
    readonly lo: number,
    readonly hi: number,
    capacity: number = BLOCK,
  ) {
    this.values = new Float64Array(Math.max(1, capacity));
  }

  /** The q-quantile of the `n` returns pushed, or null when the gathered values do not hold its order statistics. */
  quantile(n: number, q: number): number | null {
    const { lo, below, within, values, g } = this;
    const k = Math.floor((n - 1) * q);
    const k1 = k + 1 < n ? k + 1 : k;
    if (this.full || below + within + this.above !== n || k < below || k1 >= below + within) return null;
    const bracket = new Float64Array(within);
    let w = 0;
    for (let j = 0; j < g; j++) {
      const v = values[j]!;
      if (v >= lo) bracket[w++] = v;
    }
    return interpolateSelected(bracket, within, below, n, q);
  }

  /** The sum in order and the count of the returns below `x`, or null when some of them may not have been gathered. */
  tailBelow(x: number): { sum: number; count: number } | null {
    if (this.full || !(x <= this.hi)) return null;
    const { values, g } = this;
    let sum = 0;
    let count = 0;
    for (let j = 0; j < g; j++) {
      const v = values[j]!;
      if (v < x) {
        sum += v;
        count++;
      }
    }
    return { sum, count };
  }
}

/** The sum in order and the count of the returns below `x`: a pass of its own. */
function tailBelow(chunks: ReturnChunks, x: number): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  chunks((r, _b, _i0, k) => {
    for (let j = 0; j < k; j++) {
      if (r[j]! < x) {
        sum += r[j]!;
        count++;
      }
    }
  });
  return { sum, count };
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
  // The second pass's centre (see centre), read by secondChunk.
  mean = Number.NaN;
  regress = false;
  ms = Number.NaN;
  mb = Number.NaN;
  ma = Number.NaN;
  // The first pass's sample of the returns (read and written by TearSheetPass.push as well as by first).
  readonly sample: Float64Array | null;
  readonly stride: number;
  sampled = 0;
  untilSample = 0;

  /** `expected`: how many returns the first pass will see, when known; above 4 BRACKET_SAMPLE, it samples them to bracket var95. */
  constructor(
    readonly withBenchmark: boolean,
    expected = 0,
  ) {
    this.sample = expected > 4 * BRACKET_SAMPLE ? new Float64Array(BRACKET_SAMPLE) : null;
    this.stride = Math.floor(expected / BRACKET_SAMPLE);
  }

  /** First pass, r[0..k) and b[0..k): count, sum and range; with the benchmark, the sums over the periods where it is defined; every stride-th return sampled. */
  first(r: Float64Array, b: Float64Array, k: number): void {
    const { withBenchmark, sample, stride } = this;
    let { n, sum, min, max, nb, ss, sb, sampled, untilSample } = this;
    for (let j = 0; j < k; j++) {
      const x = r[j]!;
      n++;
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
      if (withBenchmark) {
        const y = b[j]!;
        if (!Number.isNaN(y)) {
          nb++;
          ss += x;
          sb += y;
        }
      }
      if (sample !== null && untilSample-- === 0) {
        if (sampled < BRACKET_SAMPLE) sample[sampled++] = x;
        untilSample = stride - 1;
      }
    }
    Object.assign(this, { n, sum, min, max, nb, ss, sb, sampled, untilSample });
  }

  /** The first pass's sample, when it filled (the pass saw the returns expected). */
  bracketSample(): Float64Array | null {
    return this.sampled === BRACKET_SAMPLE ? this.sample : null;
  }

  /** Starts the second pass (its sums from 0) about the first pass's means. */
  centre(mean: number, regress: boolean, ms: number, mb: number, ma: number): void {
    this.mean = mean;
    this.regress = regress;
    this.ms = ms;
    this.mb = mb;
    this.ma = ma;
    this.s2 = this.s3 = this.s4 = this.vss = this.vbb = this.vsb = this.va = 0;
  }
}

/**
 * The second pass over a chunk r[0..k) (and b[0..k)) in one loop: the central moments and the regression's
 * sums (ReturnSums), the histogram's counts (HistogramCounts), var95's counts and candidates (LowerValues) and,
 * when given, the metrics' deviation sums (the terms of DeviationSums.push, from the returns themselves), each summed in order as in a
 * loop of its own (the same figures, to the bit). A cold run interprets a loop until V8 optimizes it, boxing
 * each double it reads: one loop over a 62k-bar curve's returns instead of four (each a method of its own
 * before) is three such warm-ups, and their garbage, fewer.
 */
function secondChunk(sums: ReturnSums, hist: HistogramCounts, lower: LowerValues, deviations: DeviationSums | undefined, r: Float64Array, b: Float64Array, k: number): void {
  // Without a risk-free rate, about the same mean (the metrics' mean excess return is the sum of the same returns
  // over as many, in the same order), an excess return's deviation is the return's own (x - 0 is x): ss is s2,
  // the same squares summed in the same order, and only the downside is summed here. Decided once for the chunk
  // (each run leaves ss equal to s2 when it holds).
  const ownDeviations = deviations !== undefined && deviations.rfPerBar === 0 && deviations.meanExcess === sums.mean && deviations.ss === sums.s2;
  // In runs of SECOND_RUN returns: each run is a call of secondRun, which V8 compiles whole after its first calls
  // (its state read into locals and written back each call, so each figure is summed in the same order: the same
  // bits). One loop over a 62k-bar curve's returns was compiled on stack replacement and ran mostly unoptimized.
  for (let from = 0; from < k; from += SECOND_RUN) secondRun(sums, hist, lower, deviations, ownDeviations, r, b, from, Math.min(k, from + SECOND_RUN));
}

/** {@link secondChunk}'s loop over r[from..to) (and b[from..to)). */
function secondRun(sums: ReturnSums, hist: HistogramCounts, lower: LowerValues, deviations: DeviationSums | undefined, ownDeviations: boolean, r: Float64Array, b: Float64Array, from: number, to: number): void {
  const { mean, regress, ms, mb, ma } = sums;
  let { s2, s3, s4, vss, vbb, vsb, va } = sums;
  const { lo: hLo, norm, edges, count: bins, counts } = hist;
  const { lo, hi } = lower;
  let { below, within, above, values, g, full } = lower;
  const withDeviations = deviations !== undefined;
  const meanExcess = withDeviations ? deviations.meanExcess : 0;
  const rfPerBar = withDeviations ? deviations.rfPerBar : 0;
  let ss = withDeviations ? deviations.ss : 0;
  let downside = withDeviations ? deviations.downside : 0;
  for (let j = from; j < to; j++) {
    const x = r[j]!;
    // Central moments; with the regression, its (co)variances.
    const d = x - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
    if (regress) {
      const y = b[j]!;
      if (!Number.isNaN(y)) {
        const ds = x - ms;
        const db = y - mb;
        const da = x - y - ma;
        vss += ds * ds;
        vbb += db * db;
        vsb += ds * db;
        va += da * da;
      }
    }
    // The histogram's bin.
    counts[binOf(x, hLo, norm, edges, bins)]!++;
    // The metrics' excess return's deviation.
    if (ownDeviations) {
      if (x < 0) downside += x * x;
    } else if (withDeviations) {
      const xe = x - rfPerBar;
      const de = xe - meanExcess;
      ss += de * de;
      if (xe < 0) downside += xe * xe;
    }
    // var95's counts, and the returns at or below `hi` gathered.
    if (x < lo) below++;
    else if (x <= hi) within++;
    else {
      if (x > hi) above++; // NaN is counted nowhere, so the counts then fall short of n
      continue;
    }
    if (g === values.length && !full) {
      if (g >= GATHER_CAP) full = true;
      else {
        const grown = new Float64Array(Math.min(GATHER_CAP, 2 * g));
        grown.set(values);
        values = grown;
      }
    }
    if (!full) values[g++] = x;
  }
  sums.s2 = s2;
  sums.s3 = s3;
  sums.s4 = s4;
  sums.vss = vss;
  sums.vbb = vbb;
  sums.vsb = vsb;
  sums.va = va;
  lower.below = below;
  lower.within = within;
  lower.above = above;
  lower.values = values;
  lower.g = g;
  lower.full = full;
  if (withDeviations) {
    deviations.ss = ownDeviations ? s2 : ss;
    deviations.downside = downside;
  }
}

/**
 * Returns the distribution of the returns `chunks` visits (the strategy's; null when there are none) and,
 * with `withBenchmark`, their OLS regression on the benchmark's (null without two periods where both are
 * defined), from two passes. The distribution: moments are central moments about the mean, summed in order;
 * skew and kurtosis are the bias-corrected estimators (scipy.stats.skew / kurtosis with bias=False, pandas'
 * skew() / kurt(), quantstats' figures). The regression: tracking error and information ratio annualized by
 * P. var95 is selected among the second pass's returns in the bracket of the first pass's sample
 * ({@link LowerValues}; in passes of bounded memory when the bracket misses). `fed`: the first pass's sums
 * (ReturnSums.first of every return in order), when the caller summed the returns as it gathered them
 * ({@link TearSheetPass}); the pass is then not run. `alongside`: a rolling window, and `deviations`: the
 * metrics' deviation sums (computeMetrics' second pass), fed every return in the second pass (none when there
 * are no returns).
 */
function returnStatsOf(
  chunks: ReturnChunks,
  bins: number,
  withBenchmark: boolean,
  periodsPerYear: number | null,
  fed?: ReturnSums,
  alongside?: RollingWindow,
  deviations?: DeviationSums,
): { distribution: ReturnDistribution | null; benchmark: BenchmarkStats | null } {
  let sums = fed;
  if (sums === undefined) {
    const own = new ReturnSums(withBenchmark);
    chunks((r, b, _i0, k) => own.first(r, b, k));
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
  // One pass for the central moments, the regression, the histogram, the caller's `alongside` and `deviations`
  // (each summed in the same order as in a pass of its own) and var95's candidates.
  const [lo, hi, expected] = bracketOf(sums.bracketSample(), n, min, max);
  const lower = new LowerValues(lo, hi, expected);
  const hist = new HistogramCounts(min, max, bins);
  const second = sums;
  chunks((r, b, i0, k) => {
    secondChunk(second, hist, lower, deviations, r, b, k);
    alongside?.pushChunk(r, b, i0, k);
  });
  const var95 =
    lower.quantile(n, VAR_QUANTILE) ??
    quantileOf(
      (visit) =>
        chunks((r, _b, _i0, k) => {
          for (let j = 0; j < k; j++) visit(r[j]!);
        }),
      n,
      min,
      max,
      VAR_QUANTILE,
    );
  const tail = lower.tailBelow(var95) ?? tailBelow(chunks, var95);
  const { s2, s3, s4, vss, vbb, vsb, va } = sums;
  const m2 = s2 / n;
  const m3 = s3 / n;
  const m4 = s4 / n;
  const std = n >= 2 ? Math.sqrt(s2 / (n - 1)) : null;
  const skew = n >= 3 && m2 > 0 ? finite(((m3 / Math.pow(m2, 1.5)) * Math.sqrt(n * (n - 1))) / (n - 2)) : null;
  const kurtosis = n >= 4 && m2 > 0 ? finite((((n + 1) * (m4 / (m2 * m2) - 3) + 6) * (n - 1)) / ((n - 2) * (n - 3))) : null;
  const distribution: ReturnDistribution = {
    periods: n,
    mean,
    std,
    skew,
    kurtosis,
    min,
    max,
    var95,
    cvar95: tail.count > 0 ? tail.sum / tail.count : var95,
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
  return returnStatsOf(chunksOf(source), bins, false, null).distribution;
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
  return returnStatsOf(chunksOf(source), HISTOGRAM_BINS, true, periodsPerYear).benchmark;
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
  chunksOf(source)((r, b, i0, k) => w.pushChunk(r, b, i0, k));
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

  /** Takes the returns r[0..k) (and the benchmark's b[0..k)) ending at samples i0 .. i0 + k - 1. */
  pushChunk(rs: Float64Array, bs: Float64Array, i0: number, k: number): void {
    const { window, pick } = this;
    const picks = pick.length;
    let j = this.count < window - 1 ? this.fill(rs, bs, k) : 0;
    // From the return that fills the window on, in runs that end at a return where the window is summed afresh
    // (the ring wraps) or a figure is recorded (a picked sample), or at the chunk's end. Each run is a call of a small
    // loop (steps) that V8 optimizes whole after its first calls; one loop over every return with the resum and the
    // record in it was compiled on stack replacement, a large graph that a 62k-bar run's loop finished before.
    while (j < k) {
      while (this.next < picks && pick[this.next]! < i0 + j) this.next++;
      let end = Math.min(k, j + window - (this.count % window));
      if (this.next < picks) end = Math.min(end, pick[this.next]! - i0 + 1);
      this.steps(rs, bs, j, end);
      j = end;
      if (this.count % window === 0) this.resum();
      if (this.next < picks && pick[this.next] === i0 + end - 1 && this.count >= window) this.record(this.next);
    }
  }

  /**
   * Returns r[from..to) (and b[from..to)) into the window: each one's predecessor `window` returns back taken out of
   * the running sums once the window is full, the return stored in the ring and added, the last changes and the
   * benchmark's end followed. The ring wraps at most at the last of them (pushChunk's runs).
   */
  private steps(rs: Float64Array, bs: Float64Array, from: number, to: number): void {
    const { window, ringS, ringB } = this;
    // The state is read into locals for the run and written back after it, before resum and record read it.
    let { count, s1, s2, b1, b2, sb, lastChangeS, lastChangeB, prevS, prevB, bEnded } = this;
    let pos = count % window;
    for (let j = from; j < to; j++) {
      const r = rs[j]!;
      let b = bs[j]!;
      if (count >= window) {
        const oldS = ringS[pos]!;
        const oldB = ringB[pos]!;
        s1 -= oldS;
        s2 -= oldS * oldS;
        b1 -= oldB;
        b2 -= oldB * oldB;
        sb -= oldS * oldB;
      }
      if (Number.isNaN(b)) {
        bEnded = true;
        b = 0;
      }
      ringS[pos] = r;
      ringB[pos] = b;
      s1 += r;
      s2 += r * r;
      b1 += b;
      b2 += b * b;
      sb += r * b;
      if (count > 0 && r !== prevS) lastChangeS = count;
      if (count > 0 && b !== prevB) lastChangeB = count;
      prevS = r;
      prevB = b;
      count++;
      pos++;
    }
    this.count = count;
    this.s1 = s1;
    this.s2 = s2;
    this.b1 = b1;
    this.b2 = b2;
    this.sb = sb;
    this.lastChangeS = lastChangeS;
    this.lastChangeB = lastChangeB;
    this.prevS = prevS;
    this.prevB = prevB;
    this.bEnded = bEnded;
  }

  /**
   * The window's first window - 1 returns, from the first of r[0..k) (and b[0..k)): each stored in the ring, the
   * last changes and the benchmark's end followed, nothing summed (the window's sums are summed afresh from the
   * ring when it fills, before a figure is recorded: what was summed before is never read). Returns the index of
   * the first return it left. A loop of its own, so that steps' loop takes returns into a full window from its
   * first call: a branch first taken after V8 optimized a loop (the full window's, ~window returns in) sends the
   * loop back to the interpreter until it is optimized again.
   */
  private fill(rs: Float64Array, bs: Float64Array, k: number): number {
    const { window, ringS, ringB } = this;
    let { count, lastChangeS, lastChangeB, prevS, prevB, bEnded } = this;
    let j = 0;
    // The ring's position is the count until the window fills.
    for (; j < k && count < window - 1; j++) {
      const r = rs[j]!;
      let b = bs[j]!;
      if (Number.isNaN(b)) {
        bEnded = true;
        b = 0;
      }
      ringS[count] = r;
      ringB[count] = b;
      if (count > 0 && r !== prevS) lastChangeS = count;
      if (count > 0 && b !== prevB) lastChangeB = count;
      prevS = r;
      prevB = b;
      count++;
    }
    this.count = count;
    this.lastChangeS = lastChangeS;
    this.lastChangeB = lastChangeB;
    this.prevS = prevS;
    this.prevB = prevB;
    this.bEnded = bEnded;
    return j;
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

/** Duration figures of `days` (in round-trip order; reordered in place once their mean is summed: the median is selected, not sorted for). */
function durationStats(days: Float64Array): DurationStats {
  const n = days.length;
  if (n === 0) return { count: 0, meanDays: null, medianDays: null, maxDays: null };
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    sum += days[i]!;
    if (days[i]! > max) max = days[i]!;
  }
  const mid = n >>> 1;
  const upper = selectInPlace(days, 0, n, mid);
  let median = upper;
  if (n % 2 === 0) {
    // The middle value below: the largest of those selectInPlace left before position mid.
    let lower = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < mid; i++) if (days[i]! > lower) lower = days[i]!;
    median = (lower + upper) / 2;
  }
  return { count: n, meanDays: sum / n, medianDays: median, maxDays: max };
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
  /** Most returns the first pass keeps for the second (a longer curve's are read from it again); default KEEP_RETURNS. */
  readonly keepReturns?: number;
}

/**
 * The tear sheet's pass over the curve, fed its chunks in time order ({@link push}): by computeTearSheet's
 * own read of the curve, or by computeMetrics' pass as its observer (MetricsInput.observer), so that a
 * report reads its curve once or twice. It gathers the first sums of the period returns (and a sample of
 * them that brackets var95), the first sample and each month's last (yearly returns), the picked samples'
 * times (rolling series) and the benchmark at the drawn samples. Its second pass reads the returns the first
 * kept (a curve of up to KEEP_RETURNS returns, 16 bytes each), or from the curve again (a longer one: nothing of
 * its length is kept): run for computeMetrics' deviation sums alongside ({@link deviations}), or by
 * {@link finish}, which makes the tear sheet once the periods per year are known.
 */
export class TearSheetPass implements CurveObserver {
  private readonly n: number;
  private readonly bench: Benchmark | null;
  private readonly returns: ReturnChunks;
  /** The returns the first pass wrote, kept for the second when the curve is short enough (KEEP_RETURNS), and how many. */
  private readonly kept: { readonly r: Float64Array; readonly b: Float64Array } | null;
  private keptK = 0;
  private readonly cursor: BuyAndHoldCursor | null;
  private readonly sums: ReturnSums;
  private readonly pick: number[];
  private readonly pickTs: Float64Array;
  private readonly preview: readonly number[];
  private readonly monthTs: number[] = [];
  private readonly monthEquity: number[] = [];
  private readonly monthBench: number[] = [];
  private readonly previewValue: number[] = [];
  /** The second pass's figures, and the periods per year it ran with. */
  private second: { readonly P: number | null; readonly stats: ReturnType<typeof returnStatsOf>; readonly window: RollingWindow | null } | null = null;
  // The pass's position, carried from chunk to chunk in fields; each chunk works on locals.
  private i = 0;
  private p = 0;
  private d = 0;
  private monthStart = Number.NaN;
  private monthEnd = Number.NaN;
  // The sample before: its time, equity and buy-and-hold value.
  private prevT = Number.NaN;
  private prevE = Number.NaN;
  private prevB = Number.NaN;
  // Buy and hold's base (its last positive value), and whether a ruin ended the returns (see ReturnSteps).
  private base = Number.NaN;
  private ended = false;

  constructor(private readonly input: Omit<TearSheetInput, 'periodsPerYear' | 'worstDrawdowns'>) {
    const curve = curveScan(input.curve);
    const n = curve.length;
    checkCondition(n >= 2, `invalid 'equity': a tear sheet needs at least 2 samples, was ${n}`);
    this.n = n;
    const held = input.benchmark === null ? null : new BuyAndHoldCursor(input.benchmark.prices, input.benchmark.symbols);
    this.bench = held === null || held.symbols.length === 0 ? null : { prices: input.benchmark!.prices, symbols: held.symbols };
    this.cursor = this.bench === null ? null : new BuyAndHoldCursor(this.bench.prices, this.bench.symbols);
    // A short curve's returns are kept as the first pass computes them, and the second pass reads them in one
    // chunk: each of its loops is then run once, not once per block (V8 compiles such a loop once, on stack
    // replacement, where a loop called per block was compiled twice: on replacement, then whole).
    this.kept = n - 1 <= (input.keepReturns ?? KEEP_RETURNS) ? { r: new Float64Array(n - 1), b: new Float64Array(n - 1) } : null;
    this.returns =
      this.kept === null
        ? curveReturnChunks(curve, this.bench)
        : (visit) => {
            // The returns end at consecutive samples from sample 1.
            if (this.keptK > 0) visit(this.kept!.r, this.kept!.b, 1, this.keptK);
          };
    this.sums = new ReturnSums(this.bench !== null, n - 1);
    this.pick = rollingPicks(n, input.maxPoints ?? MAX_ROLLING_POINTS);
    this.pickTs = new Float64Array(this.pick.length);
    this.preview = input.previewTs;
  }

  /**
   * The next m samples, in one loop: each one's buy-and-hold value and the return ending at it (ReturnSteps'
   * rule; kept for the second pass when the curve is short), the returns' first sums (ReturnSums.first's, each
   * summed in the same order), and what is read of the sample (the months, the picked and the drawn samples). A
   * cold run interprets a loop over a 62k-bar curve until V8 optimizes it, boxing each double it reads: one
   * loop here instead of three (the returns, their sums, the sample's reading), each once per 4,096 samples. The
   * loop is run RUN samples a call ({@link run}): V8 optimizes run whole after its first calls, where one loop over
   * the chunk was compiled on stack replacement and a 62k-bar run's pass ran mostly before that code arrived.
   */
  push(ts: ArrayLike<number>, equity: ArrayLike<number>, m: number): void {
    for (let from = 0; from < m; from += RUN) this.run(ts, equity, from, Math.min(m, from + RUN));
  }

  /** Sample i (time t, equity e, benchmark v; the sample before's prevT, prevE, prevB) starts a month, is picked or is drawn (see run). */
  private event(i: number, t: number, e: number, v: number, prevT: number, prevE: number, prevB: number): void {
    const { pick, pickTs, preview, monthTs, monthEquity, monthBench, previewValue } = this;
    let { p, d } = this;
    // monthlyReturns reads the first sample and each month's last: keep just those.
    if (!(t >= this.monthStart && t < this.monthEnd)) {
      monthTs.push(i === 0 ? t : prevT);
      monthEquity.push(i === 0 ? e : prevE);
      monthBench.push(i === 0 ? v : prevB);
      [this.monthStart, this.monthEnd] = utcMonthOf(t);
    }
    if (p < pick.length && pick[p] === i) pickTs[p++] = t;
    // The benchmark at each drawn sample (each is an equity sample; as of the sample before, were one not).
    const previews = preview.length;
    while (d < previews && preview[d]! < t) {
      previewValue.push(i > 0 ? prevB : v);
      d++;
    }
    while (d < previews && preview[d] === t) {
      previewValue.push(v);
      d++;
    }
    this.p = p;
    this.d = d;
  }

  /** Samples from..to-1 of a chunk (see {@link push}); the pass's state is read into locals and written back. */
  private run(ts: ArrayLike<number>, equity: ArrayLike<number>, from: number, to: number): void {
    const { cursor, sums, pick, preview, kept } = this;
    const { withBenchmark, sample, stride } = sums;
    let { n, sum, min, max, nb, ss, sb, sampled, untilSample } = sums;
    const r = kept === null ? null : kept.r;
    const rb = kept === null ? null : kept.b;
    let { i, p, d, monthStart, monthEnd, prevT, prevE, prevB, base, ended, keptK: k } = this;
    const picks = pick.length;
    const previews = preview.length;
    // What the next sample must reach for something to be read of it: a drawn sample's time (NaN when none is
    // left: never reached), a picked sample's index (-1 when none is left). NaN is read once, here: `Number.NaN` in
    // the loop is a property read, and one first made after V8 optimized the loop (the last drawn sample passed, a
    // benchmark's base not positive) sends it back to the interpreter.
    const NONE = Number.NaN;
    let nextPreview = d < previews ? preview[d]! : NONE;
    let nextPick = p < picks ? pick[p]! : -1;
    for (let j = from; j < to; j++, i++) {
      const t = ts[j]!;
      const e = equity[j]!;
      const v = cursor === null ? NONE : cursor.value(t);
      // The return ending at this sample (r_i = E_i / E_{i-1} - 1, until the first non-positive value, included)
      // and buy and hold's (b_i = B_i / B_{i-1} - 1 while its base is positive, else NaN).
      if (i > 0 && !ended) {
        const x = e / prevE - 1;
        const y = base > 0 ? v / base - 1 : NONE;
        if (r !== null) {
          r[k] = x;
          rb![k] = y;
        }
        k++;
        if (!(e > 0)) ended = true;
        n++;
        sum += x;
        if (x < min) min = x;
        if (x > max) max = x;
        if (withBenchmark && !Number.isNaN(y)) {
          nb++;
          ss += x;
          sb += y;
        }
        if (sample !== null && untilSample-- === 0) {
          if (sampled < BRACKET_SAMPLE) sample[sampled++] = x;
          untilSample = stride - 1;
        }
      }
      if (base > 0 || i === 0) base = v;
      // Most samples are read for nothing more: in the month, not picked, before the next drawn sample.
      if (!(t >= monthStart && t < monthEnd && i !== nextPick && !(nextPreview <= t))) {
        // A call of its own (event), its state through the fields: the loop V8 compiles stays small.
        this.p = p;
        this.d = d;
        this.monthStart = monthStart;
        this.monthEnd = monthEnd;
        this.event(i, t, e, v, prevT, prevE, prevB);
        p = this.p;
        d = this.d;
        monthStart = this.monthStart;
        monthEnd = this.monthEnd;
        nextPreview = d < previews ? preview[d]! : NONE;
        nextPick = p < picks ? pick[p]! : -1;
      }
      prevT = t;
      prevE = e;
      prevB = v;
    }
    sums.n = n;
    sums.sum = sum;
    sums.min = min;
    sums.max = max;
    sums.nb = nb;
    sums.ss = ss;
    sums.sb = sb;
    sums.sampled = sampled;
    sums.untilSample = untilSample;
    this.i = i;
    this.p = p;
    this.d = d;
    this.monthStart = monthStart;
    this.monthEnd = monthEnd;
    this.prevT = prevT;
    this.prevE = prevE;
    this.prevB = prevB;
    this.base = base;
    this.ended = ended;
    this.keptK = k;
  }

  /** The sum of the returns in order (ReturnSums.first's), once every sample was pushed, or null when a ruin ended them before the last sample. */
  returnSum(): number | null {
    return this.sums.n === this.n - 1 ? this.sums.sum : null;
  }

  /**
   * Runs the second pass with `periodsPerYear` (computeMetrics') and sums the metrics' deviations of the excess
   * returns in it: null, and no pass, when a ruin ended the returns before the last sample.
   */
  deviations(periodsPerYear: number, meanExcess: number, rfPerBar: number): DeviationSums | null {
    if (this.sums.n !== this.n - 1) return null;
    const dev = new DeviationSums(meanExcess, rfPerBar);
    this.secondPass(periodsPerYear, dev);
    return dev;
  }

  /**
   * The tear sheet, once every sample was pushed: `periodsPerYear` is computeMetrics'; `worst` the curve's
   * worst drawdowns when the caller has them (else the curve is read for them).
   */
  finish(periodsPerYear: number | null, worst?: readonly WorstDrawdown[]): TearSheet {
    const { input, bench } = this;
    const P = periodsPerYear;
    const monthTs = [...this.monthTs, this.prevT];
    const monthEquity = [...this.monthEquity, this.prevE];
    const monthBench = [...this.monthBench, this.prevB];
    const previewValue = this.previewValue.slice();
    for (let d = this.d; d < this.preview.length; d++) previewValue.push(this.prevB);
    const second = this.second !== null && this.second.P === P ? this.second : this.secondPass(P);
    const years = yearlyReturns(monthlyReturns(monthTs, monthEquity));
    const benchYears = bench === null ? null : new Map(yearlyReturns(monthlyReturns(monthTs, monthBench)).map((y) => [y.year, y.value]));
    return {
      periodsPerYear: P,
      worstDrawdowns: worst !== undefined ? [...worst] : worstDrawdowns(input.curve),
      distribution: second.stats.distribution,
      yearly: years.map((y) => ({ year: y.year, strategy: y.value, benchmark: benchYears === null ? null : (benchYears.get(y.year) ?? null) })),
      benchmarkCurve: bench === null ? null : { symbols: [...bench.symbols], ts: [...input.previewTs], value: previewValue },
      benchmark: second.stats.benchmark,
      rolling: second.window === null ? null : second.window.stats(this.pickTs),
      tradeStats: tradeStats(input.trades),
    };
  }

  /** The second pass over the returns, read from the curve again: the distribution, the regression and the rolling figures (the window reads the returns in it), `deviations` summed alongside. */
  private secondPass(P: number | null, deviations?: DeviationSums): NonNullable<TearSheetPass['second']> {
    const window = P === null ? null : new RollingWindow(this.bench !== null, P, this.input.rollingWindow ?? rollingWindowOf(P), this.pick, this.input.riskFreeRate ?? 0, this.n - 1);
    const stats = returnStatsOf(this.returns, HISTOGRAM_BINS, this.bench !== null, P, this.sums, window ?? undefined, deviations);
    this.second = { P, stats, window };
    return this.second;
  }
}

/**
 * Returns the tear sheet of a run (see {@link TearSheet}): one {@link TearSheetPass} over the curve, a second
 * over its returns (kept by the first, or read from the curve again), and one more for the drawdowns unless the
 * caller gives them. Past KEEP_RETURNS returns nothing of the curve's length is kept: memory is bounded by the
 * rolling window, the months, the 2,000 picked samples and var95's candidates.
 */
export function computeTearSheet(input: TearSheetInput): TearSheet {
  const pass = new TearSheetPass(input);
  curveScan(input.curve).scan((ts, equity, m) => pass.push(ts, equity, m));
  return pass.finish(input.periodsPerYear, input.worstDrawdowns);
}
