import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { rollingCorrelation } from '../../../../engine/models/index.js';
import { CorrelationMatrixStrategy, createStrategy, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromCloses } from '../../../support/fake-strategy-context.js';
import { decouplingGroup, independentWalks, runMulti } from '../../../support/multi-bars.js';
import { meanAndError } from '../../../support/planted-bars.js';

interface Rule {
  longWindow: number;
  shortWindow: number;
  decoupleThreshold: number;
  recoupleThreshold: number;
  longShort: boolean;
}

/**
 * The rule recomputed independently from whole series of closes (rollingCorrelation over each
 * pair's full return series): at bar i >= longWindow, per symbol the mean over the others of
 * long - short correlation, the short-window summed-return gap to the others' mean, and the sides.
 */
function oracle(closes: Record<string, number[]>, r: Rule): [number, string, number][] {
  const names = Object.keys(closes);
  const n = names.length;
  const ret = names.map((s) => closes[s]!.slice(1).map((c, i) => Math.log(c / closes[s]![i]!)));
  const long: Float64Array[][] = [];
  const short: Float64Array[][] = [];
  for (let a = 0; a < n; a++) {
    long.push([]);
    short.push([]);
    for (let b = 0; b < n; b++) {
      long[a]!.push(rollingCorrelation(ret[a]!, ret[b]!, r.longWindow));
      short[a]!.push(rollingCorrelation(ret[a]!, ret[b]!, r.shortWindow));
    }
  }
  const side = new Array<number>(n).fill(0);
  const out: [number, string, number][] = [];
  for (let i = r.longWindow; i < closes[names[0]!]!.length; i++) {
    const t = i - 1;
    const sums = ret.map((x) => x.slice(t - r.shortWindow + 1, t + 1).reduce((u, v) => u + v, 0));
    for (let a = 0; a < n; a++) {
      let d = 0;
      let k = 0;
      for (let b = 0; b < n; b++) {
        if (b === a || !Number.isFinite(long[a]![b]![t]!) || !Number.isFinite(short[a]![b]![t]!)) continue;
        d += long[a]![b]![t]! - short[a]![b]![t]!;
        k++;
      }
      const drop = k > 0 ? d / k : Number.NaN;
      const gap = sums[a]! - (sums.reduce((u, v) => u + v, 0) - sums[a]!) / (n - 1);
      let want = side[a]!;
      if (drop > r.decoupleThreshold) want = gap < 0 ? 1 : gap > 0 ? -1 : want;
      else if (!(drop >= r.recoupleThreshold)) want = 0;
      if (want < 0 && !r.longShort) want = 0;
      if (want !== side[a]) out.push([i, names[a]!, want * 100]);
      side[a] = want;
    }
  }
  return out;
}

function closesOf(bars: Record<string, { close: number }[]>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(bars).map(([s, b]) => [s, b.map((x) => x.close)]));
}

describe('correlation_matrix', () => {
  // Three symbols on one common return for 20 bars (tiny own noise); from bar 20 C moves against it.
  const rng = randomStream(3, 'correlation-test', 'returns');
  const common = Array.from({ length: 40 }, () => 0.01 * rng.normal());
  const series = (sign: (t: number) => number): number[] => {
    const out = [100];
    for (let t = 0; t < 39; t++) out.push(out[t]! * Math.exp(sign(t) * common[t]! + 0.001 * rng.normal()));
    return out;
  };
  const A = series(() => 1);
  const B = series(() => 1);
  const C = series((t) => (t < 20 ? 1 : -1));
  const P = { longWindow: 12, shortWindow: 4, decoupleThreshold: 0.5, recoupleThreshold: 0.2, mode: 'long_short' as const };
  const rule: Rule = { longWindow: 12, shortWindow: 4, decoupleThreshold: 0.5, recoupleThreshold: 0.2, longShort: true };

  it('trades the symbol that decouples, toward the group, from the bar its correlation drop passes the threshold', () => {
    const s = new CorrelationMatrixStrategy('c', ['A', 'B', 'C'], P);
    const run = runMulti(s, { A: barsFromCloses(A), B: barsFromCloses(B), C: barsFromCloses(C) });
    const expected = oracle({ A, B, C }, rule);
    expect(run.targets).toEqual(expected);
    // C is the one that decouples, on a bar after its break at return 20 (bar 21), while the short window still holds the break.
    const first = expected[0]!;
    expect(first[1]).toBe('C');
    expect(first[0]).toBeGreaterThan(21);
    expect(first[0]).toBeLessThanOrEqual(25);
    const signal = run.ctx.signals[0]!;
    expect(signal.reason).toMatch(/^decoupled: correlation drop \d\.\d\d > 0\.5, (lagged|led) the group by \d\.\d{4}$/);
    expect(signal.direction).toBe(Math.sign(first[2]));
  });

  it('the order of a timestamp\'s bars does not matter', () => {
    const bars = { A: barsFromCloses(A), B: barsFromCloses(B), C: barsFromCloses(C) };
    const a = runMulti(new CorrelationMatrixStrategy('c', ['A', 'B', 'C'], P), bars).targets;
    const b = runMulti(new CorrelationMatrixStrategy('c', ['A', 'B', 'C'], P), bars, ['C', 'B', 'A']).targets;
    expect(b.map((x) => x.join()).sort()).toEqual(a.map((x) => x.join()).sort());
  });

  it('follows the rule on a decoupling group of four, long_only and long_short', () => {
    const g = decouplingGroup(5, 400);
    for (const mode of ['long_only', 'long_short'] as const) {
      const run = runMulti(new CorrelationMatrixStrategy('c', Object.keys(g), { ...P, longWindow: 30, shortWindow: 6, mode }), g);
      expect(run.targets).toEqual(oracle(closesOf(g), { ...rule, longWindow: 30, shortWindow: 6, longShort: mode === 'long_short' }));
      expect(run.targets.length).toBeGreaterThan(4);
    }
  });

  it('does nothing before longWindow + 1 bars', () => {
    const run = runMulti(new CorrelationMatrixStrategy('c', ['A', 'B', 'C'], P), { A: barsFromCloses(A.slice(0, 12)), B: barsFromCloses(B.slice(0, 12)), C: barsFromCloses(C.slice(0, 12)) });
    expect(run.ctx.calls).toEqual([]);
    expect(strategyWarmup('correlation_matrix', P)).toEqual({ bars: 13, because: 'longWindow=12' });
  });

  it('profits on symbols that decouple and revert to their group, and makes no systematic profit on independent walks', () => {
    const planted: number[] = [];
    const walks: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const g = decouplingGroup(seed, 1000);
      planted.push(runMulti(createStrategy('correlation_matrix', 'c', Object.keys(g), { mode: 'long_short' }), g).pnl);
      const w = independentWalks(seed, 1000, 4);
      walks.push(runMulti(createStrategy('correlation_matrix', 'c', Object.keys(w), { mode: 'long_short' }), w).pnl);
    }
    const q = meanAndError(planted);
    expect(planted.filter((p) => p > 0).length).toBeGreaterThanOrEqual(10);
    expect(q.mean).toBeGreaterThan(4 * q.error);
    const m = meanAndError(walks);
    expect(Math.abs(m.mean)).toBeLessThan(3 * m.error);
  });

  it('refuses fewer than three symbols and bad parameters, naming them', () => {
    expect(() => createStrategy('correlation_matrix', 'c', ['A', 'B'])).toThrow("invalid 'symbols': correlation_matrix needs at least three symbols (each is compared with the average of the others), was [\"A\",\"B\"]");
    expect(() => createStrategy('correlation_matrix', 'c', ['A', 'B', 'C'], { shortWindow: 2 })).toThrow("invalid 'shortWindow': less than 3");
    expect(() => createStrategy('correlation_matrix', 'c', ['A', 'B', 'C'], { longWindow: 10, shortWindow: 10 })).toThrow("invalid 'longWindow': not above shortWindow (10), was 10");
    expect(() => createStrategy('correlation_matrix', 'c', ['A', 'B', 'C'], { decoupleThreshold: 0 })).toThrow("invalid 'decoupleThreshold': outside (0, 2]");
    expect(() => createStrategy('correlation_matrix', 'c', ['A', 'B', 'C'], { recoupleThreshold: 0.6 })).toThrow("invalid 'recoupleThreshold': outside [0, decoupleThreshold] = [0, 0.5], was 0.6");
    expect(() => createStrategy('correlation_matrix', 'c', ['A', 'B', 'C'], { sizing: { kind: 'units', units: 1.5 } })).toThrow("invalid 'sizing.units'");
  });
});
