import { InvalidArgumentError, InvariantError, type StrategyId } from '../core/index.js';
import type { Strategy } from './context.js';
import type { DefinedStrategy, StrategyWarmup } from './define-strategy.js';
import { anomaly } from './anomaly.js';
import { bayesianUpdater } from './bayesian-updater.js';
import { correlationMatrix } from './correlation-matrix.js';
import { deltaHedge } from './delta-hedge.js';
import { donchianBreakout } from './donchian-breakout.js';
import { emaCross } from './ema-cross.js';
import { gradientTrend } from './gradient-trend.js';
import { grangerCausality } from './granger-causality.js';
import { entropyStrategy } from './entropy-strategy.js';
import { fractal } from './fractal.js';
import { ibsMeanReversion } from './ibs-strategy.js';
import { liquidityFlow } from './liquidity-flow.js';
import { meanReversion } from './mean-reversion.js';
import { microstructure } from './microstructure.js';
import { momentum } from './momentum.js';
import { optionsFlow } from './options-flow.js';
import { pairs } from './pairs.js';
import { qLearningSelector } from './q-learning-selector.js';
import { regimeChange } from './regime-change.js';
import { rsiReversion } from './rsi-reversion.js';
import { sentiment } from './sentiment.js';
import { smaCross } from './sma-cross.js';
import { utBot } from './ut-bot.js';
import { volatilityRegime } from './volatility-regime.js';
import { volumeSr } from './volume-sr.js';

/**
 * The built-in strategies: each a `defineStrategy({ name, description, defaults, params, create })`
 * definition written with the package's public API only (tests/unit/architecture checks it), keyed
 * by its name, the scenario `type` that names it. A scenario's built-in strategy is built from its
 * definition the way a user module's is; the order is the order `known:` lists them in messages.
 */
export const STRATEGIES = Object.freeze({
  sma_cross: smaCross,
  ema_cross: emaCross,
  rsi_reversion: rsiReversion,
  ibs: ibsMeanReversion,
  q_learning_selector: qLearningSelector,
  liquidity_flow: liquidityFlow,
  microstructure,
  options_flow: optionsFlow,
  delta_hedge: deltaHedge,
  ut_bot: utBot,
  mean_reversion: meanReversion,
  momentum,
  gradient_trend: gradientTrend,
  donchian_breakout: donchianBreakout,
  volatility_regime: volatilityRegime,
  anomaly,
  regime_change: regimeChange,
  bayesian_updater: bayesianUpdater,
  volume_sr: volumeSr,
  fractal,
  entropy: entropyStrategy,
  sentiment,
  pairs,
  granger_causality: grangerCausality,
  correlation_matrix: correlationMatrix,
});

for (const [key, definition] of Object.entries(STRATEGIES)) {
  if (definition.name !== key) throw new InvariantError(`built-in strategy ${JSON.stringify(key)} is defined with name ${JSON.stringify(definition.name)}`);
}

/** The name of a built-in strategy. */
export type StrategyName = keyof typeof STRATEGIES;

/** The built-in names, in registration order. */
export const STRATEGY_NAMES: readonly StrategyName[] = Object.freeze(Object.keys(STRATEGIES) as StrategyName[]);

/** Returns true when `name` is a built-in strategy. */
export function isStrategyName(name: string): name is StrategyName {
  return Object.prototype.hasOwnProperty.call(STRATEGIES, name);
}

/** Returns the definition of built-in strategy `name`, or null when there is none. */
export function builtinStrategy(name: string): DefinedStrategy<object> | null {
  return isStrategyName(name) ? (STRATEGIES[name] as unknown as DefinedStrategy<object>) : null;
}

/** Returns the definition of `name`; throws InvalidArgumentError naming it and listing the known ones. */
function definitionNamed(name: string): DefinedStrategy<object> {
  const definition = builtinStrategy(name);
  if (definition === null) throw new InvalidArgumentError(`unknown strategy ${JSON.stringify(name)} (known: ${STRATEGY_NAMES.join(', ')})`);
  return definition;
}

/** Returns the train-until parameter of a built-in learning strategy, or null (unknown or not learning). */
export function trainUntilParamOf(name: string): string | null {
  return builtinStrategy(name)?.trainUntilParam ?? null;
}

/**
 * Returns the bars built-in strategy `name` needs before it can act with `params` (see
 * StrategyDefinition.warmup), or null when its warm-up is not counted in bars. Throws like
 * createStrategy on an unknown strategy or a bad parameter.
 */
export function strategyWarmup(name: string, params: Readonly<Record<string, unknown>> = {}): StrategyWarmup | null {
  return definitionNamed(name).warmup?.(params) ?? null;
}

/**
 * Returns a new built-in strategy `name` with id `id` on `symbols`; `params` override its defaults.
 * Throws InvalidArgumentError naming an unknown strategy and listing the known ones, or naming a bad
 * parameter and its value.
 */
export function createStrategy(
  name: string,
  id: StrategyId | string,
  symbols: readonly string[],
  params: Readonly<Record<string, unknown>> = {},
): Strategy {
  return definitionNamed(name).create(id, symbols, params);
}
