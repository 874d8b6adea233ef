import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, randomStream } from '../../../../../engine/core/index.js';
import { clipUnit, effectiveFitness, latinHypercube, reflectUnit, type Optimizer } from '../../../../../sim/research/optimizers/index.js';
import { createOptimizer, sphere } from './test-functions.js';

const METHODS = ['random', 'ga', 'de', 'mcmc', 'bayes'] as const;

function make(method: (typeof METHODS)[number], seed: number, budget = 60): Optimizer {
  return createOptimizer(method, { dimensions: 3, rng: randomStream(seed, 'protocol', method), budget });
}

/** Runs to completion telling each batch in the order `order` gives; returns every batch asked. */
function askSequence(optimizer: Optimizer, order: (n: number, round: number) => number[], f = sphere(0.3)): number[][][] {
  const batches: number[][][] = [];
  for (let batch = optimizer.ask(), round = 0; batch !== null; batch = optimizer.ask(), round++) {
    batches.push(batch);
    const results = batch.map((x) => ({ x, fitness: f(x) }));
    for (const i of order(batch.length, round)) optimizer.tell([results[i]!]);
  }
  return batches;
}

const forward = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const scrambled = (n: number, round: number): number[] => randomStream(round, 'order', 'scramble').shuffle(forward(n));

describe('unit-cube helpers', () => {
  it('reflectUnit mirrors at both faces and leaves inside points alone', () => {
    expect(reflectUnit(0.25)).toBe(0.25);
    expect(reflectUnit(-0.2)).toBeCloseTo(0.2, 15);
    expect(reflectUnit(1.3)).toBeCloseTo(0.7, 15);
    expect(reflectUnit(2.4)).toBeCloseTo(0.4, 15);
    expect(reflectUnit(-1.25)).toBeCloseTo(0.75, 15);
  });
  it('clipUnit clamps to the faces', () => {
    expect([clipUnit(-3), clipUnit(0.5), clipUnit(7)]).toEqual([0, 0.5, 1]);
  });
  it('a Latin hypercube puts exactly one point in each 1/n stratum of every axis', () => {
    const points = latinHypercube(10, 3, randomStream(1, 'lhs', 'test'));
    for (let j = 0; j < 3; j++) {
      const strata = points.map((p) => Math.floor(p[j]! * 10)).sort((a, b) => a - b);
      expect(strata).toEqual(forward(10));
    }
  });
  it('non-finite fitness counts as a failure (-Infinity)', () => {
    expect([effectiveFitness(Number.NaN), effectiveFitness(Number.POSITIVE_INFINITY), effectiveFitness(-1)]).toEqual([
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -1,
    ]);
  });
});

describe('the ask/tell protocol', () => {
  it.each(METHODS)('%s asks the same batches for the same seed whatever order results are told in', (method) => {
    const a = askSequence(make(method, 7), forward);
    const b = askSequence(make(method, 7), (n, round) => scrambled(n, round));
    expect(b).toEqual(a);
    expect(a.flat().length).toBeLessThanOrEqual(60);
  });
  it.each(METHODS)('%s asks different points for a different seed', (method) => {
    expect(askSequence(make(method, 8), forward)).not.toEqual(askSequence(make(method, 7), forward));
  });
  it.each(METHODS)('%s keeps every point inside the unit cube and never exceeds the budget', (method) => {
    const points = askSequence(make(method, 3, 45), forward).flat();
    expect(points.length).toBeLessThanOrEqual(45);
    for (const x of points) for (const v of x) expect(v >= 0 && v <= 1).toBe(true);
  });
  it.each(METHODS)('%s survives failed trials (NaN and -Infinity) and reports them', (method) => {
    const flaky = (x: readonly number[]): number => (x[0]! < 0.5 ? Number.NaN : x[1]! < 0.3 ? Number.NEGATIVE_INFINITY : sphere(0.7)(x));
    const optimizer = make(method, 5, 80);
    askSequence(optimizer, forward, flaky);
    const s = optimizer.summary();
    expect(s['failures']).toBeGreaterThan(0);
    expect(s['evaluations']).toBeLessThanOrEqual(80);
    const bestX = s['bestX'] as number[];
    expect(bestX[0]).toBeGreaterThanOrEqual(0.5);
    expect(Number.isFinite(s['bestFitness'])).toBe(true);
  });
  it.each(METHODS)('%s survives a search in which every trial fails', (method) => {
    const optimizer = make(method, 5, 40);
    askSequence(optimizer, forward, () => Number.NaN);
    expect(optimizer.summary()['bestX']).toBeNull();
    expect(optimizer.summary()['failures']).toBe(optimizer.summary()['evaluations']);
  });
  it('asking again before every point of the batch was told is an error saying how many were told', () => {
    const optimizer = make('ga', 1);
    const batch = optimizer.ask()!;
    optimizer.tell([{ x: batch[0]!, fitness: 1 }]);
    expect(() => optimizer.ask()).toThrow(`1 of ${batch.length} told`);
  });
  it('telling a point that was not asked is an error naming the point', () => {
    const optimizer = make('de', 1);
    optimizer.ask();
    expect(() => optimizer.tell([{ x: [0.123, 0.5, 0.5], fitness: 1 }])).toThrow(/not pending.*0\.123/);
  });
  it('telling with no batch in flight is an error', () => {
    expect(() => make('mcmc', 1).tell([])).toThrow(InvalidArgumentError);
  });
  it('a genetic algorithm that stops improving reports convergence before the budget is spent', () => {
    const optimizer = createOptimizer('ga', { dimensions: 2, rng: randomStream(1, 'protocol', 'ga'), budget: 100000, patience: 5 });
    askSequence(optimizer, forward, () => 1);
    const s = optimizer.summary();
    expect(s['converged']).toBe(true);
    expect(s['convergence']).toBe('stalled');
    expect(s['generations']).toBe(6);
    expect((s['bestPerGeneration'] as number[]).length).toBe(6);
  });
  it('differential evolution that collapses onto one point reports convergence by diversity', () => {
    const optimizer = createOptimizer('de', { dimensions: 2, rng: randomStream(2, 'protocol', 'de'), budget: 100000, populationSize: 8, patience: 1000 });
    askSequence(optimizer, forward, sphere(0.3));
    const s = optimizer.summary();
    expect(s['converged']).toBe(true);
    expect(s['convergence']).toBe('diversity');
    expect(s['evaluations']).toBeLessThan(100000);
  });
});

describe('createOptimizer', () => {
  it('refuses grid, pointing at the space-based grid', () => {
    expect(() => createOptimizer('grid', { dimensions: 2, rng: randomStream(1, 'x', 'y'), budget: 10 })).toThrow(/space/);
  });
  it('refuses an unknown method, listing the known ones', () => {
    expect(() => createOptimizer('annealing', { dimensions: 2, rng: randomStream(1, 'x', 'y'), budget: 10 })).toThrow(/grid, random, ga, de, mcmc, bayes/);
  });
  it('refuses an unknown option, naming it', () => {
    expect(() => createOptimizer('ga', { dimensions: 2, rng: randomStream(1, 'x', 'y'), budget: 10, mutationProbability: 0.2 })).toThrow(/'mutationProbability'/);
  });
  it('refuses bad common options, naming them', () => {
    expect(() => createOptimizer('random', { dimensions: 0, rng: randomStream(1, 'x', 'y'), budget: 10 })).toThrow(/'dimensions'/);
    expect(() => createOptimizer('random', { dimensions: 2, rng: randomStream(1, 'x', 'y'), budget: 1.5 })).toThrow(/'budget'/);
  });
  it('refuses bad method options, naming them', () => {
    expect(() => createOptimizer('de', { dimensions: 2, rng: randomStream(1, 'x', 'y'), budget: 10, differentialWeight: 3 })).toThrow(/'differentialWeight'/);
    expect(() => createOptimizer('ga', { dimensions: 2, rng: randomStream(1, 'x', 'y'), budget: 10, elitism: 20 })).toThrow(/'elitism'/);
    expect(() => createOptimizer('mcmc', { dimensions: 2, rng: randomStream(1, 'x', 'y'), budget: 10, temperature: 0 })).toThrow(/'temperature'/);
    expect(() => createOptimizer('bayes', { dimensions: 2, rng: randomStream(1, 'x', 'y'), budget: 10, kernel: 'cubic' })).toThrow(/'kernel'/);
  });
});
