import { checkCondition, checkPositiveInteger, formatIsoUs, InvalidArgumentError, US_PER_DAY } from '../engine/core/index.js';
// The modules themselves, not reports/html/index.js (that would load ECharts with every run).
import { everyKth } from './html/downsample.js';
import { monthlyReturns, yearlyReturns } from './html/monthly-returns.js';
import { drawdownEpisodes, periodReturns } from './metrics.js';

/**
 * The tear sheet of a run (report.json `tearSheet`): worst drawdowns, the distribution of the period
 * returns, yearly returns beside buy and hold, alpha and beta against buy and hold, rolling Sharpe,
 * volatility and beta, and round-trip durations. Pure functions of the equity curve, the benchmark curve
 * and the round trips; the period returns, the annualization (periodsPerYear) and the drawdown episodes
 * are computeMetrics' own (reports/metrics.ts). A figure undefined for the data is null.
 */

/** Episodes the worst-drawdowns table lists. */
export const WORST_DRAWDOWNS = 5;
/** Bins of the return histogram. */
export const HISTOGRAM_BINS = 30;
/** Most points of each rolling series in the report. */
export const MAX_ROLLING_POINTS = 2000;
/** The shortest rolling window. */
export const MIN_ROLLING_WINDOW = 20;

/** One row of the worst-drawdowns table (pyfolio's gen_drawdown_table: peak, valley, recovery). */
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

/**
 * Returns the `count` deepest drawdown episodes of the curve, deepest first (an earlier episode first on
 * a tie). The episodes are computeMetrics' (drawdownEpisodes in reports/metrics.ts): they run from the last
 * sample at a peak to the first sample back at that peak and never overlap, so the deepest five are
 * pyfolio's get_top_drawdowns.
 */
export function worstDrawdowns(ts: ArrayLike<number>, equity: ArrayLike<number>, count: number = WORST_DRAWDOWNS): WorstDrawdown[] {
  const episodes = drawdownEpisodes({ ts, equity });
  const order = episodes.map((_, i) => i).sort((a, b) => episodes[b]!.depth - episodes[a]!.depth || a - b);
  return order.slice(0, count).map((i) => {
    const e = episodes[i]!;
    return {
      start: formatIsoUs(e.peakTs),
      trough: formatIsoUs(e.troughTs),
      end: e.endTs === null ? null : formatIsoUs(e.endTs),
      depth: e.depth,
      lengthDays: (e.lastTs - e.peakTs) / US_PER_DAY,
      recoveryDays: e.endTs === null ? null : (e.endTs - e.troughTs) / US_PER_DAY,
    };
  });
}

/**
 * Returns the k-th smallest value of `a` (0-based), partially reordering `a` in place so that a[0..k-1] <= a[k]
 * <= a[k+1..]: Hoare's selection with a median-of-three pivot, O(n) on average and deterministic (a 2.5
 * million-return run's quantile without sorting the returns).
 */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
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
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Returns the q-quantile of `x` with linear interpolation (numpy's default, Hyndman-Fan type 7). */
export function quantile(x: ArrayLike<number>, q: number): number {
  const n = x.length;
  checkCondition(n >= 1, `invalid 'x': empty, was length 0`);
  const a = Float64Array.from(x);
  const h = (n - 1) * q;
  const k = Math.floor(h);
  const lo = selectKth(a, k);
  if (k + 1 >= n) return lo;
  let hi = a[k + 1]!;
  for (let i = k + 2; i < n; i++) if (a[i]! < hi) hi = a[i]!;
  return lo + (h - k) * (hi - lo);
}

/**
 * Returns numpy.histogram(x, bins) with equal-width bins over [min, max] (over [x - 0.5, x + 0.5] when
 * every value is equal), placing each value as numpy does: edges from linspace, the computed bin corrected
 * against its edges, the last bin closed.
 */
export function histogram(x: ArrayLike<number>, bins: number = HISTOGRAM_BINS): HistogramBin[] {
  checkPositiveInteger(bins, 'bins');
  const n = x.length;
  checkCondition(n >= 1, `invalid 'x': empty, was length 0`);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (x[i]! < lo) lo = x[i]!;
    if (x[i]! > hi) hi = x[i]!;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) edges[b] = b * step + lo;
  edges[bins] = hi;
  const counts = new Float64Array(bins);
  const norm = bins / (hi - lo);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let b = Math.floor((v - lo) * norm);
    if (b >= bins) b = bins - 1;
    if (v < edges[b]!) b--;
    else if (b !== bins - 1 && v >= edges[b + 1]!) b++;
    counts[b]!++;
  }
  return Array.from(counts, (count, b) => ({ from: edges[b]!, to: edges[b + 1]!, count }));
}

/**
 * Returns the distribution of the period returns `r` (at least one), or null when there are none. Moments
 * are central moments about the mean, summed in order; skew and kurtosis are the bias-corrected estimators
 * (scipy.stats.skew / kurtosis with bias=False, pandas' skew() / kurt(), quantstats' figures).
 */
export function returnDistribution(r: ArrayLike<number>, bins: number = HISTOGRAM_BINS): ReturnDistribution | null {
  const n = r.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += r[i]!;
  const mean = sum / n;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const d = r[i]! - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  const m2 = s2 / n;
  const m3 = s3 / n;
  const m4 = s4 / n;
  const std = n >= 2 ? Math.sqrt(s2 / (n - 1)) : null;
  const skew = n >= 3 && m2 > 0 ? finite(((m3 / Math.pow(m2, 1.5)) * Math.sqrt(n * (n - 1))) / (n - 2)) : null;
  const kurtosis = n >= 4 && m2 > 0 ? finite((((n + 1) * (m4 / (m2 * m2) - 3) + 6) * (n - 1)) / ((n - 2) * (n - 3))) : null;
  const var95 = quantile(r, 0.05);
  let tail = 0;
  let below = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = r[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v < var95) {
      tail += v;
      below++;
    }
  }
  return {
    periods: n,
    mean,
    std,
    skew,
    kurtosis,
    min,
    max,
    var95,
    cvar95: below > 0 ? tail / below : var95,
    histogram: histogram(r, bins),
    normal: { mean, std },
  };
}

/**
 * Returns the equal-weight buy-and-hold curve at the samples `ts` (growth of 1): the mean over the
 * symbols of price_s(t) / first price_s, where price_s(t) is the symbol's last price at or before t (as
 * of t) and a symbol not yet priced counts as 1 (its share still in cash). With the report's sampled
 * prices (at most MAX_PRICE_POINTS per symbol) the curve is exact at every sample of a run up to that many
 * bars and a step curve between the kept samples beyond. Null when no symbol has a positive first price.
 */
export function buyAndHoldCurve(ts: ArrayLike<number>, prices: Readonly<Record<string, { readonly ts: readonly number[]; readonly close: readonly number[] }>>, symbols: readonly string[]): { symbols: string[]; value: Float64Array } | null {
  const held = symbols.filter((s) => prices[s] !== undefined && prices[s]!.close.length > 0 && prices[s]!.close[0]! > 0);
  if (held.length === 0) return null;
  const n = ts.length;
  const value = new Float64Array(n);
  for (const s of held) {
    const p = prices[s]!;
    const first = p.close[0]!;
    let j = -1;
    for (let i = 0; i < n; i++) {
      while (j + 1 < p.ts.length && p.ts[j + 1]! <= ts[i]!) j++;
      value[i]! += j < 0 ? 1 : p.close[j]! / first;
    }
  }
  for (let i = 0; i < n; i++) value[i]! /= held.length;
  return { symbols: held, value };
}

/**
 * Returns the OLS regression of the strategy's period returns `rs` on the benchmark's `rb` (same periods,
 * same length, at least two), with the tracking error and information ratio annualized by P.
 */
export function benchmarkStats(rs: ArrayLike<number>, rb: ArrayLike<number>, periodsPerYear: number | null): BenchmarkStats | null {
  const n = Math.min(rs.length, rb.length);
  if (n < 2) return null;
  let ss = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    ss += rs[i]!;
    sb += rb[i]!;
  }
  const ms = ss / n;
  const mb = sb / n;
  let vss = 0;
  let vbb = 0;
  let vsb = 0;
  let sa = 0;
  for (let i = 0; i < n; i++) {
    const ds = rs[i]! - ms;
    const db = rb[i]! - mb;
    vss += ds * ds;
    vbb += db * db;
    vsb += ds * db;
    sa += rs[i]! - rb[i]!;
  }
  const ma = sa / n;
  let va = 0;
  for (let i = 0; i < n; i++) {
    const d = rs[i]! - rb[i]! - ma;
    va += d * d;
  }
  const beta = vbb > 0 ? vsb / vbb : null;
  const correlation = vbb > 0 && vss > 0 ? finite(vsb / Math.sqrt(vss * vbb)) : null;
  const sdActive = Math.sqrt(va / (n - 1));
  const P = periodsPerYear;
  return {
    periods: n,
    alpha: beta !== null && P !== null ? finite((ms - beta * mb) * P) : null,
    beta,
    correlation,
    rSquared: correlation === null ? null : correlation * correlation,
    trackingError: P !== null ? sdActive * Math.sqrt(P) : null,
    informationRatio: P !== null && sdActive > 0 ? finite((ma / sdActive) * Math.sqrt(P)) : null,
  };
}

/** The rolling window of a run: round(P / 2) period returns (about six months), at least MIN_ROLLING_WINDOW. */
export function rollingWindowOf(periodsPerYear: number): number {
  return Math.max(MIN_ROLLING_WINDOW, Math.round(periodsPerYear / 2));
}

/**
 * Returns the rolling Sharpe, volatility and beta at the samples `pick` (indices into the equity curve,
 * increasing). At sample i >= window the window holds the returns r_{i-window+1..i} (r_j = E_j / E_{j-1} - 1,
 * stored at j - 1 of `rs`); before, and past the returns' end (after a ruin), the value is null.
 *
 * One pass builds prefix sums of the returns' deviations from their whole-run mean (and of their squares
 * and cross products with the benchmark's), so each window's moments are differences of two prefix sums:
 * O(n) whatever the window (a minute-bar run's half-year window holds ~49,000 returns). Centring on the
 * whole-run mean keeps the sums of squares free of the cancellation of raw sums; the result agrees with
 * pandas' rolling mean / std / cov to ~1e-14 on the reference series. A window of equal returns (a
 * strategy out of the market) is found exactly, from a prefix count of changes, and has a variance of
 * exactly 0 rather than the rounding residue of two prefix sums: no Sharpe, volatility 0, no beta
 * against a flat benchmark.
 */
export function rollingStats(
  ts: ArrayLike<number>,
  rs: ArrayLike<number>,
  rb: ArrayLike<number> | null,
  periodsPerYear: number,
  window: number,
  pick: readonly number[],
  riskFreeRate = 0,
): RollingStats {
  checkPositiveInteger(window, 'window');
  if (window < 2) throw new InvalidArgumentError(`invalid 'window': below 2, was ${window}`);
  const rfp = Math.pow(1 + riskFreeRate, 1 / periodsPerYear) - 1;
  const scale = Math.sqrt(periodsPerYear);
  const m = rb === null ? rs.length : Math.min(rs.length, rb.length);
  let cs = 0;
  let cb = 0;
  for (let j = 0; j < m; j++) {
    cs += rs[j]!;
    if (rb !== null) cb += rb[j]!;
  }
  if (m > 0) {
    cs /= m;
    cb /= m;
  }
  // Prefix sums over the first k returns at index k (0..m).
  const s1 = new Float64Array(m + 1);
  const s2 = new Float64Array(m + 1);
  const b1 = rb === null ? null : new Float64Array(m + 1);
  const b2 = rb === null ? null : new Float64Array(m + 1);
  const sb = rb === null ? null : new Float64Array(m + 1);
  // sChanges[k]: how many j in 1..k-1 have rs[j] !== rs[j - 1]; the window from..i-1 is flat when none lies in from+1..i-1.
  const sChanges = new Int32Array(m + 1);
  const bChanges = rb === null ? null : new Int32Array(m + 1);
  for (let j = 0; j < m; j++) {
    const ds = rs[j]! - cs;
    s1[j + 1] = s1[j]! + ds;
    s2[j + 1] = s2[j]! + ds * ds;
    sChanges[j + 1] = sChanges[j]! + (j > 0 && rs[j] !== rs[j - 1] ? 1 : 0);
    if (rb !== null) {
      const db = rb[j]! - cb;
      b1![j + 1] = b1![j]! + db;
      b2![j + 1] = b2![j]! + db * db;
      sb![j + 1] = sb![j]! + ds * db;
      bChanges![j + 1] = bChanges![j]! + (j > 0 && rb[j] !== rb[j - 1] ? 1 : 0);
    }
  }
  const sharpe: (number | null)[] = [];
  const volatility: (number | null)[] = [];
  const beta: (number | null)[] | null = rb === null ? null : [];
  for (const i of pick) {
    if (i < window || i > m) {
      sharpe.push(null);
      volatility.push(null);
      beta?.push(null);
      continue;
    }
    const from = i - window;
    const sFlat = sChanges[i] === sChanges[from + 1];
    const ds = s1[i]! - s1[from]!;
    const mean = ds / window;
    const vss = sFlat ? 0 : Math.max(0, s2[i]! - s2[from]! - ds * mean);
    const sd = Math.sqrt(vss / (window - 1));
    volatility.push(sd * scale);
    sharpe.push(sd > 0 ? finite(((mean + cs - rfp) / sd) * scale) : null);
    if (beta !== null) {
      const bFlat = bChanges![i] === bChanges![from + 1];
      const db = b1![i]! - b1![from]!;
      const vbb = bFlat ? 0 : Math.max(0, b2![i]! - b2![from]! - (db * db) / window);
      const vsb = sFlat || bFlat ? 0 : sb![i]! - sb![from]! - (ds * db) / window;
      beta.push(vbb > 0 ? finite(vsb / vbb) : null);
    }
  }
  return { window, ts: pick.map((i) => ts[i]!), sharpe, volatility, beta };
}

function durationStats(days: number[]): DurationStats {
  const n = days.length;
  if (n === 0) return { count: 0, meanDays: null, medianDays: null, maxDays: null };
  const sorted = Float64Array.from(days).sort();
  let sum = 0;
  for (const d of days) sum += d;
  const mid = n >>> 1;
  return { count: n, meanDays: sum / n, medianDays: n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2, maxDays: sorted[n - 1]! };
}

/** Returns the round trips' durations (exit - entry, in days): all of them, the winners (pnl > 0) and the losers (pnl < 0). */
export function tradeStats(trades: readonly { readonly entryTs: number; readonly exitTs: number; readonly pnl: number }[]): TradeStats {
  const all: number[] = [];
  const winners: number[] = [];
  const losers: number[] = [];
  for (const t of trades) {
    const d = (t.exitTs - t.entryTs) / US_PER_DAY;
    all.push(d);
    if (t.pnl > 0) winners.push(d);
    else if (t.pnl < 0) losers.push(d);
  }
  return { all: durationStats(all), winners: durationStats(winners), losers: durationStats(losers), mae: null, mfe: null };
}

/** What {@link computeTearSheet} reads. */
export interface TearSheetInput {
  /** Every equity sample (microseconds, increasing) and its equity; at least two samples. */
  readonly ts: ArrayLike<number>;
  readonly equity: ArrayLike<number>;
  /** computeMetrics' periods per year (metrics.periodsPerYear); null leaves out alpha, the annualized figures and the rolling series. */
  readonly periodsPerYear: number | null;
  readonly riskFreeRate?: number;
  /** Buy and hold's value at every equity sample (see {@link buyAndHoldCurve}), or null. */
  readonly benchmark: { readonly symbols: readonly string[]; readonly value: ArrayLike<number> } | null;
  /** The samples the report draws (report.json `equity[i].ts`): the benchmark curve is given at these. */
  readonly previewTs: readonly number[];
  readonly trades: readonly { readonly entryTs: number; readonly exitTs: number; readonly pnl: number }[];
  /** Returns in the rolling window; default {@link rollingWindowOf}(periodsPerYear). */
  readonly rollingWindow?: number;
  /** Most points of each rolling series; default MAX_ROLLING_POINTS. */
  readonly maxPoints?: number;
}

/** Returns the tear sheet of a run (see {@link TearSheet}). */
export function computeTearSheet(input: TearSheetInput): TearSheet {
  const { ts, equity, benchmark } = input;
  const n = equity.length;
  checkCondition(n >= 2, `invalid 'equity': a tear sheet needs at least 2 samples, was ${n}`);
  checkCondition(ts.length === n, `invalid 'ts': length differs from equity (${n}), was ${ts.length}`);
  if (benchmark !== null) checkCondition(benchmark.value.length === n, `invalid 'benchmark.value': length differs from equity (${n}), was ${benchmark.value.length}`);
  const P = input.periodsPerYear;
  const rs = periodReturns(equity);
  const rb = benchmark === null ? null : periodReturns(benchmark.value);
  const months = yearlyReturns(monthlyReturns(ts, equity));
  const benchYears = benchmark === null ? null : new Map(yearlyReturns(monthlyReturns(ts, benchmark.value)).map((y) => [y.year, y.value]));
  let rolling: RollingStats | null = null;
  if (P !== null) {
    const window = input.rollingWindow ?? rollingWindowOf(P);
    const pick = everyKth(Array.from({ length: n }, (_, i) => i), input.maxPoints ?? MAX_ROLLING_POINTS);
    rolling = rollingStats(ts, rs, rb, P, window, pick, input.riskFreeRate ?? 0);
  }
  let benchmarkCurve: BenchmarkCurve | null = null;
  if (benchmark !== null) {
    // The benchmark as of each drawn sample (every drawn sample is an equity sample).
    const value: number[] = [];
    let j = 0;
    for (const t of input.previewTs) {
      while (j + 1 < n && ts[j + 1]! <= t) j++;
      value.push(benchmark.value[j]!);
    }
    benchmarkCurve = { symbols: [...benchmark.symbols], ts: [...input.previewTs], value };
  }
  return {
    periodsPerYear: P,
    worstDrawdowns: worstDrawdowns(ts, equity),
    distribution: returnDistribution(rs),
    yearly: months.map((y) => ({ year: y.year, strategy: y.value, benchmark: benchYears === null ? null : (benchYears.get(y.year) ?? null) })),
    benchmarkCurve,
    benchmark: rb === null ? null : benchmarkStats(rs, rb, P),
    rolling,
    tradeStats: tradeStats(input.trades),
  };
}
