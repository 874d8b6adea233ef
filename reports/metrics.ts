import { formatIsoUs } from '../engine/core/time.js';
import { calendarPeriodsPerYear, checkCondition, checkFinite, checkPositive, InvalidArgumentError, US_PER_DAY, US_PER_MINUTE, US_PER_YEAR } from '../engine/core/index.js';
import type { Calendar } from '../engine/core/index.js';
import type { EquityCurveScan } from '../engine/kernel/run-result.js';

/**
 * Performance metrics of one run, computed from plain data (the equity curve, round-trip trades and
 * fills). Every formula is listed in reports/METRICS.md. A metric that is undefined for the data (no
 * trades, zero volatility, a single bar, ...) is `null`, never NaN or Infinity, so a report can be
 * serialised to JSON as is.
 */

/** The equity curve sampled once per bar: `ts[i]` (microseconds since the epoch) and `equity[i]`. */
export interface EquityCurveInput {
  /** Bar timestamps in integer microseconds, strictly increasing. */
  readonly ts: ArrayLike<number>;
  /** Account equity (cash plus positions marked to market) at each bar; `equity[0]` must be positive. */
  readonly equity: ArrayLike<number>;
}

/**
 * An equity curve read in consecutive chunks, in time order: a streamed run's curve, which is read back
 * from where it was spilled rather than held in memory (engine/kernel/run-result.ts). Every metric is a
 * pass in order over the samples, so a curve given whole and the same curve given in chunks yield the
 * same numbers bit for bit (tests/property/metrics-chunks.property.test.ts).
 */
export type { EquityCurveScan } from '../engine/kernel/run-result.js';

/** One closed round trip, as in report.json's `trades`. */
export interface TradeRecord {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  /** Units traded (positive). */
  readonly qty: number;
  /** Entry time in microseconds. */
  readonly entryTs: number;
  readonly entryPrice: number;
  /** Exit time in microseconds. */
  readonly exitTs: number;
  readonly exitPrice: number;
  /** Profit and loss in account currency, net of commission. */
  readonly pnl: number;
  /** Return of the trade as a fraction (0.05 is +5%), as backtesting.py's `ReturnPct`. */
  readonly returnPct: number;
  /** Commission paid on the round trip. */
  readonly commission: number;
}

/** One fill, as in report.json's `fills`. */
export interface FillRecord {
  /** Fill time in microseconds. */
  readonly ts: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** Units filled (positive). */
  readonly qty: number;
  readonly price: number;
  /** Commission charged on this fill, in account currency. */
  readonly commission: number;
}

/** Round trips as columns (a run's `records.trades`, see engine/kernel/run-result.ts): the numbers the metrics read, without an object per trade. */
export interface TradeNumberColumns {
  readonly length: number;
  column(field: (typeof TRADE_NUMBERS)[number]): ArrayLike<number>;
}

/** Fills as columns (a run's `records.fills`): the numbers the metrics read. */
export interface FillNumberColumns {
  readonly length: number;
  column(field: (typeof FILL_NUMBERS)[number]): ArrayLike<number>;
}

/**
 * `records` as columns: themselves when they are, else each field read from the objects into an array on
 * its first read (a list of records, a sweep trial's say), its values as they are (a missing field is
 * undefined, and an error names it so).
 */
export function numberColumns<F extends string>(records: readonly Readonly<Record<F, number>>[] | { readonly length: number; column(field: F): ArrayLike<number> }): { readonly length: number; column(field: F): ArrayLike<number> } {
  if (!Array.isArray(records)) return records as { readonly length: number; column(field: F): ArrayLike<number> };
  const list = records as readonly Readonly<Record<F, number>>[];
  const read = new Map<F, number[]>();
  return {
    length: list.length,
    column(field) {
      let out = read.get(field);
      if (out === undefined) {
        // Pushed, not preallocated: new Array(n) past 100,000 elements makes a dictionary (a heap number and an entry per value).
        out = [];
        for (let i = 0; i < list.length; i++) out.push(list[i]![field]);
        read.set(field, out);
      }
      return out;
    },
  };
}

/** First and last price of one instrument over the run, for the buy-and-hold benchmark. */
export interface BuyAndHoldPrice {
  readonly symbol: string;
  readonly firstPrice: number;
  readonly lastPrice: number;
}

/**
 * The buy-and-hold benchmark: either first/last prices per symbol (an equal-weight buy at the first
 * price, held to the last) or a benchmark equity series.
 */
export type BuyAndHoldInput =
  | { readonly kind: 'prices'; readonly prices: readonly BuyAndHoldPrice[] }
  | { readonly kind: 'equity'; readonly equity: ArrayLike<number> };

/** Everything computeMetrics needs; the backtest runner fills it from a finished run. */
export interface MetricsInput {
  /** The curve whole, or read in chunks (a streamed run's). */
  readonly equity: EquityCurveInput | EquityCurveScan;
  /** Closed round trips (may be empty), as records or as columns (a run's `records.trades`). */
  readonly trades: readonly TradeRecord[] | TradeNumberColumns;
  /** All fills (may be empty), as records or as columns (a run's `records.fills`). */
  readonly fills: readonly FillRecord[] | FillNumberColumns;
  /** Cash at the start of the run; the base of totalReturn and CAGR. */
  readonly initialCash: number;
  /**
   * The data's bar interval in microseconds. When absent it is the median spacing of `equity.ts`.
   * It selects the annualization rule (see {@link annualization}).
   */
  readonly barIntervalUs?: number;
  /** Explicit periods per year; overrides the rule derived from the bar interval (e.g. session-only intraday data). */
  readonly periodsPerYear?: number;
  /** The trading calendar: intraday and daily bars annualize by its trading periods per year (see {@link annualization}). */
  readonly calendar?: Calendar;
  /**
   * One value per bar (same length as the equity curve): a bar counts as exposed when its value is not
   * zero, so either 0/1 flags or the gross position notional fit. When absent, exposure is derived from
   * the trades: bar i is exposed when some trade has entryTs <= ts[i] < exitTs.
   */
  readonly exposure?: ArrayLike<number>;
  /** Instead of `exposure`: how many samples were exposed (a streamed run counts them as it goes). */
  readonly exposedSamples?: number;
  /** The buy-and-hold benchmark; buyAndHoldReturn is null when absent. */
  readonly buyAndHold?: BuyAndHoldInput;
  /** Annual risk-free rate as a fraction (default 0); de-annualized as (1 + rf)^(1/P) - 1 per bar. */
  readonly riskFreeRate?: number;
  /** When the account was ruined (microseconds), or null/absent when it never was. */
  readonly ruinTs?: number | null;
  /** Called with each drawdown episode as the metrics' pass over the curve closes it (see {@link drawdownEpisodes}): the tear sheet's worst drawdowns without another pass. */
  readonly onDrawdownEpisode?: (episode: DrawdownEpisode) => void;
  /** Reads the metrics' pass over the curve with them (the tear sheet's, reports/tearsheet.ts TearSheetPass): a report reads its curve once. */
  readonly observer?: CurveObserver;
}

/**
 * What reads computeMetrics' pass over the curve beside it (MetricsInput.observer): each chunk in order, once
 * its samples are checked; after the pass, the metrics' second pass (the deviations of the excess returns)
 * rides on the observer's own second pass over the returns, so that the two read the curve again once.
 */
export interface CurveObserver {
  push(ts: ArrayLike<number>, equity: ArrayLike<number>, m: number): void;
  /**
   * The deviation sums of the excess returns E_i / E_{i-1} - 1 - rfPerBar (i = 1..n-1, every base E_{i-1}
   * positive) about `meanExcess`, summed in order in the observer's second pass (run now, with the metrics'
   * periods per year); null when it does not read every one of them (the metrics then read the curve).
   */
  deviations(periodsPerYear: number, meanExcess: number, rfPerBar: number): DeviationSums | null;
  /**
   * The sum of the returns E_i / E_{i-1} - 1 (i = 1..n-1) in order, once the pass is over, or null when a base
   * E_{i-1} is not positive. Without a risk-free rate these are the excess returns, and the metrics read their sum
   * here rather than summing it in their own loop; without this method, they sum it.
   */
  returnSum?(): number | null;
}

/** How bars are annualized: `kind` names the rule, `periodsPerYear` is P. */
export interface Annualization {
  /**
   * `trading-days`: daily bars without weekends, P = 252; `calendar-days`: daily bars with weekends,
   * P = 365; `interval`: P = US_PER_YEAR / barIntervalUs; `calendar`: the trading calendar's periods
   * per year (calendarPeriodsPerYear); `explicit`: given by the caller.
   */
  readonly kind: 'trading-days' | 'calendar-days' | 'interval' | 'calendar' | 'explicit';
  readonly periodsPerYear: number;
  readonly barIntervalUs: number | null;
}

/** The metrics of one run. Fractions are plain fractions (0.21 is 21%); null means undefined for the data. */
export interface PerformanceMetrics {
  /** Number of equity samples (bars). */
  readonly bars: number;
  readonly startTs: number;
  readonly endTs: number;
  /** Periods per year used to annualize, and the rule that chose it; null with a single bar and no interval. */
  readonly periodsPerYear: number | null;
  readonly annualization: Annualization['kind'] | null;
  readonly finalEquity: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly annualizedVolatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  /** Largest fall below the running peak, as a positive fraction of the peak. */
  readonly maxDrawdown: number;
  /** Longest drawdown episode, from its peak to recovery (or the last bar), in microseconds and in bars. */
  readonly maxDrawdownDurationUs: number;
  readonly maxDrawdownDurationBars: number;
  /** Mean over drawdown episodes of each episode's deepest drawdown; 0 when there is none. */
  readonly averageDrawdown: number;
  readonly averageDrawdownDurationUs: number;
  readonly drawdownEpisodes: number;
  /** Fraction of bars with a non-zero position. */
  readonly exposureTime: number;
  readonly tradeCount: number;
  readonly winRate: number | null;
  readonly bestTrade: number | null;
  readonly worstTrade: number | null;
  readonly averageTrade: number | null;
  readonly averageWinningTrade: number | null;
  readonly averageLosingTrade: number | null;
  readonly profitFactor: number | null;
  readonly expectancy: number | null;
  readonly sqn: number | null;
  readonly kelly: number | null;
  readonly tradedNotional: number;
  readonly turnover: number | null;
  readonly annualTurnover: number | null;
  readonly totalCommissions: number;
  readonly buyAndHoldReturn: number | null;
  readonly riskFreeRate: number;
  /** When the account was ruined (equity <= 0 at an equity sample; trading ended then), ISO-8601, or null. */
  readonly ruinedAt: string | null;
}

/** Days per year of daily bars on weekdays only (backtesting.py's convention). */
export const TRADING_DAYS_PER_YEAR = 252;
/** Days per year of daily bars that include weekends. */
export const CALENDAR_DAYS_PER_YEAR = 365;
/** The weekend threshold of backtesting.py: weekends are present above 60% of their 2/7 share of bars. */
const WEEKEND_SHARE_THRESHOLD = (2 / 7) * 0.6;

function fail(name: string, what: string, value: unknown): never {
  throw new InvalidArgumentError(`invalid '${name}': ${what}, was ${String(value)}`);
}

/** Returns `curve` as a scan: a whole curve is one chunk. */
export function curveScan(curve: EquityCurveInput | EquityCurveScan): EquityCurveScan {
  if ('scan' in curve) return curve;
  const n = curve.equity.length;
  return { length: n, scan: (visit) => visit(curve.ts, curve.equity, n) };
}

/** Timestamps alone, whole or in chunks (the `ts` of a curve). */
type TsSource = ArrayLike<number> | EquityCurveScan;

function scanTs(ts: TsSource, visit: (ts: ArrayLike<number>, n: number) => void): void {
  if ('scan' in ts && typeof ts.scan === 'function') ts.scan((t, _e, n) => visit(t, n));
  else visit(ts as ArrayLike<number>, (ts as ArrayLike<number>).length);
}

/**
 * Counts of the spacings between consecutive timestamps, one pass in order. The median is read from
 * the counts, so it needs memory for the distinct spacings only (a handful for bars: the interval, the
 * overnight and the weekend gaps) rather than one number per sample.
 */
class SpacingCounts {
  private readonly counts = new Map<number, number>();
  private prev = Number.NaN;
  private seen = 0;

  push(t: number): void {
    if (this.seen++ > 0) {
      const d = t - this.prev;
      this.counts.set(d, (this.counts.get(d) ?? 0) + 1);
    }
    this.prev = t;
  }

  /** The median spacing (the mean of the two middle ones for an even count), or null with fewer than two timestamps. */
  median(): number | null {
    const m = this.seen - 1;
    if (m < 1) return null;
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    const kth = (k: number): number => {
      let below = 0;
      for (const key of keys) {
        below += this.counts.get(key)!;
        if (k < below) return key;
      }
      return keys[keys.length - 1]!;
    };
    const upper = kth(m >>> 1);
    if (m % 2 === 1) return upper;
    return (kth((m >>> 1) - 1) + upper) / 2;
  }
}

/**
 * Returns the median spacing of `ts` (the mean of the two middle spacings for an even count, as
 * pandas' median), or null with fewer than two timestamps.
 */
export function medianSpacingUs(ts: TsSource): number | null {
  const counts = new SpacingCounts();
  scanTs(ts, (t, n) => {
    for (let i = 0; i < n; i++) counts.push(t[i]!);
  });
  return counts.median();
}

/** Bars per UTC weekday (Sunday = 0), one pass in order. */
class WeekdayCounts {
  readonly counts = [0, 0, 0, 0, 0, 0, 0];
  n = 0;

  push(t: number): void {
    const day = Math.floor(t / US_PER_DAY);
    const dow = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4, with Sunday = 0)
    this.counts[dow]!++;
    this.n++;
  }

  /** See {@link weekendsAbsent}. */
  weekendsAbsent(): boolean {
    const sorted = [...this.counts].sort((a, b) => a - b);
    return sorted[0]! + sorted[1]! <= WEEKEND_SHARE_THRESHOLD * this.n;
  }
}

/**
 * Returns true when the bars leave out two days of the week: the two least populated UTC weekdays hold
 * at most 60% of their 2/7 share of the bars. This is backtesting.py's weekend test made independent of
 * the time zone the daily bars are stamped in (a Monday session stamped on Sunday UTC still counts).
 */
export function weekendsAbsent(ts: TsSource): boolean {
  const counts = new WeekdayCounts();
  scanTs(ts, (t, n) => {
    for (let i = 0; i < n; i++) counts.push(t[i]!);
  });
  return counts.weekendsAbsent();
}

/**
 * Returns the annualization of a bar series. Daily bars (a bar interval that rounds to one day, i.e. in
 * [0.5, 1.5) days) use P = 252 when weekends are absent ({@link weekendsAbsent}) and P = 365 when they
 * are present, as backtesting.py does; any other interval uses P = US_PER_YEAR / barIntervalUs
 * (365.25-day years). With a trading `calendar`, intraday and daily bars use the calendar's periods per
 * year instead (calendarPeriodsPerYear: sessions per year x bars per session; longer bars keep the
 * interval rule). `periodsPerYear` overrides every rule. Returns null when the interval is unknown (a
 * single bar and no barIntervalUs).
 */
export function annualization(
  ts: TsSource,
  barIntervalUs?: number,
  periodsPerYear?: number,
  calendar?: Calendar,
): Annualization | null {
  return annualizationOf(barIntervalUs ?? medianSpacingUs(ts), () => weekendsAbsent(ts), periodsPerYear, calendar);
}

/**
 * The per-bar risk-free rate (1 + rf)^(1/P) - 1 when P is known before the pass over the curve: given, or from a
 * valid bar interval that is not daily (neither the spacings nor the weekday counts decide it); else null.
 * The same P as computeMetrics finds after the pass: the same rule on the same input.
 */
function earlyRfPerBar(input: MetricsInput, rf: number, withWeekdays: boolean): number | null {
  if (withWeekdays) return null;
  const given = input.periodsPerYear;
  const interval = input.barIntervalUs;
  // An invalid P or interval is left to the checks after the pass, which name it.
  if (given !== undefined ? !(given > 0 && Number.isFinite(given)) : interval === undefined || !(interval > 0 && Number.isFinite(interval))) return null;
  const ann = annualizationOf(interval ?? null, () => false, given, input.calendar);
  return ann === null ? null : Math.pow(1 + rf, 1 / ann.periodsPerYear) - 1;
}

/** Whether bars of `interval` microseconds are daily bars (it rounds to one day): their annualization depends on the weekend test. */
function isDaily(interval: number): boolean {
  return interval >= 0.5 * US_PER_DAY && interval < 1.5 * US_PER_DAY;
}

/** {@link annualization} given the interval (null: unknown) and the weekend test. */
function annualizationOf(interval: number | null, noWeekends: () => boolean, periodsPerYear?: number, calendar?: Calendar): Annualization | null {
  if (periodsPerYear !== undefined) {
    checkPositive(periodsPerYear, 'periodsPerYear');
    return { kind: 'explicit', periodsPerYear, barIntervalUs: interval };
  }
  if (interval === null) return null;
  checkPositive(interval, 'barIntervalUs');
  if (calendar !== undefined) {
    const p = calendarPeriodsPerYear(calendar, interval);
    if (p !== null) return { kind: 'calendar', periodsPerYear: p, barIntervalUs: interval };
  }
  if (isDaily(interval)) {
    return noWeekends()
      ? { kind: 'trading-days', periodsPerYear: TRADING_DAYS_PER_YEAR, barIntervalUs: interval }
      : { kind: 'calendar-days', periodsPerYear: CALENDAR_DAYS_PER_YEAR, barIntervalUs: interval };
  }
  return { kind: 'interval', periodsPerYear: US_PER_YEAR / interval, barIntervalUs: interval };
}

/** A bar interval in words: `one-minute`, `5-minute`, `1-hour`, `daily` ... */
function intervalWords(us: number): string {
  const minutes = us / US_PER_MINUTE;
  if (minutes === 1) return 'one-minute';
  if (Number.isInteger(minutes) && minutes < 60) return `${minutes}-minute`;
  if (Number.isInteger(minutes / 60) && minutes < 1440) return `${minutes / 60}-hour`;
  return `${formatCount(us / US_PER_DAY)}-day`;
}

/**
 * `x` as en-US writes it (`17,532`, `101,748.21`: grouped thousands, at most two decimals). A safe integer is
 * grouped here: toLocaleString's first call loads the locale data (~15 ms, the only Intl use of a run).
 */
function formatCount(x: number): string {
  if (Number.isSafeInteger(x)) {
    const digits = String(Math.abs(x));
    let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
    for (let at = out.length; at < digits.length; at += 3) out += ',' + digits.slice(at, at + 3);
    return x < 0 || Object.is(x, -0) ? '-' + out : out;
  }
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/**
 * The sentence of the report's assumptions that states the annualization in force, e.g. "Annualized
 * by 101,748.21 one-minute periods per year: 260.89 sessions per year x 390 bars per session
 * (calendar America/New_York 09:30-16:00, weekdays)."
 */
export function describeAnnualization(ann: Annualization | null, calendar?: Calendar): string {
  if (ann === null) return 'No annualization: a single bar and no bar interval.';
  const P = formatCount(ann.periodsPerYear);
  const bars = ann.barIntervalUs !== null ? intervalWords(ann.barIntervalUs) : 'bar';
  switch (ann.kind) {
    case 'explicit':
      return `Annualized by ${P} periods per year (metrics.periodsPerYear), whatever the bars and the calendar.`;
    case 'calendar': {
      const cal = calendar!;
      const perSession = ann.periodsPerYear / cal.sessionsPerYear;
      const rule = ann.barIntervalUs! < 0.5 * US_PER_DAY ? `${formatCount(cal.sessionsPerYear)} sessions per year x ${formatCount(Math.round(perSession))} bars per session` : 'one bar per session';
      return `Annualized by ${P} ${bars} periods per year: ${rule} (${cal.label}).`;
    }
    case 'trading-days':
      return `Annualized by ${P} trading days per year (daily bars without weekends; no calendar given).`;
    case 'calendar-days':
      return `Annualized by ${P} days per year (daily bars with weekends; no calendar given).`;
    case 'interval':
      return `Annualized by ${P} ${bars} periods per year: 365.25 days / the bar interval, the market taken as open around the clock (no calendar given; set calendar or metrics.periodsPerYear for session data).`;
  }
}

/**
 * Returns the drawdown at every point: 1 - equity[i] / max(equity[0..i]), a non-negative fraction of the
 * running peak (0 at a new high). Requires equity[0] > 0 so the peak stays positive.
 */
export function drawdownSeries(equity: ArrayLike<number>): Float64Array {
  const n = equity.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let peak = equity[0]!;
  if (!(peak > 0)) fail('equity[0]', 'not positive', peak);
  for (let i = 0; i < n; i++) {
    const e = equity[i]!;
    if (!Number.isFinite(e)) notFinite('equity', i, e);
    if (e > peak) peak = e;
    out[i] = 1 - e / peak;
  }
  return out;
}

/** The numbers of a round trip that computeMetrics reads (every one checked finite). */
export const TRADE_NUMBERS = ['qty', 'entryTs', 'entryPrice', 'exitTs', 'exitPrice', 'pnl', 'returnPct', 'commission'] as const;
/** The numbers of a fill that computeMetrics reads (every one checked finite). */
export const FILL_NUMBERS = ['ts', 'qty', 'price', 'commission'] as const;

/** Checks the curve's lengths; its samples are checked by the pass of {@link CurveFacts}. */
function validateCurveShape(curve: EquityCurveInput | EquityCurveScan): void {
  if (!('scan' in curve)) {
    const n = curve.equity.length;
    checkCondition(n >= 1, `invalid 'equity.equity': empty, was length 0`);
    checkCondition(
      curve.ts.length === n,
      `invalid 'equity.ts': length differs from equity.equity (${n}), was length ${curve.ts.length}`,
    );
  } else {
    checkCondition(curve.length >= 1, `invalid 'equity.equity': empty, was length 0`);
  }
}

/**
 * Checks that every number of every row is finite; the error names the first row with one that is not, and
 * its first such field (`trades[3].pnl`). The field name is only spelled out on failure: these loops run over
 * every trade and fill of a sweep trial.
 */
function checkFiniteRows<F extends string>(rows: { readonly length: number; column(field: F): ArrayLike<number> }, fields: readonly F[], name: string): void {
  let bad = rows.length;
  for (const field of fields) {
    const c = rows.column(field);
    for (let i = 0; i < bad; i++) {
      if (!Number.isFinite(c[i]!)) {
        bad = i;
        break;
      }
    }
  }
  if (bad < rows.length) for (const field of fields) checkFinite(rows.column(field)[bad]!, `${name}[${bad}].${field}`);
}

/**
 * The samples of `exposure` (n of them) that are not 0, each checked finite in the same loop (an error names the
 * first that is not).
 */
function exposedCount(exposure: ArrayLike<number>, n: number): number {
  let exposed = 0;
  for (let i = 0; i < n; i++) {
    const x = exposure[i]!;
    // The failure's text is made in a function of its own, as in CurveFacts.push.
    if (!Number.isFinite(x)) notFinite('exposure', i, x);
    if (x !== 0) exposed++;
  }
  return exposed;
}

/** Throws for `name[i]`, not a finite number. */
function notFinite(name: string, i: number, x: number): never {
  fail(`${name}[${i}]`, 'not a finite number', x);
}

/**
 * Checks everything but the curve (see {@link validateCurveShape} and {@link CurveFacts}); returns how many samples
 * the exposure series counts exposed, or null without one.
 */
function validate(input: MetricsInput, n: number, trades: TradeNumberColumns, fills: FillNumberColumns): number | null {
  checkPositive(input.initialCash, 'initialCash');
  if (input.barIntervalUs !== undefined) checkPositive(input.barIntervalUs, 'barIntervalUs');
  const rf = input.riskFreeRate ?? 0;
  checkFinite(rf, 'riskFreeRate');
  if (!(rf > -1)) fail('riskFreeRate', 'not above -1', rf);
  let exposed: number | null = null;
  if (input.exposure !== undefined) {
    const x = input.exposure;
    checkCondition(
      x.length === n,
      `invalid 'exposure': length differs from the equity curve (${n}), was length ${x.length}`,
    );
    exposed = exposedCount(x, n);
  }
  checkFiniteRows(trades, TRADE_NUMBERS, 'trades');
  checkFiniteRows(fills, FILL_NUMBERS, 'fills');
  const bh = input.buyAndHold;
  if (bh !== undefined) {
    if (bh.kind === 'prices') {
      bh.prices.forEach((p, i) => {
        checkPositive(p.firstPrice, `buyAndHold.prices[${i}].firstPrice`);
        checkFinite(p.lastPrice, `buyAndHold.prices[${i}].lastPrice`);
      });
    } else {
      checkCondition(bh.equity.length >= 1, `invalid 'buyAndHold.equity': empty, was length 0`);
      checkPositive(bh.equity[0]!, 'buyAndHold.equity[0]');
      checkFinite(bh.equity[bh.equity.length - 1]!, `buyAndHold.equity[${bh.equity.length - 1}]`);
    }
  }
  return exposed;
}

/**
 * Returns the fraction of samples exposed: from the streamed count, the exposure series (`exposedOfSeries`, counted
 * by validate as it checks the series), or the trades:
 * sample i is exposed when some trade has entryTs <= ts[i] < exitTs. The trades' entries and exits are
 * sorted once and the samples are walked in order: exposed while more entries than exits lie at or
 * before the sample (a trade with exitTs <= entryTs covers no sample and is left out).
 */
function exposureTime(input: MetricsInput, curve: EquityCurveScan, trades: TradeNumberColumns, exposedOfSeries: number | null): number {
  const n = curve.length;
  if (input.exposedSamples !== undefined) return input.exposedSamples / n;
  if (exposedOfSeries !== null) return exposedOfSeries / n;
  let exposed = 0;
  const entryTs = trades.column('entryTs');
  const exitTs = trades.column('exitTs');
  let spans = 0;
  for (let i = 0; i < trades.length; i++) if (exitTs[i]! > entryTs[i]!) spans++;
  if (spans === 0) return 0;
  const entries = new Float64Array(spans);
  const exits = new Float64Array(spans);
  for (let i = 0, k = 0; i < trades.length; i++) {
    if (exitTs[i]! > entryTs[i]!) {
      entries[k] = entryTs[i]!;
      exits[k++] = exitTs[i]!;
    }
  }
  entries.sort();
  exits.sort();
  let opened = 0;
  let closed = 0;
  curve.scan((ts, _e, m) => {
    for (let i = 0; i < m; i++) {
      const t = ts[i]!;
      while (opened < entries.length && entries[opened]! <= t) opened++;
      while (closed < exits.length && exits[closed]! <= t) closed++;
      if (opened > closed) exposed++;
    }
  });
  return exposed / n;
}

function buyAndHoldReturn(bh: BuyAndHoldInput | undefined): number | null {
  if (bh === undefined) return null;
  switch (bh.kind) {
    case 'prices': {
      if (bh.prices.length === 0) return null;
      let sum = 0;
      for (const p of bh.prices) sum += p.lastPrice / p.firstPrice - 1;
      return sum / bh.prices.length;
    }
    case 'equity':
      return bh.equity[bh.equity.length - 1]! / bh.equity[0]! - 1;
  }
}

/** Returns null in place of a non-finite number, so no NaN or Infinity reaches a report. */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * What one pass in order over the curve gives: it checks every sample (strictly increasing safe-integer
 * timestamps, finite equity, equity[0] > 0; errors name the sample's index), and gathers the first and
 * last samples, the equity sum, the weekday counts, the spacings (when the interval is not given) and the
 * drawdown statistics. An episode runs from the last sample at a peak to the first sample back at (or
 * above) that peak, or to the last sample when the curve never recovers.
 */
class CurveFacts {
  n = 0;
  firstTs = Number.NaN;
  lastTs = Number.NaN;
  firstEquity = Number.NaN;
  lastEquity = Number.NaN;
  equitySum = 0;
  readonly weekdays: WeekdayCounts | null;
  readonly spacings: SpacingCounts | null;
  // Drawdown state, kept in fields so a chunked curve carries it from chunk to chunk.
  maxDrawdown = 0;
  episodes = 0;
  depthSum = 0;
  durationSum = 0;
  maxDurationUs = 0;
  maxDurationBars = 0;
  private peak = Number.NaN;
  private peakIndex = 0;
  private peakTs = Number.NaN;
  private episodeDepth = 0;
  private troughIndex = 0;
  private troughTs = Number.NaN;
  private inEpisode = false;

  /** `onEpisode`: called with each drawdown episode as it closes (see {@link drawdownEpisodes}). */
  constructor(
    withSpacings: boolean,
    withWeekdays: boolean,
    private readonly onEpisode?: (episode: DrawdownEpisode) => void,
  ) {
    this.spacings = withSpacings ? new SpacingCounts() : null;
    this.weekdays = withWeekdays ? new WeekdayCounts() : null;
  }

  /**
   * Takes the next m samples. `excess` (with its per-bar rate `rfPerBar`): the excess returns' sum, summed in this
   * loop as ExcessReturnSum.push would in its own (the same terms in the same order): a cold run interprets each
   * loop over a 62k-bar curve until V8 optimizes it, and this is one loop fewer.
   */
  push(ts: ArrayLike<number>, equity: ArrayLike<number>, m: number, excess: ExcessReturnSum | null = null, rfPerBar = 0): void {
    // The state is read into locals for the chunk and written back after it (and before an episode closes,
    // closeEpisode reading it): fields read and written at every sample are what made this pass slow.
    const { weekdays, spacings } = this;
    let { n, lastTs, lastEquity, equitySum, maxDrawdown, peak, peakIndex, peakTs, episodeDepth, troughIndex, troughTs, inEpisode } = this;
    // ExcessReturnSum.push's state: once not `exDefined`, no longer summed.
    let exDefined = excess !== null && excess.defined;
    let exSum = excess === null ? 0 : excess.sum;
    let exPrev = excess === null ? Number.NaN : excess.prev;
    let exStarted = excess !== null && excess.started;
    for (let j = 0; j < m; j++, n++) {
      const t = ts[j]!;
      const e = equity[j]!;
      // The failure's text is made in a function of its own: template strings in this loop made its optimized code
      // ~4 times slower on a 62k curve (every sample paid for them, though none failed).
      if (!Number.isSafeInteger(t) || (n > 0 && !(t > lastTs)) || !Number.isFinite(e)) badSample(n, t, lastTs, e);
      if (n === 0) {
        this.firstTs = t;
        this.firstEquity = e;
        peak = e;
      }
      weekdays?.push(t);
      spacings?.push(t);
      equitySum += e;
      if (e >= peak) {
        if (inEpisode) {
          Object.assign(this, { peakIndex, peakTs, episodeDepth, troughIndex, troughTs });
          this.closeEpisode(n, t, true);
          inEpisode = false;
        }
        peak = e;
        peakIndex = n;
        peakTs = t;
      } else {
        const dd = 1 - e / peak;
        if (!inEpisode) {
          inEpisode = true;
          episodeDepth = 0;
        }
        if (dd > episodeDepth) {
          episodeDepth = dd;
          troughIndex = n;
          troughTs = t;
        }
        if (dd > maxDrawdown) maxDrawdown = dd;
      }
      if (exDefined) {
        if (exStarted) {
          if (!(exPrev > 0)) exDefined = false; // see ExcessReturnSum.push
          else exSum += e / exPrev - 1 - rfPerBar;
        }
        if (exDefined) {
          exStarted = true;
          exPrev = e;
        }
      }
      lastTs = t;
      lastEquity = e;
    }
    Object.assign(this, { n, lastTs, lastEquity, equitySum, maxDrawdown, peak, peakIndex, peakTs, episodeDepth, troughIndex, troughTs, inEpisode });
    if (excess !== null && excess.defined) {
      excess.sum = exSum;
      excess.prev = exPrev;
      excess.started = exStarted;
      excess.defined = exDefined;
    }
  }

  /** Ends the pass: closes an episode still open on the last sample; checks equity[0]. */
  finish(): this {
    if (!(this.firstEquity > 0)) fail('equity.equity[0]', 'not positive', this.firstEquity);
    if (this.inEpisode) this.closeEpisode(this.n - 1, this.lastTs, false);
    return this;
  }

  private closeEpisode(endIndex: number, endTs: number, recovered: boolean): void {
    this.onEpisode?.({
      peakIndex: this.peakIndex,
      peakTs: this.peakTs,
      troughIndex: this.troughIndex,
      troughTs: this.troughTs,
      endIndex: recovered ? endIndex : null,
      endTs: recovered ? endTs : null,
      lastIndex: endIndex,
      lastTs: endTs,
      depth: this.episodeDepth,
    });
    this.episodes++;
    this.depthSum += this.episodeDepth;
    const durationUs = endTs - this.peakTs;
    this.durationSum += durationUs;
    if (durationUs > this.maxDurationUs) {
      this.maxDurationUs = durationUs;
      this.maxDurationBars = endIndex - this.peakIndex;
    }
    this.inEpisode = false;
  }
}

/**
 * One drawdown episode, as computeMetrics counts them: from the last sample at a running peak
 * (`peakIndex`) to the first sample back at or above that peak (`endIndex`), or to the last sample of
 * the curve when it never recovers (`endIndex` null). `depth` is the episode's largest 1 - E/peak, first
 * reached at `troughIndex`.
 */
export interface DrawdownEpisode {
  readonly peakIndex: number;
  readonly peakTs: number;
  readonly troughIndex: number;
  readonly troughTs: number;
  /** The recovery sample, or null when the curve ends below the peak. */
  readonly endIndex: number | null;
  readonly endTs: number | null;
  /** Where the episode ends: the recovery sample, or the curve's last sample. */
  readonly lastIndex: number;
  readonly lastTs: number;
  /** Positive fraction of the peak. */
  readonly depth: number;
}

/**
 * Calls `onEpisode` with every drawdown episode of the curve in time order, as each closes: the same pass,
 * the same episodes and the same depths as computeMetrics' drawdownEpisodes, maxDrawdown and
 * maxDrawdownDuration (one implementation). Episodes never overlap: each ends where the next can begin at
 * the earliest. Nothing is kept, so a streamed curve of any length is read in bounded memory.
 */
export function drawdownEpisodes(curve: EquityCurveInput | EquityCurveScan, onEpisode: (episode: DrawdownEpisode) => void): void {
  validateCurveShape(curve);
  const facts = new CurveFacts(false, false, onEpisode);
  curveScan(curve).scan((ts, equity, m) => facts.push(ts, equity, m));
  facts.finish();
}

/** Throws for the curve's sample `n` (time `t`, equity `e`; `lastTs` the time before it), as the first of CurveFacts.push's checks it fails. */
function badSample(n: number, t: number, lastTs: number, e: number): never {
  if (!Number.isSafeInteger(t)) fail(`equity.ts[${n}]`, 'not a safe integer', t);
  if (n > 0 && !(t > lastTs)) fail(`equity.ts[${n}]`, `not after equity.ts[${n - 1}] (${lastTs})`, t);
  fail(`equity.equity[${n}]`, 'not a finite number', e);
}

/** The sum of the excess returns e_i / e_{i-1} - 1 - rfPerBar in order, read chunk by chunk; `defined` turns false (and the sum stops) at the first non-positive base. */
class ExcessReturnSum {
  sum = 0;
  defined = true;
  // Carried from chunk to chunk (by push, or by CurveFacts.push summing the same terms in its loop).
  prev = Number.NaN;
  started = false;

  push(equity: ArrayLike<number>, k: number, rfPerBar: number): void {
    if (!this.defined) return;
    let { sum, prev, started } = this;
    for (let j = 0; j < k; j++) {
      const e = equity[j]!;
      if (started) {
        if (!(prev > 0)) {
          this.defined = false; // once equity is not positive, a percentage return has no meaning
          break;
        }
        sum += e / prev - 1 - rfPerBar;
      }
      started = true;
      prev = e;
    }
    this.sum = sum;
    this.prev = prev;
    this.started = started;
  }
}

/**
 * x * x when x < 0, else +0, without a branch: (x - |x|) / 2 is x exactly when x < 0 (x + x, then halved) and +0 (or -0
 * at -0) otherwise, and adding +0 to a sum of squares leaves it as it was. The same sum as `if (x < 0) s += x * x`
 * for every x but +Infinity (NaN here: an infinite return, whose mean then leaves no Sortino either way); a branch on the
 * return's sign, mispredicted about every other bar of a real curve, cost ~4 times the rest of the loop (Math.min and
 * `x < 0 ? x : 0` compile to that branch too).
 */
function negativeSquare(x: number): number {
  const q = (x - Math.abs(x)) * 0.5;
  return q * q;
}

/** The samples a call of DeviationSums' loop takes (see DeviationSums.push). */
const DEVIATION_RUN = 256;

/**
 * The second pass over the excess returns x_i = E_i / E_{i-1} - 1 - rfPerBar, in order: the sum of squared
 * deviations from their mean (volatility, Sharpe) and of the squared negative ones (Sortino). Fields carry
 * the sums from chunk to chunk; each chunk sums in locals.
 */
export class DeviationSums {
  ss = 0;
  downside = 0;
  private prev = Number.NaN;
  private started = false;

  constructor(
    readonly meanExcess: number,
    readonly rfPerBar: number,
  ) {}

  /**
   * From a chunk of the curve's equity, in runs of DEVIATION_RUN samples: each a call of `run`, which V8 compiles whole
   * after its first calls. One loop over a 62k curve was compiled on stack replacement during the first call, before
   * its stores after the loop had run once, and `--trace-deopt` showed that code entered again and thrown away at
   * those stores in every later call of most processes (a sweep worker's every trial).
   */
  push(equity: ArrayLike<number>, k: number): void {
    for (let from = 0; from < k; from += DEVIATION_RUN) this.run(equity, from, Math.min(k, from + DEVIATION_RUN));
  }

  /** {@link push}'s loop over equity[from..to), its state read into locals and written back (the same sums, in order). */
  private run(equity: ArrayLike<number>, from: number, to: number): void {
    const { meanExcess, rfPerBar } = this;
    let { ss, downside, prev, started } = this;
    for (let j = from; j < to; j++) {
      const e = equity[j]!;
      if (started) {
        const x = e / prev - 1 - rfPerBar;
        const d = x - meanExcess;
        ss += d * d;
        downside += negativeSquare(x);
      }
      started = true;
      prev = e;
    }
    this.ss = ss;
    this.downside = downside;
    this.prev = prev;
    this.started = started;
  }
}

/**
 * Returns the performance metrics of a run (formulas in reports/METRICS.md). Per-bar simple returns
 * r_i = E_i / E_{i-1} - 1 (i = 1..n-1) drive volatility, Sharpe and Sortino; P is the periods per year of
 * {@link annualization}. Throws InvalidArgumentError naming the field and the value for malformed input
 * (mismatched lengths, non-increasing timestamps, non-finite numbers, non-positive equity[0] or initialCash).
 */
export function computeMetrics(input: MetricsInput): PerformanceMetrics {
  validateCurveShape(input.equity);
  const curve = curveScan(input.equity);
  // The weekday counts decide daily bars' annualization only: not kept when the interval is given and not daily, or P is.
  const withWeekdays = input.periodsPerYear === undefined && (input.barIntervalUs === undefined || isDaily(input.barIntervalUs));
  const facts = new CurveFacts(input.barIntervalUs === undefined, withWeekdays, input.onDrawdownEpisode);
  const rf = input.riskFreeRate ?? 0;
  // The excess returns are summed in this pass when the per-bar rate is known before it (a streamed curve is read
  // from its spill once less); else in a pass of their own once P is.
  const early = rf === 0 ? 0 : earlyRfPerBar(input, rf, withWeekdays);
  const excess = new ExcessReturnSum();
  const observer = input.observer;
  // Without a risk-free rate the excess returns are the returns (x - 0 is x), which the observer sums in its pass:
  // their sum is read from it (the same terms in the same order), and this pass's loop does not sum them again.
  const observed = rf === 0 && observer?.returnSum !== undefined;
  curve.scan((ts, equity, m) => {
    if (early !== null && !observed) facts.push(ts, equity, m, excess, early);
    else facts.push(ts, equity, m);
    observer?.push(ts, equity, m);
  });
  facts.finish();
  if (observed) {
    const sum = observer.returnSum!();
    if (sum === null) excess.defined = false;
    else excess.sum = sum;
  }
  const n = facts.n;
  const trades = numberColumns<(typeof TRADE_NUMBERS)[number]>(input.trades);
  const fills = numberColumns<(typeof FILL_NUMBERS)[number]>(input.fills);
  const exposedOfSeries = validate(input, n, trades, fills);
  const ann = annualizationOf(input.barIntervalUs ?? facts.spacings!.median(), () => facts.weekdays!.weekendsAbsent(), input.periodsPerYear, input.calendar);
  const P = ann === null ? null : ann.periodsPerYear;
  const finalEquity = facts.lastEquity;
  const totalReturn = finalEquity / input.initialCash - 1;

  // Returns: mean first, then squared deviations (two passes, fixed order: deterministic and stable).
  const m = n - 1;
  const rfPerBar = P === null ? 0 : Math.pow(1 + rf, 1 / P) - 1;
  // Without P the excess returns are not read (no volatility, Sharpe or Sortino).
  if (early === null && P !== null) curve.scan((_ts, equity, k) => excess.push(equity, k, rfPerBar));
  const returnsDefined = m >= 1 && excess.defined;
  const sumExcess = excess.sum;
  let annualizedVolatility: number | null = null;
  let sharpe: number | null = null;
  let sortino: number | null = null;
  if (returnsDefined && P !== null) {
    const meanExcess = sumExcess / m;
    // The observer's second pass computes the same terms E_i / E_{i-1} - 1 - rfPerBar in the same order.
    let dev = observer?.deviations(P, meanExcess, rfPerBar) ?? null;
    if (dev === null) {
      const own = new DeviationSums(meanExcess, rfPerBar);
      curve.scan((_ts, equity, k) => own.push(equity, k));
      dev = own;
    }
    const { ss, downside } = dev;
    const sqrtP = Math.sqrt(P);
    if (m >= 2) {
      const sd = Math.sqrt(ss / (m - 1));
      annualizedVolatility = sd * sqrtP;
      if (sd > 0) sharpe = finiteOrNull((meanExcess / sd) * sqrtP);
      const dd = Math.sqrt(downside / m);
      if (dd > 0) sortino = finiteOrNull((meanExcess / dd) * sqrtP);
    }
  }

  let cagr: number | null = null;
  let years: number | null = null;
  if (P !== null && m >= 1) {
    years = m / P;
    const growth = finalEquity / input.initialCash;
    cagr = growth > 0 ? finiteOrNull(Math.pow(growth, 1 / years) - 1) : -1;
  }

  const dd = facts;
  const maxDrawdown = dd.maxDrawdown;

  // Trades.
  const nt = trades.length;
  const pnl = trades.column('pnl');
  const returnPct = trades.column('returnPct');
  let winners = 0;
  let losers = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let pnlSum = 0;
  let retSum = 0;
  let best = Number.NEGATIVE_INFINITY;
  let worst = Number.POSITIVE_INFINITY;
  for (let i = 0; i < nt; i++) {
    const p = pnl[i]!;
    const r = returnPct[i]!;
    pnlSum += p;
    retSum += r;
    if (r > best) best = r;
    if (r < worst) worst = r;
    if (p > 0) {
      winners++;
      grossProfit += p;
    } else if (p < 0) {
      losers++;
      grossLoss -= p;
    }
  }
  const expectancy = nt > 0 ? pnlSum / nt : null;
  let sqn: number | null = null;
  if (nt >= 2 && expectancy !== null) {
    let ss = 0;
    for (let i = 0; i < nt; i++) ss += (pnl[i]! - expectancy) ** 2;
    const sd = Math.sqrt(ss / (nt - 1));
    if (sd > 0) sqn = finiteOrNull((Math.sqrt(nt) * expectancy) / sd);
  }
  const winRate = nt > 0 ? winners / nt : null;
  const averageWinningTrade = winners > 0 ? grossProfit / winners : null;
  const averageLosingTrade = losers > 0 ? -grossLoss / losers : null;
  let kelly: number | null = null;
  if (winRate !== null && averageWinningTrade !== null) {
    // No losing trade: the payoff ratio is unbounded and the Kelly fraction reduces to the win rate.
    kelly = averageLosingTrade === null ? winRate : winRate - (1 - winRate) / (averageWinningTrade / -averageLosingTrade);
  }

  // Fills.
  let tradedNotional = 0;
  let totalCommissions = 0;
  const qty = fills.column('qty');
  const price = fills.column('price');
  const commission = fills.column('commission');
  for (let i = 0; i < fills.length; i++) {
    tradedNotional += Math.abs(qty[i]!) * price[i]!;
    totalCommissions += commission[i]!;
  }
  const meanEquity = facts.equitySum / n;
  const turnover = meanEquity > 0 ? tradedNotional / meanEquity : null;
  const annualTurnover = turnover !== null && years !== null && years > 0 ? turnover / years : null;

  return {
    bars: n,
    startTs: facts.firstTs,
    endTs: facts.lastTs,
    periodsPerYear: P,
    annualization: ann === null ? null : ann.kind,
    finalEquity,
    totalReturn,
    cagr,
    annualizedVolatility,
    sharpe,
    sortino,
    calmar: cagr !== null && maxDrawdown > 0 ? finiteOrNull(cagr / maxDrawdown) : null,
    maxDrawdown,
    maxDrawdownDurationUs: dd.maxDurationUs,
    maxDrawdownDurationBars: dd.maxDurationBars,
    averageDrawdown: dd.episodes > 0 ? dd.depthSum / dd.episodes : 0,
    averageDrawdownDurationUs: dd.episodes > 0 ? dd.durationSum / dd.episodes : 0,
    drawdownEpisodes: dd.episodes,
    exposureTime: exposureTime(input, curve, trades, exposedOfSeries),
    tradeCount: nt,
    winRate,
    bestTrade: nt > 0 ? best : null,
    worstTrade: nt > 0 ? worst : null,
    averageTrade: nt > 0 ? retSum / nt : null,
    averageWinningTrade,
    averageLosingTrade,
    profitFactor: nt > 0 && grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancy,
    sqn,
    kelly,
    tradedNotional,
    turnover,
    annualTurnover,
    totalCommissions,
    buyAndHoldReturn: buyAndHoldReturn(input.buyAndHold),
    riskFreeRate: rf,
    ruinedAt: input.ruinTs !== undefined && input.ruinTs !== null ? formatIsoUs(input.ruinTs) : null,
  };
}
