// The adaptive layer (seed 002): statistics, adaptive weights, signal quality, retirement, decomposition, monitor, regimes.
export * from './performance-stats.js';
export * from './adaptive-weights.js';
export * from './signal-quality.js';
export * from './retirement.js';
export * from './decomposition.js';
export * from './return-attribution.js';
export * from './quality-timeline.js';
export * from './monitor.js';
export * from './regime-classifier.js';
