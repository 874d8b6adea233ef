import { describe, expect, it } from 'vitest';
import { cholesky, expectedImprovement, GaussianProcess, kernelValue, normalCdf, normalQuantile, normalScores } from '../../../../../sim/research/optimizers/index.js';

describe('Gaussian process building blocks', () => {
  it('Cholesky factors a hand-computed 3 x 3 matrix', () => {
    // A = L L' with L = [[2,0,0],[1,3,0],[-1,2,4]].
    const a = Float64Array.from([4, 2, -2, 2, 10, 5, -2, 5, 21]);
    expect(Array.from(cholesky(a, 3)!)).toEqual([2, 0, 0, 1, 3, 0, -1, 2, 4]);
  });
  it('Cholesky returns null for a matrix that is not positive definite', () => {
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
  });
  it('kernels are 1 at distance 0 and match their closed forms', () => {
    expect(kernelValue('matern52', 0, 0.3)).toBe(1);
    const s = Math.sqrt(5) * 0.2 / 0.4;
    expect(kernelValue('matern52', 0.2, 0.4)).toBeCloseTo((1 + s + (s * s) / 3) * Math.exp(-s), 15);
    expect(kernelValue('rbf', 0.2, 0.4)).toBeCloseTo(Math.exp(-0.125), 15);
  });
  it('the normal distribution function and quantile match tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
  });
  it('normal scores are monotone, symmetric and share ties', () => {
    const z = normalScores([10, -5, 3, 3]);
    expect(z[1]!).toBeLessThan(z[2]!);
    expect(z[2]).toBe(z[3]);
    expect(z[0]!).toBeGreaterThan(z[2]!);
    expect(z[0]! + z[1]!).toBeCloseTo(0, 12);
  });
  it('expected improvement is the positive part when there is no uncertainty, and grows with uncertainty', () => {
    expect(expectedImprovement(2, 0, 1, 0)).toBe(1);
    expect(expectedImprovement(0.5, 0, 1, 0)).toBe(0);
    expect(expectedImprovement(1, 1, 1, 0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 7);
    expect(expectedImprovement(0, 2, 1, 0)).toBeGreaterThan(expectedImprovement(0, 1, 1, 0));
  });
  it('a nearly noiseless process interpolates its data and is uncertain far from it', () => {
    const xs = [[0.1], [0.4], [0.9]];
    const ys = [1, 3, -2];
    const gp = GaussianProcess.fit('matern52', { lengthScale: 0.3, noise: 1e-10 }, xs, ys)!;
    xs.forEach((x, i) => {
      expect(gp.predict(x).mean).toBeCloseTo(ys[i]!, 6);
      expect(gp.predict(x).std).toBeLessThan(1e-3);
    });
    expect(gp.predict([0.65]).std).toBeGreaterThan(0.1);
  });
  it('marginal likelihood prefers a long length scale for a smooth function and a short one for a rough one', () => {
    const xs = Array.from({ length: 20 }, (_, i) => [i / 19]);
    const smooth = xs.map(([x]) => x!);
    const rough = xs.map(([x], i) => Math.sin(40 * x!) + (i % 2));
    const scales = [0.02, 0.05, 0.1, 0.5, 1, 2];
    const a = GaussianProcess.fitBest('rbf', xs, smooth, scales, [1e-6])!;
    const b = GaussianProcess.fitBest('rbf', xs, rough, scales, [1e-6])!;
    expect(a.hyper.lengthScale).toBeGreaterThan(b.hyper.lengthScale);
  });
});
