import { describe, expect, it } from 'vitest';
import { randomStream, strategyId, US_PER_DAY, formatIsoUs, type StrategyId } from '../../../../engine/core/index.js';
import type { Bar } from '../../../../engine/model/index.js';
import type { Strategy } from '../../../../engine/strategies/context.js';
import { defineStrategy } from '../../../../engine/strategies/define-strategy.js';
import { QLearningSelector } from '../../../../engine/strategies/q-learning-selector.js';
import { createStrategy } from '../../../../engine/strategies/registry.js';
import { restoreStrategies, strategySnapshots } from '../../../../engine/strategies/snapshots.js';
import { captureState, restoreState } from '../../../../engine/strategies/state-capture.js';
import { FakeBarSeries, FakeStrategyContext } from '../../../support/fake-strategy-context.js';

const START = 1_704_067_200_000_000;

/** A random walk with regime changes in drift, so the selector's states and choices move around. */
function walk(n: number, seed: number): Bar[] {
  const rng = randomStream(seed, 'snapshot-test', 'bars');
  let close = 100;
  return Array.from({ length: n }, (_, i) => {
    const open = close;
    const drift = Math.sin(i / 40) * 0.004;
    close = close * Math.exp(drift + 0.012 * rng.normal());
    return { ts: START + i * US_PER_DAY, open, high: Math.max(open, close) * 1.002, low: Math.min(open, close) * 0.998, close, volume: 1000 + rng.int(0, 1000) };
  });
}

const PARAMS = {
  actions: [{ strategy: 'sma_cross', params: { fast: 3, slow: 8 } }, 'rsi_reversion', 'long', 'flat', 'short'],
  epsilon: 0.3,
  seed: 11,
  trendPeriod: 10,
  volatilityPeriod: 5,
  volumePeriod: 5,
};

/** Runs A over `bars`, snapshots after `cut` bars into a fresh B (through JSON), and returns both contexts' calls after the cut. */
function splitRun(params: Record<string, unknown>, bars: readonly Bar[], cut: number, restore = true) {
  const a = createStrategy('q_learning_selector', 'q1', ['X'], params) as QLearningSelector;
  const ctxA = new FakeStrategyContext(['X'], { lookback: 50 });
  a.onStart?.(ctxA);
  ctxA.run(a, 'X', bars.slice(0, cut));
  const before = ctxA.calls.length;
  const json = JSON.stringify(a.snapshot());
  const b = createStrategy('q_learning_selector', 'q1', ['X'], params) as QLearningSelector;
  if (restore) b.restore(JSON.parse(json));
  // The bar history is the session's data cache (not strategy state): B's context holds the same bars.
  const ctxB = new FakeStrategyContext(['X'], { lookback: 50 });
  for (const bar of bars.slice(0, cut)) (ctxB.bars('X') as FakeBarSeries).push(bar);
  b.onStart?.(ctxB);
  for (const bar of bars.slice(cut)) {
    ctxA.deliver(a, 'X', bar);
    ctxB.deliver(b, 'X', bar);
  }
  return { a, b, callsA: ctxA.calls.slice(before), callsB: ctxB.calls, json };
}

describe('q_learning_selector snapshot/restore', () => {
  it('a restored instance decides exactly as the original: same targets, signals, Q table and visits on the further bars', () => {
    const bars = walk(700, 1);
    const { a, b, callsA, callsB, json } = splitRun(PARAMS, bars, 400);
    expect(callsA.length).toBeGreaterThan(20);
    expect(callsB).toEqual(callsA);
    expect(b.qTable('X')).toEqual(a.qTable('X'));
    expect(b.visitCounts('X')).toEqual(a.visitCounts('X'));
    // The snapshot is plain JSON: the round trip changes nothing.
    expect(JSON.stringify(JSON.parse(json))).toBe(json);
  });
  it('control: a fresh instance without the snapshot decides differently (the test above can fail)', () => {
    const bars = walk(700, 1);
    const { callsA, callsB } = splitRun(PARAMS, bars, 400, false);
    expect(callsB).not.toEqual(callsA);
  });
  it('keeps the recorded transitions of a multi-episode training that stops after the snapshot', () => {
    const bars = walk(600, 2);
    const params = { ...PARAMS, trainUntil: formatIsoUs(bars[450]!.ts), episodes: 4, maxStepsPerEpisode: 60 };
    const { a, b, callsA, callsB } = splitRun(params, bars, 300);
    expect(callsB).toEqual(callsA);
    expect(b.qTable('X')).toEqual(a.qTable('X'));
  });
  it('goes through strategySnapshots/restoreStrategies: the restored instance snapshots the same JSON', () => {
    const a = createStrategy('q_learning_selector', 'q1', ['X'], PARAMS) as QLearningSelector;
    new FakeStrategyContext(['X'], { lookback: 50 }).run(a, 'X', walk(300, 5));
    const saved = JSON.parse(JSON.stringify(strategySnapshots([a])));
    const b = createStrategy('q_learning_selector', 'q1', ['X'], PARAMS) as QLearningSelector;
    restoreStrategies([b], saved);
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(saved.q1));
  });
  it('refuses a snapshot of other actions, other windows or another kind, naming what differs', () => {
    const bars = walk(200, 3);
    const a = createStrategy('q_learning_selector', 'q1', ['X'], PARAMS) as QLearningSelector;
    new FakeStrategyContext(['X'], { lookback: 50 }).run(a, 'X', bars);
    const snap = JSON.parse(JSON.stringify(a.snapshot()));
    const otherActions = createStrategy('q_learning_selector', 'q1', ['X'], { ...PARAMS, actions: ['long', 'flat'] }) as QLearningSelector;
    expect(() => otherActions.restore(snap)).toThrow(/actions .* differ/);
    const otherWindow = createStrategy('q_learning_selector', 'q1', ['X'], { ...PARAMS, volatilityPeriod: 6 }) as QLearningSelector;
    expect(() => otherWindow.restore(snap)).toThrow(/agents\.X\.shortVol\.window: length 5 in the snapshot, 6 here/);
    expect(() => otherActions.restore({ kind: 'dca' })).toThrow(/not a q_learning_selector snapshot/);
  });
});

describe('state capture', () => {
  class Inner {
    w = new Float64Array([1, Number.NaN, Number.NEGATIVE_INFINITY]);
    n = 0;
  }
  class Outer {
    readonly params = Object.freeze({ k: 1 });
    items = new Map([
      ['a', new Inner()],
      ['b', new Inner()],
    ]);
    last: Inner;
    list: number[] = [];
    fn = () => 1;
    constructor() {
      this.last = this.items.get('a')!;
    }
  }
  it('round-trips numbers bit for bit (NaN, infinities), typed arrays, maps and arrays, and keeps a fresh instance\'s aliases', () => {
    const x = new Outer();
    x.items.get('b')!.w[0] = 0.1 + 0.2;
    x.items.get('b')!.n = 7;
    x.last = x.items.get('b')!;
    x.list.push(3, 4);
    const state = JSON.parse(JSON.stringify(captureState(x)));
    const y = new Outer();
    restoreState(y, state);
    expect(y.items.get('b')!.w[0]).toBe(0.30000000000000004);
    expect(Number.isNaN(y.items.get('a')!.w[1])).toBe(true);
    expect(y.items.get('a')!.w[2]).toBe(Number.NEGATIVE_INFINITY);
    expect(y.items.get('b')!.n).toBe(7);
    expect(y.list).toEqual([3, 4]);
    // `last` was reached a second time (an alias): the fresh instance keeps its own, one of its items.
    expect(y.last).toBe(y.items.get('a'));
    expect(y.fn()).toBe(1);
  });
  it('refuses what it cannot capture, naming the path', () => {
    expect(() => captureState({ s: new Set([1]) })).toThrow(/state\.s: cannot capture a Set/);
  });
});

/** A user strategy module whose create() returns a frozen handler object with snapshot/restore. */
const counter = defineStrategy({
  name: 'counter',
  description: 'counts bars',
  defaults: {},
  create: () => {
    const st = { bars: 0 };
    return Object.freeze({
      onBar: () => void st.bars++,
      snapshot: () => ({ bars: st.bars }),
      restore: (s: unknown) => {
        const v = (s as { bars?: unknown }).bars;
        if (typeof v !== 'number') throw new Error(`bars: expected a number, was ${JSON.stringify(v)}`);
        st.bars = v;
      },
    });
  },
});

describe('strategySnapshots / restoreStrategies', () => {
  const plain: Strategy = { id: strategyId('plain'), symbols: [] };
  it('collects the snapshots of the strategies that have one (defineStrategy passes them through a frozen handler object) and restores them', () => {
    const c = counter.create('c1', ['X']);
    const ctx = new FakeStrategyContext(['X']);
    ctx.run(c, 'X', walk(5, 4));
    const snaps = strategySnapshots([plain, c]);
    expect(snaps).toEqual({ c1: { bars: 5 } });
    const fresh = counter.create('c1', ['X']);
    restoreStrategies([plain, fresh], JSON.parse(JSON.stringify(snaps)));
    expect(fresh.snapshot!()).toEqual({ bars: 5 });
  });
  it('refuses a snapshot for a strategy without restore() or for an unknown id, and names the strategy when restore() throws', () => {
    expect(() => restoreStrategies([plain], { plain: { x: 1 } })).toThrow(/strategies\.plain: .* has no restore\(\)/);
    expect(() => restoreStrategies([plain], { ghost: 1 })).toThrow(/strategy ghost, which is not a strategy of this run/);
    expect(() => restoreStrategies([counter.create('c1', ['X'])], { c1: { bars: 'x' } })).toThrow(/strategies\.c1: restore\(\) refused the snapshot: bars: expected a number/);
  });
  it('refuses a snapshot JSON would alter (NaN, a class instance)', () => {
    const bad = (v: unknown): Strategy => ({ id: strategyId('s') as StrategyId, symbols: [], snapshot: () => v });
    expect(() => strategySnapshots([bad({ x: Number.NaN })])).toThrow(/strategy s: snapshot\(\)\.x: NaN is not a JSON number/);
    expect(() => strategySnapshots([bad({ m: new Map() })])).toThrow(/snapshot\(\)\.m: a Map is not plain JSON/);
  });
});
