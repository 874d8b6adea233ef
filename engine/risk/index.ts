export * from './risk-config.js';
export * from './risk-account.js';
export * from './risk-engine.js';
