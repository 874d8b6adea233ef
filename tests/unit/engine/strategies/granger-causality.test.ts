import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { grangerTest } from '../../../../engine/models/index.js';
import { createStrategy, GrangerCausalityStrategy, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromCloses } from '../../../support/fake-strategy-context.js';
import { independentWalks, leadLagPair, runMulti } from '../../../support/multi-bars.js';
import { meanAndError } from '../../../support/planted-bars.js';

/** Closes from log returns, starting at 100. */
function closesFrom(returns: readonly number[]): number[] {
  const out = [100];
  for (const r of returns) out.push(out[out.length - 1]! * Math.exp(r));
  return out;
}

/**
 * The rule, recomputed independently from the closes: at bar i (i >= window), the test on the
 * last `window` log returns of both (follower as effect); while p < maxPValue the side of the
 * leader's return at i (held when it is 0), else flat.
 */
function oracle(leader: number[], follower: number[], window: number, lag: number, maxPValue: number, longShort: boolean): [number, string, number][] {
  const lr = leader.slice(1).map((c, i) => Math.log(c / leader[i]!));
  const fr = follower.slice(1).map((c, i) => Math.log(c / follower[i]!));
  const out: [number, string, number][] = [];
  let side = 0;
  for (let i = window; i < leader.length; i++) {
    const p = grangerTest(fr.slice(i - window, i), lr.slice(i - window, i), lag)[lag - 1]!.p;
    let want = p < maxPValue ? (lr[i - 1]! > 0 ? 1 : lr[i - 1]! < 0 ? -1 : side) : 0;
    if (want < 0 && !longShort) want = 0;
    if (want !== side) out.push([i, 'F', want * 100]);
    side = want;
  }
  return out;
}

describe('granger_causality', () => {
  // The follower copies the leader's return one bar later for 40 bars, then moves on its own.
  const rng = randomStream(7, 'granger-test', 'returns');
  const lr = Array.from({ length: 80 }, () => 0.01 * rng.normal());
  const fr = lr.map((_, i) => (i < 40 ? (i > 0 ? lr[i - 1]! : 0) + 0.002 * rng.normal() : 0.01 * rng.normal()));
  const L = closesFrom(lr);
  const F = closesFrom(fr);
  const P = { window: 15, lag: 1, maxPValue: 0.05, mode: 'long_short' as const };

  it("follows the leader's last move from the first full window while the test holds, and goes flat on the bar it fails", () => {
    const s = new GrangerCausalityStrategy('g', ['L', 'F'], P);
    const run = runMulti(s, { L: barsFromCloses(L), F: barsFromCloses(F) });
    const expected = oracle(L, F, 15, 1, 0.05, true);
    expect(run.targets).toEqual(expected);
    // The first decision is at bar 15 (15 returns), on the leader's move at 15; the last is the exit to flat after the copying stops.
    expect(expected[0]![0]).toBe(15);
    expect(Math.sign(expected[0]![2])).toBe(Math.sign(lr[14]!));
    expect(expected.at(-1)![2]).toBe(0);
    expect(expected.at(-1)![0]).toBeGreaterThan(40);
    expect(expected.length).toBeGreaterThan(5);
    // Only the follower is traded; the leader's view is read, never set.
    expect(run.ctx.targets.every((t) => t.symbol === 'F')).toBe(true);
    const first = run.ctx.signals[0]!;
    expect(first.reason).toMatch(/^L Granger-causes F \(p 0\.0\d\d\) and (rose|fell)$/);
    expect(first.confidence).toBeGreaterThan(0.95);
    expect(first.strength).toBeGreaterThan(0);
    expect(first.strength).toBeLessThanOrEqual(1);
  });

  it('long_only holds flat where the leader fell; leader and follower may be named in either order of the symbols', () => {
    const named = runMulti(new GrangerCausalityStrategy('g', ['F', 'L'], { ...P, mode: 'long_only', leader: 'L', follower: 'F' }), { F: barsFromCloses(F), L: barsFromCloses(L) }, ['L', 'F']);
    expect(named.targets).toEqual(oracle(L, F, 15, 1, 0.05, false));
    expect(named.targets.every(([, , u]) => u >= 0)).toBe(true);
  });

  it('tested the other way round (F as leader) it holds on fewer bars than the true direction', () => {
    const bars = { L: barsFromCloses(L.slice(0, 41)), F: barsFromCloses(F.slice(0, 41)) };
    const reverse = new GrangerCausalityStrategy('g', ['L', 'F'], { ...P, leader: 'F' });
    let heldReverse = 0;
    let heldForward = 0;
    const ctx = runMulti(reverse, bars).ctx;
    expect(ctx.targets.every((t) => t.symbol === 'L')).toBe(true);
    expect(runMulti(reverse, bars).targets).toEqual(oracle(F.slice(0, 41), L.slice(0, 41), 15, 1, 0.05, true).map(([i, , u]) => [i, 'L', u]));
    for (let n = 16; n <= 41; n++) {
      const part = { L: bars.L.slice(0, n), F: bars.F.slice(0, n) };
      const r = new GrangerCausalityStrategy('g', ['L', 'F'], { ...P, leader: 'F' });
      const f = new GrangerCausalityStrategy('g', ['L', 'F'], P);
      runMulti(r, part);
      runMulti(f, part);
      if (r.pValue < 0.05) heldReverse++;
      if (f.pValue < 0.05) heldForward++;
    }
    expect(heldForward).toBe(26);
    expect(heldReverse).toBeLessThan(heldForward / 2);
  });

  it('minMove: a leader move within it holds the side', () => {
    const small = runMulti(new GrangerCausalityStrategy('g', ['L', 'F'], { ...P, minMove: 0.01 }), { L: barsFromCloses(L), F: barsFromCloses(F) });
    const all = runMulti(new GrangerCausalityStrategy('g', ['L', 'F'], P), { L: barsFromCloses(L), F: barsFromCloses(F) });
    expect(small.targets.length).toBeLessThan(all.targets.length);
    expect(small.targets.length).toBeGreaterThan(0);
  });

  it('does nothing before window + 1 bars', () => {
    const run = runMulti(new GrangerCausalityStrategy('g', ['L', 'F'], P), { L: barsFromCloses(L.slice(0, 15)), F: barsFromCloses(F.slice(0, 15)) });
    expect(run.ctx.calls).toEqual([]);
    expect(strategyWarmup('granger_causality', { window: 15 })).toEqual({ bars: 16, because: 'window=15' });
  });

  it('profits on a planted lead-lag across seeds, and makes no systematic profit on independent walks', () => {
    const planted: number[] = [];
    const walks: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const ll = leadLagPair(seed, 800);
      const r = runMulti(createStrategy('granger_causality', 'g', ['L', 'F'], { mode: 'long_short' }), ll);
      planted.push(r.pnl);
      const w = independentWalks(seed, 800, 2);
      walks.push(runMulti(createStrategy('granger_causality', 'g', ['S0', 'S1'], { mode: 'long_short' }), w).pnl);
    }
    expect(planted.every((p) => p > 0)).toBe(true);
    const q = meanAndError(planted);
    expect(q.mean).toBeGreaterThan(5 * q.error);
    const m = meanAndError(walks);
    expect(Math.abs(m.mean)).toBeLessThan(3 * m.error);
    expect(Math.abs(m.mean)).toBeLessThan(q.mean / 10);
  });

  it('refuses symbols other than a leader and a follower, and bad parameters, naming them', () => {
    expect(() => createStrategy('granger_causality', 'g', ['A'])).toThrow("invalid 'symbols': granger_causality reads exactly two symbols, the leader and the follower, was [\"A\"]");
    expect(() => createStrategy('granger_causality', 'g', ['A', 'B', 'C'])).toThrow("invalid 'symbols': granger_causality reads exactly two symbols");
    expect(() => createStrategy('granger_causality', 'g', ['A', 'B'], { leader: 'C' })).toThrow("invalid 'leader': not one of the strategy's symbols (A, B), was \"C\"");
    expect(() => createStrategy('granger_causality', 'g', ['A', 'B'], { follower: 'Z' })).toThrow("invalid 'follower': not one of the strategy's symbols (A, B)");
    expect(() => createStrategy('granger_causality', 'g', ['A', 'B'], { leader: 'A', follower: 'A' })).toThrow("invalid 'follower': the same symbol as leader");
    expect(() => createStrategy('granger_causality', 'g', ['A', 'B'], { lag: 5, window: 12 })).toThrow("invalid 'window': less than 17");
    expect(() => createStrategy('granger_causality', 'g', ['A', 'B'], { maxPValue: 1 })).toThrow("invalid 'maxPValue': outside (0, 1), was 1");
    expect(() => createStrategy('granger_causality', 'g', ['A', 'B'], { minMove: -1 })).toThrow("invalid 'minMove'");
    expect(() => createStrategy('granger_causality', 'g', ['A', 'B'], { mode: 'both' })).toThrow("invalid 'mode'");
    // follower named alone: the leader is the other symbol.
    expect((createStrategy('granger_causality', 'g', ['A', 'B'], { follower: 'A' }) as GrangerCausalityStrategy).leader).toBe('B');
  });
});
