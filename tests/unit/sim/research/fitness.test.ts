import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../engine/core/index.js';
import { FITNESS_PRESETS, fitnessOf, fitnessOfMetrics, parseFitness } from '../../../../sim/research/fitness.js';
import type { TrialMetrics } from '../../../../sim/research/trial.js';

const METRICS = {
  finalEquity: 110_000,
  totalReturn: 0.1,
  sharpe: 1.5,
  sortino: 2,
  maxDrawdown: 0.2,
  tradeCount: 12,
  winRate: 0.5,
  profitFactor: 1.4,
  cagr: 0.08,
  periodSharpe: 0.09,
} as unknown as TrialMetrics;

describe('fitness composites', () => {
  it('a bare metric name weighs that metric by 1', () => {
    const f = parseFitness('sharpe');
    expect(f.terms).toEqual([{ metric: 'sharpe', weight: 1 }]);
    expect(fitnessOfMetrics(f, METRICS)).toBe(1.5);
  });
  it('weighted terms sum in order: sharpe:1,maxDrawdown:-0.5,profitFactor:0.2', () => {
    const f = parseFitness('sharpe:1, maxDrawdown:-0.5 ,profitFactor:0.2');
    expect(f.text).toBe('sharpe:1,maxDrawdown:-0.5,profitFactor:0.2');
    expect(fitnessOfMetrics(f, METRICS)).toBeCloseTo(1.5 - 0.1 + 0.28, 15);
  });
  it('the seed001 preset is seed 001 default weights: sharpe 1, total return 0.3, win rate 0.2, max drawdown -0.1', () => {
    const f = parseFitness('seed001');
    expect(FITNESS_PRESETS['seed001']).toBe('sharpe:1,totalReturn:0.3,winRate:0.2,maxDrawdown:-0.1');
    expect(f.terms.map((t) => [t.metric, t.weight])).toEqual([
      ['sharpe', 1],
      ['totalReturn', 0.3],
      ['winRate', 0.2],
      ['maxDrawdown', -0.1],
    ]);
    expect(fitnessOfMetrics(f, METRICS)).toBeCloseTo(1.5 + 0.03 + 0.1 - 0.02, 15);
  });
  it('a null weighted metric gives -Infinity; an unweighted null metric does not matter', () => {
    const noTrades = { ...METRICS, winRate: null, profitFactor: null } as unknown as TrialMetrics;
    expect(fitnessOfMetrics(parseFitness('sharpe:1,winRate:1'), noTrades)).toBe(Number.NEGATIVE_INFINITY);
    expect(fitnessOfMetrics(parseFitness('sharpe'), noTrades)).toBe(1.5);
  });
  it('a failed trial has fitness -Infinity', () => {
    expect(fitnessOf(parseFitness('sharpe'), { status: 'failed' } as never)).toBe(Number.NEGATIVE_INFINITY);
  });
  it.each([
    ['sharp', /unknown metric 'sharp'.*presets: seed001/],
    ['sharpe:abc', /weight of 'sharpe'/],
    ['sharpe:', /weight of 'sharpe'/],
    ['sharpe,sharpe:2', /given twice/],
    ['sharpe,,winRate', /empty term/],
    ['sharpe:1:2', /metric or metric:weight/],
  ])('rejects %s with a ConfigError on --fitness naming the problem', (text, message) => {
    expect(() => parseFitness(text)).toThrow(ConfigError);
    expect(() => parseFitness(text)).toThrow(message);
  });
});
