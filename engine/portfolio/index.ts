export * from './portfolio.js';
export * from './options-book.js';
export * from './account.js';
