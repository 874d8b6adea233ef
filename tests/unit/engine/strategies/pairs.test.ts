import { describe, expect, it } from 'vitest';
import { cointegrationTest } from '../../../../engine/models/index.js';
import { createStrategy, PAIRS_DEFAULTS, PairsStrategy, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';
import { cointegratedPair, independentWalks, runMulti } from '../../../support/multi-bars.js';
import { meanAndError } from '../../../support/planted-bars.js';

/**
 * y = 1 + 2 x + 0.1 sin(1.3 t) on a smooth x: the spread's z-score stays within ±1.5 (a sine's
 * largest value is sqrt 2 of its sample sd), so only the planted spikes cross entryZ 2.
 */
function constructed(spikes: Record<number, number>, n = 50): { Y: number[]; X: number[] } {
  const X = Array.from({ length: n }, (_, t) => 100 + 5 * Math.sin(0.7 * t) + 0.1 * t);
  const Y = X.map((x, t) => 1 + 2 * x + 0.1 * Math.sin(1.3 * t) + (spikes[t] ?? 0));
  return { Y, X };
}

const P = { window: 20, refitEvery: 1000, entryZ: 2, exitZ: 0.5 };

function runPair(closes: { Y: number[]; X: number[] }, params: Record<string, unknown> = P, order: readonly string[] = ['Y', 'X']) {
  const s = new PairsStrategy('p', ['Y', 'X'], params);
  return { s, run: runMulti(s, { Y: barsFromCloses(closes.Y), X: barsFromCloses(closes.X) }, order) };
}

describe('pairs', () => {
  it('shorts the spread on the bar y spikes above its hedge (short y, long b x) and closes it on the bar it returns', () => {
    const c = constructed({ 30: 3 });
    const { s, run } = runPair(c);
    // One fit, on bars 0..19 (refitEvery 1000): the hedge ratio of the regression, about 2.
    const fit = cointegrationTest(c.Y.slice(0, 20), c.X.slice(0, 20), { maxLag: 4 });
    expect(s.hedgeRatio).toBe(fit.hedgeRatio);
    expect(fit.hedgeRatio).toBeCloseTo(2, 1);
    const x = Math.round(fit.hedgeRatio * 100);
    expect(run.targets).toEqual([
      [30, 'Y', -100],
      [30, 'X', x],
      [31, 'Y', 0],
      [31, 'X', 0],
    ]);
    const signals = run.ctx.signals;
    expect(signals.map((g) => [g.symbol, g.direction])).toEqual([
      ['Y', -1],
      ['X', 1],
      ['Y', 0],
      ['X', 0],
    ]);
    expect(signals[0]!.reason).toMatch(new RegExp(`^short spread: z \\d+\\.\\d\\d > 2, hedge ratio ${fit.hedgeRatio.toFixed(4)}$`));
    expect(signals[0]!.strength).toBeGreaterThan(0.5);
    expect(signals[0]!.strength).toBeLessThanOrEqual(1);
    expect(signals[0]!.confidence).toBeCloseTo(1 - fit.p, 12);
  });

  it('longs the spread on a dip (long y, short b x), whatever order the two bars of a timestamp arrive in', () => {
    const c = constructed({ 40: -3 });
    const a = runPair(c).run.targets;
    const b = runPair(c, P, ['X', 'Y']).run.targets;
    expect(a.map(([i, sym, u]) => [i, sym, Math.sign(u)])).toEqual([
      [40, 'Y', 1],
      [40, 'X', -1],
      [41, 'Y', 0],
      [41, 'X', 0],
    ]);
    expect(b.map(([i, sym, u]) => `${i}${sym}${u}`).sort()).toEqual(a.map(([i, sym, u]) => `${i}${sym}${u}`).sort());
  });

  it('decides nothing on a timestamp one symbol has no bar at (its closes enter no window)', () => {
    const c = constructed({ 30: 3 });
    const s = new PairsStrategy('p', ['Y', 'X'], P);
    const ctx = new FakeStrategyContext(['Y', 'X'], { lookback: 1 });
    const y = barsFromCloses(c.Y);
    const x = barsFromCloses(c.X);
    for (let i = 0; i < 32; i++) {
      ctx.deliver(s, 'Y', y[i]!);
      if (i !== 30) ctx.deliver(s, 'X', x[i]!);
    }
    // Bar 30 never completes: the spike is never seen with an x of its own timestamp.
    expect(ctx.targets).toEqual([]);
  });

  it('reverses a spread whose z-score crosses to the other entry, and holds between exitZ and entryZ', () => {
    // A spike of +3 at 30, then -3 at 31: short then long; then 1.2 (z ~ 1.5: held), then back: closed.
    const c = constructed({ 30: 3, 31: -3, 32: -0.9 });
    const { run } = runPair(c);
    expect(run.targets.filter(([, sym]) => sym === 'Y')).toEqual([
      [30, 'Y', -100],
      [31, 'Y', 100],
      [33, 'Y', 0],
    ]);
  });

  it('does nothing before the window is full; warm-up is window bars', () => {
    const c = constructed({ 10: 5 }, 19);
    expect(runPair(c).run.ctx.calls).toEqual([]);
    expect(strategyWarmup('pairs', { window: 20 })).toEqual({ bars: 20, because: 'window=20' });
    expect(strategyWarmup('pairs', {})).toEqual({ bars: PAIRS_DEFAULTS.window, because: 'window=60' });
  });

  it('profits on a cointegrated pair across seeds, and makes no systematic profit on independent walks', () => {
    const planted: number[] = [];
    const walks: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const pair = cointegratedPair(seed, 1500);
      const r = runMulti(createStrategy('pairs', 'p', ['Y', 'X']), pair);
      expect(r.targets.length, `seed ${seed}`).toBeGreaterThan(20);
      // Both legs trade together, on opposite sides (b = 1.5 > 0).
      for (let k = 0; k < r.targets.length; k += 2) {
        expect(r.targets[k]![0]).toBe(r.targets[k + 1]![0]);
        expect(Math.sign(r.targets[k]![2]) * Math.sign(r.targets[k + 1]![2])).not.toBe(1);
      }
      planted.push(r.pnl);
      const w = independentWalks(seed, 1500, 2);
      walks.push(runMulti(createStrategy('pairs', 'p', ['S0', 'S1']), w).pnl);
    }
    expect(planted.every((p) => p > 0)).toBe(true);
    const m = meanAndError(walks);
    expect(Math.abs(m.mean)).toBeLessThan(3 * m.error);
    const q = meanAndError(planted);
    expect(q.mean).toBeGreaterThan(5 * q.error);
  });

  it('maxPValue: trades only while the fit says cointegrated (far fewer spreads on independent walks)', () => {
    let free = 0;
    let gated = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const w = independentWalks(seed, 1000, 2);
      free += runMulti(createStrategy('pairs', 'p', ['S0', 'S1']), w).targets.length;
      gated += runMulti(createStrategy('pairs', 'p', ['S0', 'S1'], { maxPValue: 0.05 }), w).targets.length;
      const pair = cointegratedPair(seed, 1000);
      expect(runMulti(createStrategy('pairs', 'p', ['Y', 'X'], { maxPValue: 0.05 }), pair).pnl).toBeGreaterThan(0);
    }
    expect(gated).toBeLessThan(free / 2);
  });

  it('refuses one or three symbols, and bad parameters, naming them', () => {
    expect(() => createStrategy('pairs', 'p', ['A'])).toThrow(/^invalid 'symbols': pairs trades exactly two symbols, y then x .*, was \["A"\]$/);
    expect(() => createStrategy('pairs', 'p', ['A', 'B', 'C'])).toThrow("invalid 'symbols': pairs trades exactly two symbols");
    expect(() => createStrategy('pairs', 'p', ['A', 'A'])).toThrow("invalid 'symbols': duplicate symbol");
    expect(() => createStrategy('pairs', 'p', ['A', 'B'], { window: 10 })).toThrow("invalid 'window': less than 20");
    expect(() => createStrategy('pairs', 'p', ['A', 'B'], { refitEvery: 0 })).toThrow("invalid 'refitEvery'");
    expect(() => createStrategy('pairs', 'p', ['A', 'B'], { maxPValue: 0 })).toThrow("invalid 'maxPValue': not null or a number in (0, 1], was 0");
    expect(() => createStrategy('pairs', 'p', ['A', 'B'], { entryZ: -1 })).toThrow("invalid 'entryZ'");
    expect(() => createStrategy('pairs', 'p', ['A', 'B'], { exitZ: 2 })).toThrow("invalid 'exitZ': outside [0, entryZ) = [0, 2), was 2");
    expect(() => createStrategy('pairs', 'p', ['A', 'B'], { sizing: { kind: 'risk', fraction: 0.01, stopPct: 0.02 } })).toThrow("invalid 'sizing.kind'");
    expect(() => createStrategy('pairs', 'p', ['A', 'B'], { mode: 'long_only' })).toThrow("invalid parameter 'mode' for pairs: unknown");
  });
});
