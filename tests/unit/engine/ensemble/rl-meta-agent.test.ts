import { describe, expect, it } from 'vitest';
import { parseIsoUs, randomStream } from '../../../../engine/core/index.js';
import type { StrategyStats } from '../../../../engine/ensemble/adaptive/performance-stats.js';
import type { EnsembleConfig } from '../../../../engine/ensemble/ensemble-config.js';
import { RlMetaAgent } from '../../../../engine/ensemble/rl-meta-agent.js';
import type { RlWeightingConfig } from '../../../../engine/ensemble/rl-meta-agent.js';
import { EnsembleWeighting } from '../../../../engine/ensemble/stages/weighting.js';
import { EnsembleSectionSchema } from '../../../../scenarios/ensemble-schema.js';

const DAY_US = 86_400_000_000;
const cfg = (over: Partial<RlWeightingConfig> = {}): RlWeightingConfig => ({ kind: 'rl', alpha: 0.5, gamma: 0.5, epsilon: 0, tilt: 0.5, trainUntil: null, ...over });

describe('RlMetaAgent', () => {
  it('updates the Q table by hand: five decisions of two strategies, alpha 0.5, gamma 0.5, no exploration', () => {
    const agent = new RlMetaAgent(cfg(), ['a', 'b'], [0.5, 0.5], randomStream(1, 'run', 'test'));
    expect(agent.actionNames).toEqual(['base', 'overweight a', 'overweight b']);
    // States: regime index x 2 + leader (trending 0-1, ranging 2-3, volatile 4-5, mixed 6-7).
    const d1 = agent.decide(1, 'trending', 0, null);
    expect([d1.state, d1.action, d1.update]).toEqual([0, 0, null]);
    // Q[0][0] = 0 + 0.5 (0.1 + 0.5 x 0 - 0) = 0.05
    const d2 = agent.decide(2, 'ranging', 1, 0.1);
    expect([d2.state, d2.action]).toEqual([3, 0]);
    expect(d2.update).toEqual({ state: 0, action: 0, reward: 0.1, before: 0, after: 0.05 });
    // Q[3][0] = 0 + 0.5 (-0.2 + 0.5 x max Q[0] = 0.025 - 0) = -0.0875; greedy in 0: base (0.05)
    const d3 = agent.decide(3, 'trending', 0, -0.2);
    expect(d3.update!.after).toBeCloseTo(-0.0875, 15);
    expect(d3.action).toBe(0);
    // Q[0][0] = 0.05 + 0.5 (0.04 + 0.5 x max Q[3] = 0 - 0.05) = 0.045; greedy in 3: overweight a (0 > -0.0875, first of the ties)
    const d4 = agent.decide(4, 'ranging', 1, 0.04);
    expect(d4.update!.after).toBeCloseTo(0.045, 15);
    expect([d4.action, d4.actionName]).toEqual([1, 'overweight a']);
    expect(d4.weights).toEqual([0.75, 0.25]); // 0.5 on a + 0.5 x (0.5, 0.5)
    // Q[3][1] = 0 + 0.5 (0.3 + 0.5 x max Q[4] = 0 - 0) = 0.15
    const d5 = agent.decide(5, 'volatile', 0, 0.3);
    expect(d5.state).toBe(4);
    const expected = Array.from({ length: 8 }, () => [0, 0, 0]);
    expected[0] = [0.045, 0, 0];
    expected[3] = [-0.0875, 0.15, 0];
    const table = agent.table();
    table.forEach((row, s) => row.forEach((q, a) => expect(q, `Q[${s}][${a}]`).toBeCloseTo(expected[s]![a]!, 15)));
    expect(Array.from(agent.visits).reduce((x, y) => x + y, 0)).toBe(4);
    // An unknown regime counts as mixed.
    expect(agent.stateOf('nope', 1)).toBe(7);
  });

  it('explores with its stream: epsilon 1 draws next() then the action from it', () => {
    const agent = new RlMetaAgent(cfg({ epsilon: 1 }), ['a', 'b', 'c'], [1 / 3, 1 / 3, 1 / 3], randomStream(9, 'run', 'ensemble.rl'));
    const mirror = randomStream(9, 'run', 'ensemble.rl');
    for (let t = 0; t < 20; t++) {
      const d = agent.decide(t, 'mixed', t % 3, t === 0 ? null : 0.01);
      mirror.next();
      expect(d.exploring).toBe(true);
      expect(d.action).toBe(mirror.int(0, 3));
    }
  });

  it('freezes after trainUntil: no update, no exploration, greedy actions, the same table', () => {
    const until = parseIsoUs('2020-01-10');
    const agent = new RlMetaAgent(cfg({ epsilon: 1, trainUntil: '2020-01-10' }), ['a', 'b'], [0.5, 0.5], randomStream(3, 'run', 'ensemble.rl'));
    for (let t = 9; t >= 1; t--) agent.decide(until - t * DAY_US, 'trending', 1, 0.02);
    // At trainUntil it still learns (the reward is known) but no longer explores.
    const at = agent.decide(until, 'trending', 1, 0.02);
    expect([at.learning, at.exploring, at.update !== null]).toEqual([true, false, true]);
    const table = agent.table();
    for (let t = 1; t <= 10; t++) {
      const d = agent.decide(until + t * DAY_US, t % 2 === 0 ? 'trending' : 'ranging', t % 2, 1);
      expect([d.learning, d.exploring, d.update]).toEqual([false, false, null]);
      expect(d.action).toBe(agent.greedy(d.state));
    }
    expect(agent.table()).toEqual(table);
  });

  it('refuses a tilt outside (0, 1) and a trainUntil that is not a time, naming the field', () => {
    expect(() => new RlMetaAgent(cfg({ tilt: 1 }), ['a'], [1], randomStream(1, 'run', 'x'))).toThrow(/ensemble\.weighting\.tilt/);
    expect(() => new RlMetaAgent(cfg({ trainUntil: 'soon' }), ['a'], [1], randomStream(1, 'run', 'x'))).toThrow(/ensemble\.weighting\.trainUntil/);
    expect(EnsembleSectionSchema.safeParse({ weighting: { kind: 'rl', trainUntil: 'soon' } }).success).toBe(false);
  });
});

describe('EnsembleWeighting with kind rl', () => {
  /**
   * A planted edge: 'good' earns +1% per period and 'bad' loses 1%, in a constant regime. Rewards:
   * base 0, overweight good +0.5%, overweight bad -0.5%. Learning until trainUntil (epsilon 0.3),
   * then frozen.
   */
  function planted(seed: number) {
    const ids = ['bad', 'good'];
    const trainUntil = '2021-01-01';
    const until = parseIsoUs(trainUntil);
    const ens = EnsembleSectionSchema.parse({ warmupBars: 1, rebalanceEveryBars: 1, weighting: { kind: 'rl', alpha: 0.3, gamma: 0.2, epsilon: 0.3, trainUntil } }) as EnsembleConfig;
    const entries: { ts: number; kind: string; details?: Record<string, unknown> }[] = [];
    const w = new EnsembleWeighting(ens, ids, seed, [], (ts, kind, _m, _id, details) => entries.push({ ts, kind, ...(details ? { details } : {}) }));
    w.start('mixed');
    const equities = [100_000, 100_000];
    const stats = { bad: { totalReturn: -0.05 } as StrategyStats, good: { totalReturn: 0.05 } as StrategyStats };
    const step = (t: number, ts: number) => {
      w.reweigh(ts, t, { stats, regime: 'trending', returnsWindow: () => [], equities: () => [...equities] });
      equities[0] = equities[0]! * 0.99;
      equities[1] = equities[1]! * 1.01;
    };
    const learningSteps = 200;
    for (let t = 1; t <= learningSteps; t++) step(t, until - (learningSteps + 1 - t) * DAY_US);
    const learnt = w.agent!.table();
    for (let t = 1; t <= 30; t++) step(learningSteps + t, until + t * DAY_US);
    return { w, entries, learnt, until };
  }

  it('learns to overweight the consistently better strategy, then stays frozen on it', () => {
    const { w, entries, learnt, until } = planted(5);
    const agent = w.agent!;
    const s = agent.stateOf('trending', 1);
    expect(agent.greedy(s)).toBe(2); // overweight good
    expect(learnt[s]![2]!).toBeGreaterThan(learnt[s]![0]!);
    expect(learnt[s]![0]!).toBeGreaterThan(learnt[s]![1]!);
    // Frozen: the table does not move, every decision is greedy and the weights stay.
    expect(agent.table()).toEqual(learnt);
    const frozen = entries.filter((e) => e.kind === 'rl.decision' && e.ts > until);
    expect(frozen).toHaveLength(30);
    for (const e of frozen) expect(e.details).toMatchObject({ learning: false, exploring: false, update: null, actionName: 'overweight good', weights: { bad: 0.25, good: 0.75 } });
    expect([...w.weights()]).toEqual([0.25, 0.75]);
    // While learning it explored, and each decision is audited with the weights it put in force.
    const training = entries.filter((e) => e.kind === 'rl.decision' && e.ts <= until);
    expect(training).toHaveLength(200);
    expect(training.some((e) => e.details!.exploring === true)).toBe(true);
    expect(training.at(-1)!.details).toHaveProperty('state', s);
    expect(w.log.at(-1)!.source).toBe('rl:overweight good');
  });

  it('is deterministic by seed: the same seed gives the same decisions, another seed other explorations', () => {
    const a = planted(5).entries.map((e) => e.details?.action);
    const b = planted(5).entries.map((e) => e.details?.action);
    const c = planted(6).entries.map((e) => e.details?.action);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('rewards the previous action by the return of the weights it put in force', () => {
    const ens = EnsembleSectionSchema.parse({ warmupBars: 1, rebalanceEveryBars: 1, weighting: { kind: 'rl', epsilon: 0 } }) as EnsembleConfig;
    const rewards: unknown[] = [];
    const w = new EnsembleWeighting(ens, ['a', 'b'], 1, [], (_ts, kind, _m, _id, d) => kind === 'rl.decision' && rewards.push(d!.reward));
    w.start('mixed');
    const stats = { a: { totalReturn: 0 } as StrategyStats, b: { totalReturn: 0 } as StrategyStats };
    w.reweigh(1, 1, { stats, regime: 'mixed', returnsWindow: () => [], equities: () => [100, 200] });
    // base weights 0.5 / 0.5: 0.5 x (110/100 - 1) + 0.5 x (180/200 - 1) = 0.05 - 0.05
    w.reweigh(2, 2, { stats, regime: 'mixed', returnsWindow: () => [], equities: () => [110, 180] });
    expect(rewards[0]).toBeNull();
    expect(rewards[1] as number).toBeCloseTo(0, 15);
    w.reweigh(3, 3, { stats, regime: 'mixed', returnsWindow: () => [], equities: () => [121, 180] });
    expect(rewards[2] as number).toBeCloseTo(0.5 * 0.1, 15);
  });
});
