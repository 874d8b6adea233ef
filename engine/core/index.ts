export * from './errors.js';
export * from './checks.js';
export * from './time.js';
export * from './ids.js';
export * from './rng.js';
export * from './printable.js';
export * from './calendar.js';
