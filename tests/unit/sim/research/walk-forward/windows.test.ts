import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../../engine/core/index.js';
import { binomial, cpcvSplits, walkForwardWindows } from '../../../../../sim/research/walk-forward/index.js';

describe('walk-forward windows', () => {
  it('rolling 90d/30d over 180 days gives three folds whose tests abut', () => {
    const folds = walkForwardWindows({ start: 0, end: 180 * US_PER_DAY, train: 90 * US_PER_DAY, test: 30 * US_PER_DAY });
    expect(folds.map((f) => [f.train.start / US_PER_DAY, f.train.end / US_PER_DAY, f.test.start / US_PER_DAY, f.test.end / US_PER_DAY])).toEqual([
      [0, 90, 90, 120],
      [30, 120, 120, 150],
      [60, 150, 150, 180],
    ]);
  });
  it('anchored windows all start at the data start and grow by the test length', () => {
    const folds = walkForwardWindows({ start: 10, end: 100, train: 40, test: 20, anchored: true });
    expect(folds.map((f) => [f.train.start, f.train.end, f.test.start, f.test.end])).toEqual([
      [10, 50, 50, 70],
      [10, 70, 70, 90],
    ]);
  });
  it('purge drops the end of each train window, leaving a gap before the test', () => {
    const [fold] = walkForwardWindows({ start: 0, end: 50, train: 30, test: 20, purge: 5 });
    expect(fold!.train).toEqual({ start: 0, end: 25 });
    expect(fold!.purged).toEqual({ start: 25, end: 30 });
    expect(fold!.test).toEqual({ start: 30, end: 50 });
  });
  it('an incomplete last test window is dropped', () => {
    expect(walkForwardWindows({ start: 0, end: 59, train: 30, test: 10 })).toHaveLength(2);
  });
  it('errors name the bad length', () => {
    expect(() => walkForwardWindows({ start: 0, end: 30, train: 30, test: 10 })).toThrow(/train.*test.*do not fit/);
    expect(() => walkForwardWindows({ start: 0, end: 100, train: 30, test: 10, purge: 30 })).toThrow(/'purge'/);
    expect(() => walkForwardWindows({ start: 0, end: 100, train: 0, test: 10 })).toThrow(/'train'/);
  });
  it('no train row is ever at or after its test start, and tests never overlap (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 200 }), fc.boolean(), fc.nat(10), (train, test, extra, anchored, purgeRaw) => {
        const purge = Math.min(purgeRaw, train - 1);
        const folds = walkForwardWindows({ start: 0, end: train + test + extra, train, test, anchored, purge });
        expect(folds.length).toBe(Math.floor(extra / test) + 1);
        folds.forEach((f, i) => {
          expect(f.train.end).toBe(f.test.start - purge);
          if (i > 0) expect(f.test.start).toBe(folds[i - 1]!.test.end);
        });
      }),
    );
  });
});

describe('combinatorial purged cross-validation', () => {
  it('N = 6, k = 2 gives C(6,2) = 15 splits and C(5,1) = 5 paths', () => {
    const r = cpcvSplits({ observations: 60, groups: 6, testGroups: 2 });
    expect(r.splits).toHaveLength(15);
    expect(r.paths).toHaveLength(5);
    expect(r.splits[0]!.testGroups).toEqual([0, 1]);
    expect(r.splits[14]!.testGroups).toEqual([4, 5]);
  });
  it('a hand-computed split: groups 1 and 3 of 5 over 50 rows with purge 2 and embargo 3', () => {
    const r = cpcvSplits({ observations: 50, groups: 5, testGroups: 2, purge: 2, embargo: 3 });
    const split = r.splits.find((s) => s.testGroups.join() === '1,3')!;
    expect(split.test).toEqual([
      { start: 10, end: 20 },
      { start: 30, end: 40 },
    ]);
    expect(split.train).toEqual([
      { start: 0, end: 8 },
      { start: 23, end: 28 },
      { start: 43, end: 50 },
    ]);
  });
  it('adjacent test groups merge into one test range', () => {
    const r = cpcvSplits({ observations: 30, groups: 3, testGroups: 2 });
    expect(r.splits[0]!.test).toEqual([{ start: 0, end: 20 }]);
    expect(r.splits[0]!.train).toEqual([{ start: 20, end: 30 }]);
  });
  it('paths cover every group once, from a split that tests it, using each (split, group) pair once (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 40 }), fc.nat(3), fc.nat(3), (n, kRaw, extra, purge, embargo) => {
        const k = Math.min(kRaw, n - 1);
        const t = n + extra;
        const r = cpcvSplits({ observations: t, groups: n, testGroups: k, purge, embargo });
        expect(r.splits).toHaveLength(binomial(n, k));
        expect(r.paths).toHaveLength(binomial(n - 1, k - 1));
        const used = new Set<string>();
        for (const path of r.paths) {
          path.forEach((s, g) => {
            expect(r.splits[s]!.testGroups).toContain(g);
            const key = `${s}/${g}`;
            expect(used.has(key)).toBe(false);
            used.add(key);
          });
        }
        expect(used.size).toBe(binomial(n, k) * k);
        for (const split of r.splits) {
          // Train and test are disjoint, and no train row lies within purge before / embargo after a test row.
          const testRows = new Set<number>();
          for (const s of split.test) for (let i = s.start; i < s.end; i++) testRows.add(i);
          for (const s of split.train) {
            for (let i = s.start; i < s.end; i++) {
              for (let d = 0; d <= purge; d++) expect(testRows.has(i + d)).toBe(false);
              for (let d = 0; d <= embargo; d++) expect(testRows.has(i - d)).toBe(false);
            }
          }
        }
      }),
    );
  });
  it('errors name the bad option', () => {
    expect(() => cpcvSplits({ observations: 10, groups: 4, testGroups: 4 })).toThrow(/'testGroups'/);
    expect(() => cpcvSplits({ observations: 3, groups: 4, testGroups: 1 })).toThrow(/'groups'/);
  });
});
