import { InvalidArgumentError, parseIsoUs } from '../core/index.js';
import type { RandomStream } from '../core/index.js';

/** The regimes the agent's state distinguishes, in state order (engine/ensemble/adaptive/regime-classifier.ts). */
export const RL_REGIMES = ['trending', 'ranging', 'volatile', 'mixed'] as const;

/** The `rl` weighting of an ensemble, qualified (see scenarios/ensemble-schema.ts for the defaults). */
export interface RlWeightingConfig {
  readonly kind: 'rl';
  /** Learning rate alpha, in (0, 1]. */
  readonly alpha: number;
  /** Discount gamma, in [0, 1). */
  readonly gamma: number;
  /** Exploration probability epsilon, in [0, 1], while learning. */
  readonly epsilon: number;
  /** Share of the weight an `overweight k` action gives strategy k on top of (1 - tilt) x the base weights, in (0, 1). */
  readonly tilt: number;
  /** ISO time after which the table freezes and the actions are greedy; null: learns throughout. */
  readonly trainUntil: string | null;
}

/** One decision of the agent: what it saw, what it did and what it learnt from its previous action. */
export interface RlDecision {
  readonly state: number;
  readonly regime: string;
  /** Index of the strategy that led the recent shadow performance. */
  readonly leader: number;
  readonly action: number;
  readonly actionName: string;
  /** True when the action was drawn at random (epsilon) rather than greedy. */
  readonly exploring: boolean;
  /** True while the table still learns (at or before trainUntil). */
  readonly learning: boolean;
  /** The update of the previous (state, action) by the reward its period earned; null when none was made. */
  readonly update: { readonly state: number; readonly action: number; readonly reward: number; readonly before: number; readonly after: number } | null;
  /** The base-or-tilted weights the action puts in force (before adaptive multiples and statuses). */
  readonly weights: readonly number[];
}

/**
 * The RL meta agent of the ensemble (seed 000's meta layer), tabular Q-learning over which strategy
 * to favour. State = regime (4) x leader (the strategy with the highest shadow return over the
 * window, ties to the first): 4 x n states. Actions: `base` (the base weights) and `overweight k`
 * for each strategy k (tilt on k plus (1 - tilt) x the base weights): n + 1 actions. At each
 * re-weighing the previous action is rewarded by the return its weights earned over the period
 * (the reward the caller passes), Q(s, a) += alpha (r + gamma max Q(s', .) - Q(s, a)), and the next
 * action is epsilon-greedy with the given stream (greedy ties go to the first action). Decisions at
 * or before `trainUntil` update the table; decisions strictly before it may explore; after it the
 * table is frozen and every action greedy, so a walk-forward that sets trainUntil to each train
 * window's end evaluates the learned policy out of sample.
 */
export class RlMetaAgent {
  /** The Q table, row-major: state x action. */
  readonly q: Float64Array;
  /** How often each (state, action) was updated. */
  readonly visits: Float64Array;
  readonly actionNames: readonly string[];
  readonly stateCount: number;
  private readonly trainUntilUs: number;
  private prevState = -1;
  private prevAction = -1;

  constructor(
    private readonly cfg: RlWeightingConfig,
    private readonly ids: readonly string[],
    /** The normalized base weights, in `ids` order. */
    private readonly base: readonly number[],
    private readonly stream: RandomStream,
  ) {
    if (ids.length === 0) throw new InvalidArgumentError('the rl weighting needs at least one strategy');
    if (base.length !== ids.length) throw new InvalidArgumentError(`invalid 'base': ${base.length} weights for ${ids.length} strategies`);
    if (!(cfg.tilt > 0 && cfg.tilt < 1)) throw new InvalidArgumentError(`invalid 'ensemble.weighting.tilt': outside (0, 1), was ${cfg.tilt}`);
    this.trainUntilUs = cfg.trainUntil === null ? Number.POSITIVE_INFINITY : parseIsoUs(cfg.trainUntil, 'ensemble.weighting.trainUntil');
    this.actionNames = Object.freeze(['base', ...ids.map((id) => `overweight ${id}`)]);
    this.stateCount = RL_REGIMES.length * ids.length;
    this.q = new Float64Array(this.stateCount * this.actionNames.length);
    this.visits = new Float64Array(this.q.length);
  }

  /** Returns the state index of (regime, leader); an unknown regime counts as mixed. */
  stateOf(regime: string, leader: number): number {
    const r = RL_REGIMES.indexOf(regime as (typeof RL_REGIMES)[number]);
    return (r < 0 ? RL_REGIMES.length - 1 : r) * this.ids.length + leader;
  }

  /** Returns the weights of action `a`: the base weights, or tilt on one strategy plus (1 - tilt) x the base. */
  actionWeights(a: number): number[] {
    if (a === 0) return [...this.base];
    const k = a - 1;
    return this.base.map((b, j) => (1 - this.cfg.tilt) * b + (j === k ? this.cfg.tilt : 0));
  }

  /** Returns the Q table as rows of states (copies). */
  table(): number[][] {
    const n = this.actionNames.length;
    return Array.from({ length: this.stateCount }, (_, s) => Array.from(this.q.subarray(s * n, (s + 1) * n)));
  }

  /**
   * Decides at time `ts` in `regime` with `leader` leading: first rewards the previous action with
   * `reward` (the return its weights earned since it was taken; null: no update), then chooses.
   */
  decide(ts: number, regime: string, leader: number, reward: number | null): RlDecision {
    if (!(Number.isInteger(leader) && leader >= 0 && leader < this.ids.length)) throw new InvalidArgumentError(`invalid 'leader': not a strategy index, was ${leader}`);
    const state = this.stateOf(regime, leader);
    const learning = ts <= this.trainUntilUs;
    const mayExplore = ts < this.trainUntilUs;
    let update: RlDecision['update'] = null;
    if (learning && this.prevState >= 0 && reward !== null && Number.isFinite(reward)) {
      const n = this.actionNames.length;
      let next = Number.NEGATIVE_INFINITY;
      for (let a = 0; a < n; a++) next = Math.max(next, this.q[state * n + a]!);
      const k = this.prevState * n + this.prevAction;
      const before = this.q[k]!;
      this.q[k] = before + this.cfg.alpha * (reward + this.cfg.gamma * next - before);
      this.visits[k] = this.visits[k]! + 1;
      update = { state: this.prevState, action: this.prevAction, reward, before, after: this.q[k]! };
    }
    let action: number;
    let exploring = false;
    if (mayExplore && this.stream.next() < this.cfg.epsilon) {
      action = this.stream.int(0, this.actionNames.length - 1);
      exploring = true;
    } else {
      action = this.greedy(state);
    }
    this.prevState = state;
    this.prevAction = action;
    return { state, regime, leader, action, actionName: this.actionNames[action]!, exploring, learning, update, weights: this.actionWeights(action) };
  }

  /** Returns the action with the highest Q value in `state` (ties: the first). */
  greedy(state: number): number {
    const n = this.actionNames.length;
    let action = 0;
    for (let a = 1; a < n; a++) if (this.q[state * n + a]! > this.q[state * n + action]!) action = a;
    return action;
  }
}
