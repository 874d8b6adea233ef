export * from './execution-engine.js';
export * from './algorithms/index.js';
