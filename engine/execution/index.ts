export * from './execution-engine.js';
