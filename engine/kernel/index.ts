/**
 * The kernel: the total order of events (k-way merge with starvation), timers, the simulated clock,
 * the sequencer that interleaves them, and the synchronous message bus. Pure, synchronous, no I/O.
 */
export { SourceState } from './merge-source.js';
export type { MergeSource } from './merge-source.js';
export { EventMerge, MergeSignal } from './event-merge.js';
export { ArrayBatchSource } from './array-batch-source.js';
export type { TimeBatch } from './array-batch-source.js';
export { TimerQueue } from './timer-queue.js';
export { SimulatedClock } from './simulated-clock.js';
export { EventSequencer, SequencerStep } from './event-sequencer.js';
export type { EventSequencerOptions } from './event-sequencer.js';
export { MessageBus } from './message-bus.js';
export type { MessageHandler } from './message-bus.js';
export { DirectRouter, RouterDecorator } from './strategy-router.js';
export { RegimeAdaptiveRouter } from './regime-adaptive-router.js';
export type { RegimeAdaptiveConfig, RegimeMultipliers } from './regime-adaptive-router.js';
export type { RouterDeps, RouterHooks, RouterHost, StrategyRouter } from './strategy-router.js';
export { TradeGate, describeWarmup } from './trade-gate.js';
export type { WarmupCounts } from './trade-gate.js';
export { entrySide, PredictiveFilterGate, PredictiveFilterStage } from './predictive-filter-gate.js';
export type { FilterBlockCount, PredictiveFiltersConfig } from './predictive-filter-gate.js';
export type { AccountResult, EquityCurve, EquityCurveScan, PlotSeriesResult, RunResultBase, RunTrade, StreamedEquityCurve } from './run-result.js';
export { PLOT_FULL_POINTS, StrategyPlots } from './plots.js';
export type { PlotHost } from './plots.js';
export { EquityPreview, PREVIEW_BUCKETS, PREVIEW_COLUMNS } from './equity-preview.js';
export type { EquityPreviewColumns } from './equity-preview.js';
