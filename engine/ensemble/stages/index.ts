// The ensemble's stages of the decision pipeline (engine/kernel/decision-pipeline.ts), each usable
// and testable alone; EnsembleRouter composes them.
export * from './market-state.js';
export * from './signal-collection.js';
export * from './signal-filter.js';
export * from './combination.js';
export * from './weighting.js';
export * from './portfolio-construction.js';
export * from './account-risk.js';
