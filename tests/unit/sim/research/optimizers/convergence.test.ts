import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../../engine/core/index.js';
import { createOptimizer, distanceTo, drive, rosenbrock, ROSENBROCK_OPTIMUM, sphere } from './test-functions.js';

/**
 * Acceptance: each optimizer finds the known optimum of the sphere (centre 0.3 in every dimension)
 * and of 2-d Rosenbrock scaled into the unit cube (optimum u = (0.75, 0.75)) within the budget and
 * tolerance stated in each test name. "Finds" means the best point told back lies within the
 * tolerance of the optimum in unit-cube distance, for every one of the listed seeds. Budgets and
 * tolerances were calibrated on seeds 1-10 and carry a margin of about 2x.
 */

type Method = 'random' | 'ga' | 'de' | 'mcmc' | 'bayes';

function bestDistance(method: Method, seed: number, dims: number, budget: number, f: (x: readonly number[]) => number, optimum: readonly number[], options: Record<string, unknown>): number {
  const optimizer = createOptimizer(method, { dimensions: dims, rng: randomStream(seed, 'convergence', method), budget, ...options });
  drive(optimizer, f);
  const summary = optimizer.summary();
  expect(summary['evaluations']).toBeLessThanOrEqual(budget);
  return distanceTo(summary['bestX'] as number[], optimum);
}

const SEEDS = [1, 2, 3, 4, 5];

describe('optimizers find the optimum of the sphere', () => {
  it('random search: 2-d sphere within 0.05 in 2000 evaluations', () => {
    for (const seed of SEEDS) expect(bestDistance('random', seed, 2, 2000, sphere(0.3), [0.3, 0.3], {})).toBeLessThan(0.05);
  });
  it('genetic algorithm: 5-d sphere within 0.005 in 2000 evaluations (default settings)', () => {
    for (const seed of SEEDS) expect(bestDistance('ga', seed, 5, 2000, sphere(0.3), new Array(5).fill(0.3), {})).toBeLessThan(0.005);
  });
  it('differential evolution: 5-d sphere within 0.02 in 4000 evaluations (default settings)', () => {
    for (const seed of SEEDS) expect(bestDistance('de', seed, 5, 4000, sphere(0.3), new Array(5).fill(0.3), {})).toBeLessThan(0.02);
  });
  it('Metropolis-Hastings at temperature 0.0005: 5-d sphere within 0.04 in 2000 evaluations', () => {
    for (const seed of SEEDS) expect(bestDistance('mcmc', seed, 5, 2000, sphere(0.3), new Array(5).fill(0.3), { temperature: 0.0005 })).toBeLessThan(0.04);
  });
  it('Bayesian optimization: 2-d sphere within 0.05 in 40 evaluations', () => {
    for (const seed of [1, 2, 3]) expect(bestDistance('bayes', seed, 2, 40, sphere(0.3), [0.3, 0.3], {})).toBeLessThan(0.05);
  });
  it('Bayesian optimization: 5-d sphere within 0.08 in 60 evaluations', () => {
    for (const seed of [1, 2]) expect(bestDistance('bayes', seed, 5, 60, sphere(0.3), new Array(5).fill(0.3), {})).toBeLessThan(0.08);
  });
});

describe('optimizers find the optimum of 2-d Rosenbrock scaled into the unit cube', () => {
  it('random search: within 0.07 in 20000 evaluations', () => {
    for (const seed of SEEDS) expect(bestDistance('random', seed, 2, 20000, rosenbrock, ROSENBROCK_OPTIMUM, { batchSize: 1000 })).toBeLessThan(0.07);
  });
  it('genetic algorithm (population 40, mutation rate 0.3, scale 0.05, patience 30): within 0.03 in 4000 evaluations', () => {
    const options = { populationSize: 40, mutationRate: 0.3, mutationScale: 0.05, patience: 30 };
    for (const seed of SEEDS) expect(bestDistance('ga', seed, 2, 4000, rosenbrock, ROSENBROCK_OPTIMUM, options)).toBeLessThan(0.03);
  });
  it('differential evolution (default settings): within 1e-4 in 4000 evaluations', () => {
    for (const seed of SEEDS) expect(bestDistance('de', seed, 2, 4000, rosenbrock, ROSENBROCK_OPTIMUM, {})).toBeLessThan(1e-4);
  });
  it('Metropolis-Hastings at temperature 0.001: within 0.07 in 3000 evaluations', () => {
    for (const seed of SEEDS) expect(bestDistance('mcmc', seed, 2, 3000, rosenbrock, ROSENBROCK_OPTIMUM, { temperature: 0.001 })).toBeLessThan(0.07);
  });
  it('Bayesian optimization: Rosenbrock value within 0.15 of the optimum (from a range of 0..3600) in 80 evaluations', () => {
    for (const seed of [1, 2, 3]) {
      const optimizer = createOptimizer('bayes', { dimensions: 2, rng: randomStream(seed, 'convergence', 'bayes'), budget: 80 });
      drive(optimizer, rosenbrock);
      expect(optimizer.summary()['bestFitness']).toBeGreaterThan(-0.15);
    }
  });
});
