// Allocation and rebalancing (seed 001): allocation methods, rotation, cost-aware rebalancing, hedging.
export * from './allocation-methods.js';
export * from './rotation.js';
export * from './rebalance.js';
export * from './hedging.js';
