export * from './portfolio.js';
export * from './options-book.js';
