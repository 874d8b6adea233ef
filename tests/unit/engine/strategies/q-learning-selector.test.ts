import { describe, expect, it } from 'vitest';
import { randomStream, US_PER_DAY, formatIsoUs } from '../../../../engine/core/index.js';
import type { Bar } from '../../../../engine/model/index.js';
import { QLearningSelector } from '../../../../engine/strategies/q-learning-selector.js';
import { createStrategy } from '../../../../engine/strategies/registry.js';
import { FakeStrategyContext } from '../../../support/fake-strategy-context.js';

const START = 1_704_067_200_000_000;

/** A steady uptrend: +0.3% a day with 0.1% noise, so long pays on (almost) every bar and short loses. */
function uptrend(n: number, seed = 1): Bar[] {
  const rng = randomStream(seed, 'q-test', 'bars');
  let close = 100;
  return Array.from({ length: n }, (_, i) => {
    const open = close;
    close = close * Math.exp(0.003 + 0.001 * rng.normal());
    return { ts: START + i * US_PER_DAY, open, high: Math.max(open, close) * 1.001, low: Math.min(open, close) * 0.999, close, volume: 1000 + rng.int(0, 1000) };
  });
}

function run(params: Record<string, unknown>, bars: readonly Bar[]): { strategy: QLearningSelector; ctx: FakeStrategyContext } {
  const strategy = createStrategy('q_learning_selector', 'q1', ['X'], params) as QLearningSelector;
  const ctx = new FakeStrategyContext(['X'], { lookback: 3 });
  strategy.onStart?.(ctx);
  ctx.run(strategy, 'X', bars);
  return { strategy, ctx };
}

const RULE_ACTIONS = { actions: ['flat', 'long', 'short'], trendPeriod: 10, volatilityPeriod: 5, volumePeriod: 5 };

describe('q_learning_selector', () => {
  it('learns that long pays in a steady uptrend: every visited state prefers long, and after trainUntil it holds long', () => {
    const bars = uptrend(1500);
    const trainUntil = formatIsoUs(bars[1000]!.ts);
    const { strategy, ctx } = run({ ...RULE_ACTIONS, epsilon: 0.3, gamma: 0.5, seed: 3, trainUntil }, bars);
    const q = strategy.qTable('X');
    const visits = strategy.visitCounts('X');
    let states = 0;
    q.forEach((row, s) => {
      if (visits[s]!.reduce((a, b) => a + b, 0) < 30) return;
      states++;
      expect(row.indexOf(Math.max(...row)), `state ${s}: ${row.join(', ')}`).toBe(1);
    });
    expect(states).toBeGreaterThan(0);
    // Out of sample (frozen, greedy): long on the bars whose state was learned, i.e. nearly all.
    const oos = bars.slice(1001);
    const replay = run({ ...RULE_ACTIONS, epsilon: 0.3, gamma: 0.5, seed: 3, trainUntil }, bars.slice(0, 1001));
    let long = 0;
    for (const bar of oos) {
      replay.ctx.deliver(replay.strategy, 'X', bar);
      if (replay.ctx.position('X') === 100) long++;
    }
    expect(long / oos.length).toBeGreaterThan(0.9);
    expect(ctx.targets.filter((t) => t.ts > bars[1000]!.ts + US_PER_DAY).every((t) => t.units >= 0)).toBe(true);
  });
  it('freezes the table after trainUntil', () => {
    const bars = uptrend(400);
    const trainUntil = formatIsoUs(bars[200]!.ts);
    const a = run({ ...RULE_ACTIONS, trainUntil }, bars.slice(0, 202)).strategy.qTable('X');
    const b = run({ ...RULE_ACTIONS, trainUntil }, bars).strategy.qTable('X');
    expect(b).toEqual(a);
  });
  it('is deterministic per seed, and a different seed explores differently', () => {
    const bars = uptrend(600, 2);
    const one = run({ ...RULE_ACTIONS, seed: 5 }, bars).ctx.calls;
    const two = run({ ...RULE_ACTIONS, seed: 5 }, bars).ctx.calls;
    const other = run({ ...RULE_ACTIONS, seed: 6 }, bars).ctx.calls;
    expect(two).toEqual(one);
    expect(other).not.toEqual(one);
  });
  it('follows a registered sub-strategy run in the shadow when that action is chosen', () => {
    const bars = uptrend(300);
    // epsilon 0 and a single strategy action before flat: the greedy tie-break picks the first action, sma_cross.
    const { strategy, ctx } = run({ actions: [{ strategy: 'sma_cross', params: { fast: 3, slow: 8 } }, 'flat'], epsilon: 0, trendPeriod: 10, volatilityPeriod: 5, volumePeriod: 5 }, bars);
    expect(strategy.actionNames).toEqual(['sma_cross', 'flat']);
    const shadowRun = new FakeStrategyContext(['X'], { lookback: 3 });
    shadowRun.run(createStrategy('sma_cross', 's', ['X'], { fast: 3, slow: 8 }), 'X', bars);
    // Once warm (state defined), the selector's position is the shadow sma_cross position.
    expect(strategy.lastAction('X')).toBe(0);
    expect(ctx.position('X')).toBe(shadowRun.position('X'));
  });
  it('stays flat while its indicators warm up', () => {
    const { ctx } = run(RULE_ACTIONS, uptrend(20));
    expect(ctx.targets).toEqual([]);
  });
  it('replays the training pass as extra episodes when training stops: the online pass is unchanged, every recorded transition is updated once per episode', () => {
    const bars = uptrend(400, 4);
    const trainUntil = formatIsoUs(bars[250]!.ts + US_PER_DAY); // the close of bar 250
    const params = { ...RULE_ACTIONS, epsilon: 0.2, seed: 9, trainUntil };
    const one = run({ ...params, episodes: 1 }, bars);
    const three = run({ ...params, episodes: 3 }, bars);
    const before = (r: typeof one): unknown[] => r.ctx.calls.filter((c) => c.ts < bars[250]!.ts + US_PER_DAY);
    expect(before(three)).toEqual(before(one));
    const total = (v: number[][]): number => v.flat().reduce((a, b) => a + b, 0);
    expect(total(one.strategy.visitCounts('X'))).toBeGreaterThan(100);
    expect(total(three.strategy.visitCounts('X'))).toBe(3 * total(one.strategy.visitCounts('X')));
    expect(three.strategy.qTable('X')).not.toEqual(one.strategy.qTable('X'));
    // The replay happens once, when training stops: the table is frozen afterwards.
    const atStop = run({ ...params, episodes: 3 }, bars.slice(0, 252)).strategy.qTable('X');
    expect(three.strategy.qTable('X')).toEqual(atStop);
    // Deterministic per seed.
    expect(run({ ...params, episodes: 3 }, bars).ctx.calls).toEqual(three.ctx.calls);
  });
  it('maxStepsPerEpisode limits each replayed episode to that many consecutive transitions (seed 001 max_steps_per_episode)', () => {
    const bars = uptrend(400, 4);
    const trainUntil = formatIsoUs(bars[250]!.ts + US_PER_DAY);
    const params = { ...RULE_ACTIONS, epsilon: 0.2, seed: 9, trainUntil };
    const total = (v: number[][]): number => v.flat().reduce((a, b) => a + b, 0);
    const online = total(run({ ...params, episodes: 1 }, bars).strategy.visitCounts('X'));
    const short = run({ ...params, episodes: 3, maxStepsPerEpisode: 10 }, bars);
    // The online pass, then 2 episodes of 10 updates each.
    expect(total(short.strategy.visitCounts('X'))).toBe(online + 2 * 10);
    const whole = run({ ...params, episodes: 3 }, bars);
    expect(short.strategy.qTable('X')).not.toEqual(whole.strategy.qTable('X'));
    // A limit at or above the record replays it whole, as without one, but its start draw moves nothing.
    expect(total(run({ ...params, episodes: 3, maxStepsPerEpisode: 100_000 }, bars).strategy.visitCounts('X'))).toBe(3 * online);
    expect(run({ ...params, episodes: 3, maxStepsPerEpisode: 10 }, bars).ctx.calls).toEqual(short.ctx.calls);
  });
  it("rewards by the chosen reward function: 'win_rate' learns +1/-1/0, 'sharpe' the return over the bar volatility", () => {
    const bars = uptrend(300, 7);
    // alpha 1, gamma 0: every Q value is the reward of the last update of its (state, action).
    const params = { ...RULE_ACTIONS, alpha: 1, gamma: 0, epsilon: 0.5, seed: 2 };
    const visited = (r: ReturnType<typeof run>) => r.strategy.qTable('X').flatMap((row, st) => row.filter((_, a) => r.strategy.visitCounts('X')[st]![a]! > 0));
    const ret = visited(run({ ...params, reward: 'return' }, bars));
    const win = visited(run({ ...params, reward: 'win_rate' }, bars));
    const sharpe = visited(run({ ...params, reward: 'sharpe' }, bars));
    expect(new Set(win)).toEqual(new Set([-1, 0, 1]));
    // Returns of a +0.3%/day trend are below 2% a bar; divided by a per-bar volatility near 0.1% they are far larger.
    expect(Math.max(...ret.map(Math.abs))).toBeLessThan(0.02);
    expect(Math.max(...sharpe.map(Math.abs))).toBeGreaterThan(1);
    expect(run({ ...params, reward: 'return' }, bars).ctx.calls).toEqual(run(params, bars).ctx.calls);
  });
  it('rejects bad parameters, naming them', () => {
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { maxStepsPerEpisode: 10 })).toThrow("invalid 'maxStepsPerEpisode': set with episodes 1 (it limits the replayed episodes, and one episode is the online pass only), was 10");
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { episodes: 2, trainUntil: '2024-01-01', maxStepsPerEpisode: 0 })).toThrow(/'maxStepsPerEpisode'/);
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { reward: 'pnl' })).toThrow(/'reward'.*not one of return, sharpe, win_rate/);
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { episodes: 0 })).toThrow(/'episodes'/);
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { episodes: 2 })).toThrow(/'episodes': above 1 without trainUntil/);
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { actions: ['long'] })).toThrow(/'actions'/);
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { gamma: 1 })).toThrow(/'gamma'/);
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { trainUntil: 'soon' })).toThrow(/'trainUntil'/);
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { actions: ['long', 'nope'] })).toThrow(/unknown strategy "nope"/);
    expect(() => createStrategy('q_learning_selector', 'q', ['X'], { actions: ['long', 'q_learning_selector'] })).toThrow(/cannot select itself/);
  });
});
