import { checkFinite, checkNonNegative, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { Ema } from '../indicators/index.js';
import type { SentimentEvent } from '../model/market-data.js';
import type { Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, positionSize, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `sentiment`. */
export interface SentimentParams {
  /** EMA period over the symbol's sentiment scores (scores, not bars). Default 5. */
  readonly period: number;
  /** The smoothed score strictly above this goes long, strictly below minus this goes short (`long_short`) or exits a long. In (0, 1). Default 0.2. */
  readonly entry: number;
  /**
   * A long exits when the smoothed score falls strictly below this, a short when it rises strictly
   * above minus this. In [0, entry]. Default 0.05.
   */
  readonly exit: number;
  /** Scores with fewer mentions than this are ignored (not smoothed in); 0 takes every score, also those without a mentions count. Default 0. */
  readonly minMentions: number;
  /** Default `long_short`. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `sentiment` (each documented on {@link SentimentParams}). */
export const SENTIMENT_DEFAULTS: SentimentParams = Object.freeze({
  period: 5,
  entry: 0.2,
  exit: 0.05,
  minMentions: 0,
  mode: 'long_short',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `sentiment` parameters with defaults applied. */
export function sentimentParams(params?: Partial<SentimentParams>): SentimentParams {
  const p = withDefaults('sentiment', SENTIMENT_DEFAULTS, params);
  checkPeriod(p.period, 'period');
  checkFinite(p.entry, 'entry');
  if (!(p.entry > 0 && p.entry < 1)) failParam('entry', 'outside (0, 1)', p.entry);
  checkFinite(p.exit, 'exit');
  if (!(p.exit >= 0 && p.exit <= p.entry)) failParam('exit', `outside [0, 'entry' = ${p.entry}]`, p.exit);
  checkNonNegative(p.minMentions, 'minMentions');
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    period: p.period,
    entry: p.entry,
    exit: p.exit,
    minMentions: p.minMentions,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'sentiment' }),
    fractional,
  });
}

class SentimentView extends SymbolView {
  constructor(
    symbol: Symbol_,
    readonly ema: Ema,
  ) {
    super(symbol);
  }
}

/**
 * `sentiment`: trades a symbol on its sentiment score series (data kind `sentiment`, scenario
 * `data.sentiment`), decided on each score as it arrives (`onSentiment`), once the EMA of the last
 * `period` scores is ready and the symbol has a bar to price the position.
 *
 * A score with fewer than `minMentions` mentions is skipped. With s the smoothed score: s > entry goes
 * long; s < -entry goes short (`long_short`) or exits a long (`long_only`); a long exits when
 * s < exit, a short when s > -exit.
 *
 * Signal: strength |s| (the smoothed score's magnitude, in [0, 1]) on entries, 0 on exits; confidence 1.
 */
export class SentimentStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: SentimentParams;
  private readonly views: SymbolViews<SentimentView>;
  private readonly longShort: boolean;
  private readonly reasonLong: string;
  private readonly reasonShort: string;
  private readonly reasonExitLong: string;
  private readonly reasonExitShort: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<SentimentParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = sentimentParams(params);
    const p = this.params;
    this.views = new SymbolViews('sentiment', this.symbols.map((s) => new SentimentView(s, new Ema(p.period))));
    this.longShort = p.mode === 'long_short';
    this.reasonLong = `sentiment EMA(${p.period}) above ${p.entry}`;
    this.reasonShort = `sentiment EMA(${p.period}) below -${p.entry}`;
    this.reasonExitLong = `sentiment EMA(${p.period}) below ${p.exit}`;
    this.reasonExitShort = `sentiment EMA(${p.period}) above -${p.exit}`;
  }

  onSentiment(ctx: StrategyContext, event: SentimentEvent): void {
    const p = this.params;
    // NaN mentions (none in the data) fail the filter unless it is off.
    if (p.minMentions > 0 && !(event.mentions >= p.minMentions)) return;
    const v = this.views.get(event.symbol);
    const s = v.ema.update(event.score);
    if (!v.ema.ready) return;
    const { entry, exit } = p;
    if (s > entry) {
      if (v.direction !== 1) this.enter(ctx, v, 1, s, this.reasonLong);
    } else if (s < -entry) {
      if (this.longShort) {
        if (v.direction !== -1) this.enter(ctx, v, -1, -s, this.reasonShort);
      } else if (v.direction === 1) {
        v.change(ctx, 0, 0, 0, this.reasonShort);
      }
    } else if (v.direction === 1 && s < exit) {
      v.change(ctx, 0, 0, 0, this.reasonExitLong);
    } else if (v.direction === -1 && s > -exit) {
      v.change(ctx, 0, 0, 0, this.reasonExitShort);
    }
  }

  private enter(ctx: StrategyContext, v: SentimentView, direction: 1 | -1, strength: number, reason: string): void {
    const bars = ctx.bars(v.symbol);
    // No price yet (a score before the symbol's first bar): nothing to size from.
    if (bars.length === 0) return;
    const size = positionSize(this.params.sizing, this.params.fractional, ctx.equity(), bars.close(0), bars, Number.NaN, ctx.instrument?.(v.symbol)?.multiplier ?? 1);
    if (!(size > 0)) return;
    v.change(ctx, direction, direction * size, Math.min(1, strength), reason);
  }
}

/** The built-in `sentiment` (scenario `"type": "sentiment"`). */
export const sentiment = defineStrategy({
  name: 'sentiment',
  description:
    "Sentiment: EMA of the symbol's sentiment scores (data.sentiment, kind sentiment); long above entry, short below -entry (long_short; long_only exits), exit back inside ±exit; optional minimum mentions per score. Needs sentiment data.",
  defaults: SENTIMENT_DEFAULTS,
  params: sentimentParams,
  needs: ['sentiment'],
  // Its own warm-up is `period` scores; in bars it needs what its sizing needs, and one bar to price a position.
  warmup: (p) => {
    const s = sentimentParams(p);
    const bars = sizingWarmupBars(s.sizing);
    return bars > 1 ? { bars, because: `sizing.kind=${s.sizing.kind}` } : { bars: 1, because: 'a bar to price the position' };
  },
  create: ({ id, symbols, params }) => new SentimentStrategy(id, symbols, params),
});

export default sentiment;
