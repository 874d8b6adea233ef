// Ensemble: covariance and mean estimation, the mean-variance optimizer, the seed-000 regime table
// and resampled optimization. (Voting and adaptive weighting live beside these files.)
export * from './returns-matrix.js';
export * from './covariance.js';
export * from './mean-estimators.js';
export * from './moment-estimation.js';
export * from './symmetric-eigenvalues.js';
export * from './qp-solver.js';
export * from './mean-variance.js';
export * from './regime-table.js';
export * from './resampling.js';
export * from './optimize-from-returns.js';
export * from './voting.js';
export * from './shadow-book.js';
export * from './rl-meta-agent.js';
export * from './ensemble-config.js';
export * from './ensemble-router.js';
export * from './stages/index.js';
export * from './adaptive/index.js';
