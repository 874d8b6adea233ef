import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BarFeatures,
  accuracy,
  calibrationTable,
  compileClassifier,
  featureMatrix,
  fitLogistic,
  logLoss,
  parseClassifier,
  predictProbabilities,
  rocAuc,
  trainClassifier,
  upLabels,
  type RandomForestSpec,
} from '../../../../engine/models/index.js';
import { rsi } from '../../../../engine/indicators/index.js';

/** tests/fixtures/classifier-reference.json, written by tests/fixtures/scripts/classifier-reference.py (scikit-learn 1.2.1). */
interface ClassifierFixture {
  data: Record<string, { x: number[][]; y: number[] }>;
  logistic: { data: string; C: number; intercept: number; coefficients: number[] }[];
  metrics: { data: string; rounded: number | null; p: number[]; auc: number; logLoss: number; accuracy: number; calibration: { fractionPositive: number[]; meanPredicted: number[] } }[];
}
const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/classifier-reference.json', import.meta.url), 'utf8')) as ClassifierFixture;

const RF: RandomForestSpec = { kind: 'rf', nEstimators: 12, maxDepth: 4, minSamplesLeaf: 5, maxFeatures: 'sqrt', bootstrap: true, maxSamples: 0.7, classWeight: null };

/** A seeded toy problem: y depends on the first of three uniform features. */
function toy(n: number, seed = 7): { x: Float64Array; y: Float64Array } {
  let s = seed;
  const r = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const x = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = r();
    y[i] = x[i * 3]! + 0.6 * r() > 0.8 ? 1 : 0;
  }
  return { x, y };
}

describe('fitLogistic against scikit-learn LogisticRegression (L2, same C) on MSFT and USDCHF', () => {
  for (const c of fixture.logistic) {
    it(`${c.data}, C = ${c.C}: intercept and coefficients within 1e-6 relative`, () => {
      const d = fixture.data[c.data]!;
      const fit = fitLogistic(d.x.flat(), d.y, d.y.length, d.x[0]!.length, { C: c.C });
      const expected = [c.intercept, ...c.coefficients];
      const actual = [fit.intercept, ...fit.coefficients];
      for (const [i, e] of expected.entries()) expect(Math.abs(actual[i]! - e), `coefficient ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e)));
    });
  }

  it('refuses labels other than 0/1 and a non-positive C', () => {
    expect(() => fitLogistic([1, 2], [0, 2], 2, 1)).toThrow(/y\[1\] is not 0 or 1/);
    expect(() => fitLogistic([1, 2], [0, 1], 2, 1, { C: 0 })).toThrow(/invalid 'C'/);
  });
});

describe('classification metrics against sklearn.metrics and calibration_curve', () => {
  for (const m of fixture.metrics) {
    it(`${m.data}${m.rounded === null ? '' : ` (probabilities rounded to ${m.rounded} decimal: ties)`}`, () => {
      const y = fixture.data[m.data]!.y;
      expect(Math.abs(rocAuc(y, m.p) - m.auc)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(logLoss(y, m.p) - m.logLoss)).toBeLessThanOrEqual(1e-12);
      expect(accuracy(y, m.p)).toBe(m.accuracy);
      const table = calibrationTable(y, m.p, 10).filter((b) => b.count > 0);
      expect(table.map((b) => b.fractionPositive)).toHaveLength(m.calibration.fractionPositive.length);
      table.forEach((b, i) => {
        expect(Math.abs(b.fractionPositive! - m.calibration.fractionPositive[i]!)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(b.meanPredicted! - m.calibration.meanPredicted[i]!)).toBeLessThanOrEqual(1e-12);
      });
    });
  }

  it('hand cases: a perfect ranking has AUC 1, a reversed one 0, ties one half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([1, 1], [0.5, 0.7])).toBeNaN();
    expect(logLoss([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(2), 15);
  });
});

describe('bar features', () => {
  it('are built bar by bar from the bar and earlier ones: rsi14 equals the RSI indicator, ret1 the log return, ibs the bar strength', () => {
    const close = Array.from({ length: 40 }, (_, i) => 100 + Math.sin(i / 3) * 5 + i * 0.1);
    const high = close.map((c) => c + 1);
    const low = close.map((c) => c - 2);
    const volume = close.map((_, i) => 1000 + (i % 7) * 10);
    const { x, ready, cols } = featureMatrix({ high, low, close, volume }, ['ret1', 'ibs', 'rsi14', 'ret20']);
    const r = rsi(close, 14);
    expect(cols).toBe(4);
    for (let t = 0; t < 40; t++) {
      expect(x[t * 4 + 1]).toBeCloseTo(2 / 3, 12);
      if (t > 0) expect(x[t * 4]).toBe(Math.log(close[t]! / close[t - 1]!));
      if (t >= 20) expect(x[t * 4 + 3]).toBe(Math.log(close[t]! / close[t - 20]!));
      if (Number.isFinite(r[t]!)) expect(x[t * 4 + 2]).toBe(r[t]);
      expect(ready[t]).toBe(t >= 20 ? 1 : 0);
    }
  });

  it("a row does not change when later bars change (no look-ahead)", () => {
    const close = Array.from({ length: 60 }, (_, i) => 50 + ((i * 37) % 11));
    const bars = { high: close.map((c) => c + 1), low: close.map((c) => c - 1), close, volume: close.map((c) => c * 10) };
    const names = ['ret1', 'ret5', 'ret20', 'ibs', 'rsi14', 'volz20', 'rvol20', 'range', 'dist20'];
    const a = featureMatrix(bars, names).x;
    const changed = { ...bars, close: close.map((c, i) => (i >= 45 ? c * 3 : c)) };
    const b = featureMatrix(changed, names).x;
    expect(Array.from(b.subarray(0, 45 * names.length))).toEqual(Array.from(a.subarray(0, 45 * names.length)));
  });

  it('a close of 0 leaves the returns and the realized volatility without a value for 20 bars instead of throwing', () => {
    const f = new BarFeatures(['ret1', 'rvol20', 'ibs']);
    const close = Array.from({ length: 60 }, (_, i) => (i === 30 ? 0 : 100 + (i % 5)));
    const ready = close.map((c) => f.update(c + 1, Math.max(0, c - 1), c, 10));
    expect(ready.slice(21, 30).every(Boolean)).toBe(true);
    // Bar 30 (close 0) and bar 31 (return from 0) have no finite return; rvol20 returns 20 finite returns later.
    expect(ready.slice(30, 52).some(Boolean)).toBe(false);
    expect(ready[52]).toBe(true);
  });

  it('refuses an unknown or repeated feature name, naming it', () => {
    expect(() => new BarFeatures(['ret1', 'magic'])).toThrow(/features\[1\]'.*unknown feature "magic"/);
    expect(() => new BarFeatures(['ibs', 'ibs'])).toThrow(/listed twice/);
  });

  it('upLabels marks a higher close `horizon` bars later, NaN where there is none', () => {
    expect(Array.from(upLabels([1, 2, 1, 3], 1))).toEqual([1, 0, 1, Number.NaN]);
    expect(Array.from(upLabels([1, 2, 1, 3], 2))).toEqual([0, 1, Number.NaN, Number.NaN]);
  });
});

describe('trained classifiers', () => {
  it('the random forest learns the planted feature, reproduces bit for bit with the same seed and differs with another', () => {
    const { x, y } = toy(400);
    const a = trainClassifier(RF, x, y, 400, { features: ['ret1', 'ibs', 'range'], seed: 3, symbol: 'AAA' });
    const b = trainClassifier(RF, x, y, 400, { features: ['ret1', 'ibs', 'range'], seed: 3, symbol: 'AAA' });
    const c = trainClassifier(RF, x, y, 400, { features: ['ret1', 'ibs', 'range'], seed: 4, symbol: 'AAA' });
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
    expect(JSON.stringify(a.model)).not.toBe(JSON.stringify(c.model));
    const test = toy(400, 99);
    expect(rocAuc(test.y, predictProbabilities(a.model, test.x, 400))).toBeGreaterThan(0.85);
    expect(a.importance[0]).toBeGreaterThan(0.6);
    expect(a.model.kind === 'rf' && a.model.trees.length).toBe(12);
  });

  it('logistic regression standardizes its features and learns the planted one', () => {
    const { x, y } = toy(400);
    const t = trainClassifier({ kind: 'logit', C: 1 }, x, y, 400, { features: ['ret1', 'ibs', 'range'] });
    const test = toy(400, 99);
    expect(rocAuc(test.y, predictProbabilities(t.model, test.x, 400))).toBeGreaterThan(0.85);
    expect(t.importance[0]).toBeGreaterThan(0.8);
  });

  it('a model survives JSON and the validated loader unchanged, and predicts the same', () => {
    const { x, y } = toy(200);
    for (const spec of [RF, { kind: 'logit', C: 0.5 } as const]) {
      const t = trainClassifier(spec, x, y, 200, { features: ['ret1', 'ibs', 'range'], seed: 1 });
      const loaded = parseClassifier(JSON.parse(JSON.stringify(t.model)));
      expect(loaded).toEqual(t.model);
      expect(Array.from(predictProbabilities(loaded, x, 200))).toEqual(Array.from(predictProbabilities(compileClassifier(t.model), x, 200)));
    }
  });

  it('the loader refuses anything but data of the documented shape, naming the field', () => {
    const { x, y } = toy(120);
    const rf = JSON.parse(JSON.stringify(trainClassifier({ ...RF, nEstimators: 2 }, x, y, 120, { features: ['ret1', 'ibs', 'range'], seed: 1 }).model));
    expect(() => parseClassifier({ ...rf, predict: 'function (x) { return 1 }' })).toThrow(/^model: unknown key\(s\) 'predict'/);
    expect(() => parseClassifier('gASVKAAAAAAAAACMCGJ1aWx0aW5zlIwFcHJpbnSUk5SMBWhlbGxvlIWUUpQu')).toThrow(/^model: /);
    expect(() => parseClassifier({ ...rf, kind: 'svm' })).toThrow(/^model\.kind: /);
    expect(() => parseClassifier({ ...rf, features: ['ret1', 'ibs', 'os.system'] })).toThrow(/^model\.features\[2\]: /);
    const cyclic = structuredClone(rf);
    cyclic.trees[0].left[0] = 0;
    expect(() => parseClassifier(cyclic)).toThrow(/^model\.trees\[0\]\.left\[0\]: child 0 is not a node after 0/);
    const short = structuredClone(rf);
    short.trees[1].value.pop();
    expect(() => parseClassifier(short)).toThrow(/^model\.trees\[1\]\.value: has/);
    const wrongType = structuredClone(rf);
    wrongType.trees[0].threshold[0] = '0.5';
    expect(() => parseClassifier(wrongType)).toThrow(/^model\.trees\[0\]\.threshold\[0\]: /);
    expect(() => parseClassifier({ ...rf, trees: rf.trees.slice(1) })).toThrow(/^model\.trees: has 1 trees, spec\.nEstimators says 2/);
  });

  it('refuses a training set with one class and bagging options without bootstrap', () => {
    const x = new Float64Array(6);
    expect(() => trainClassifier({ kind: 'logit', C: 1 }, x, [1, 1], 2, { features: ['ret1', 'ibs', 'range'] })).toThrow(/all 1/);
    expect(() => trainClassifier({ ...RF, bootstrap: false }, x, [0, 1], 2, { features: ['ret1', 'ibs', 'range'] })).toThrow(/maxSamples.*bootstrap: true/);
  });
});
