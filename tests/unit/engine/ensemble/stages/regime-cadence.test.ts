import { describe, expect, it } from 'vitest';
import type { EnsembleConfig } from '../../../../../engine/ensemble/ensemble-config.js';
import { EnsembleMarket } from '../../../../../engine/ensemble/stages/market-state.js';
import { EnsembleWeighting } from '../../../../../engine/ensemble/stages/weighting.js';
import { randomStream } from '../../../../../engine/core/rng.js';
import { EnsembleSectionSchema } from '../../../../../scenarios/ensemble-schema.js';

/** Seed 000's regime-table cadence applied to the ensemble's re-weighing (ensemble.rebalanceBy 'regime'). */
const DAY = 86_400_000_000;

function weighting(over: Record<string, unknown>): { w: EnsembleWeighting; audit: { ts: number; kind: string }[] } {
  const cfg = EnsembleSectionSchema.parse({ weighting: { kind: 'static' }, warmupBars: 2, ...over }) as EnsembleConfig;
  const audit: { ts: number; kind: string }[] = [];
  const w = new EnsembleWeighting(cfg, ['a', 'b'], 1, [], (ts, kind) => void audit.push({ ts, kind }));
  w.start('mixed');
  return { w, audit };
}

describe("ensemble re-weighing on the regime table's cadence", () => {
  it('re-weighs weekly when trending, daily when ranging, every 3 days when mixed, and holds when volatile', () => {
    const { w, audit } = weighting({ rebalanceBy: 'regime' });
    const reweigh = (samples: number, ts: number): void => void w.reweigh(ts, samples, { stats: {}, regime: 'x', returnsWindow: () => [] });
    expect(w.due(1, 0, 'trending')).toBe(false); // warm-up
    expect(w.due(2, 0, 'trending')).toBe(true); // the first re-weighing
    reweigh(2, 0);
    expect(w.due(3, 6 * DAY, 'trending')).toBe(false);
    expect(w.due(4, 7 * DAY, 'trending')).toBe(true);
    reweigh(4, 7 * DAY);
    expect(w.due(5, 8 * DAY, 'ranging')).toBe(true);
    reweigh(5, 8 * DAY);
    expect(w.due(6, 10 * DAY, 'mixed')).toBe(false);
    expect(w.due(7, 30 * DAY, 'volatile')).toBe(false);
    expect(w.due(8, 60 * DAY, 'volatile')).toBe(false);
    expect(audit.filter((e) => e.kind === 'rebalance.held')).toEqual([{ ts: 30 * DAY, kind: 'rebalance.held' }]); // once per spell
    expect(w.due(9, 61 * DAY, 'mixed')).toBe(true);
    reweigh(9, 61 * DAY);
    expect(w.due(10, 62 * DAY, 'volatile')).toBe(false);
    expect(audit.filter((e) => e.kind === 'rebalance.held')).toHaveLength(2); // a new spell
    expect(w.due(11, 64 * DAY, 'mixed')).toBe(true);
  });

  it("keeps the bar count's schedule by default, whatever the regime", () => {
    const { w } = weighting({ rebalanceEveryBars: 3 });
    expect(w.due(2, 0, 'volatile')).toBe(true);
    w.reweigh(0, 2, { stats: {}, regime: 'volatile', returnsWindow: () => [] });
    expect([w.due(4, DAY, 'volatile'), w.due(5, DAY, 'volatile')]).toEqual([false, true]);
  });
});

describe('the ensemble market with an HMM regime source', () => {
  it('labels volatile and trending spells of the mean log return from the trailing window only', () => {
    const regimes = EnsembleSectionSchema.parse({ regimes: { hmm: { window: 100, refitEvery: 10, orderBy: 'volatility' } } }).regimes;
    const market = new EnsembleMarket(2, regimes as EnsembleConfig['regimes'], 3);
    const rng = randomStream(6, 'ensemble-hmm-test', 'prices');
    const close = [100, 50];
    const seen: string[] = [];
    for (let t = 0; t < 260; t++) {
      const volatile = (t >= 60 && t < 110) || t >= 200;
      for (let i = 0; i < 2; i++) {
        close[i] = close[i]! * Math.exp(volatile ? -0.004 + 0.03 * rng.normal() : 0.002 + 0.005 * rng.normal());
        market.onBar(i, close[i]! * 1.01, close[i]! * 0.99, close[i]!);
      }
      seen.push(market.classify());
    }
    // The first return is at t = 1, the first fit (100 returns) at t = 100.
    expect(seen.slice(0, 100).every((r) => r === 'mixed')).toBe(true);
    expect(seen.slice(100, 110).every((r) => r === 'volatile')).toBe(true);
    expect(seen.slice(115, 200).every((r) => r === 'trending')).toBe(true);
    expect(seen.slice(205, 260).every((r) => r === 'volatile')).toBe(true);
  });
});
