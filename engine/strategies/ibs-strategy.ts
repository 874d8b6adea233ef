import { checkFinite, checkPositive, isKnownTimeZone, strategyId, timeZoneOffsetMinutes, US_PER_DAY, US_PER_MINUTE, type StrategyId, type Symbol_ } from '../core/index.js';
import { Ibs } from '../indicators/index.js';
import { BarFeatures, compileClassifier, parseClassifier, type ClassifierModel, type CompiledClassifier } from '../models/index.js';
import type { BarSeries, PlotLine, PlotOptions, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, positionSize, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';

/** A time-of-day window in the strategy's `timeZone`, `HHMM` (or `HH:MM`) strings; `end` may be `2400`; start > end wraps past midnight. */
export interface SessionWindow {
  readonly start: string;
  readonly end: string;
}

/**
 * A trained direction model gating the entries of `ibs` (seed 004's per-instrument bundle: the model
 * and its `Prod_Threshold`): an entry happens only when the model's probability of an up move, from
 * the bar's features, is at least `threshold`.
 */
export interface IbsModelFilter {
  /** The serialized classifier (see parseClassifier): plain JSON data, validated on load. */
  readonly model: ClassifierModel;
  /** Smallest probability that lets an entry through, in [0, 1]. */
  readonly threshold: number;
}

/** Parameters of `ibs`. */
export interface IbsParams {
  /** Goes long when the bar's IBS is strictly below this. Default 0.2. */
  readonly entryThreshold: number;
  /** Exits the long when the bar's IBS is strictly above this. Default 0.8. */
  readonly exitThreshold: number;
  /**
   * Exits when the close falls this many percent below the entry reference (the close of the bar
   * the entry was decided on), e.g. 2.0; null: no stop. Default null.
   */
  readonly stopLossPct: number | null;
  /** Exits when the close rises this many percent above the entry reference, e.g. 3.0; null: none. Default null. */
  readonly takeProfitPct: number | null;
  /**
   * Entries happen only when the decision time (the bar's close, `ctx.now`) falls in one of these
   * windows `[start, end)` of local time in `timeZone`; exits are never blocked. null: no restriction. Default null.
   */
  readonly sessions: readonly SessionWindow[] | null;
  /**
   * IANA time zone the session windows are read in, e.g. America/New_York: a 09:30 window opens at
   * 09:30 New York time in winter and in summer (daylight saving from the time zone database).
   * Default UTC; another zone needs `sessions`.
   */
  readonly timeZone: string;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
  /** Entries only when a trained model's probability passes its threshold (see {@link IbsModelFilter}); null: none. Default null. */
  readonly filter: IbsModelFilter | null;
}

/** Defaults of `ibs` (each documented on {@link IbsParams}). */
export const IBS_DEFAULTS: IbsParams = Object.freeze({
  entryThreshold: 0.2,
  exitThreshold: 0.8,
  stopLossPct: null,
  takeProfitPct: null,
  sessions: null,
  timeZone: 'UTC',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
  filter: null,
});

/** Returns minutes after midnight for `HHMM` or `HH:MM` (0000..2400), or throws naming `name`. */
function parseClock(text: unknown, name: string): number {
  const m = typeof text === 'string' ? /^(\d{2}):?(\d{2})$/.exec(text) : null;
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  if (!m || Number(m[2]) > 59 || minutes > 24 * 60) failParam(name, 'not a time of day HHMM between 0000 and 2400', text);
  return minutes;
}

/** Returns the validated `ibs` parameters with defaults applied. */
export function ibsParams(params?: Partial<IbsParams>): IbsParams {
  const p = withDefaults('ibs', IBS_DEFAULTS, params);
  checkFinite(p.entryThreshold, 'entryThreshold');
  checkFinite(p.exitThreshold, 'exitThreshold');
  if (!(p.entryThreshold > 0 && p.entryThreshold <= 1)) failParam('entryThreshold', 'outside (0, 1]', p.entryThreshold);
  if (!(p.exitThreshold >= 0 && p.exitThreshold < 1)) failParam('exitThreshold', 'outside [0, 1)', p.exitThreshold);
  if (p.stopLossPct !== null) {
    checkPositive(p.stopLossPct, 'stopLossPct');
    if (p.stopLossPct >= 100) failParam('stopLossPct', 'not below 100 percent', p.stopLossPct);
  }
  if (p.takeProfitPct !== null) checkPositive(p.takeProfitPct, 'takeProfitPct');
  let sessions: readonly SessionWindow[] | null = null;
  if (p.sessions !== null) {
    if (!Array.isArray(p.sessions) || p.sessions.length === 0) failParam('sessions', 'expected a non-empty array of { start, end } or null', p.sessions);
    sessions = Object.freeze(
      p.sessions.map((w: SessionWindow, i: number) => {
        if (w === null || typeof w !== 'object') failParam(`sessions[${i}]`, 'expected { start, end }', w);
        const start = parseClock(w.start, `sessions[${i}].start`);
        const end = parseClock(w.end, `sessions[${i}].end`);
        if (start === end) failParam(`sessions[${i}].end`, `equal to start (an empty window)`, w.end);
        return Object.freeze({ start: w.start, end: w.end });
      }),
    );
  }
  if (typeof p.timeZone !== 'string' || !isKnownTimeZone(p.timeZone)) failParam('timeZone', 'unknown time zone (an IANA name such as America/New_York)', p.timeZone);
  if (sessions === null && p.timeZone !== 'UTC') failParam('timeZone', 'has no effect without sessions (it is the time zone of the session windows)', p.timeZone);
  const fractional = checkBoolean(p.fractional, 'fractional');
  let filter: IbsModelFilter | null = null;
  if (p.filter !== null) {
    const f = p.filter as unknown;
    if (f === null || typeof f !== 'object' || Array.isArray(f)) failParam('filter', 'expected { model, threshold } or null', f);
    const extra = Object.keys(f).filter((key) => key !== 'model' && key !== 'threshold');
    if (extra.length > 0) failParam('filter', `unknown key(s) ${extra.map((key) => `'${key}'`).join(', ')} (known: model, threshold)`, Object.keys(f));
    const { model, threshold } = f as { model?: unknown; threshold?: unknown };
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) failParam('filter.threshold', 'not a probability in [0, 1]', threshold);
    let parsed: ClassifierModel;
    try {
      parsed = parseClassifier(model, 'filter.model');
    } catch (err) {
      const m = /^([^:]+): (.*)$/s.exec((err as Error).message);
      failParam(m ? m[1]! : 'filter.model', m ? m[2]! : (err as Error).message, '(see the model)');
    }
    filter = Object.freeze({ model: parsed, threshold });
  }
  return Object.freeze({
    entryThreshold: p.entryThreshold,
    exitThreshold: p.exitThreshold,
    stopLossPct: p.stopLossPct,
    takeProfitPct: p.takeProfitPct,
    sessions,
    timeZone: p.timeZone,
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'ibs' }),
    fractional,
    filter,
  });
}

/** Plots the bar's IBS (the view, not the value, is passed: no double boxed on the way). */
function plotIbs(ctx: StrategyContext, v: IbsView): void {
  if (v.plotContext !== ctx) {
    v.line = ctx.plotSeries('IBS', v.plotOptions);
    v.plotContext = ctx;
  }
  v.line!.set(v.ibs.value);
}

class IbsView extends SymbolView {
  readonly ibs = new Ibs();
  /** IBS is plotted in a pane of its own under this symbol's price. */
  readonly plotOptions: PlotOptions = Object.freeze({ symbol: this.symbol, overlay: false });
  /** The IBS plot line (ctx.plotSeries), asked of `plotContext`: each run's context gives its own. */
  plotContext: StrategyContext | null = null;
  line: PlotLine | null = null;
  /** The model's features of the last bar (only with a filter). */
  features: BarFeatures | null = null;
  /** The close of the bar the current long was decided on; NaN when flat. */
  entryReference = Number.NaN;
}

/**
 * `ibs`: internal-bar-strength mean reversion, long only, as in seed 004 (the IBS strategy with
 * entry/exit thresholds, percent stop-loss and take-profit, and session windows; its ML filter and
 * portfolio constraints live elsewhere: the filter layer and the risk engine's maxOpenPositions,
 * allowedSymbols and dailyLossLimit).
 *
 * On each bar's close, IBS = (close - low) / (high - low) (0.5 for a bar with no range). Flat:
 * IBS < entryThreshold, inside a session window if any, goes long. Long: IBS > exitThreshold, or
 * the close at or below the stop (entry reference x (1 - stopLossPct/100)), or at or above the take
 * profit (entry reference x (1 + takeProfitPct/100)), goes flat. Stops and take-profits are judged
 * on closes, because the strategy decides on closes; intrabar protection needs stop orders.
 *
 * Signal: long strength is `(entryThreshold - ibs) / entryThreshold` (how close to the low the bar
 * closed relative to the threshold), 0 when flat; confidence is 1, or with a model filter the model's probability.
 *
 * Model filter (`filter`, seed 004's bundles written by `tapedeck train`): the model's features are
 * built from every bar as it closes (engine/models BarFeatures, the code that built the training
 * rows); an entry signal goes through only when every feature has a value and the model's
 * probability of an up move is at least the threshold. Exits are never filtered.
 */
export class IbsStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: IbsParams;
  private readonly views: SymbolViews<IbsView>;
  /** Session windows as minute pairs [start0, end0, start1, end1, ...]; empty means always. */
  private readonly windows: Int32Array;
  private readonly stopFactor: number;
  private readonly takeProfitFactor: number;
  private readonly reasonEntry: string;
  private readonly reasonExit: string;
  private readonly reasonStop: string;
  private readonly reasonTakeProfit: string;
  private readonly model: CompiledClassifier | null;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<IbsParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = ibsParams(params);
    const p = this.params;
    const trainedFor = p.filter?.model.symbol ?? null;
    const other = trainedFor === null ? undefined : this.symbols.find((s) => s !== trainedFor);
    if (other !== undefined) failParam('filter.model.symbol', `the model was trained for '${trainedFor}', and the strategy trades '${other}'`, trainedFor);
    this.model = p.filter === null ? null : compileClassifier(p.filter.model);
    const features = this.model?.features ?? null;
    this.views = new SymbolViews(
      'ibs',
      this.symbols.map((s) => {
        const v = new IbsView(s);
        if (features !== null) v.features = new BarFeatures(features);
        return v;
      }),
    );
    this.windows = Int32Array.from(
      (p.sessions ?? []).flatMap((w, i) => [parseClock(w.start, `sessions[${i}].start`), parseClock(w.end, `sessions[${i}].end`)]),
    );
    // NaN factors disable the comparisons below.
    this.stopFactor = p.stopLossPct === null ? Number.NaN : 1 - p.stopLossPct / 100;
    this.takeProfitFactor = p.takeProfitPct === null ? Number.NaN : 1 + p.takeProfitPct / 100;
    this.reasonEntry = p.filter === null ? `IBS below ${p.entryThreshold}` : `IBS below ${p.entryThreshold}, model probability at least ${p.filter.threshold}`;
    this.reasonExit = `IBS above ${p.exitThreshold}`;
    this.reasonStop = `stop loss ${String(p.stopLossPct)}% below the entry close`;
    this.reasonTakeProfit = `take profit ${String(p.takeProfitPct)}% above the entry close`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const ibs = v.ibs.update(bars.high(0), bars.low(0), close);
    if (ctx.plotting) plotIbs(ctx, v);
    const ready = v.features !== null && v.features.update(bars.high(0), bars.low(0), close, bars.volume(0));
    const p = this.params;
    if (v.direction === 0) {
      if (ibs < p.entryThreshold && this.inSession(ctx.now)) {
        let confidence = 1;
        if (this.model !== null) {
          if (!ready) return;
          confidence = this.model.probability(v.features!.values);
          if (!(confidence >= p.filter!.threshold)) return;
        }
        const size = positionSize(p.sizing, p.fractional, ctx.equity(), close, bars, Number.NaN, ctx.instrument?.(bars.symbol)?.multiplier ?? 1);
        if (size > 0) {
          v.entryReference = close;
          v.change(ctx, 1, size, Math.min(1, (p.entryThreshold - ibs) / p.entryThreshold), this.reasonEntry, confidence);
        }
      }
    } else if (close <= v.entryReference * this.stopFactor) {
      this.exit(ctx, v, this.reasonStop);
    } else if (close >= v.entryReference * this.takeProfitFactor) {
      this.exit(ctx, v, this.reasonTakeProfit);
    } else if (ibs > p.exitThreshold) {
      this.exit(ctx, v, this.reasonExit);
    }
  }

  private exit(ctx: StrategyContext, v: IbsView, reason: string): void {
    v.entryReference = Number.NaN;
    v.change(ctx, 0, 0, 0, reason);
  }

  /** Returns true when `ts`'s local time of day (in params.timeZone) lies in a session window (always, with none). */
  private inSession(ts: number): boolean {
    const w = this.windows;
    if (w.length === 0) return true;
    const local = ts + timeZoneOffsetMinutes(this.params.timeZone, ts) * US_PER_MINUTE;
    const dayUs = local - Math.floor(local / US_PER_DAY) * US_PER_DAY;
    const minute = dayUs / US_PER_MINUTE;
    for (let i = 0; i < w.length; i += 2) {
      const start = w[i]!;
      const end = w[i + 1]!;
      if (start < end ? minute >= start && minute < end : minute >= start || minute < end) return true;
    }
    return false;
  }
}

/** The built-in `ibs` (scenario `"type": "ibs"`). */
export const ibsMeanReversion = defineStrategy({
  name: 'ibs',
  description:
    'Internal bar strength mean reversion (long only): long when IBS < entryThreshold, flat when IBS > exitThreshold, with optional percent stop-loss, take-profit, session windows in a time zone and a trained model filter (entries only when its probability passes a threshold).',
  defaults: IBS_DEFAULTS,
  params: ibsParams,
  create: ({ id, symbols, params }) => new IbsStrategy(id, symbols, params),
});

export default ibsMeanReversion;
