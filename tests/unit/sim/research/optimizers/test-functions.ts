import { createOptimizer, type Optimizer } from '../../../../../sim/research/optimizers/index.js';

/** Negated sphere centred at `centre` in every dimension: maximum 0 at x = centre. */
export function sphere(centre: number): (x: readonly number[]) => number {
  return (x) => -x.reduce((s, v) => s + (v - centre) ** 2, 0);
}

/**
 * Negated 2-d Rosenbrock (a = 1, b = 100) on u in [0, 1]^2 mapped to [-2, 2]^2 (x = 4u - 2):
 * maximum 0 at x = (1, 1), i.e. u = (0.75, 0.75).
 */
export function rosenbrock(u: readonly number[]): number {
  const x = 4 * u[0]! - 2;
  const y = 4 * u[1]! - 2;
  return -((1 - x) ** 2 + 100 * (y - x * x) ** 2);
}

export const ROSENBROCK_OPTIMUM = [0.75, 0.75];

/** Runs `optimizer` to completion on `f`, telling each batch in reverse order; returns the evaluated points in ask order. */
export function drive(optimizer: Optimizer, f: (x: readonly number[]) => number): { x: number[]; fitness: number }[] {
  const all: { x: number[]; fitness: number }[] = [];
  for (let batch = optimizer.ask(); batch !== null; batch = optimizer.ask()) {
    const results = batch.map((x) => ({ x, fitness: f(x) }));
    all.push(...results);
    optimizer.tell(results.slice().reverse());
  }
  return all;
}

/** Returns the Euclidean distance between two points. */
export function distanceTo(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((s, v, j) => s + (v - b[j]!) ** 2, 0));
}

export { createOptimizer };
