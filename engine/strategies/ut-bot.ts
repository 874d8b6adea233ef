import { checkPeriod, checkPositive, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { Atr } from '../indicators/index.js';
import { barRuleWarmup, followView } from './bar-rule.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, type PositionSizing } from './position-sizing.js';
import { checkBoolean, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `ut_bot`. */
export interface UtBotParams {
  /** Key value: the trailing stop sits `keyValue x ATR` from the source price. Default 1. */
  readonly keyValue: number;
  /** ATR period (Wilder's average true range of the real bars), bars. Default 10. */
  readonly atrPeriod: number;
  /**
   * Uses the Heikin-Ashi close `(open + high + low + close) / 4` as the source price instead of the
   * close (the ATR stays that of the real bars). Default false.
   */
  readonly heikinAshi: boolean;
  /** Default `long_only` (a sell signal exits); `long_short` reverses. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `ut_bot` (each documented on {@link UtBotParams}): UT Bot Alerts' key value 1, ATR period 10. */
export const UT_BOT_DEFAULTS: UtBotParams = Object.freeze({
  keyValue: 1,
  atrPeriod: 10,
  heikinAshi: false,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `ut_bot` parameters with defaults applied. */
export function utBotParams(params?: Partial<UtBotParams>): UtBotParams {
  const p = withDefaults('ut_bot', UT_BOT_DEFAULTS, params);
  checkPositive(p.keyValue, 'keyValue');
  checkPeriod(p.atrPeriod, 'atrPeriod');
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    keyValue: p.keyValue,
    atrPeriod: p.atrPeriod,
    heikinAshi: checkBoolean(p.heikinAshi, 'heikinAshi'),
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'ut_bot' }),
    fractional,
  });
}

class UtBotView extends SymbolView {
  /** The trailing stop after the previous bar; NaN until the ATR is ready. */
  stop = Number.NaN;
  /** The source price of the previous bar. */
  previousSource = Number.NaN;
  constructor(
    symbol: Symbol_,
    readonly atr: Atr,
  ) {
    super(symbol);
  }
}

/**
 * `ut_bot`: the UT Bot Alerts rule, an ATR trailing stop that flips with price, decided on each bar's
 * close. With `src` the close (or the Heikin-Ashi close), `loss = keyValue x ATR(atrPeriod)` and
 * `prev` the stop after the previous bar:
 *
 * - src > prev and src[1] > prev: stop = max(prev, src - loss) (a long stop ratchets up);
 * - src < prev and src[1] < prev: stop = min(prev, src + loss) (a short stop ratchets down);
 * - otherwise the stop flips: src - loss when src > prev, else src + loss.
 *
 * The first bar with a ready ATR (bar atrPeriod + 1) starts the stop at src - loss (the script's
 * stop starts at 0, below any price) and decides nothing. Buy: src crosses above the stop
 * (src > stop and src[1] <= prev) goes long; sell: src crosses below (src < stop and src[1] >= prev)
 * goes short (`long_short`) or flat (`long_only`). So the first decision is on bar atrPeriod + 2.
 *
 * Signal strength: how far the source pierced the previous stop, in units of `loss`
 * (`|src - prev| / loss`, capped at 1); flat signals have strength 0.
 */
export class UtBotStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: UtBotParams;
  private readonly views: SymbolViews<UtBotView>;
  private readonly reasonBuy: string;
  private readonly reasonSell: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<UtBotParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = utBotParams(params);
    const p = this.params;
    this.views = new SymbolViews('ut_bot', this.symbols.map((s) => new UtBotView(s, new Atr(p.atrPeriod))));
    const src = p.heikinAshi ? 'Heikin-Ashi close' : 'close';
    this.reasonBuy = `${src} crossed above the ${p.keyValue} x ATR(${p.atrPeriod}) trailing stop`;
    this.reasonSell = `${src} crossed below the ${p.keyValue} x ATR(${p.atrPeriod}) trailing stop`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const atr = v.atr.update(bars.high(0), bars.low(0), close);
    const src = this.params.heikinAshi ? (bars.open(0) + bars.high(0) + close + bars.low(0)) / 4 : close;
    const previousSource = v.previousSource;
    v.previousSource = src;
    if (!v.atr.ready) return;
    const loss = this.params.keyValue * atr;
    const prev = v.stop;
    if (prev !== prev) {
      v.stop = src - loss;
      return;
    }
    let stop: number;
    if (src > prev && previousSource > prev) stop = Math.max(prev, src - loss);
    else if (src < prev && previousSource < prev) stop = Math.min(prev, src + loss);
    else stop = src > prev ? src - loss : src + loss;
    v.stop = stop;
    const strength = loss > 0 ? Math.abs(src - prev) / loss : 1;
    if (src > stop && previousSource <= prev) followView(ctx, v, this.params, 1, bars, strength, this.reasonBuy);
    else if (src < stop && previousSource >= prev) followView(ctx, v, this.params, -1, bars, strength, this.reasonSell);
  }
}

/** The built-in `ut_bot` (scenario `"type": "ut_bot"`). */
export const utBot = defineStrategy({
  name: 'ut_bot',
  description:
    'UT Bot: an ATR trailing stop (keyValue x ATR(atrPeriod)) that ratchets with price and flips when price crosses it; long on a cross above, exit (long_only) or short (long_short) on a cross below; optional Heikin-Ashi source.',
  defaults: UT_BOT_DEFAULTS,
  params: utBotParams,
  // The ATR is ready on bar atrPeriod + 1, which starts the stop; the first cross is on the next bar.
  warmup: (p) => barRuleWarmup(p.atrPeriod + 2, `atrPeriod=${p.atrPeriod}`, p.sizing),
  create: ({ id, symbols, params }) => new UtBotStrategy(id, symbols, params),
});

export default utBot;
