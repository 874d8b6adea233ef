import { InvalidArgumentError, type StrategyId } from '../core/index.js';
import type { Strategy } from './context.js';
import { EMA_CROSS_DEFAULTS, EmaCrossStrategy, type EmaCrossParams } from './ema-cross.js';
import { IBS_DEFAULTS, IbsStrategy, type IbsParams } from './ibs-strategy.js';
import { Q_LEARNING_SELECTOR_DEFAULTS, QLearningSelector, type QLearningSelectorParams } from './q-learning-selector.js';
import { RSI_REVERSION_DEFAULTS, RsiReversionStrategy, type RsiReversionParams } from './rsi-reversion.js';
import { SMA_CROSS_DEFAULTS, SmaCrossStrategy, type SmaCrossParams } from './sma-cross.js';

/** A registered strategy: what it does, its default parameters and how to build one. */
export interface StrategyDefinition<P extends object> {
  readonly description: string;
  readonly defaults: Readonly<P>;
  /** Returns a new instance; `params` override the defaults and are validated (errors name the parameter). */
  create(id: StrategyId | string, symbols: readonly string[], params?: Partial<P>): Strategy;
}

/** Every strategy a scenario can name, by name. */
export const STRATEGIES = Object.freeze({
  sma_cross: {
    description:
      'Simple-moving-average crossover: +size when SMA(fast) crosses above SMA(slow), -size (long_short) or flat (long_only) when it crosses below.',
    defaults: SMA_CROSS_DEFAULTS,
    create: (id, symbols, params) => new SmaCrossStrategy(id, symbols, params),
  } satisfies StrategyDefinition<SmaCrossParams>,
  ema_cross: {
    description:
      'Exponential-moving-average crossover: +size when EMA(fast) crosses above EMA(slow), -size (long_short) or flat (long_only) when it crosses below.',
    defaults: EMA_CROSS_DEFAULTS,
    create: (id, symbols, params) => new EmaCrossStrategy(id, symbols, params),
  } satisfies StrategyDefinition<EmaCrossParams>,
  rsi_reversion: {
    description:
      'RSI mean reversion: long below oversold; exit above exitLevel, and above overbought exit (long_only) or go short (long_short).',
    defaults: RSI_REVERSION_DEFAULTS,
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
      'Q-learning strategy selector (seed 001): per symbol, picks each bar which action (long/flat/short rules or registered strategies run in the shadow) to follow from a trend x volatility x volume state, epsilon-greedy with a seeded stream; learns online until trainUntil, then greedy and frozen.',
    defaults: Q_LEARNING_SELECTOR_DEFAULTS,
    create: (id, symbols, params) => new QLearningSelector(id, symbols, params, createStrategy),
  } satisfies StrategyDefinition<QLearningSelectorParams>,
});

/** The name of a registered strategy. */
export type StrategyName = keyof typeof STRATEGIES;

/** The registered names, in registration order. */
export const STRATEGY_NAMES: readonly StrategyName[] = Object.freeze(Object.keys(STRATEGIES) as StrategyName[]);

/** Returns true when `name` is a registered strategy. */
export function isStrategyName(name: string): name is StrategyName {
  return Object.prototype.hasOwnProperty.call(STRATEGIES, name);
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
