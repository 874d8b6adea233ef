// Walk-forward analysis: window generation (rolling/anchored, purge/embargo), combinatorial purged
// cross-validation, the seed-000 lambda/eta search, and the scenario walk-forward driver (with an
// optional warm start for learning strategies).
export * from './windows.js';
export * from './lambda-eta-search.js';
export * from './run-walk-forward.js';
export * from './warm-start.js';
export * from './measured-window.js';
