import { checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { DonchianChannel } from '../indicators/index.js';
import { barRuleWarmup, followView } from './bar-rule.js';
import type { BarSeries, PlotLine, PlotOptions, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, type PositionSizing } from './position-sizing.js';
import { checkBoolean, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `donchian_breakout`. */
export interface DonchianBreakoutParams {
  /** N: a close above the highest high of the previous N bars goes long (below the lowest low: short in `long_short`). Default 20. */
  readonly entryPeriod: number;
  /** M: a long exits on a close below the lowest low of the previous M bars, a short on a close above their highest high. Default 10. */
  readonly exitPeriod: number;
  /** Default `long_only`. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `donchian_breakout` (each documented on {@link DonchianBreakoutParams}): the classic 20-bar entry, 10-bar exit. */
export const DONCHIAN_BREAKOUT_DEFAULTS: DonchianBreakoutParams = Object.freeze({
  entryPeriod: 20,
  exitPeriod: 10,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `donchian_breakout` parameters with defaults applied. */
export function donchianBreakoutParams(params?: Partial<DonchianBreakoutParams>): DonchianBreakoutParams {
  const p = withDefaults('donchian_breakout', DONCHIAN_BREAKOUT_DEFAULTS, params);
  checkPeriod(p.entryPeriod, 'entryPeriod');
  checkPeriod(p.exitPeriod, 'exitPeriod');
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    entryPeriod: p.entryPeriod,
    exitPeriod: p.exitPeriod,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'donchian_breakout' }),
    fractional,
  });
}

/** A channel's upper band as a plot line's source (PlotLine.setFrom reads `value`: no number crosses the call). */
class UpperBand {
  constructor(private readonly channel: DonchianChannel) {}
  get value(): number {
    return this.channel.upper;
  }
}

/** A channel's lower band as a plot line's source. */
class LowerBand {
  constructor(private readonly channel: DonchianChannel) {}
  get value(): number {
    return this.channel.lower;
  }
}

class DonchianView extends SymbolView {
  /** The channels are plotted over this symbol's price. */
  readonly plotOptions: PlotOptions;
  /** The channels' plot lines (ctx.plotSeries), asked of `plotContext`: each run's context gives its own. */
  plotContext: StrategyContext | null = null;
  entryHighLine: PlotLine | null = null;
  entryLowLine: PlotLine | null = null;
  exitHighLine: PlotLine | null = null;
  exitLowLine: PlotLine | null = null;
  /** The bands the lines are set from. */
  readonly entryHigh: UpperBand;
  readonly entryLow: LowerBand;
  readonly exitHigh: UpperBand;
  readonly exitLow: LowerBand;
  constructor(
    symbol: Symbol_,
    readonly entry: DonchianChannel,
    readonly exit: DonchianChannel,
  ) {
    super(symbol);
    this.plotOptions = Object.freeze({ symbol, overlay: true });
    this.entryHigh = new UpperBand(entry);
    this.entryLow = new LowerBand(entry);
    this.exitHigh = new UpperBand(exit);
    this.exitLow = new LowerBand(exit);
  }
}

/**
 * `donchian_breakout`: the channel breakout of the turtle rules, decided on each bar's close
 * against the Donchian channels of the bars before it (the current bar is added after the decision):
 *
 * - close > highest high of the previous `entryPeriod` bars goes long;
 * - close < lowest low of the previous `entryPeriod` bars goes short (`long_short`) or flat;
 * - otherwise a long exits on close < lowest low of the previous `exitPeriod` bars, a short on
 *   close > highest high of the previous `exitPeriod` bars.
 *
 * Signal strength: how far the close is beyond the entry channel's middle, in half-widths, halved:
 * `(close - middle) / (upper - middle) / 2` for a long (0.5 right at the band, 1 a half-width
 * beyond it), the mirror for a short; flat signals 0. Decides from bar max(entryPeriod, exitPeriod) + 1.
 */
export class DonchianBreakoutStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: DonchianBreakoutParams;
  private readonly views: SymbolViews<DonchianView>;
  private readonly reasonLong: string;
  private readonly reasonShort: string;
  private readonly reasonExitLong: string;
  private readonly reasonExitShort: string;
  /** The plotted channels' names: `High(20)`, `Low(20)` (entry), `High(10)`, `Low(10)` (exit). */
  private readonly plotNames: readonly [string, string, string, string];

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<DonchianBreakoutParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = donchianBreakoutParams(params);
    const p = this.params;
    this.views = new SymbolViews('donchian_breakout', this.symbols.map((s) => new DonchianView(s, new DonchianChannel(p.entryPeriod), new DonchianChannel(p.exitPeriod))));
    this.reasonLong = `close above the ${p.entryPeriod}-bar high`;
    this.reasonShort = `close below the ${p.entryPeriod}-bar low`;
    this.reasonExitLong = `close below the ${p.exitPeriod}-bar low`;
    this.reasonExitShort = `close above the ${p.exitPeriod}-bar high`;
    this.plotNames = [`High(${p.entryPeriod})`, `Low(${p.entryPeriod})`, `High(${p.exitPeriod})`, `Low(${p.exitPeriod})`];
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    // No double crosses a call here, so a call V8 leaves out of onBar's code boxes nothing: the decision
    // reads the close itself, the channels read the bar from the series (updateFrom) and the plot lines
    // read the bands (setFrom). Passing the numbers cost six heap numbers a bar (bench/RESULTS.md, s15-bar).
    if (v.entry.ready && v.exit.ready) this.decide(ctx, v, bars);
    if (ctx.plotting) this.plotChannels(ctx, v);
    v.entry.updateFrom(bars);
    v.exit.updateFrom(bars);
  }

  /** Plots the channels this bar was judged against (those of the bars before it), once each is ready. */
  private plotChannels(ctx: StrategyContext, v: DonchianView): void {
    if (v.plotContext !== ctx) this.askLines(ctx, v);
    if (v.entry.ready) {
      v.entryHighLine!.setFrom(v.entryHigh);
      v.entryLowLine!.setFrom(v.entryLow);
    }
    if (v.exit.ready && this.params.exitPeriod !== this.params.entryPeriod) {
      v.exitHighLine!.setFrom(v.exitHigh);
      v.exitLowLine!.setFrom(v.exitLow);
    }
  }

  /** Asks this run's context for the channels' plot lines (on the first plotted bar of a run). */
  private askLines(ctx: StrategyContext, v: DonchianView): void {
    const [entryHigh, entryLow, exitHigh, exitLow] = this.plotNames;
    v.entryHighLine = ctx.plotSeries(entryHigh, v.plotOptions);
    v.entryLowLine = ctx.plotSeries(entryLow, v.plotOptions);
    // With equal periods the exit channel is the entry one, and is not plotted twice.
    if (this.params.exitPeriod !== this.params.entryPeriod) {
      v.exitHighLine = ctx.plotSeries(exitHigh, v.plotOptions);
      v.exitLowLine = ctx.plotSeries(exitLow, v.plotOptions);
    }
    v.plotContext = ctx;
  }

  /** Decides on the bar's close against the channels of the previous bars (before the current bar is added). */
  private decide(ctx: StrategyContext, v: DonchianView, bars: BarSeries): void {
    const close = bars.close(0);
    const { upper, lower, middle } = v.entry;
    if (close > upper) followView(ctx, v, this.params, 1, bars, (close - middle) / (upper - middle) / 2, this.reasonLong);
    else if (close < lower) followView(ctx, v, this.params, -1, bars, (middle - close) / (middle - lower) / 2, this.reasonShort);
    else if (v.direction === 1 && close < v.exit.lower) followView(ctx, v, this.params, 0, bars, 0, this.reasonExitLong);
    else if (v.direction === -1 && close > v.exit.upper) followView(ctx, v, this.params, 0, bars, 0, this.reasonExitShort);
  }
}

/** The built-in `donchian_breakout` (scenario `"type": "donchian_breakout"`). */
export const donchianBreakout = defineStrategy({
  name: 'donchian_breakout',
  description:
    'Donchian channel breakout (turtle rules): long on a close above the highest high of the previous entryPeriod bars, exit on a close below the lowest low of the previous exitPeriod bars; short the mirror image in long_short.',
  defaults: DONCHIAN_BREAKOUT_DEFAULTS,
  params: donchianBreakoutParams,
  // Both channels cover bars before the decision: the first decision is on bar max(N, M) + 1.
  warmup: (p) =>
    barRuleWarmup(
      Math.max(p.entryPeriod, p.exitPeriod) + 1,
      p.entryPeriod >= p.exitPeriod ? `entryPeriod=${p.entryPeriod}` : `exitPeriod=${p.exitPeriod}`,
      p.sizing,
    ),
  create: ({ id, symbols, params }) => new DonchianBreakoutStrategy(id, symbols, params),
});

export default donchianBreakout;
