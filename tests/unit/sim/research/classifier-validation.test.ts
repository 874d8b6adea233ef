import { describe, expect, it } from 'vitest';
import { validateClassifier, validationSplits } from '../../../../sim/research/classifier-validation.js';

describe('validationSplits', () => {
  it('kfold: contiguous test blocks, train everywhere else but `purge` rows before and `embargo` rows after each block', () => {
    expect(validationSplits(20, { scheme: 'kfold', folds: 4, purge: 2, embargo: 1 })).toEqual([
      { test: [{ start: 0, end: 5 }], train: [{ start: 6, end: 20 }] },
      { test: [{ start: 5, end: 10 }], train: [{ start: 0, end: 3 }, { start: 11, end: 20 }] },
      { test: [{ start: 10, end: 15 }], train: [{ start: 0, end: 8 }, { start: 16, end: 20 }] },
      { test: [{ start: 15, end: 20 }], train: [{ start: 0, end: 13 }] },
    ]);
  });

  it('walkforward: anchored, training only before each test block minus the purge; an embargo is refused', () => {
    expect(validationSplits(20, { scheme: 'walkforward', folds: 3, purge: 1, embargo: 0 })).toEqual([
      { train: [{ start: 0, end: 4 }], test: [{ start: 5, end: 10 }] },
      { train: [{ start: 0, end: 9 }], test: [{ start: 10, end: 15 }] },
      { train: [{ start: 0, end: 14 }], test: [{ start: 15, end: 20 }] },
    ]);
    expect(() => validationSplits(20, { scheme: 'walkforward', folds: 3, purge: 1, embargo: 2 })).toThrow(/invalid 'embargo'/);
    expect(() => validationSplits(20, { scheme: 'kfold', folds: 1, purge: 0, embargo: 0 })).toThrow(/invalid 'folds'/);
  });

  it('kfold predicts every row exactly once, walkforward every row after the first block', () => {
    const n = 60;
    const x = Float64Array.from({ length: n }, (_, i) => (i % 2) + (i % 7) / 10);
    const y = Float64Array.from({ length: n }, (_, i) => i % 2);
    const o = { purge: 1, embargo: 1, seed: 1, features: ['ibs'], symbol: 'A' } as const;
    const k = validateClassifier({ kind: 'logit', C: 1 }, x, y, n, { ...o, scheme: 'kfold', folds: 5 });
    expect(k.result.outOfSample.rows).toBe(60);
    expect(k.result.outOfSample.auc).toBe(1);
    expect(k.result.folds.map((f) => f.rows)).toEqual([12, 12, 12, 12, 12]);
    const w = validateClassifier({ kind: 'logit', C: 1 }, x, y, n, { ...o, embargo: 0, scheme: 'walkforward', folds: 5 });
    expect(w.result.outOfSample.rows).toBe(50);
    expect(w.result.features[0]!.mutualInformation).toBeCloseTo(Math.log(2), 12);
  });
});
