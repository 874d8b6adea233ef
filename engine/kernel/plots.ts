import { Float64Column } from '../core/columns.js';
import { InvalidArgumentError } from '../core/errors.js';
import { EquityPreview, PREVIEW_BUCKETS } from './equity-preview.js';
import type { PlotLine, PlotOptions } from '../strategies/context.js';
import type { PlotSeriesResult } from './run-result.js';

/**
 * What strategies plot (`ctx.plot`), kept for the report's price panes: per strategy, per series name
 * and symbol, the points in time order as two growable Float64Arrays. Plots are not part of a run's
 * identity (the runHash does not read them) and nothing in the run reads them back, so a strategy's
 * decisions cannot depend on them.
 *
 * Rules (documented on StrategyContext.plot):
 * - A series is (strategy, name, symbol); `symbol` defaults to the strategy's first symbol.
 * - One value per timestamp: a second value at the same time replaces the first (the last wins); a
 *   value stamped before the series' last point (a series fed from two symbols' bars of different
 *   intervals) replaces that last point too, so time never goes back.
 * - A series keeps every point up to PLOT_FULL_POINTS, then goes on as a min/max preview (memory flat
 *   in the tape's length; the result's `points` says how many were plotted).
 * - NaN is a gap; +-Infinity and non-numbers are refused.
 * - The first call fixes `overlay` and `color`; a later call may leave them out, and one that gives a
 *   different value is refused. `overlay` left out on the first call is decided at the end of the run:
 *   over the price pane when more than 60% of the finite values lie within 0.6 to 1.4 times the symbol's
 *   price at the time (backtesting.py's rule), else in a pane of its own.
 */

/** Names a strategy's plots find by identity before their Map (StrategyPlots.named). */
const RECENT = 4;

/**
 * True when `options` always reads the same: none, or a frozen plain object whose `symbol`, `overlay`
 * and `color` are values, not getters (what a strategy makes once and passes on every bar).
 */
function fixedOptions(options: PlotOptions | undefined): boolean {
  if (options === undefined) return true;
  if (!Object.isFrozen(options) || Object.getPrototypeOf(options) !== Object.prototype) return false;
  for (const key of ['symbol', 'overlay', 'color']) {
    const d = Object.getOwnPropertyDescriptor(options, key);
    if (d !== undefined && d.get !== undefined) return false;
  }
  return true;
}

/** Longest series name accepted. */
const MAX_NAME = 80;
/** A colour the report can put in a chart option as it is: `#rgb`, `#rrggbb`, `#rrggbbaa`, a CSS name, or rgb()/rgba(). */
const COLOR = /^(#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{1,30}|rgba?\(\s*[0-9.]+%?\s*,\s*[0-9.]+%?\s*,\s*[0-9.]+%?\s*(,\s*[0-9.]+%?\s*)?\))$/;

/**
 * Points a series keeps whole (4 MiB of them); past it the series goes on as a min/max preview of at
 * most 4 x PREVIEW_BUCKETS points (EquityPreview), so a plot's memory does not grow with the tape.
 */
export const PLOT_FULL_POINTS = 1 << 18;

/**
 * Points a series stages before it files them (see PlotSeries.add): filing a batch in loops over
 * typed arrays costs a fraction of filing each point as it comes (a strategy plots on every bar).
 */
const STAGE = 1024;

/**
 * One plotted series as it is being recorded; it is also the handle a strategy records through
 * (StrategyContext.plotSeries): {@link set} is the whole per-point path, on this one object.
 */
class PlotSeries implements PlotLine {
  // Past RESERVE_FROM points the columns reserve all PLOT_FULL_POINTS at once (see nextCapacity).
  private ts: Float64Column | null = new Float64Column(64, PLOT_FULL_POINTS);
  private values: Float64Column | null = new Float64Column(64, PLOT_FULL_POINTS);
  /** Past PLOT_FULL_POINTS: the preview every point goes to instead (the columns are dropped). */
  private preview: EquityPreview | null = null;
  /**
   * Points not yet filed, in time order: their time, value and the symbol's price then. The last one is
   * pending: a value at its time (or before it) replaces its value, the last wins; the others are
   * committed and are filed (counted for the overlay rule, into the columns or the preview) when the
   * stage is full or the series finishes.
   */
  private readonly stageTs = new Float64Array(STAGE);
  private readonly stageValues = new Float64Array(STAGE);
  private readonly stagePrices = new Float64Array(STAGE);
  /** The staged columns as the preview takes them (EquityPreview.pushColumns: ts, value). */
  private readonly stageCols: readonly Float64Array[] = [this.stageTs, this.stageValues];
  private staged = 0;
  /** Points filed. */
  private count = 0;
  /** Points with a finite value and a positive price, and among them those within 0.6-1.4 x the price (the overlay rule). */
  private priced = 0;
  private near = 0;

  /** Where the time and the prices are read (the engine). */
  private readonly host: PlotHost;
  /**
   * The value being recorded (see {@link set}, {@link put}). A double stored in a field is written into
   * the field's own box, while a double passed to a call V8 does not inline is boxed anew. @internal
   */
  value = Number.NaN;

  constructor(
    /** The strategy's plots: the run's end, the order of the first points, the refusals. */
    private readonly plots: StrategyPlots,
    readonly name: string,
    readonly symbolIndex: number,
    /** As the first call gave it (undefined: decided at the end). */
    readonly overlay: boolean | undefined,
    readonly color: string | undefined,
  ) {
    this.host = plots.host;
  }

  /**
   * Records `value` now (PlotLine.set). Small enough (under V8's 27 bytes of bytecode) to be inlined
   * wherever a strategy calls it, so the value is handed over in a field and {@link record} takes no
   * number: a strategy plotting on every bar allocates nothing for it.
   */
  set(value: number): void {
    this.value = value;
    this.record();
  }

  /** Records `source.value` (PlotLine.setFrom): {@link set} taking no number, for a caller V8 compiles apart from it. */
  setFrom(source: { readonly value: number }): void {
    this.value = source.value;
    this.record();
  }

  /** {@link set}'s checks (NaN is a gap; +-Infinity and non-numbers are refused), then {@link put}. */
  private record(): void {
    const v = this.value;
    if (typeof v !== 'number' || v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) this.plots.refuse(this.name, v);
    this.put();
  }

  /**
   * Adds the point of value {@link value} (a number, checked by the caller) at the host's plot time,
   * with the symbol's price then when the overlay rule will read it. @internal
   */
  put(): void {
    const host = this.host;
    const ts = host.plotTime();
    const stageTs = this.stageTs;
    let n = this.staged;
    // At the pending point's time or before it: that point takes the value (time never goes back).
    if (n === 0 || ts > stageTs[n - 1]!) {
      if (n === STAGE) n = this.file(STAGE - 1);
      else if (n === 0) this.plots.opened(this);
      stageTs[n] = ts;
      this.staged = ++n;
    }
    this.stageValues[n - 1] = this.value;
    // The price is read only by the overlay rule (countNear), which a series that gave `overlay` skips.
    if (this.overlay === undefined) this.stagePrices[n - 1] = host.plotMarks[this.symbolIndex]!;
  }

  /** Files the first `m` staged points and moves the rest to the front of the stage; returns how many are left. */
  private file(m: number): number {
    const values = this.stageValues;
    const prices = this.stagePrices;
    // The overlay rule's counts are read only when the first call left `overlay` out (resolvedOverlay):
    // a series that gave it (sma_cross's averages) skips a loop over every point.
    if (this.overlay === undefined) this.countNear(m);
    // The columns take points up to PLOT_FULL_POINTS (their capacity reaches it exactly); the point after
    // moves them into the preview, which takes every later point.
    let i = 0;
    if (this.preview === null) {
      i = Math.min(m, PLOT_FULL_POINTS - this.count);
      this.ts!.append(this.stageTs, 0, i);
      this.values!.append(values, 0, i);
      if (i < m) this.toPreview();
    }
    if (i < m) this.preview!.pushColumns(this.stageCols, i, m);
    this.count += m;
    const left = this.staged - m;
    this.stageTs.copyWithin(0, m, this.staged);
    values.copyWithin(0, m, this.staged);
    if (this.overlay === undefined) prices.copyWithin(0, m, this.staged);
    this.staged = left;
    return left;
  }

  /** Counts the first `m` staged points for the overlay rule (see {@link resolvedOverlay}). */
  private countNear(m: number): void {
    const values = this.stageValues;
    const prices = this.stagePrices;
    let priced = 0;
    let near = 0;
    for (let i = 0; i < m; i++) {
      const v = values[i]!;
      const price = prices[i]!;
      // NaN values and prices fail both comparisons.
      if (v === v && price > 0) {
        priced++;
        const ratio = v / price;
        if (ratio > 0.6 && ratio < 1.4) near++;
      }
    }
    this.priced += priced;
    this.near += near;
  }

  /** Moves the filed points into a preview and drops the columns. */
  private toPreview(): void {
    const preview = new EquityPreview(PREVIEW_BUCKETS, 2);
    const ts = this.ts!.view();
    preview.pushColumns([ts, this.values!.view()], 0, ts.length);
    this.preview = preview;
    this.ts = null;
    this.values = null;
  }

  /** Ends the series (files every staged point) and returns its points: all of them, or the preview past PLOT_FULL_POINTS. */
  finish(): { readonly ts: Float64Array; readonly values: Float64Array; readonly points: number } {
    if (this.staged > 0) this.file(this.staged);
    if (this.preview !== null) {
      const c = this.preview.series();
      return { ts: c.ts, values: c.values, points: this.count };
    }
    return { ts: this.ts!.view(), values: this.values!.view(), points: this.count };
  }

  /** Whether the series is drawn over the price: as given, else by the rule above (after finish). */
  resolvedOverlay(): boolean {
    if (this.overlay !== undefined) return this.overlay;
    return this.priced > 0 && this.near > 0.6 * this.priced;
  }
}

/** Where a strategy's plots read the time, the symbols and the prices: the engine. */
export interface PlotHost {
  /** The time a value plotted now is stamped at (see TradingEngine.plotTime). */
  plotTime(): number;
  /** The index of a run symbol; throws naming it when the run has no such symbol. */
  indexOf(symbol: string): number;
  readonly symbols: readonly string[];
  /** The last price per symbol (the portfolio's marks). */
  readonly plotMarks: Float64Array;
}

/** The series of one name, per symbol index (sparse), and the last options object seen with the series it led to. */
class NamedSeries {
  readonly bySymbol: (PlotSeries | undefined)[] = [];
  /**
   * A strategy passing the same options object every call (the usual way) skips the symbol lookup and
   * the checks: the object and what it held then (it may have been changed since, so that is compared too).
   */
  lastOptions: PlotOptions | undefined = undefined;
  lastSymbol: string | undefined = undefined;
  lastOverlay: boolean | undefined = undefined;
  lastColor: string | undefined = undefined;
  lastSeries: PlotSeries | null = null;

  /** Whether `options` is the object of the last call, unchanged. */
  same(options: PlotOptions | undefined): boolean {
    if (options !== this.lastOptions || this.lastSeries === null) return false;
    return options === undefined || (options.symbol === this.lastSymbol && options.overlay === this.lastOverlay && options.color === this.lastColor);
  }
}

/** The series one strategy plotted. Made only for runs that keep plots; never allocates per call once a series exists. */
export class StrategyPlots {
  /** Per series name, its series. */
  private readonly byName = new Map<string, NamedSeries>();
  /** Every series, in the order of their first point. */
  private readonly order: PlotSeries[] = [];
  private readonly defaultSymbol: number;
  /** The last names looked up, and their series (see {@link named}). */
  private readonly recentNames: string[] = [];
  private readonly recentSeries: NamedSeries[] = [];
  private recentNext = 0;
  /** Set when the run has ended (see {@link results}): a point after it is refused. */
  private ended = false;

  constructor(
    /** @internal read by the series. */
    readonly host: PlotHost,
    readonly strategyId: string,
    symbols: readonly string[],
  ) {
    this.defaultSymbol = symbols.length > 0 ? host.indexOf(symbols[0]!) : -1;
  }

  /**
   * The value {@link recordValue} records, written here by the caller: a number passed to a call V8 does
   * not inline is boxed (an allocation), and strategies plot on every bar. @internal
   */
  readonly valueIn = new Float64Array(1);

  record(name: string, value: number, options: PlotOptions | undefined): void {
    if (typeof value !== 'number') this.refuse(name, value);
    this.valueIn[0] = value;
    this.recordValue(name, options);
  }

  /** {@link record} of the number in `valueIn[0]` (the caller has checked it is a number). */
  recordValue(name: string, options: PlotOptions | undefined): void {
    const value = this.valueIn[0]!;
    if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) this.refuse(name, value);
    // The series of the same name and options as a call before, by identity (see lookUp).
    const s =
      options === this.options0 && name === this.name0
        ? this.series0!
        : options === this.options1 && name === this.name1
          ? this.series1!
          : options === this.options2 && name === this.name2
            ? this.series2!
            : options === this.options3 && name === this.name3
              ? this.series3!
              : this.lookUp(name, options);
    s.value = value;
    s.put();
  }

  /**
   * The handle of the series (name, options.symbol) (StrategyContext.plotSeries): the series itself,
   * made now when it is new (its options checked as a first call's, see {@link find}) and listed among
   * the results at its first point, as a series ctx.plot makes. Asking again, or plotting the same name
   * with ctx.plot, reaches the same series, and options that differ from its first ones are refused.
   */
  line(name: string, options: PlotOptions | undefined): PlotLine {
    if (this.ended) this.refuseEnded(name);
    return this.find(this.byName.get(name), name, options);
  }

  /** @internal A series' first point (PlotSeries.put): listed among the results; refused once the run has ended. */
  opened(s: PlotSeries): void {
    if (this.ended) this.refuseEnded(s.name);
    this.order.push(s);
  }

  private refuseEnded(name: string): never {
    throw new InvalidArgumentError(`strategy '${this.strategyId}' plots '${String(name)}' after the run ended: a plot handle records during its run only`);
  }

  /**
   * The series of a call not among the known ones: by name (see {@link named}), checked against the
   * options (see {@link find}). It becomes known, by identity of the name and the options, when the
   * options cannot change (see {@link fixedOptions}): the next call with both finds it at once, without
   * the lookup and the checks, whose answer would be the same. A strategy plots the same few series
   * with the same options on every bar.
   */
  private lookUp(name: string, options: PlotOptions | undefined): PlotSeries {
    const named = this.named(name);
    const s = named !== undefined && named.same(options) ? named.lastSeries! : this.find(named, name, options);
    if (fixedOptions(options)) {
      // Into the four slots in turn (fields, not arrays: recordValue tests them without a loop).
      const at = this.knownNext;
      this.knownNext = (at + 1) & 3;
      if (at === 0) {
        this.name0 = name;
        this.options0 = options;
        this.series0 = s;
      } else if (at === 1) {
        this.name1 = name;
        this.options1 = options;
        this.series1 = s;
      } else if (at === 2) {
        this.name2 = name;
        this.options2 = options;
        this.series2 = s;
      } else {
        this.name3 = name;
        this.options3 = options;
        this.series3 = s;
      }
    }
    return s;
  }

  // The last four (name, options) pairs whose options cannot change, and their series (see lookUp);
  // `null` options match no call (a call passes an object or undefined).
  private name0: string | null = null;
  private options0: PlotOptions | undefined | null = null;
  private series0: PlotSeries | null = null;
  private name1: string | null = null;
  private options1: PlotOptions | undefined | null = null;
  private series1: PlotSeries | null = null;
  private name2: string | null = null;
  private options2: PlotOptions | undefined | null = null;
  private series2: PlotSeries | null = null;
  private name3: string | null = null;
  private options3: PlotOptions | undefined | null = null;
  private series3: PlotSeries | null = null;
  private knownNext = 0;

  /** @internal */
  refuse(name: string, value: unknown): never {
    throw new InvalidArgumentError(`strategy '${this.strategyId}' plots '${String(name)}' with ${String(value)}: not a finite number or NaN (NaN is a gap)`);
  }

  /**
   * The series of `name`, if any. A strategy plots the same few names on every bar, usually passing the
   * same string each time: those are found by identity among the last RECENT names before the Map.
   */
  private named(name: string): NamedSeries | undefined {
    const names = this.recentNames;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.recentSeries[i];
    const named = this.byName.get(name);
    if (named !== undefined) {
      const at = this.recentNext;
      this.recentNext = (at + 1) % RECENT;
      names[at] = name;
      this.recentSeries[at] = named;
    }
    return named;
  }

  /** The series of (name, options.symbol), made on its first point; checks the options against the first call's. */
  private find(named: NamedSeries | undefined, name: string, options: PlotOptions | undefined): PlotSeries {
    const symbol = options?.symbol;
    const k = symbol === undefined ? this.defaultSymbol : this.host.indexOf(symbol);
    let s = named?.bySymbol[k];
    if (s === undefined) {
      s = this.create(name, k, options);
      if (named === undefined) {
        named = new NamedSeries();
        this.byName.set(name, named);
      }
      named.bySymbol[k] = s;
    } else if (options !== undefined && ((options.overlay !== undefined && options.overlay !== s.overlay) || (options.color !== undefined && options.color !== s.color))) {
      throw new InvalidArgumentError(
        `strategy '${this.strategyId}' plots '${name}' for ${this.host.symbols[k]} with ${JSON.stringify({ overlay: options.overlay, color: options.color })}, but its first point fixed ${JSON.stringify({ overlay: s.overlay, color: s.color })}: a series keeps its options`,
      );
    }
    named!.lastOptions = options;
    named!.lastSymbol = options?.symbol;
    named!.lastOverlay = options?.overlay;
    named!.lastColor = options?.color;
    named!.lastSeries = s;
    return s;
  }

  private create(name: string, k: number, options: PlotOptions | undefined): PlotSeries {
    const what = `strategy '${this.strategyId}' plots`;
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) {
      throw new InvalidArgumentError(`${what} a series named ${JSON.stringify(name)}: a name is a string of 1 to ${MAX_NAME} characters`);
    }
    if (k < 0) throw new InvalidArgumentError(`${what} '${name}' without options.symbol, and the strategy trades no symbol to default to`);
    const overlay = options?.overlay;
    if (overlay !== undefined && typeof overlay !== 'boolean') throw new InvalidArgumentError(`${what} '${name}' with overlay ${JSON.stringify(overlay)}: expected true or false`);
    const color = options?.color;
    if (color !== undefined && (typeof color !== 'string' || !COLOR.test(color))) {
      throw new InvalidArgumentError(`${what} '${name}' with color ${JSON.stringify(color)}: expected #rgb, #rrggbb, #rrggbbaa, a CSS colour name or rgb()/rgba()`);
    }
    return new PlotSeries(this, name, k, overlay, color);
  }

  /** The series as the result lists them, once the run has ended (views of the columns: nothing may be plotted after). */
  results(): PlotSeriesResult[] {
    this.ended = true;
    return this.order.map((s) => {
      const { ts, values, points } = s.finish();
      return {
        strategyId: this.strategyId,
        name: s.name,
        symbol: this.host.symbols[s.symbolIndex]!,
        overlay: s.resolvedOverlay(),
        ...(s.color !== undefined ? { color: s.color } : {}),
        points,
        ts,
        values,
      };
    });
  }
}
