export * from './batches.js';
export * from './replay.js';
export * from './backtest.js';
export * from './compose-router.js';
export * from './run-hash.js';
export * from './run-recorder.js';
export * from './run-result.js';
export * from './option-replay.js';
