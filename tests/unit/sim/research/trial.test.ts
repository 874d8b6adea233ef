import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../engine/core/index.js';
import { canonicalJson, combinedHash, fitnessOf, fitnessOfMetrics, parseFitness, returnMoments, equityReturns, trialKey, trialSeed } from '../../../../sim/research/index.js';
import type { TrialMetrics, TrialResult } from '../../../../sim/research/index.js';

const metrics: TrialMetrics = {
  finalEquity: 110,
  totalReturn: 0.1,
  sharpe: 1.5,
  sortino: 2,
  maxDrawdown: 0.2,
  tradeCount: 4,
  winRate: 0.5,
  profitFactor: null,
  cagr: 0.05,
  observations: 10,
  periodSharpe: 0.1,
  skewness: 0,
  kurtosis: 3,
};

describe('trial identity', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 'x' }], c: true } })).toBe('{"a":{"c":true,"d":[2,{"e":"x","f":1}]},"b":1}');
  });

  it('gives the same key for the same params in any key order, and a different key otherwise', () => {
    expect(trialKey({ a: 1, b: 'x' })).toBe(trialKey({ b: 'x', a: 1 }));
    expect(trialKey({ a: 1, b: 'x' })).not.toBe(trialKey({ a: 2, b: 'x' }));
    expect(trialKey({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('derives the trial seed from the sweep seed and the key only', () => {
    const k = trialKey({ a: 1 });
    expect(trialSeed(7, k)).toBe(trialSeed(7, k));
    expect(trialSeed(7, k)).not.toBe(trialSeed(8, k));
    expect(Number.isInteger(trialSeed(7, k))).toBe(true);
    expect(trialSeed(7, k)).toBeGreaterThanOrEqual(0);
    expect(trialSeed(7, k)).toBeLessThan(2 ** 31);
  });

  it('combinedHash does not depend on the order of the trials but on each key, runHash and status', () => {
    const a: TrialResult = { status: 'ok', key: 'a1', params: {}, seed: 1, metrics, runHash: 'h1', returns: new Float64Array(0) };
    const b: TrialResult = { status: 'failed', key: 'b2', params: {}, seed: 2, error: 'boom' };
    expect(combinedHash([a, b])).toBe(combinedHash([b, a]));
    expect(combinedHash([a, b])).not.toBe(combinedHash([{ ...a, runHash: 'h2' }, b]));
    expect(combinedHash([a, b])).not.toBe(combinedHash([a]));
  });
});

describe('fitness', () => {
  it('parses a single metric with weight 1', () => {
    expect(parseFitness('sharpe').terms).toEqual([{ metric: 'sharpe', weight: 1 }]);
  });

  it('weights a composite in term order', () => {
    const f = parseFitness('sharpe:1, maxDrawdown:-0.5');
    expect(f.text).toBe('sharpe:1,maxDrawdown:-0.5');
    expect(fitnessOfMetrics(f, metrics)).toBe(1.5 - 0.1);
  });

  it('is -Infinity when a weighted metric is undefined or the trial failed', () => {
    expect(fitnessOfMetrics(parseFitness('profitFactor'), metrics)).toBe(Number.NEGATIVE_INFINITY);
    expect(fitnessOf(parseFitness('sharpe'), { status: 'failed', key: 'k', params: {}, seed: 1, error: 'x' })).toBe(Number.NEGATIVE_INFINITY);
  });

  it('names an unknown metric, a bad weight and a repeated metric', () => {
    expect(() => parseFitness('sharp')).toThrow(/unknown metric 'sharp'/);
    expect(() => parseFitness('sharpe:x')).toThrow(/weight of 'sharpe'/);
    expect(() => parseFitness('sharpe,sharpe:2')).toThrow(/given twice/);
    expect(() => parseFitness('sharpe,')).toThrow(ConfigError);
  });
});

describe('returnMoments', () => {
  it('computes the per-period Sharpe, skewness and raw kurtosis by hand', () => {
    // returns 1, 2, 3, 6: mean 3, deviations -2 -1 0 3, m2 = 14, m3 = -8 - 1 + 27 = 18, m4 = 16 + 1 + 81 = 98
    const m = returnMoments([1, 2, 3, 6]);
    expect(m.observations).toBe(4);
    expect(m.sharpe).toBeCloseTo(3 / Math.sqrt(14 / 3), 14);
    expect(m.skewness).toBeCloseTo(18 / 4 / (14 / 4) ** 1.5, 14);
    expect(m.kurtosis).toBeCloseTo(98 / 4 / (14 / 4) ** 2, 14);
  });

  it('has no Sharpe or moments without dispersion', () => {
    expect(returnMoments([0.01, 0.01])).toMatchObject({ sharpe: null, skewness: null, kurtosis: null, observations: 2 });
    expect(returnMoments([])).toMatchObject({ observations: 0, sharpe: null });
  });

  it('turns an equity curve into simple returns', () => {
    expect([...equityReturns([100, 110, 99])]).toEqual([110 / 100 - 1, 99 / 110 - 1]);
  });
});
