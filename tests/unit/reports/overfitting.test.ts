import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binomial,
  deflatedSharpeRatio,
  expectedMaxFactor,
  expectedMaxSharpe,
  minTrackRecordLength,
  probabilisticSharpeRatio,
  probabilityOfBacktestOverfitting,
  type PboMetric,
} from '../../../reports/index.js';

describe('published vectors (shared/ANCHORS.md), to 1e-9', () => {
  it('gives the expected-maximum factor 2.5306028932016846 for N = 100 trials', () => {
    expect(Math.abs(expectedMaxFactor(100) - 2.5306028932016846)).toBeLessThan(1e-9);
    // With unit trial variance the expected maximum Sharpe is the factor itself.
    expect(Math.abs(expectedMaxSharpe({ trials: 100, trialSharpeVariance: 1 }) - 2.5306028932016846)).toBeLessThan(1e-9);
  });

  it('gives PSR 0.91323430688486018 for SR = 1.585/sqrt(12), T = 24, skew -2.448, kurtosis 10.164, SR* = 0', () => {
    // The example's annual Sharpe 1.585 of monthly returns, de-annualized to a per-month Sharpe.
    const psr = probabilisticSharpeRatio({ sharpe: 1.585 / Math.sqrt(12), benchmark: 0, observations: 24, skewness: -2.448, kurtosis: 10.164 });
    expect(Math.abs(psr - 0.91323430688486018)).toBeLessThan(1e-9);
  });

  it('gives DSR 0.90039683444939034 for the example of "The Deflated Sharpe Ratio"', () => {
    // Annual figures: SR 2.5, variance of the 100 trials' annual Sharpe ratios 0.5, 250 periods per year.
    // A Sharpe ratio scales with sqrt(time): SR_period = SR_annual / sqrt(250) = 0.158113883...
    // A variance of Sharpe ratios scales with time: V_period = V_annual / 250 = 0.002.
    // Then SR* = sqrt(0.002) * 2.5306... = 0.113171..., and DSR = PSR(SR*) with T = 1250 daily returns,
    // skew -3, kurtosis 10: Phi((0.158114 - 0.113171) * sqrt(1249) / sqrt(1 + 3 * 0.158114 + 9/4 * 0.025)).
    const dsr = deflatedSharpeRatio({
      sharpe: 2.5 / Math.sqrt(250),
      observations: 1250,
      skewness: -3,
      kurtosis: 10,
      trials: 100,
      trialSharpeVariance: 0.5 / 250,
    });
    expect(Math.abs(dsr - 0.90039683444939034)).toBeLessThan(1e-9);
  });
});

describe('probabilisticSharpeRatio and deflatedSharpeRatio', () => {
  it('gives 0.5 when the Sharpe ratio equals the benchmark', () => {
    expect(probabilisticSharpeRatio({ sharpe: 0.1, benchmark: 0.1, observations: 100, skewness: 0, kurtosis: 3 })).toBe(0.5);
  });

  it('reduces to the PSR against zero for a single trial', () => {
    const args = { sharpe: 0.08, observations: 500, skewness: -0.5, kurtosis: 5 };
    expect(deflatedSharpeRatio({ ...args, trials: 1, trialSharpeVariance: 0.3 })).toBe(probabilisticSharpeRatio({ ...args, benchmark: 0 }));
  });

  it('falls as the number of trials grows (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1000 }), (n, extra) => {
        const args = { sharpe: 0.1, observations: 1000, skewness: 0, kurtosis: 3, trialSharpeVariance: 0.001 };
        expect(deflatedSharpeRatio({ ...args, trials: n + extra })).toBeLessThan(deflatedSharpeRatio({ ...args, trials: n }));
      }),
    );
  });

  it('rejects moments that make the Sharpe variance factor non-positive, and too few observations', () => {
    expect(() => probabilisticSharpeRatio({ sharpe: 1, benchmark: 0, observations: 10, skewness: 5, kurtosis: 3 })).toThrow(/not positive/);
    expect(() => probabilisticSharpeRatio({ sharpe: 0.1, benchmark: 0, observations: 1, skewness: 0, kurtosis: 3 })).toThrow(/'observations'/);
    expect(() => expectedMaxSharpe({ trials: 0, trialSharpeVariance: 1 })).toThrow(/'trials'/);
    expect(() => expectedMaxSharpe({ trials: 5, trialSharpeVariance: -1 })).toThrow(/'trialSharpeVariance': negative/);
  });
});

describe('minTrackRecordLength', () => {
  it('is the track record length at which the PSR reaches the confidence (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.double({ min: 0.001, max: 0.3, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 2, max: 12, noNaN: true }),
        fc.double({ min: 0.6, max: 0.999, noNaN: true }),
        (benchmark, edge, skewness, kurtosis, confidence) => {
          const sharpe = benchmark + edge;
          const n = minTrackRecordLength({ sharpe, benchmark, skewness, kurtosis, confidence })!;
          // PSR with a real-valued T: Phi(edge * sqrt(n - 1) / sqrt(v)) = Phi(Phi^-1(confidence)).
          const v = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
          const z = (edge * Math.sqrt(n - 1)) / Math.sqrt(v);
          expect(Math.abs(probabilisticSharpeRatio({ sharpe: z, benchmark: 0, observations: 2, skewness: 0, kurtosis: 1 }) - confidence)).toBeLessThan(1e-12);
        },
      ),
    );
  });

  it('gives 1 + (1.6448...)^2 / 0.01 periods for SR 0.1 against 0 at 95% with normal returns', () => {
    const z = 1.6448536269514722;
    const v = 1 + (2 / 4) * 0.01;
    expect(minTrackRecordLength({ sharpe: 0.1, benchmark: 0, skewness: 0, kurtosis: 3, confidence: 0.95 })).toBeCloseTo(1 + (v * z * z) / 0.01, 10);
  });

  it('gives null when the Sharpe ratio does not exceed the benchmark', () => {
    expect(minTrackRecordLength({ sharpe: 0.1, benchmark: 0.1, skewness: 0, kurtosis: 3, confidence: 0.95 })).toBeNull();
    expect(() => minTrackRecordLength({ sharpe: 0.2, benchmark: 0.1, skewness: 0, kurtosis: 3, confidence: 1 })).toThrow(/'confidence'/);
  });
});

/** Brute-force CSCV: concatenates the rows of each half and computes the measure directly. */
function naivePbo(matrix: number[][], S: number, metric: PboMetric): { pbo: number; selected: number[]; oos: number[] } {
  const T = matrix.length;
  const N = matrix[0]!.length;
  const blockOf = (t: number): number => {
    for (let b = 0; b < S; b++) if (t >= Math.floor((b * T) / S) && t < Math.floor(((b + 1) * T) / S)) return b;
    throw new Error('unreachable');
  };
  const measure = (rows: number[][], c: number): number => {
    const xs = rows.map((r) => r[c]!);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    if (metric === 'mean') return mean;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
    return mean / sd;
  };
  const combos: number[][] = [];
  const rec = (start: number, acc: number[]): void => {
    if (acc.length === S / 2) return void combos.push([...acc]);
    for (let b = start; b < S; b++) rec(b + 1, [...acc, b]);
  };
  rec(0, []);
  let overfit = 0;
  const selected: number[] = [];
  const oosSelected: number[] = [];
  for (const train of combos) {
    const trainRows = matrix.filter((_, t) => train.includes(blockOf(t)));
    const testRows = matrix.filter((_, t) => !train.includes(blockOf(t)));
    const is = Array.from({ length: N }, (_, c) => measure(trainRows, c));
    const oos = Array.from({ length: N }, (_, c) => measure(testRows, c));
    const best = is.indexOf(Math.max(...is));
    const rank = oos.filter((v) => v < oos[best]!).length + (oos.filter((v) => v === oos[best]!).length + 1) / 2;
    if (rank / (N + 1) <= 0.5) overfit++;
    selected.push(best);
    oosSelected.push(oos[best]!);
  }
  return { pbo: overfit / combos.length, selected, oos: oosSelected };
}

const EVEN_S = fc.constantFrom(2, 4, 6, 8, 10);

describe('probabilityOfBacktestOverfitting', () => {
  it('works a two-block, two-configuration example by hand', () => {
    // Block 0 = rows 0-1, block 1 = rows 2-3. Split 1 trains on block 0: A (mean 1) beats B (0), then
    // A (-1) loses to B (2) out of sample. Split 2 trains on block 1: B (2) wins, then loses to A (1 vs 0).
    const r = probabilityOfBacktestOverfitting([[1, 0], [1, 0], [-1, 2], [-1, 2]], { blocks: 2, metric: 'mean' });
    expect(r.splits).toBe(2);
    expect(r.pbo).toBe(1);
    expect(Array.from(r.selected)).toEqual([0, 1]);
    expect(Array.from(r.relativeRanks)).toEqual([1 / 3, 1 / 3]);
    expect(Array.from(r.logits)).toEqual([Math.log(0.5), Math.log(0.5)]);
    expect(Array.from(r.inSamplePerformance)).toEqual([1, 2]);
    expect(Array.from(r.outOfSamplePerformance)).toEqual([-1, 0]);
    expect(r.probabilityOfLoss).toBe(0.5);
    expect(r.degradation).toEqual({ slope: 1, intercept: -2 });
  });

  it('has C(S, S/2) splits (property over S in {2, 4, 6, 8, 10})', () => {
    fc.assert(
      fc.property(EVEN_S, fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (S, N, seed) => {
        const matrix = pseudoRandomMatrix(2 * S + (seed % 7), N, seed);
        const r = probabilityOfBacktestOverfitting(matrix, { blocks: S });
        const expected = binomial(S, S / 2);
        expect(r.splits).toBe(expected);
        expect(r.logits.length).toBe(expected);
        expect([2, 6, 20, 70, 252]).toContain(expected);
      }),
    );
  });

  it('gives 0 when one configuration dominates every block (property)', () => {
    fc.assert(
      fc.property(EVEN_S, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (S, others, seed) => {
        // Mean: the dominant column beats every other column in every row, hence in every block and half.
        const base = pseudoRandomMatrix(2 * S + 3, others, seed);
        const withWinner = base.map((row) => [...row, Math.max(...row) + 0.001]);
        expect(probabilityOfBacktestOverfitting(withWinner, { blocks: S, metric: 'mean' }).pbo).toBe(0);
        // Sharpe: columns share one noise series and differ by a constant shift, so the largest shift has
        // the highest Sharpe ratio on every subset of rows.
        const noise = pseudoRandomMatrix(2 * S + 3, 1, seed ^ 0x5bd1e995).map((row) => row[0]!);
        const shifted = noise.map((x) => Array.from({ length: others + 1 }, (_, c) => x + 0.002 * c));
        expect(probabilityOfBacktestOverfitting(shifted, { blocks: S }).pbo).toBe(0);
      }),
    );
  });

  it('gives 1 when the in-sample best is the out-of-sample worst in every split (property)', () => {
    fc.assert(
      fc.property(EVEN_S, fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 60, maxLength: 60 }), (S, rowsPerBlock, noise) => {
        // A zero-sum series whose halves never sum to zero: block b has sum 2^b * m for b < S - 1 and the
        // last block -(2^(S-1) - 1) * m, plus integer noise summing to zero inside each block. The sum over
        // the test half is minus the sum over the training half, so whatever wins in-sample loses out of
        // sample: with columns c * A the largest multiple is selected and ranks last.
        const m = rowsPerBlock + 1;
        const a: number[] = [];
        for (let b = 0; b < S; b++) {
          const level = b < S - 1 ? 2 ** b : -(2 ** (S - 1) - 1);
          let sum = 0;
          for (let i = 0; i < m - 1; i++) {
            const z = noise[(b * m + i) % noise.length]!;
            a.push(level + z);
            sum += z;
          }
          a.push(level - sum);
        }
        const multiples = [-2, -0.5, 1, 3];
        const byMean = a.map((x) => multiples.map((k) => k * x));
        expect(probabilityOfBacktestOverfitting(byMean, { blocks: S, metric: 'mean' }).pbo).toBe(1);
        // Sharpe: A against -A; the Sharpe ratio of -A is minus that of A on every subset.
        const bySharpe = a.map((x) => [x, -x]);
        expect(probabilityOfBacktestOverfitting(bySharpe, { blocks: S }).pbo).toBe(1);
      }),
    );
  });

  it('agrees with a direct implementation that concatenates the rows of each half (property)', () => {
    fc.assert(
      fc.property(EVEN_S, fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom<PboMetric>('sharpe', 'mean'), (S, N, seed, metric) => {
        const matrix = pseudoRandomMatrix(2 * S + (seed % 5), N, seed);
        const fast = probabilityOfBacktestOverfitting(matrix, { blocks: S, metric });
        const slow = naivePbo(matrix, S, metric);
        expect(fast.pbo).toBe(slow.pbo);
        expect(Array.from(fast.selected)).toEqual(slow.selected);
        fast.outOfSamplePerformance.forEach((v, i) => expect(Math.abs(v - slow.oos[i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(v))));
      }),
    );
  });

  it('rejects an odd number of blocks, too few rows, a ragged matrix and non-finite values', () => {
    const ok = pseudoRandomMatrix(16, 3, 1);
    expect(() => probabilityOfBacktestOverfitting(ok, { blocks: 3 })).toThrow(/'blocks': not an even number >= 2, was 3/);
    expect(() => probabilityOfBacktestOverfitting(ok, { blocks: 10 })).toThrow(/16 rows, fewer than 2 per block/);
    expect(() => probabilityOfBacktestOverfitting([...ok.slice(0, 7), [1, 2]], { blocks: 2 })).toThrow(/'matrix\[7\]': length differs/);
    expect(() => probabilityOfBacktestOverfitting([...ok.slice(0, 7), [1, Number.NaN, 2]], { blocks: 2 })).toThrow(/'matrix\[7\]\[1\]'/);
    expect(() => probabilityOfBacktestOverfitting(ok.map((r) => [r[0]!]), { blocks: 2 })).toThrow(/fewer than 2 configurations/);
  });
});

describe('binomial', () => {
  it('gives the central coefficients C(S, S/2)', () => {
    expect([2, 4, 6, 8, 10, 16, 20].map((s) => binomial(s, s / 2))).toEqual([2, 6, 20, 70, 252, 12870, 184756]);
  });
});

/** A deterministic matrix of returns from a small LCG, so property cases stay cheap to shrink. */
function pseudoRandomMatrix(rows: number, cols: number, seed: number): number[][] {
  let s = (seed >>> 0) || 1;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 0.02 * next() + 0.001));
}
