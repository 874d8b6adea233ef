import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EnsembleConfig } from '../../../../engine/ensemble/ensemble-config.js';
import { optimizeFromReturns, optimizeWeights } from '../../../../engine/ensemble/index.js';
import { combineSleeveTargets, combineTargets } from '../../../../engine/ensemble/stages/combination.js';
import { ShadowBook } from '../../../../engine/ensemble/shadow-book.js';
import { firstWrites } from '../../../support/first-writes.js';
import { SignalCollection } from '../../../../engine/ensemble/stages/signal-collection.js';
import { EnsembleWeighting } from '../../../../engine/ensemble/stages/weighting.js';
import type { AuditFn } from '../../../../engine/ensemble/stages/weighting.js';
import { EnsembleSectionSchema } from '../../../../scenarios/ensemble-schema.js';

/**
 * Seed 003's strategies x assets allocation (weighting kind strategy_asset) and seed 000's live
 * rebalance rules (ensemble.rebalanceRules), on hand-computed cases and against cvxopt.
 */

interface AllocationCase {
  name: string;
  returns: number[][];
  lambda: number;
  diversification: number;
  cost: number;
  gammaReg: number;
  wPrev: number[];
  wMax: number;
  weights: number[];
  objective: number;
}
const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/allocation-reference.json', import.meta.url), 'utf8')) as { cases: AllocationCase[] };

function auditLog(): { entries: { ts: number; kind: string; message: string; details?: Record<string, unknown> }[]; fn: AuditFn } {
  const entries: { ts: number; kind: string; message: string; details?: Record<string, unknown> }[] = [];
  return { entries, fn: (ts, kind, message, _id, details) => entries.push({ ts, kind, message, ...(details !== undefined ? { details } : {}) }) };
}

describe('the allocation QP with the diversification and cost terms, by hand (2 strategies x 2 assets = 4 sleeves)', () => {
  // Sigma = diag(0.1, 0.2, 0.3, 0.4), lambda 10, beta 0.25, kappa 0.25, w_prev = 1/4 each:
  // Q = lambda Sigma + 2 (beta + kappa) I = diag(2, 3, 4, 5), c = mu + 2 kappa w_prev = mu + 0.125.
  // Interior KKT: Q w - c = nu 1, so w_i = (c_i + nu) / q_i with nu = (1 - sum c_i/q_i) / sum 1/q_i.
  const base = { sigma: [[0.1, 0, 0, 0], [0, 0.2, 0, 0], [0, 0, 0.3, 0], [0, 0, 0, 0.4]], lambda: 10, eta: 0.25, diversification: 0.25, wPrev: [0.25, 0.25, 0.25, 0.25], wMax: 1 };

  it('finds the interior optimum: nu = 1561/3080, w = (1127, 854, 525, 574) / 3080', () => {
    // mu = (0.1, 0.2, 0.05, 0.3): c = (9/40, 13/40, 7/40, 17/40); sum c/q = 839/2400; sum 1/q = 77/60.
    const r = optimizeWeights({ ...base, mu: [0.1, 0.2, 0.05, 0.3] });
    expect(r.status).toBe('optimal');
    const want = [1127, 854, 525, 574].map((x) => x / 3080);
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(want[i]!, 14));
    // objective w'mu - lambda/2 w'Sigma w - kappa ||w - w_prev||^2 - beta ||w||^2
    const w = want;
    const obj = w.reduce((s, x, i) => s + x * [0.1, 0.2, 0.05, 0.3][i]! - 5 * [0.1, 0.2, 0.3, 0.4][i]! * x * x - 0.25 * (x - 0.25) ** 2 - 0.25 * x * x, 0);
    expect(r.objective).toBeCloseTo(obj, 14);
  });

  it('pins a sleeve with a poor mean at 0 and checks its bound multiplier: w = (139, 103, 0, 68) / 310', () => {
    // mu_3 = -1: c_3 = -0.875. Free set {1, 2, 4}: sum c/q = 734/2400, sum 1/q = 31/30, nu = 833/1240;
    // sleeve 3's gradient at 0 is q_3 x 0 - c_3 = 0.875 >= nu, so its lower-bound multiplier is >= 0.
    const r = optimizeWeights({ ...base, mu: [0.1, 0.2, -1, 0.3] });
    expect(r.status).toBe('optimal');
    const want = [139 / 310, 103 / 310, 0, 68 / 310];
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(want[i]!, 14));
    expect(0.875).toBeGreaterThanOrEqual(833 / 1240);
  });

  it('without beta the same program is the plain optimizer with eta = kappa (the diversification term is the only change)', () => {
    const mu = [0.1, 0.2, 0.05, 0.3];
    const withBeta = optimizeWeights({ ...base, mu });
    const without = optimizeWeights({ ...base, mu, diversification: 0 });
    expect(without.weights).not.toEqual(withBeta.weights);
    expect(optimizeWeights({ ...base, mu, diversification: undefined as unknown as number }).weights).toEqual(without.weights);
    const sq = (w: number[]) => w.reduce((s, x) => s + x * x, 0);
    expect(sq(withBeta.weights)).toBeLessThan(sq(without.weights));
  });

  it('refuses a negative or non-finite diversification as invalid input with fallback weights', () => {
    const r = optimizeWeights({ ...base, mu: [0.1, 0.2, 0.05, 0.3], diversification: -1 });
    expect(r.status).toBe('invalid_input');
    expect(r.reason).toMatch(/^diversification must be a finite number >= 0, was -1/);
    expect(r.weights).toEqual(base.wPrev);
  });
});

describe('optimizeFromReturns with diversification, cost and gammaReg against cvxopt (tests/fixtures/allocation-reference.json)', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: weights within 1e-9 and objective within 1e-10 of cvxopt's (measured: 1.4e-11 and 3.5e-14 at most)`, () => {
      const r = optimizeFromReturns(c.returns, {
        mean: { kind: 'sample' },
        covariance: { kind: 'sample' },
        lambda: c.lambda,
        eta: c.cost,
        wMax: c.wMax,
        wPrev: c.wPrev,
        gammaReg: c.gammaReg,
        diversification: c.diversification,
      });
      expect(r.status).toBe('optimal');
      let worst = 0;
      r.weights.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - c.weights[i]!))));
      expect(worst).toBeLessThan(1e-9);
      // Ours is the exact active-set optimum: never worse than the interior-point answer beyond rounding.
      expect(r.objective).toBeGreaterThanOrEqual(c.objective - 1e-12);
      expect(Math.abs(r.objective - c.objective)).toBeLessThan(1e-10);
    });
  }

  it('gammaReg moves the optimum (Sigma + gamma I): the regularized case differs from gamma 0', () => {
    const c = fixture.cases.find((x) => x.gammaReg > 0)!;
    const opts = { mean: { kind: 'sample' } as const, covariance: { kind: 'sample' } as const, lambda: c.lambda, eta: c.cost, wMax: c.wMax, wPrev: c.wPrev, diversification: c.diversification };
    const on = optimizeFromReturns(c.returns, { ...opts, gammaReg: c.gammaReg });
    const off = optimizeFromReturns(c.returns, { ...opts, gammaReg: 0 });
    expect(on.sigma[0]![0]! - off.sigma[0]![0]!).toBeCloseTo(c.gammaReg, 15);
    expect(on.sigma[0]![1]).toBe(off.sigma[0]![1]);
    expect(on.weights).not.toEqual(off.weights);
    expect(optimizeFromReturns(c.returns, { ...opts, gammaReg: -1 }).status).toBe('invalid_input');
  });
});

describe('sleeves: (strategy, symbol) returns from the shadow books, and the account target they give', () => {
  /** Two strategies x two symbols, 1000 capital each; a trades AAA and BBB, b only AAA. */
  function books(): SignalCollection {
    const c = new SignalCollection(['a', 'b'], ['AAA', 'BBB'], 1000, 0);
    c.trackSleeves([
      { strategy: 0, symbol: 0 },
      { strategy: 0, symbol: 1 },
      { strategy: 1, symbol: 0 },
    ]);
    c.onBar(0, 1, 10, 10);
    c.onBar(1, 1, 20, 20);
    c.sampleEquity(); // sample 1: nothing held
    c.setTarget(0, 0, 10); // a: 10 AAA
    c.setTarget(0, 1, 5); // a: 5 BBB
    c.setTarget(1, 0, -20); // b: short 20 AAA
    c.onBar(0, 2, 10, 11); // fills at 10, marks 11
    c.onBar(1, 2, 20, 18); // fills at 20, marks 18
    c.sampleEquity(); // sample 2
    c.onBar(0, 3, 11, 12);
    c.onBar(1, 3, 18, 19);
    c.sampleEquity(); // sample 3
    return c;
  }

  it('gives sleeve returns m_k x sleeve P&L / book equity, summing (at weights 1/m_k) to the book return', () => {
    const c = books();
    const rows = c.sleeveReturnsWindow(10);
    // period 1 -> 2: a/AAA +10 (10 x (11 - 10)), a/BBB -10 (5 x (18 - 20)), b/AAA -20 (-20 x (11 - 10)); books at 1000.
    // a has 2 sleeves, b has 1: returns 2 x 10/1000, 2 x -10/1000, 1 x -20/1000.
    expect(rows[0]).toEqual([0.02, -0.02, -0.02]);
    // period 2 -> 3: a's book 1000 + 10 - 10 = 1000; b's 980. a/AAA +10, a/BBB +5, b/AAA -20.
    expect(rows[1]![0]).toBeCloseTo(0.02, 15);
    expect(rows[1]![1]).toBeCloseTo(0.01, 15);
    expect(rows[1]![2]).toBeCloseTo(-20 / 980, 15);
    const bookReturns = c.returnsWindow(10);
    for (let t = 0; t < rows.length; t++) {
      expect((rows[t]![0]! + rows[t]![1]!) / 2).toBeCloseTo(bookReturns[t]![0]!, 15);
      expect(rows[t]![2]).toBeCloseTo(bookReturns[t]![1]!, 15);
    }
  });

  it("splits a book's P&L over its symbols exactly, costs included: equity = capital + sum of symbolPnl", () => {
    const book = new ShadowBook(2, 1000, 25);
    book.setTarget(0, 10);
    book.setTarget(1, -4);
    book.onBar(0, 1, 10, 11); // buys 10 at 10, cost 0.25; marks 11
    book.onBar(1, 1, 20, 19); // sells 4 at 20, cost 0.2; marks 19
    expect(book.symbolPnl(0)).toBeCloseTo(10 * 1 - 0.25, 12);
    expect(book.symbolPnl(1)).toBeCloseTo(4 * 1 - 0.2, 12);
    book.setTarget(0, 3);
    book.onBar(0, 2, 12, 12); // sells 7 at 12, cost 0.21
    expect(book.symbolPnl(0)).toBeCloseTo(10 * 2 - 0.25 - 0.21, 12);
    expect(book.equity() - 1000).toBeCloseTo(book.symbolPnl(0) + book.symbolPnl(1), 12);
  });

  it('equal sleeve weights (w_k / m_k) give exactly the strategy-level account target', () => {
    const c = books();
    const weights = Float64Array.from([0.6, 0.4]);
    // exposure k x 2 + i = W_k,i x m_k with W = w_k / m_k: a -> 0.6 on AAA and BBB, b -> 0.4 on AAA only.
    const exposure = Float64Array.from([0.6, 0.6, 0.4, 0]);
    for (const i of [0, 1]) expect(combineSleeveTargets(c, exposure, 2, i, 5000)).toBeCloseTo(combineTargets(c, weights, i, 5000), 12);
    // tilting a's sleeves toward AAA changes AAA's target by W x m x target x E / E_k: 0.2 x 2 x 10 x 5000 / 1000 more.
    const tilted = Float64Array.from([0.8, 0.4, 0.4, 0]);
    expect(combineSleeveTargets(c, tilted, 2, 0, 5000) - combineSleeveTargets(c, exposure, 2, 0, 5000)).toBeCloseTo(0.2 * 10 * 5000 / c.bookEquity(0), 12);
  });

  it('the weighting starts from equal sleeve splits of the base weights and re-weighs the sleeves by the QP', () => {
    const cfg = EnsembleSectionSchema.parse({ weighting: { kind: 'strategy_asset', lambda: 10, diversification: 0.001, cost: 0 }, baseWeights: { a: 3, b: 1 } }) as EnsembleConfig;
    const log = auditLog();
    const cells = [
      { strategy: 0, symbol: 0 },
      { strategy: 0, symbol: 1 },
      { strategy: 1, symbol: 0 },
    ];
    const w = new EnsembleWeighting(cfg, ['a', 'b'], 1, [], log.fn, { cells, symbols: ['AAA', 'BBB'] });
    w.start('mixed');
    expect([...w.weights()]).toEqual([0.75, 0.25]);
    // a's 0.75 split over its 2 sleeves (0.375 each) x m_a = 2 -> 0.75; b's one sleeve 0.25 x 1.
    expect([...w.exposure()!]).toEqual([0.75, 0.75, 0.25, 0]);
    const returns = [
      [0.01, -0.002, 0.004],
      [0.012, 0.001, -0.003],
      [0.008, -0.001, 0.002],
      [0.011, 0.0, -0.001],
    ];
    expect(w.reweigh(7, 60, { stats: {}, regime: 'mixed', returnsWindow: () => [], sleeveReturnsWindow: () => returns })).toBe(true);
    const direct = optimizeFromReturns(returns, { mean: { kind: 'sample' }, covariance: { kind: 'ledoit-wolf' }, lambda: 10, eta: 0, wMax: 1, wPrev: [0.375, 0.375, 0.25], gammaReg: 0, diversification: 0.001 });
    const x = w.exposure()!;
    expect(x[0]).toBeCloseTo(direct.weights[0]! * 2, 14);
    expect(x[1]).toBeCloseTo(direct.weights[1]! * 2, 14);
    expect(x[2]).toBeCloseTo(direct.weights[2]!, 14);
    expect(x[3]).toBe(0);
    expect(w.weights()[0]).toBeCloseTo(direct.weights[0]! + direct.weights[1]!, 14);
    expect(w.log.at(-1)!.source).toBe('strategy_asset:active-set:optimal');
    const changed = log.entries.find((e) => e.kind === 'weights.changed')!;
    expect(Object.keys(changed.details!.sleeves as object)).toEqual(['a/AAA', 'a/BBB', 'b/AAA']);
  });
});

describe("seed 000's live rebalance rules (ensemble.rebalanceRules)", () => {
  // Two strategies whose returns favour a: the optimizer moves away from 50/50.
  const returns = [
    [0.012, 0.001],
    [0.009, -0.002],
    [0.011, 0.002],
    [0.01, -0.001],
    [0.013, 0.0],
  ];
  const weighting = { kind: 'optimizer', lambda: 5, eta: 0, wMax: 1, mean: { kind: 'sample' }, covariance: { kind: 'sample' } } as const;
  const proposal = optimizeFromReturns(returns, { ...weighting, wPrev: [0.5, 0.5] });
  const run = (rules: Record<string, number> | null) => {
    const cfg = EnsembleSectionSchema.parse({ weighting, rebalanceRules: rules }) as EnsembleConfig;
    const log = auditLog();
    const w = new EnsembleWeighting(cfg, ['a', 'b'], 1, [], log.fn);
    w.start('mixed');
    const changed = w.reweigh(9, 60, { stats: {}, regime: 'mixed', returnsWindow: () => returns });
    return { changed, weights: [...w.weights()], log: log.entries, source: w.log.at(-1)!.source };
  };

  it('the case: from 50/50 the optimizer proposes all in a (turnover 1) at a confidence of about 0.68', () => {
    expect(proposal.status).toBe('optimal');
    expect(proposal.weights).toEqual([1, 0]);
    expect(proposal.turnover).toBe(1);
    expect(proposal.confidence).toBeGreaterThan(0.3);
    expect(proposal.confidence).toBeLessThan(0.9);
  });

  it('accepts new weights whose turnover is below maxTurnover', () => {
    const r = run({ maxTurnover: proposal.turnover + 1e-9, minConfidence: 1, minWeightChange: 0 });
    expect(r.changed).toBe(true);
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(proposal.weights[i]!, 14));
    expect(r.log.some((e) => e.kind === 'weights.rejected')).toBe(false);
  });

  it('rejects them at a turnover not below maxTurnover and a confidence not above minConfidence: the weights held stay, audited', () => {
    const r = run({ maxTurnover: proposal.turnover, minConfidence: proposal.confidence, minWeightChange: 0 });
    expect(r.changed).toBe(false);
    expect(r.weights).toEqual([0.5, 0.5]);
    const rejected = r.log.filter((e) => e.kind === 'weights.rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.message).toMatch(/^new weights rejected: turnover \d\.\d{4} is not below maxTurnover .* and confidence 0\.\d{4} is not above minConfidence/);
    expect(rejected[0]!.details).toMatchObject({ turnover: proposal.turnover, confidence: proposal.confidence });
  });

  it('accepts a high turnover when the confidence is above minConfidence (the override)', () => {
    const r = run({ maxTurnover: 0.01, minConfidence: proposal.confidence - 1e-9, minWeightChange: 0 });
    expect(r.changed).toBe(true);
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(proposal.weights[i]!, 14));
  });

  it('does not make weight changes at or below minWeightChange, and makes larger ones', () => {
    const move = Math.abs(proposal.weights[0]! - 0.5);
    const skipped = run({ maxTurnover: 10, minConfidence: 0, minWeightChange: move });
    expect(skipped.changed).toBe(false);
    expect(skipped.weights).toEqual([0.5, 0.5]);
    const made = run({ maxTurnover: 10, minConfidence: 0, minWeightChange: move - 1e-6 });
    expect(made.changed).toBe(true);
    expect(made.log.find((e) => e.kind === 'weights.changed')!.message).not.toMatch(/not made/);
  });

  it('skips only the small changes: a weight that moves by 1% or less keeps its value, the others move', () => {
    const cfg = EnsembleSectionSchema.parse({ weighting: { kind: 'performance' }, rebalanceRules: { minWeightChange: 0.01 } }) as EnsembleConfig;
    const w = new EnsembleWeighting(cfg, ['a', 'b', 'c'], 1, [], auditLog().fn);
    w.start('mixed');
    const reweigh = (ts: number, samples: number, a: number, b: number, c: number) =>
      w.reweigh(ts, samples, { stats: { a: { sharpe: a } as never, b: { sharpe: b } as never, c: { sharpe: c } as never }, regime: 'mixed', returnsWindow: () => [] });
    // Sharpe (1.02, 0.98, 1) / 3: moves of +0.0067, -0.0067, 0 from 1/3 each: none made.
    expect(reweigh(5, 60, 1.02, 0.98, 1)).toBe(false);
    expect([...w.weights()]).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // (2, 1, 1) / 4: every move is above 1%.
    expect(reweigh(6, 80, 2, 1, 1)).toBe(true);
    expect([...w.weights()]).toEqual([0.5, 0.25, 0.25]);
    // (2, 1.1, 1) / 4.1: a -0.0122 and b +0.0183 are made, c -0.0061 is not (it keeps 0.25; the sum is then 1.0061).
    expect(reweigh(7, 100, 2, 1.1, 1)).toBe(true);
    const [a, b, c] = [...w.weights()];
    expect(a).toBeCloseTo(2 / 4.1, 15);
    expect(b).toBeCloseTo(1.1 / 4.1, 15);
    expect(c).toBe(0.25);
  });
});

describe("ShadowBook's cash", () => {
  it('is first written with its number by the constructor (written at each shadow trade, not re-boxed)', () => {
    const seen = firstWrites(ShadowBook, ['cash'], (C) => new (C as unknown as typeof ShadowBook)(2, 100_000.5));
    expect(seen).toEqual({ cash: 100_000.5 });
  });
});
