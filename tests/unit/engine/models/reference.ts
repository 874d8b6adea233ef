import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * The committed references of engine/models (tests/fixtures/models-reference.json, written by
 * tests/fixtures/scripts/models-reference.py and models-hurst-reference.R) and the named inputs they
 * were computed on, rebuilt exactly as the script builds them.
 */
interface Crit {
  '1%': number;
  '5%': number;
  '10%': number;
}
export interface ModelsFixture {
  series: Record<string, number[]>;
  adf: {
    input: string;
    regression: 'c' | 'ct' | 'n';
    autolag: 'aic' | 'bic' | null;
    maxLag: number | null;
    t: number;
    p: number;
    lags: number;
    nobs: number;
    criticalValues: Crit;
    icBest: number | null;
  }[];
  coint: {
    y: string;
    x: string;
    trend: 'c' | 'ct';
    autolag: 'aic' | 'bic' | null;
    maxLag: number | null;
    t: number;
    p: number;
    hedgeRatio: number;
    intercept: number;
    lags: number;
    criticalValues: Crit;
  }[];
  granger: {
    effect: string;
    cause: string;
    length: number;
    maxLag: number;
    lags: { lag: number; F: number; p: number; dfDen: number; dfNum: number }[];
  }[];
  fSf: [number, number, number, number][];
  betainc: [number, number, number, number][];
  entropy: { labels: string; entropy: number }[];
  quantileBins: { input: string; k: number; bins: number[] }[];
  mutualInformation: { a: string; b: string; mi: number }[];
  rollingCorrelation: { a: string; b: string; length: number; window: number; correlation: (number | null)[] }[];
  hurst: {
    pracma: string;
    cases: { input: string; length: number; minWindow: number; He: number; Hal: number; windows: number[] }[];
    series: Record<string, number[]>;
  };
}

export const fixture = JSON.parse(
  readFileSync(new URL('../../../fixtures/models-reference.json', import.meta.url), 'utf8'),
) as ModelsFixture;

function usdCloses(): number[] {
  const text = readFileSync(new URL('../../../fixtures/csv/usdchf.csv', import.meta.url), 'utf8');
  const lines = text.split('\n').slice(1, 4001);
  return lines.map((l) => Number(l.split(',')[1]));
}

const diff = (x: readonly number[]): number[] => x.slice(1).map((v, i) => v - x[i]!);

let cache: Map<string, readonly number[]> | undefined;

/** Returns the named input of the reference script (embedded series, derived series, USDCHF closes). */
export function input(name: string): readonly number[] {
  cache ??= new Map();
  const hit = cache.get(name);
  if (hit) return hit;
  const s = fixture.series;
  const usd = (): number[] => usdCloses();
  const made: Record<string, () => number[]> = {
    goog_logclose: () => s.goog_close!.map(Math.log),
    goog_loghigh: () => s.goog_high!.map(Math.log),
    goog_logret: () => diff(s.goog_close!.map(Math.log)),
    goog_dlogvol: () => diff(s.goog_volume!.map(Math.log)),
    usd_close: usd,
    usd_logclose: () => usd().map(Math.log),
    usd_logret: () => diff(usd().map(Math.log)),
    usd_logclose_a: () => usd().slice(0, 2000).map(Math.log),
    usd_logclose_b: () => usd().slice(2000, 4000).map(Math.log),
  };
  const value = s[name] ?? fixture.hurst.series[name] ?? made[name]?.();
  if (!value) throw new Error(`no input named ${name}`);
  cache.set(name, value);
  return value;
}

/** Expects |actual - expected| <= rel * max(|expected|, floor). */
export function expectClose(actual: number, expected: number, rel: number, what: string, floor = 1e-300): void {
  const tol = rel * Math.max(Math.abs(expected), floor);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected} (tolerance ${tol})`).toBeLessThanOrEqual(tol);
}
