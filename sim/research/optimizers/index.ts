import { InvalidArgumentError } from '../../../engine/core/index.js';
import { BayesianOptimizer, type BayesianOptions } from './bayesian.js';
import { DifferentialEvolution, type DifferentialEvolutionOptions } from './differential-evolution.js';
import { GeneticOptimizer, type GeneticOptions } from './genetic.js';
import { MetropolisHastings, type MetropolisHastingsOptions } from './metropolis-hastings.js';
import type { CommonOptimizerOptions, Optimizer } from './optimizer.js';
import { RandomSearch, type RandomSearchOptions } from './random-search.js';

export * from './optimizer.js';
export * from './population.js';
export * from './random-search.js';
export * from './genetic.js';
export * from './differential-evolution.js';
export * from './metropolis-hastings.js';
export * from './gaussian-process.js';
export * from './bayesian.js';

/** Every search method a sweep can name; 'grid' enumerates the space itself (see sim/research/space.ts). */
export const OPTIMIZER_METHODS = ['grid', 'random', 'ga', 'de', 'mcmc', 'bayes'] as const;

/** The options of each method created by {@link createOptimizer}. */
export interface OptimizerOptionsByMethod {
  random: RandomSearchOptions;
  ga: GeneticOptions;
  de: DifferentialEvolutionOptions;
  mcmc: MetropolisHastingsOptions;
  bayes: BayesianOptions;
}

/**
 * Returns a new optimizer for `method` over [0, 1]^dimensions. Method options sit beside the common
 * ones (`dimensions`, `rng`, `budget`); an unknown option is an error naming it. 'grid' is refused:
 * a grid is the space's own discrete points, enumerated by the space-based grid of the sweep
 * (sim/research/space.ts), not a search over the unit cube.
 */
export function createOptimizer<M extends keyof OptimizerOptionsByMethod>(method: M, options: OptimizerOptionsByMethod[M]): Optimizer;
export function createOptimizer(method: string, options: CommonOptimizerOptions & Readonly<Record<string, unknown>>): Optimizer;
export function createOptimizer(method: string, options: CommonOptimizerOptions): Optimizer {
  switch (method) {
    case 'grid':
      throw new InvalidArgumentError(
        "invalid 'method': grid is not an ask/tell optimizer; it enumerates the space's discrete points (use the space-based grid of sim/research/space.ts)",
      );
    case 'random':
      return new RandomSearch(options);
    case 'ga':
      return new GeneticOptimizer(options);
    case 'de':
      return new DifferentialEvolution(options);
    case 'mcmc':
      return new MetropolisHastings(options);
    case 'bayes':
      return new BayesianOptimizer(options);
    default:
      throw new InvalidArgumentError(`invalid 'method': not one of ${OPTIMIZER_METHODS.join(', ')}, was ${JSON.stringify(method)}`);
  }
}
