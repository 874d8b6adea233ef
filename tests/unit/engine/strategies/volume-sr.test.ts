import { describe, expect, it } from 'vitest';
import { randomStream, US_PER_DAY } from '../../../../engine/core/index.js';
import type { Bar } from '../../../../engine/model/index.js';
import { VolumeSrStrategy, volumeSrParams, VOLUME_SR_DEFAULTS, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromLogReturns, randomWalkReturns, runOnBars, tStat } from '../../../support/strategy-pnl.js';

/** A bar closing at `close` with high and low 0.5 either side (typical price = close) and `volume`. */
function bar(i: number, close: number, volume: number): Bar {
  return { ts: 1_704_067_200_000_000 + i * US_PER_DAY, open: close, high: close + 0.5, low: close - 0.5, close, volume };
}
const bars = (rows: readonly [number, number][]): Bar[] => rows.map(([c, v], i) => bar(i, c, v));

/*
 * lookback 5, bins 5, nodeRatio 1.5. Bars 0-4 close at 10, 14, 12, 10, 14 with 1000 units on the 12
 * and 100 on the others: typical prices from 10 to 14, bins 0.8 wide, and the 12 bar's bin (2, centre
 * 12.0) holds 1000 >= 1.5 x 1400 / 5 = 420: the one node while that bar is in the profile (bars 5-7).
 * Breakout:
 *  5  close 11.5: prev close 14, support 12.0: below it -> short (long_short)
 *  6  close 12.5: prev 11.5, resistance 12.0: above it -> long
 *  7  close 11.9: prev 12.5, support 12.0: below it -> short
 *  8  close 12.2: the 12 bar left the profile (no node); back above the node it shorted at (12.0) -> flat
 *  9  close 13.5: the 12.2 bar (1000) makes a node at 12.25 >= prev 12.2: resistance, broken -> long
 */
const BREAKOUT = bars([[10, 100], [14, 100], [12, 1000], [10, 100], [14, 100], [11.5, 100], [12.5, 100], [11.9, 100], [12.2, 1000], [13.5, 100], [14, 100]]);
/*
 * Bounce, same profile:
 *  5  close 12.4, low 11.9 <= support 12.0 and close above it -> long
 *  6  close 12.3, 7 close 13: hold
 *  8  close 11: the node is now 12.8 (<= prev 13: support) and the low reaches it but the close is
 *     below: no bounce; the close is below the node it went long at (12.0) -> flat
 */
const BOUNCE = bars([[10, 100], [14, 100], [12, 1000], [10, 100], [14, 100], [12.4, 100], [12.3, 100], [13, 100], [11, 100]]);
const HAND = { lookback: 5, bins: 5, nodeRatio: 1.5 } as const;

/** Staircases: 40 quiet bars (sd 0.3%, volume 3000) at a level, then 20 bars trending 0.8% a bar (volume 1000), up and down in turn. */
function staircase(seed: number, steps: number): Bar[] {
  const rng = randomStream(seed, 'volume-sr', 'staircase');
  const returns: number[] = [];
  const volumes: number[] = [];
  for (let s = 0; s < steps; s++) {
    const dir = s % 4 < 2 ? 1 : -1;
    for (let i = 0; i < 60; i++) {
      const quiet = i < 40;
      returns.push((quiet ? 0 : dir * 0.008) + (quiet ? 0.003 : 0.004) * rng.normal());
      volumes.push(quiet ? 3000 : 1000);
    }
  }
  return barsFromLogReturns(returns, (i) => volumes[i]!);
}

/**
 * A range: the close swings between 95 and 105 and back (a triangle of 8 to 12 bars a leg, plus
 * noise of sd 0.3), turning at the bounds, where the volume is five times heavier (within 1.5 of them).
 */
function range(seed: number, n: number): Bar[] {
  const rng = randomStream(seed, 'volume-sr', 'range');
  const out: Bar[] = [];
  let close = 95;
  let level = 95;
  let step = 1;
  for (let i = 0; i < n; i++) {
    const open = close;
    level += step;
    if (level >= 105 || level <= 95) {
      level = Math.min(105, Math.max(95, level));
      step = (level >= 105 ? -10 : 10) / rng.int(8, 12);
    }
    close = level + 0.3 * rng.normal();
    const low = Math.min(open, close) - 0.3 * Math.abs(rng.normal());
    const high = Math.max(open, close) + 0.3 * Math.abs(rng.normal());
    out.push({ ts: 1_704_067_200_000_000 + i * US_PER_DAY, open, high, low, close, volume: level < 96.5 || level > 103.5 ? 5000 : 1000 });
  }
  return out;
}

describe('volume_sr', () => {
  it('breakout: trades closes through the high-volume node and leaves a failed breakout (hand-computed)', () => {
    const r = runOnBars(new VolumeSrStrategy('v', ['X'], { ...HAND, mode: 'long_short' }), BREAKOUT);
    expect(r.targetBars).toEqual([
      [5, -100],
      [6, 100],
      [7, -100],
      [8, 0],
      [9, 100],
    ]);
    expect(r.ctx.signals[0]!.reason).toBe('close broke below a high-volume support node');
    expect(r.ctx.signals[0]!.strength).toBeCloseTo(0.5 / 0.8, 12);
    expect(r.ctx.signals[3]!.reason).toBe('close rose back above the broken node');
  });

  it('bounce: goes long off the support node and leaves when the close breaks it (hand-computed)', () => {
    const r = runOnBars(new VolumeSrStrategy('v', ['X'], { ...HAND, style: 'bounce', mode: 'long_short' }), BOUNCE);
    expect(r.targetBars).toEqual([
      [5, 100],
      [8, 0],
    ]);
    expect(r.ctx.signals.map((s) => s.reason)).toEqual(['bounced off a high-volume support node', 'close broke the support node']);
  });

  it('is silent before lookback + 1 bars and long_only never shorts', () => {
    expect(runOnBars(new VolumeSrStrategy('v', ['X'], { ...HAND, mode: 'long_short' }), BREAKOUT.slice(0, 5)).ctx.calls).toEqual([]);
    expect(strategyWarmup('volume_sr', HAND)).toEqual({ bars: 6, because: 'lookback=5' });
    expect(runOnBars(new VolumeSrStrategy('v', ['X'], HAND), BREAKOUT).targetBars).toEqual([
      [6, 100],
      [7, 0],
      [9, 100],
    ]);
  });

  it('breakout profits from planted staircases (quiet high-volume shelves, then trends) on both sides', () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = runOnBars(new VolumeSrStrategy('v', ['X'], { mode: 'long_short', lookback: 40 }), staircase(seed, 24));
      expect(r.longPnl, `seed ${seed}`).toBeGreaterThan(0);
      expect(r.shortPnl, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('bounce profits from a planted range whose bounds carry the volume', () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = runOnBars(new VolumeSrStrategy('v', ['X'], { style: 'bounce', mode: 'long_short', lookback: 60 }), range(seed, 1500));
      expect(r.longPnl, `seed ${seed}`).toBeGreaterThan(0);
      expect(r.shortPnl, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it.each(['breakout', 'bounce'] as const)('%s does not profit systematically on a random walk with random volume (16 seeds, within 3 standard errors of 0)', (style) => {
    const pnls = Array.from({ length: 16 }, (_, seed) => {
      const rng = randomStream(seed, 'volume-sr', 'volume');
      const walk = barsFromLogReturns(randomWalkReturns(seed, 2000), () => rng.uniform(500, 1500));
      return runOnBars(new VolumeSrStrategy('v', ['X'], { style, mode: 'long_short' }), walk).pnl;
    });
    expect(pnls.filter((p) => p !== 0).length).toBe(16);
    expect(Math.abs(tStat(pnls))).toBeLessThan(3);
  });

  it('has defaults lookback 50, 20 bins, nodes at 1.5x the mean bin, breakout', () => {
    expect(VOLUME_SR_DEFAULTS).toMatchObject({ lookback: 50, bins: 20, nodeRatio: 1.5, style: 'breakout', mode: 'long_only' });
  });

  it.each([
    [{ lookback: 1 }, "invalid 'lookback': less than 2, was 1"],
    [{ bins: 1 }, "invalid 'bins': less than 2, was 1"],
    [{ nodeRatio: 0 }, "invalid 'nodeRatio': not a positive finite number, was 0"],
    [{ style: 'fade' }, "invalid 'style': not one of breakout, bounce, was \"fade\""],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => volumeSrParams(params as never)).toThrow(message);
  });
});
