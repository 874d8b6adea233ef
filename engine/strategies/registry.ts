import { InvalidArgumentError, type StrategyId } from '../core/index.js';
import type { Strategy } from './context.js';
import { EMA_CROSS_DEFAULTS, EmaCrossStrategy, emaCrossParams, type EmaCrossParams } from './ema-cross.js';
import { IBS_DEFAULTS, IbsStrategy, type IbsParams } from './ibs-strategy.js';
import { Q_LEARNING_SELECTOR_DEFAULTS, QLearningSelector, qLearningSelectorParams, type QLearningSelectorParams } from './q-learning-selector.js';
import { RSI_REVERSION_DEFAULTS, RsiReversionStrategy, rsiReversionParams, type RsiReversionParams } from './rsi-reversion.js';
import { SMA_CROSS_DEFAULTS, SmaCrossStrategy, smaCrossParams, type SmaCrossParams } from './sma-cross.js';
import { LIQUIDITY_FLOW_DEFAULTS, LiquidityFlowStrategy, type LiquidityFlowParams } from './liquidity-flow.js';
import { MICROSTRUCTURE_DEFAULTS, MicrostructureStrategy, type MicrostructureParams } from './microstructure.js';
import { OPTIONS_FLOW_DEFAULTS, OptionsFlowStrategy, type OptionsFlowParams } from './options-flow.js';
import { DELTA_HEDGE_DEFAULTS, DeltaHedgeStrategy, type DeltaHedgeParams } from './delta-hedge.js';

/** A registered strategy: what it does, its default parameters and how to build one. */
export interface StrategyDefinition<P extends object> {
  readonly description: string;
  readonly defaults: Readonly<P>;
  /**
   * Data beyond bars the strategy needs to trade (`book`, `trades`, `quotes`, `chains`); absent for
   * bar strategies. The bar-only contract suite skips strategies that need other data.
   */
  readonly needs?: readonly ('book' | 'trades' | 'quotes' | 'chains')[];
  /**
   * For a strategy with a learning phase: the name of its parameter holding the ISO time at which
   * training stops (its model freezes and it acts on what it learned). A walk-forward with warm
   * start sets it, by dotted path, to each fold's train end. Absent for strategies that do not learn.
   */
  readonly trainUntilParam?: string;
  /**
   * For a strategy that decides on bars: the bars of a symbol it must see before it can first act
   * (its indicators ready, plus any previous value a rule compares with), and the parameter setting
   * that makes it so (`slow=20`). A run refuses data with fewer bars. Absent for strategies that
   * act from the first bar or decide on ticks, book updates or chains (their warm-up is not in bars).
   */
  warmup?(params: Partial<P>): StrategyWarmup;
  /** Returns a new instance; `params` override the defaults and are validated (errors name the parameter). */
  create(id: StrategyId | string, symbols: readonly string[], params?: Partial<P>): Strategy;
}

/** How many bars a strategy needs before it can act, and why (see StrategyDefinition.warmup). */
export interface StrategyWarmup {
  readonly bars: number;
  /** The parameter setting behind it, as a user writes it: `slow=20`. */
  readonly because: string;
}

/** A crossover acts on a cross: both averages ready on this bar and on the one before. */
function crossWarmup(p: { readonly slow: number }): StrategyWarmup {
  return { bars: p.slow + 1, because: `slow=${p.slow}` };
}

/** Every strategy a scenario can name, by name. */
export const STRATEGIES = Object.freeze({
  sma_cross: {
    description:
      'Simple-moving-average crossover: +size when SMA(fast) crosses above SMA(slow), -size (long_short) or flat (long_only) when it crosses below.',
    defaults: SMA_CROSS_DEFAULTS,
    warmup: (params) => crossWarmup(smaCrossParams(params)),
    create: (id, symbols, params) => new SmaCrossStrategy(id, symbols, params),
  } satisfies StrategyDefinition<SmaCrossParams>,
  ema_cross: {
    description:
      'Exponential-moving-average crossover: +size when EMA(fast) crosses above EMA(slow), -size (long_short) or flat (long_only) when it crosses below.',
    defaults: EMA_CROSS_DEFAULTS,
    warmup: (params) => crossWarmup(emaCrossParams(params)),
    create: (id, symbols, params) => new EmaCrossStrategy(id, symbols, params),
  } satisfies StrategyDefinition<EmaCrossParams>,
  rsi_reversion: {
    description:
      'RSI mean reversion: long below oversold; exit above exitLevel, and above overbought exit (long_only) or go short (long_short).',
    defaults: RSI_REVERSION_DEFAULTS,
    // RSI(period) is ready after period changes, that is period + 1 closes.
    warmup: (params) => {
      const p = rsiReversionParams(params);
      return { bars: p.period + 1, because: `period=${p.period}` };
    },
    create: (id, symbols, params) => new RsiReversionStrategy(id, symbols, params),
  } satisfies StrategyDefinition<RsiReversionParams>,
  ibs: {
    description:
      'Internal bar strength mean reversion (long only): long when IBS < entryThreshold, flat when IBS > exitThreshold, with optional percent stop-loss, take-profit and UTC session windows.',
    defaults: IBS_DEFAULTS,
    create: (id, symbols, params) => new IbsStrategy(id, symbols, params),
  } satisfies StrategyDefinition<IbsParams>,
  q_learning_selector: {
    description:
      'Q-learning strategy selector (seed 001): per symbol, picks each bar which action (long/flat/short rules or registered strategies run in the shadow) to follow from a trend x volatility x volume state, epsilon-greedy with a seeded stream; learns online (optionally over several episodes) until trainUntil, then greedy and frozen.',
    defaults: Q_LEARNING_SELECTOR_DEFAULTS,
    trainUntilParam: 'trainUntil',
    // Its state needs SMA(trendPeriod), SMA(volumePeriod) of volume and the std of 4 x volatilityPeriod log returns.
    warmup: (params) => {
      const p = qLearningSelectorParams(params);
      const needs: StrategyWarmup[] = [
        { bars: p.trendPeriod, because: `trendPeriod=${p.trendPeriod}` },
        { bars: 4 * p.volatilityPeriod + 1, because: `volatilityPeriod=${p.volatilityPeriod}, 4 x volatilityPeriod returns` },
        { bars: p.volumePeriod, because: `volumePeriod=${p.volumePeriod}` },
      ];
      return needs.reduce((a, b) => (b.bars > a.bars ? b : a));
    },
    create: (id, symbols, params) => new QLearningSelector(id, symbols, params, createStrategy),
  } satisfies StrategyDefinition<QLearningSelectorParams>,
  liquidity_flow: {
    description:
      'Liquidity Flow Tracker (seed 000): bid/ask depth imbalance over N book levels with a liquidity score (depth against its running mean); long above the threshold, short (or flat) below minus it. Needs book data for depth (top of book otherwise).',
    defaults: LIQUIDITY_FLOW_DEFAULTS,
    needs: ['book'],
    create: (id, symbols, params) => new LiquidityFlowStrategy(id, symbols, params),
  } satisfies StrategyDefinition<LiquidityFlowParams>,
  microstructure: {
    description:
      'Market Microstructure Edge (seed 000): tick-rule trade imbalance, traded only while the spread is below its recent percentile and the quote rate is under the stuffing guard; market or passive limit orders. Needs trades and quotes.',
    defaults: MICROSTRUCTURE_DEFAULTS,
    needs: ['trades', 'quotes'],
    create: (id, symbols, params) => new MicrostructureStrategy(id, symbols, params),
  } satisfies StrategyDefinition<MicrostructureParams>,
  options_flow: {
    description:
      'Options Flow Sentiment (seed 000): put/call volume ratio, out-of-the-money iv skew and dealer gamma exposure of the option chain drive a position in the underlying. Needs option chains.',
    defaults: OPTIONS_FLOW_DEFAULTS,
    needs: ['chains'],
    create: (id, symbols, params) => new OptionsFlowStrategy(id, symbols, params),
  } satisfies StrategyDefinition<OptionsFlowParams>,
  delta_hedge: {
    description:
      'A delta-hedged option position: holds N at-the-money contracts of a chosen expiry (rolling before expiry) and keeps the underlying at minus their delta. Symbols: the underlying first, then the tradable contracts. Needs option chains.',
    defaults: DELTA_HEDGE_DEFAULTS,
    needs: ['chains'],
    create: (id, symbols, params) => new DeltaHedgeStrategy(id, symbols, params),
  } satisfies StrategyDefinition<DeltaHedgeParams>,
});

/** The name of a registered strategy. */
export type StrategyName = keyof typeof STRATEGIES;

/** The registered names, in registration order. */
export const STRATEGY_NAMES: readonly StrategyName[] = Object.freeze(Object.keys(STRATEGIES) as StrategyName[]);

/** Returns true when `name` is a registered strategy. */
export function isStrategyName(name: string): name is StrategyName {
  return Object.prototype.hasOwnProperty.call(STRATEGIES, name);
}

/** Returns the train-until parameter of a registered learning strategy, or null (unknown or not learning). */
export function trainUntilParamOf(name: string): string | null {
  if (!isStrategyName(name)) return null;
  return (STRATEGIES[name] as StrategyDefinition<object>).trainUntilParam ?? null;
}

/**
 * Returns the bars strategy `name` needs before it can act with `params` (see
 * StrategyDefinition.warmup), or null when its warm-up is not counted in bars. Throws like
 * createStrategy on an unknown strategy or a bad parameter.
 */
export function strategyWarmup(name: string, params: Readonly<Record<string, unknown>> = {}): StrategyWarmup | null {
  if (!isStrategyName(name)) throw new InvalidArgumentError(`unknown strategy ${JSON.stringify(name)} (known: ${STRATEGY_NAMES.join(', ')})`);
  const definition: StrategyDefinition<object> = STRATEGIES[name] as StrategyDefinition<object>;
  return definition.warmup?.(params) ?? null;
}

/**
 * Returns a new strategy `name` with id `id` on `symbols`; `params` override its defaults. Throws
 * InvalidArgumentError naming an unknown strategy and listing the known ones, or naming a bad
 * parameter and its value.
 */
export function createStrategy(
  name: string,
  id: StrategyId | string,
  symbols: readonly string[],
  params: Readonly<Record<string, unknown>> = {},
): Strategy {
  if (!isStrategyName(name)) {
    throw new InvalidArgumentError(`unknown strategy ${JSON.stringify(name)} (known: ${STRATEGY_NAMES.join(', ')})`);
  }
  const definition: StrategyDefinition<object> = STRATEGIES[name] as StrategyDefinition<object>;
  return definition.create(id, symbols, params);
}
