/**
 * Tapedeck as a library: `import { backtest, defineStrategy, indicators } from 'tapedeck'`.
 *
 * - {@link backtest} runs a scenario (file, object or qualified) the way `tapedeck run` does and
 *   returns its runHash, metrics, fills, trades and equity curve.
 * - {@link defineStrategy} defines a strategy; a module default-exporting one is named by path in a
 *   scenario (`"type": "./strategies/breakout.ts"`) and runs in `run`, `sweep`, `walkforward` and
 *   queue workers.
 * - The built-in strategies are such definitions too, written with exactly what is exported here
 *   (an architecture test checks every import of theirs): `smaCross`, `emaCross`, `rsiReversion`,
 *   `ibsMeanReversion`, `qLearningSelector`, `liquidityFlow`, `microstructure`, `optionsFlow`,
 *   `deltaHedge`, `fractal`, `entropyStrategy`, and `STRATEGIES`, the same by scenario `type` (`sma_cross`, ...), with each one's
 *   `description`, `defaults` and `qualifyParams`. Their source files are examples to copy.
 * - `indicators` holds the streaming indicator classes (and batch functions over arrays).
 */
export { backtest } from './cli/compose/backtest-api.js';
export { toArrow } from './cli/compose/arrow-tables.js';
export type { RunArrowTables } from './cli/compose/arrow-tables.js';
export type { BacktestOptions, BacktestOutput, BacktestScenarioInput, BacktestStrategyInput } from './cli/compose/backtest-api.js';
export { loadScenario, qualify } from './cli/compose/load-scenario.js';
export type { QualifiedScenario, LoadOptions, QualifyOptions } from './cli/compose/load-scenario.js';

// Strategies: the contract, the helpers the built-ins use, the built-ins themselves and their registry.
export * from './engine/strategies/index.js';
export * as indicators from './engine/indicators/index.js';
// Statistics the strategies share: unit-root, cointegration and Granger tests, Hurst exponent, rolling
// correlation, entropy and mutual information.
export * from './engine/models/index.js';
// The zod a strategy's `params` schema is written with: the same instance Tapedeck validates with.
export { z } from 'zod';

// What strategies see and send: ids, errors, checks, time helpers, orders, events, market data, option chains.
export * from './engine/core/index.js';
export * from './engine/model/index.js';

// Results and reports.
export type { AccountResult, BacktestResult, EquityCurve, RunResult, RunTrade } from './sim/backtest/index.js';
export type { AccountReport, RunReport, PerformanceMetrics } from './reports/index.js';
