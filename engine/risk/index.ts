export * from './risk-config.js';
export * from './risk-account.js';
export * from './risk-engine.js';
export * from './risk-schema.js';
