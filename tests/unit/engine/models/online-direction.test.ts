import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import {
  OnlineDirectionForecaster,
  PredictiveFilterSchema,
  createPredictiveFilter,
  featureMatrix,
  predictProbabilities,
  trainClassifier,
  upLabels,
  type DirectionFilterConfig,
  type OnlineDirectionConfig,
} from '../../../../engine/models/index.js';

interface Bars {
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
  readonly volume: number[];
  /** Per bar: +1 when the next close is above this one, -1 below. */
  readonly next: number[];
}

/**
 * Bars whose next move is planted in the bar's internal bar strength: a bar closes near its high
 * (IBS 0.9) when the next close is 1% up, near its low (IBS 0.1) when it is 1% down; the moves are
 * seeded coin flips. With horizon 1 the label of each bar is a function of its `ibs` feature.
 */
function plantedIbs(n: number, seed: number): Bars {
  const rng = randomStream(seed, 'online-direction', 'planted');
  const out: Bars = { high: [], low: [], close: [], volume: [], next: [] };
  let c = 100;
  for (let s = 0; s < n; s++) {
    const d = rng.next() < 0.5 ? 1 : -1;
    const range = 0.02 * c;
    const low = c - (d > 0 ? 0.9 : 0.1) * range;
    out.high.push(low + range);
    out.low.push(low);
    out.close.push(c);
    out.volume.push(1000 + rng.int(0, 500));
    out.next.push(d);
    c *= 1 + 0.01 * d;
  }
  return out;
}

/** A seeded random walk with noisy ranges (no planted effect). */
function randomWalk(n: number, seed: number): Bars {
  const rng = randomStream(seed, 'online-direction', 'walk');
  const out: Bars = { high: [], low: [], close: [], volume: [], next: [] };
  let c = 100;
  for (let s = 0; s < n; s++) {
    const prev = c;
    c *= Math.exp(0.01 * rng.normal());
    out.high.push(Math.max(prev, c) * (1 + 0.004 * Math.abs(rng.normal())));
    out.low.push(Math.min(prev, c) * (1 - 0.004 * Math.abs(rng.normal())));
    out.close.push(c);
    out.volume.push(rng.int(500, 5000));
    out.next.push(0);
  }
  return out;
}

const feed = (f: { onBar: OnlineDirectionForecaster['onBar'] }, b: Bars, t: number): void => f.onBar(0, t, b.close[t]!, b.high[t]!, b.low[t]!, b.close[t]!, b.volume[t]!);

const filterConfig = (model: 'logit' | 'rf', more: Partial<DirectionFilterConfig> = {}): DirectionFilterConfig => ({
  kind: 'direction',
  model,
  features: ['ibs', 'ret1'],
  horizon: 1,
  window: 60,
  refitEvery: 10,
  minProbability: 0.6,
  ...(model === 'rf' ? { trees: 10, maxDepth: 3, seed: 7 } : {}),
  ...more,
});

describe('the direction filter (online classifier)', () => {
  for (const model of ['logit', 'rf'] as const) {
    it(`${model}: passes every entry before its first fit, then blocks exactly the buys before a down move and the sells before an up move`, () => {
      const b = plantedIbs(200, 3);
      const f = createPredictiveFilter(filterConfig(model), 1);
      // ret1 is first defined at bar 1: labelled rows (horizon 1) are bars 1 .. t - 1, 60 of them at t = 61.
      for (let t = 0; t <= 60; t++) {
        feed(f, b, t);
        const v = f.assess(0, 1, null);
        expect(v.pass).toBe(true);
        expect(v.reason).toBe(`no direction forecast yet (${Math.max(0, t - 1)} of 60 labelled rows; entries pass until the first fit)`);
        expect(f.assess(0, -1, null).pass).toBe(true);
        const out: Record<string, number | string | null> = {};
        f.predictions(0, out);
        expect(out).toEqual({ probabilityUp: null, directionModel: model, directionTrainedRows: 0 });
      }
      let blockedBuys = 0;
      let blockedSells = 0;
      for (let t = 61; t < 200; t++) {
        feed(f, b, t);
        const buy = f.assess(0, 1, null);
        const sell = f.assess(0, -1, null);
        expect(buy.pass).toBe(b.next[t]! > 0);
        expect(sell.pass).toBe(b.next[t]! < 0);
        if (!buy.pass) {
          blockedBuys++;
          expect(buy.reason).toMatch(/^P\(up\) 0\.\d+ < minProbability 0\.6: the forecast is down$/);
        }
        if (!sell.pass) blockedSells++;
        const out: Record<string, number | string | null> = {};
        f.predictions(0, out);
        expect(out['directionModel']).toBe(model);
        expect(out['directionTrainedRows']).toBe(60);
        expect(out['probabilityUp']).toBeTypeOf('number');
      }
      expect(blockedBuys).toBe(b.next.slice(61).filter((d) => d < 0).length);
      expect(blockedSells).toBe(b.next.slice(61).filter((d) => d > 0).length);
      expect(blockedBuys).toBeGreaterThan(30);
      expect(blockedSells).toBeGreaterThan(30);
    });
  }

  it('fits once at `window` labelled rows, then every `refitEvery` bars', () => {
    const b = plantedIbs(200, 4);
    const f = new OnlineDirectionForecaster(filterConfig('logit'), 1);
    const fitsAt: number[] = [];
    for (let t = 0; t < 200; t++) {
      const before = f.fits;
      feed(f, b, t);
      if (f.fits > before) fitsAt.push(t);
    }
    expect(fitsAt).toEqual([61, 71, 81, 91, 101, 111, 121, 131, 141, 151, 161, 171, 181, 191]);
  });

  it('trains at bar t on exactly the rows s <= t - horizon whose label is known: the same as a fit on the data cut at t, and not a leaky fit on rows up to t', () => {
    const n = 160;
    const b = randomWalk(n, 5);
    const cfg: OnlineDirectionConfig = { model: 'logit', features: ['ret1', 'ret5', 'rsi14'], horizon: 3, window: 40, refitEvery: 7, C: 0.5 };
    const f = new OnlineDirectionForecaster(cfg, 1);
    const { x, rows, cols } = featureMatrix(b, cfg.features);
    // rsi14 is first defined at bar 14; labelled rows at t: bars 14 .. t - 3, 40 of them at t = 56.
    let lastFit = -1;
    let compared = 0;
    let leakyDiffers = 0;
    for (let t = 0; t < n; t++) {
      const before = f.fits;
      feed(f, b, t);
      if (f.fits > before) lastFit = t;
      if (lastFit < 0) {
        expect(f.probabilityUp(0)).toBeNaN();
        continue;
      }
      // Honest: the 40 rows ending at lastFit - horizon, labelled from the closes up to lastFit only.
      const fitOn = (end: number, close: ArrayLike<number>): number => {
        const start = end - cfg.window + 1;
        const y = upLabels(close, cfg.horizon).subarray(start, end + 1);
        const m = trainClassifier({ kind: 'logit', C: 0.5 }, x.subarray(start * cols, (end + 1) * cols), y, cfg.window, { features: cfg.features });
        return predictProbabilities(m.model, x.subarray(t * cols, (t + 1) * cols), 1)[0]!;
      };
      const honest = fitOn(lastFit - cfg.horizon, b.close.slice(0, lastFit + 1));
      expect(f.probabilityUp(0)).toBe(honest);
      // Leaky: the 40 rows ending at lastFit itself, labelled from closes after it.
      if (lastFit + cfg.horizon < rows) {
        const leaky = fitOn(lastFit, b.close);
        if (leaky !== f.probabilityUp(0)) leakyDiffers++;
      }
      compared++;
    }
    expect(lastFit).toBeGreaterThan(56);
    expect(compared).toBe(n - 56);
    expect(leakyDiffers).toBeGreaterThan(compared / 2);
  });

  it('rf: the same seed gives the same forecasts, another seed other ones', () => {
    const b = randomWalk(150, 6);
    const cfg = (seed: number): OnlineDirectionConfig => ({ model: 'rf', features: ['ret1', 'ibs', 'range'], horizon: 1, window: 50, refitEvery: 5, trees: 8, maxDepth: 3, seed });
    const path = (seed: number): number[] => {
      const f = new OnlineDirectionForecaster(cfg(seed), 1);
      const out: number[] = [];
      for (let t = 0; t < 150; t++) {
        feed(f, b, t);
        out.push(f.probabilityUp(0));
      }
      return out;
    };
    const a = path(1);
    expect(path(1)).toEqual(a);
    expect(a.filter(Number.isFinite).length).toBe(150 - 51);
    expect(path(2)).not.toEqual(a);
  });

  it('keeps each symbol apart: a symbol without bars has no forecast', () => {
    const b = plantedIbs(100, 8);
    const f = new OnlineDirectionForecaster(filterConfig('logit'), 2);
    for (let t = 0; t < 100; t++) feed(f, b, t);
    expect(f.probabilityUp(0)).toBeGreaterThan(0);
    expect(f.probabilityUp(1)).toBeNaN();
    expect(f.labelled(1)).toBe(0);
  });

  it('schema: applies the defaults and refuses unknown or repeated features, horizon >= window and a setting the model does not read, naming the field', () => {
    expect(PredictiveFilterSchema.parse({ kind: 'direction', model: 'logit', features: ['ret1'] })).toEqual({ kind: 'direction', model: 'logit', features: ['ret1'], horizon: 1, window: 250, refitEvery: 20, minProbability: 0.5 });
    const issue = (v: unknown): [PropertyKey[], string] => {
      const r = PredictiveFilterSchema.safeParse(v);
      expect(r.success).toBe(false);
      const i = r.error!.issues[0]!;
      return [i.path, i.message];
    };
    const base = { kind: 'direction', model: 'logit', features: ['ret1'] };
    expect(issue({ ...base, features: ['ret1', 'ret2'] })[0]).toEqual(['features', 1]);
    expect(issue({ ...base, features: ['ret1', 'ret1'] })).toEqual([['features', 1], "feature 'ret1' is listed twice"]);
    expect(issue({ ...base, features: [] })[0]).toEqual(['features']);
    expect(issue({ ...base, horizon: 20, window: 20 })).toEqual([['horizon'], 'horizon 20 must be below window 20: a fit trains on the last window labelled rows']);
    expect(issue({ ...base, trees: 5 })).toEqual([['trees'], "only model 'rf' reads trees; this filter's model is 'logit'"]);
    expect(issue({ ...base, seed: 5 })).toEqual([['seed'], "only model 'rf' reads seed; this filter's model is 'logit'"]);
    expect(issue({ ...base, model: 'rf', C: 2 })).toEqual([['C'], "only model 'logit' reads C; this filter's model is 'rf'"]);
    expect(issue({ ...base, minProbability: 0 })[0]).toEqual(['minProbability']);
    expect(issue({ ...base, model: 'svm' })[0]).toEqual(['model']);
  });
});
