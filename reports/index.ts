export * from './normal.js';
export * from './metrics.js';
export * from './overfitting.js';
export * from './run-report.js';
export * from './tearsheet.js';
export * from './indicators.js';
