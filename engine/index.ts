/**
 * The public API of engine/: the trading system shared by live and simulation. Each module's own
 * index is re-exported whole; names two modules both export are resolved explicitly below.
 */
export * from './core/index.js';
export * from './model/index.js';
export * from './kernel/index.js';
export * from './indicators/index.js';
export * from './models/index.js';
export * from './strategies/index.js';
export * from './ensemble/index.js';
export * from './risk/index.js';
export * from './execution/index.js';
// Both risk and execution describe the order the risk gate sees: the execution engine's (with
// reduceOnly) is the gate's contract; the risk engine's is exported as RiskEngineOrder.
export type { RiskOrder } from './execution/index.js';
export type { RiskOrder as RiskEngineOrder } from './risk/index.js';
export * from './portfolio/index.js';
export * from './portfolio/allocation/index.js';
export type { Clock } from './ports/clock.js';
export type { MarketDataHandler } from './ports/data-feed.js';
export type { ExecutionClient, ExecutionReportSink } from './ports/execution-client.js';
export type { Recorder } from './ports/recorder.js';
export { TradingEngine } from './kernel/trading-engine.js';
export type { EquityWatcher, TradingEngineOptions } from './kernel/trading-engine.js';
