export * from './portfolio.js';
