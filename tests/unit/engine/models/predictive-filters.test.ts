import { describe, expect, it } from 'vitest';
import { randomStream, strategyId, symbolId } from '../../../../engine/core/index.js';
import type { Signal } from '../../../../engine/model/index.js';
import {
  ConfidenceFilter,
  DirectionFilter,
  GarchVolatilityFilter,
  PredictiveFilterSchema,
  VolumeSurgeFilter,
  fitGarch11,
  type DirectionForecaster,
} from '../../../../engine/models/index.js';

const bar = (f: { onBar: GarchVolatilityFilter['onBar'] }, i: number, close: number, volume = 1000): void => f.onBar(i, 0, close, close, close, close, volume);
const signal = (confidence: number, direction: -1 | 0 | 1 = 1): Signal => ({ ts: 0, strategyId: strategyId('s'), symbol: symbolId('S0'), direction, strength: 1, confidence });

describe('VolumeSurgeFilter', () => {
  it('hand case: z of the latest volume against the window before it (sample sd)', () => {
    const f = new VolumeSurgeFilter({ kind: 'volume_surge', window: 3, minZScore: 2 }, 1);
    for (const v of [10, 20, 30]) bar(f, 0, 100, v);
    expect(f.zScore(0)).toBeNaN();
    expect(f.assess(0, 1, null).pass).toBe(false);
    // Baseline 10, 20, 30: mean 20, sd sqrt((100 + 0 + 100) / 2) = 10; z = (60 - 20) / 10 = 4.
    bar(f, 0, 100, 60);
    expect(f.zScore(0)).toBeCloseTo(4, 12);
    expect(f.assess(0, 1, null)).toEqual({ pass: true, reason: 'volume z-score 4.000 >= minZScore 2' });
    expect(f.assess(0, -1, null).pass).toBe(true);
    // Baseline 20, 30, 60: mean 110/3, ss = (50/3)^2 + (20/3)^2 + (70/3)^2 = 7800/9, sd = sqrt(3900/9); z = (25 - 110/3) / sd.
    bar(f, 0, 100, 25);
    expect(f.zScore(0)).toBeCloseTo((25 - 110 / 3) / Math.sqrt(3900 / 9), 12);
    expect(f.assess(0, 1, null).pass).toBe(false);
    const out: Record<string, number | null> = {};
    f.predictions(0, out);
    expect(out['volumeZScore']).toBeCloseTo(-0.56045, 4);
  });

  it('keeps symbols apart and reads a flat baseline as +/-Infinity or 0', () => {
    const f = new VolumeSurgeFilter({ kind: 'volume_surge', window: 2, minZScore: 1 }, 2);
    for (const v of [5, 5, 6]) bar(f, 1, 1, v);
    expect(f.zScore(0)).toBeNaN();
    expect(f.zScore(1)).toBe(Number.POSITIVE_INFINITY);
    bar(f, 1, 1, 6);
    // Baseline 5, 6 (mean 5.5, sd sqrt(0.5)): z = 0.5 / sqrt(0.5).
    expect(f.zScore(1)).toBeCloseTo(Math.SQRT1_2, 12);
    const g = new VolumeSurgeFilter({ kind: 'volume_surge', window: 2, minZScore: 0 }, 1);
    for (const v of [5, 5, 5]) bar(g, 0, 1, v);
    expect(g.zScore(0)).toBe(0);
    expect(g.assess(0, 1, null).pass).toBe(true);
  });
});

describe('ConfidenceFilter', () => {
  it('passes an entry whose latest signal is confident enough, blocks one below or without a signal', () => {
    const f = new ConfidenceFilter({ kind: 'confidence', minConfidence: 0.6 });
    expect(f.assess(0, 1, signal(0.6)).pass).toBe(true);
    expect(f.assess(0, -1, signal(0.59))).toEqual({ pass: false, reason: 'signal confidence 0.59 < minConfidence 0.6' });
    expect(f.assess(0, 1, null)).toEqual({ pass: false, reason: 'no signal from the strategy in this symbol' });
  });
});

describe('DirectionFilter (the hook a classifier plugs into)', () => {
  it('blocks a buy when the forecast is down and a sell when it is up', () => {
    let p = Number.NaN;
    const seen: number[] = [];
    const forecaster: DirectionForecaster = { onBar: (_i, _ts, _o, _h, _l, close) => void seen.push(close), probabilityUp: () => p };
    const f = new DirectionFilter(forecaster, 0.55);
    f.onBar(0, 1, 1, 1, 1, 42, 1);
    expect(seen).toEqual([42]);
    expect(f.assess(0, 1, null).pass).toBe(false);
    p = 0.3;
    expect(f.assess(0, 1, null)).toEqual({ pass: false, reason: 'P(up) 0.3000 < minProbability 0.55: the forecast is down' });
    expect(f.assess(0, -1, null).pass).toBe(true);
    p = 0.7;
    expect(f.assess(0, 1, null).pass).toBe(true);
    expect(f.assess(0, -1, null).pass).toBe(false);
    expect(() => new DirectionFilter(forecaster, 1.5)).toThrow(/minProbability/);
  });
});

/** Closes of a calm random walk (sd 0.5% a bar) with a planted stretch of sd 4% from bar 400 to 499. */
function plantedCloses(): number[] {
  const rng = randomStream(16, 'garch-filter', 'planted');
  const closes = [100];
  for (let t = 1; t < 700; t++) closes.push(closes[t - 1]! * Math.exp((t >= 400 && t < 500 ? 0.04 : 0.005) * rng.normal()));
  return closes;
}

describe('GarchVolatilityFilter', () => {
  it('blocks entries in a planted high-volatility stretch and lets them go in the calm before and after', () => {
    const f = new GarchVolatilityFilter({ kind: 'garch_volatility', window: 150, refitEvery: 10, maxVolatility: 0.02, annualization: null }, 1);
    const closes = plantedCloses();
    const blocked: boolean[] = [];
    for (const c of closes) {
      bar(f, 0, c);
      blocked.push(!f.assess(0, 1, null).pass);
    }
    const share = (a: number, b: number): number => blocked.slice(a, b).filter(Boolean).length / (b - a);
    expect(share(0, 150)).toBe(0); // no forecast yet: entries pass
    expect(share(150, 400)).toBe(0);
    expect(share(410, 500)).toBeGreaterThan(0.9);
    expect(share(650, 700)).toBe(0);
    expect(f.fits).toBe(1 + Math.floor((699 - 150) / 10));
  });

  it('forecasts, right after a fit, the fitted model one step ahead of the trailing window', () => {
    const closes = plantedCloses().slice(0, 201);
    const f = new GarchVolatilityFilter({ kind: 'garch_volatility', window: 200, refitEvery: 50, maxVolatility: 0.3, annualization: 252 }, 1);
    for (const c of closes) bar(f, 0, c);
    const r = closes.slice(1).map((c, t) => Math.log(c / closes[t]!));
    const fit = fitGarch11(r);
    expect(f.forecastVolatility(0)).toBeCloseTo(Math.sqrt(fit.forecast(1)[0]! * 252), 12);
    // One more bar rolls the recursion forward: h = omega + alpha e^2 + beta h.
    const next = closes[200]! * 1.01;
    bar(f, 0, next);
    const e = Math.log(1.01) - fit.mu;
    expect(f.forecastVolatility(0)).toBeCloseTo(Math.sqrt((fit.omega + fit.alpha * e * e + fit.beta * fit.forecast(1)[0]!) * 252), 12);
    const out: Record<string, number | null> = {};
    f.predictions(0, out);
    expect(out['garchVolatility']).toBe(f.forecastVolatility(0));
  });
});

describe('PredictiveFilterSchema', () => {
  it('applies the defaults and refuses unknown kinds and fields', () => {
    expect(PredictiveFilterSchema.parse({ kind: 'garch_volatility', maxVolatility: 0.3 })).toEqual({ kind: 'garch_volatility', maxVolatility: 0.3, window: 250, refitEvery: 20, annualization: null });
    expect(PredictiveFilterSchema.parse({ kind: 'volume_surge' })).toEqual({ kind: 'volume_surge', window: 20, minZScore: 2 });
    expect(PredictiveFilterSchema.safeParse({ kind: 'direction' }).success).toBe(false);
    expect(PredictiveFilterSchema.safeParse({ kind: 'confidence', minConfidence: 0.5, extra: 1 }).success).toBe(false);
    expect(PredictiveFilterSchema.safeParse({ kind: 'garch_volatility', maxVolatility: 0.3, window: 10 }).success).toBe(false);
  });
});
