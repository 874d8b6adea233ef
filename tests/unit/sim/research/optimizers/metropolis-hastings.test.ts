import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../../engine/core/index.js';
import { MetropolisHastings } from '../../../../../sim/research/optimizers/index.js';
import { drive } from './test-functions.js';

/** Fitness whose Boltzmann density at temperature T = 2 sigma^2 is N(centre, sigma^2) per axis (truncated to the cube). */
function gaussianTarget(centre: number): (x: readonly number[]) => number {
  return (x) => -x.reduce((s, v) => s + (v - centre) ** 2, 0);
}

describe('Metropolis-Hastings', () => {
  it('posterior samples of a unimodal target concentrate at its mode with the target spread (2-d, sigma 0.05, 8000 evaluations)', () => {
    const sigma = 0.05;
    const mcmc = new MetropolisHastings({ dimensions: 2, rng: randomStream(11, 'mcmc', 'posterior'), budget: 8000, temperature: 2 * sigma * sigma, chains: 4 });
    drive(mcmc, gaussianTarget(0.3));
    const s = mcmc.summary();
    const mean = s['posteriorMean'] as number[];
    const std = s['posteriorStd'] as number[];
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(mean[j]! - 0.3)).toBeLessThan(0.015);
      expect(std[j]).toBeGreaterThan(0.035);
      expect(std[j]).toBeLessThan(0.065);
    }
    // 4 chains x (2000 - 1 initial - 399 burn-in) post burn-in states, thin 1.
    expect(s['sampleCount']).toBe(4 * (2000 - 1 - 399));
    expect((s['samples'] as number[][]).length).toBe(s['sampleCount']);
  });
  it('reports an acceptance rate in (0, 1), and adaptation brings it near the 0.234 target', () => {
    const mcmc = new MetropolisHastings({ dimensions: 3, rng: randomStream(3, 'mcmc', 'rate'), budget: 4000, temperature: 0.005, step: 0.5 });
    drive(mcmc, gaussianTarget(0.5));
    const rate = mcmc.summary()['acceptanceRate'] as number;
    expect(rate).toBeGreaterThan(0.1);
    expect(rate).toBeLessThan(0.45);
    expect(mcmc.summary()['step']).toBeLessThan(0.5);
  });
  it('with adaptation off the step stays fixed and a huge step is rarely accepted on a sharp target', () => {
    const mcmc = new MetropolisHastings({ dimensions: 2, rng: randomStream(3, 'mcmc', 'fixed'), budget: 2000, temperature: 0.0001, step: 0.5, adaptStep: false });
    drive(mcmc, gaussianTarget(0.5));
    expect(mcmc.summary()['step']).toBe(0.5);
    expect(mcmc.summary()['acceptanceRate']).toBeLessThan(0.05);
  });
  it('thinning keeps every k-th post burn-in state', () => {
    const mcmc = new MetropolisHastings({ dimensions: 1, rng: randomStream(1, 'mcmc', 'thin'), budget: 202, chains: 2, burnIn: 20, thin: 5 });
    drive(mcmc, gaussianTarget(0.5));
    // 101 points per chain: 1 start + 100 proposals, 80 after burn-in, every 5th kept.
    expect(mcmc.summary()['sampleCount']).toBe(2 * 16);
  });
  it('rejects every proposal into a failed region, so samples never sit there', () => {
    const f = (x: readonly number[]): number => (x[0]! > 0.6 ? Number.NaN : -((x[0]! - 0.55) ** 2));
    const mcmc = new MetropolisHastings({ dimensions: 1, rng: randomStream(4, 'mcmc', 'failed'), budget: 2000, temperature: 0.01 });
    drive(mcmc, f);
    const samples = mcmc.summary()['samples'] as number[][];
    expect(samples.length).toBeGreaterThan(0);
    for (const x of samples) expect(x[0]).toBeLessThanOrEqual(0.6);
  });
});
