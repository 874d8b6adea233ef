import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../../engine/core/index.js';
import { annualizedSharpe, lambdaEtaWalkForward } from '../../../../../sim/research/walk-forward/index.js';

/** 5 strategies, 400 daily rows: strategy 0 earns a steady premium, the others are noise. */
function returnsMatrix(seed: number): number[][] {
  const rng = randomStream(seed, 'lambda-eta', 'returns');
  return Array.from({ length: 400 }, () => Array.from({ length: 5 }, (_, j) => (j === 0 ? 0.002 : 0) + 0.01 * rng.normal()));
}

describe("seed 000's lambda/eta search by walk-forward", () => {
  const returns = returnsMatrix(1);
  const options = { lambdas: [50, 300], etas: [0.01, 0.1], wMax: 0.6, train: 120, test: 40, innerTrain: 80, innerTest: 20 };
  const result = lambdaEtaWalkForward(returns, options);

  it('has one fold per complete test window and one out-of-sample return per test row', () => {
    expect(result.folds).toHaveLength(7);
    expect(result.oosReturns).toHaveLength(7 * 40);
    expect(result.oosRows[0]).toBe(120);
    expect(result.oosRows.at(-1)).toBe(399);
  });
  it('each fold chooses the grid pair with the best inner Sharpe ratio', () => {
    for (const fold of result.folds) {
      expect(fold.grid).toHaveLength(4);
      const best = Math.max(...fold.grid.map((g) => g.sharpe ?? Number.NEGATIVE_INFINITY));
      expect(fold.innerSharpe).toBe(best);
      expect(fold.grid.find((g) => g.sharpe === best)).toMatchObject({ lambda: fold.lambda, eta: fold.eta });
    }
  });
  it('out-of-sample returns are the held weights times the test rows, and the equity compounds them', () => {
    for (const fold of result.folds) {
      for (let t = fold.test.start; t < fold.test.end; t++) {
        const expected = fold.weights.reduce((s, w, j) => s + w * returns[t]![j]!, 0);
        expect(result.oosReturns[result.oosRows.indexOf(t)]).toBeCloseTo(expected, 15);
      }
    }
    expect(result.oosEquity.at(-1)).toBeCloseTo(result.oosReturns.reduce((e, r) => e * (1 + r), 1), 12);
    expect(result.oosSharpe).toBe(annualizedSharpe(result.oosReturns, 252));
  });
  it('weights lean on the strategy with the premium, and the out-of-sample Sharpe is positive', () => {
    for (const fold of result.folds) expect(fold.weights[0]).toBeGreaterThan(0.3);
    expect(result.oosSharpe!).toBeGreaterThan(0.5);
  });
  it('a fold never sees its own test rows: changing them leaves its choice and weights unchanged', () => {
    const altered = returns.map((row, t) => (t >= 200 && t < 240 ? row.map(() => 0.5) : row));
    const other = lambdaEtaWalkForward(altered, options);
    const fold = other.folds.find((f) => f.test.start === 200)!;
    const original = result.folds.find((f) => f.test.start === 200)!;
    expect([fold.lambda, fold.eta, fold.weights]).toEqual([original.lambda, original.eta, original.weights]);
  });
  it('a cost per unit of turnover is charged on the first row of each test window', () => {
    const withCost = lambdaEtaWalkForward(returns, { ...options, cost: 0.01 });
    const f = withCost.folds[1]!;
    const first = withCost.oosRows.indexOf(f.test.start);
    const gross = f.weights.reduce((s, w, j) => s + w * returns[f.test.start]![j]!, 0);
    expect(withCost.oosReturns[first]).toBeCloseTo(gross - 0.01 * f.turnover, 15);
  });
  it('is deterministic and rejects inner windows that do not fit, naming them', () => {
    expect(lambdaEtaWalkForward(returns, options)).toEqual(result);
    expect(() => lambdaEtaWalkForward(returns, { ...options, innerTrain: 110 })).toThrow(/'innerTrain'/);
    expect(() => lambdaEtaWalkForward([[0.1, 0.2], [0.1]], options)).toThrow(/'returns\[1\]'/);
  });
});
