export * from './orders.js';
export * from './events.js';
export * from './market-data.js';
export * from './instruments.js';
export * from './option-pricing.js';
export * from './option-chain.js';
export * from './market-batches.js';
export * from './order-snapshot.js';
