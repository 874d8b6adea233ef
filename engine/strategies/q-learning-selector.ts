import {
  checkFinite,
  checkInRange,
  checkInteger,
  checkPositive,
  checkPeriod,
  checkPositiveInteger,
  InvalidArgumentError,
  parseIsoUs,
  randomStream,
  strategyId,
  type OrderId,
  type RandomStream,
  type RandomStreamState,
  type StrategyId,
  type Symbol_,
} from '../core/index.js';
import { RollingStd, Sma } from '../indicators/index.js';
import type { OrderChanges } from '../model/events.js';
import type { QuoteTick, TradeTick } from '../model/market-data.js';
import type { BracketIds, BracketRequest, OrderRequest } from '../model/orders.js';
import { NO_ORDERS } from '../model/order-snapshot.js';
import type { OrderSnapshot } from '../model/order-snapshot.js';
import type { InstrumentSpec } from '../model/instruments.js';
import { NO_PLOT_LINE } from './context.js';
import type { BarSeries, PlotLine, Strategy, StrategyContext, TargetOptions } from './context.js';
import { defineStrategy, type DefinedStrategy, type StrategyWarmup } from './define-strategy.js';
import { deltaHedge } from './delta-hedge.js';
import { emaCross } from './ema-cross.js';
import { ibsMeanReversion } from './ibs-strategy.js';
import { liquidityFlow } from './liquidity-flow.js';
import { microstructure } from './microstructure.js';
import { optionsFlow } from './options-flow.js';
import { checkSizing, positionSize, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { rsiReversion } from './rsi-reversion.js';
import { smaCross } from './sma-cross.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols } from './symbol-view.js';
import { captureState, restoreState, type CapturedState } from './state-capture.js';

/**
 * An action of the selector: a simple rule (`long`, `flat`, `short`: hold +size, 0 or -size) or a
 * built-in strategy run in the shadow, by name with its defaults or as { strategy, params }.
 */
export type QLearningAction = string | { readonly strategy: string; readonly params?: Readonly<Record<string, unknown>> };

/** How an action's outcome is rewarded (see {@link QLearningSelectorParams.reward}). */
export type QLearningReward = 'return' | 'sharpe' | 'win_rate';
const REWARDS: readonly QLearningReward[] = ['return', 'sharpe', 'win_rate'];

/** Parameters of `q_learning_selector` (learning defaults from seed 001's `rl` block). */
export interface QLearningSelectorParams {
  /** The actions (at least 2). Default ['sma_cross', 'rsi_reversion', 'flat']. */
  readonly actions: readonly QLearningAction[];
  /** Learning rate alpha in (0, 1]. Default 0.1. */
  readonly alpha: number;
  /** Discount gamma in [0, 1). Default 0.95. */
  readonly gamma: number;
  /** Exploration probability epsilon in [0, 1] while learning. Default 0.1. */
  readonly epsilon: number;
  /** Seed of the exploration stream randomStream(seed, 'q-learning', strategy id). Default 0. */
  readonly seed: number;
  /**
   * ISO time (UTC) at which training stops: bars visible up to and including it update the table,
   * actions decided before it explore; from it on actions are greedy and the table is frozen (the
   * out-of-sample period). null: learns to the end. Default null. The walk-forward's warm start sets
   * it to each fold's train end (it is the registry's `trainUntilParam`).
   */
  readonly trainUntil: string | null;
  /**
   * Training episodes: passes over the training bars. The first is the online pass as the bars
   * arrive; when training stops (the first bar at or after trainUntil), the selector replays the
   * transitions it recorded during that pass `episodes - 1` more times, epsilon-greedy with the same
   * stream. The replay is exact because neither the market state nor the direction each action
   * would hold depends on the action chosen. More than 1 needs trainUntil. Default 1.
   */
  readonly episodes: number;
  /**
   * Most transitions in each replayed episode (seed 001's `max_steps_per_episode`): with `episodes` > 1,
   * each extra episode replays this many consecutive recorded transitions from a start drawn from the
   * exploration stream (the whole record when it is shorter), rather than the whole online pass.
   * null: every replay is the whole pass. Needs episodes > 1. Default null.
   */
  readonly maxStepsPerEpisode: number | null;
  /**
   * What rewards an action (seed 001's `reward_function`), from the return r of the close-to-close move
   * it held (direction x change): 'return' r itself; 'sharpe' r divided by the standard deviation of
   * log returns over volatilityPeriod bars at the decision (a per-bar Sharpe ratio contribution, so calm
   * and volatile bars weigh alike); 'win_rate' +1 for a gain, -1 for a loss, 0 when flat or unchanged.
   * Default 'return'.
   */
  readonly reward: QLearningReward;
  /** SMA period of the trend state. Default 50. */
  readonly trendPeriod: number;
  /** |close / SMA - 1| above which the trend is up or down rather than flat. Default 0.01. */
  readonly trendThreshold: number;
  /** Window of the short volatility (std of log returns); the long window is 4x. Default 20. */
  readonly volatilityPeriod: number;
  /** SMA period of volume for the volume state. Default 20. */
  readonly volumePeriod: number;
  /** Size of the rule actions; also given to strategy actions that do not set their own. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `q_learning_selector` (each documented on {@link QLearningSelectorParams}). */
export const Q_LEARNING_SELECTOR_DEFAULTS: QLearningSelectorParams = Object.freeze({
  actions: Object.freeze(['sma_cross', 'rsi_reversion', 'flat']),
  alpha: 0.1,
  gamma: 0.95,
  epsilon: 0.1,
  seed: 0,
  trainUntil: null,
  episodes: 1,
  maxStepsPerEpisode: null,
  reward: 'return',
  trendPeriod: 50,
  trendThreshold: 0.01,
  volatilityPeriod: 20,
  volumePeriod: 20,
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/**
 * The strategies an action may name: every other built-in, in the registry's order (a selector
 * cannot select itself). Imported as definitions, as a user's selector would import its strategies.
 */
const SELECTABLE: ReadonlyMap<string, DefinedStrategy<object>> = new Map(
  ([smaCross, emaCross, rsiReversion, ibsMeanReversion, liquidityFlow, microstructure, optionsFlow, deltaHedge] as unknown as DefinedStrategy<object>[]).map((d) => [d.name, d]),
);

const RULES = { long: 1, flat: 0, short: -1 } as const;
type RuleName = keyof typeof RULES;

/** Number of market states: trend (3) x volatility (3) x volume (2). */
export const Q_LEARNING_STATES = 18;

/** Returns the validated parameters with defaults applied. */
export function qLearningSelectorParams(params?: Partial<QLearningSelectorParams>): QLearningSelectorParams {
  const p = withDefaults('q_learning_selector', Q_LEARNING_SELECTOR_DEFAULTS, params);
  if (!Array.isArray(p.actions) || p.actions.length < 2) failParam('actions', 'expected at least 2 actions', p.actions);
  p.actions.forEach((a: unknown, i: number) => {
    if (typeof a === 'string' && Object.prototype.hasOwnProperty.call(RULES, a)) return;
    if (typeof a !== 'string' && (a === null || typeof a !== 'object' || typeof (a as { strategy?: unknown }).strategy !== 'string')) {
      failParam(`actions[${i}]`, "expected 'long', 'flat', 'short', a strategy name or { strategy, params }", a);
    }
  });
  checkPositive(p.alpha, 'alpha');
  if (p.alpha > 1) failParam('alpha', 'outside (0, 1]', p.alpha);
  checkInRange(p.gamma, 0, 1, 'gamma');
  if (p.gamma >= 1) failParam('gamma', 'outside [0, 1)', p.gamma);
  checkInRange(p.epsilon, 0, 1, 'epsilon');
  checkInteger(p.seed, 'seed');
  if (p.trainUntil !== null) {
    if (typeof p.trainUntil !== 'string') failParam('trainUntil', 'not an ISO time string or null', p.trainUntil);
    try {
      parseIsoUs(p.trainUntil);
    } catch {
      failParam('trainUntil', 'not an ISO time', p.trainUntil);
    }
  }
  checkPositiveInteger(p.episodes, 'episodes');
  if (p.episodes > 1 && p.trainUntil === null) failParam('episodes', 'above 1 without trainUntil (the extra episodes replay the training bars when training stops)', p.episodes);
  if (p.maxStepsPerEpisode !== null) {
    checkPositiveInteger(p.maxStepsPerEpisode, 'maxStepsPerEpisode');
    if (p.episodes === 1) failParam('maxStepsPerEpisode', 'set with episodes 1 (it limits the replayed episodes, and one episode is the online pass only)', p.maxStepsPerEpisode);
  }
  if (!REWARDS.includes(p.reward)) failParam('reward', `not one of ${REWARDS.join(', ')}`, p.reward);
  checkPeriod(p.trendPeriod, 'trendPeriod');
  checkFinite(p.trendThreshold, 'trendThreshold');
  if (p.trendThreshold < 0) failParam('trendThreshold', 'negative', p.trendThreshold);
  checkPeriod(p.volatilityPeriod, 'volatilityPeriod');
  if (p.volatilityPeriod < 2) failParam('volatilityPeriod', 'below 2', p.volatilityPeriod);
  checkPeriod(p.volumePeriod, 'volumePeriod');
  const fractional = checkBoolean(p.fractional, 'fractional');
  const sizing = checkSizing(p.sizing, fractional, 'sizing', { strategy: 'q_learning_selector' });
  p.actions.forEach((a, i) => {
    if (typeof a === 'string' && Object.prototype.hasOwnProperty.call(RULES, a)) return;
    const name = typeof a === 'string' ? a : a.strategy;
    if (name === 'q_learning_selector') failParam(`actions[${i}]`, 'a selector cannot select itself', name);
    const definition = SELECTABLE.get(name);
    if (definition === undefined) {
      throw new InvalidArgumentError(`invalid 'actions[${i}]': unknown strategy ${JSON.stringify(name)} (known: ${[...SELECTABLE.keys()].join(', ')}; or long, flat, short)`);
    }
    const own = typeof a === 'string' ? undefined : (a.params?.['sizing'] as { kind?: unknown } | undefined);
    if (own?.kind === 'risk') failParam(`actions[${i}].params.sizing.kind`, 'risk sizing places a protective stop order, and an action of the selector only sets targets (use units, equity_fraction or volatility_target)', own.kind);
    try {
      definition.qualifyParams(actionParams(a, sizing, fractional));
    } catch (err) {
      // Name the action's parameter (`actions[1].params.fast`), so the scenario path points at it.
      if (!(err instanceof InvalidArgumentError)) throw err;
      const m = /^invalid (?:parameter )?'([^']+)'(?: for [^:]+)?: (.*)$/s.exec(err.message);
      throw new InvalidArgumentError(m !== null ? `invalid 'actions[${i}].params.${m[1]}': ${m[2]}` : `invalid 'actions[${i}]': ${name}: ${err.message}`, { cause: err });
    }
  });
  return Object.freeze({ ...p, actions: Object.freeze(p.actions.slice()), sizing, fractional });
}

/** The parameters of a strategy action: the selector's sizing, unless the action sets its own. */
function actionParams(action: QLearningAction, sizing: PositionSizing, fractional: boolean): Readonly<Record<string, unknown>> {
  const own = typeof action === 'string' ? {} : (action.params ?? {});
  return { sizing, fractional, ...own };
}

/**
 * The warm-up of the selector: its state needs SMA(trendPeriod), SMA(volumePeriod) of volume and
 * the std of 4 x volatilityPeriod log returns; the longest of the three.
 */
export function qLearningSelectorWarmup(p: QLearningSelectorParams): StrategyWarmup {
  const needs: StrategyWarmup[] = [
    { bars: p.trendPeriod, because: `trendPeriod=${p.trendPeriod}` },
    { bars: 4 * p.volatilityPeriod + 1, because: `volatilityPeriod=${p.volatilityPeriod}, 4 x volatilityPeriod returns` },
    { bars: p.volumePeriod, because: `volumePeriod=${p.volumePeriod}` },
    { bars: sizingWarmupBars(p.sizing), because: `sizing.kind=${p.sizing.kind}` },
  ];
  return needs.reduce((a, b) => (b.bars > a.bars ? b : a));
}

/**
 * The StrategyContext a sub-strategy sees: market data, cash and equity come from the real context;
 * its targets are recorded (and count as filled at once for its `position`) instead of traded.
 */
class ShadowContext implements StrategyContext {
  real!: StrategyContext;
  readonly targets = new Map<string, number>();
  constructor(
    readonly strategyId: StrategyId,
    readonly symbols: readonly Symbol_[],
  ) {}
  get now(): number {
    return this.real.now;
  }
  bars(symbol: Symbol_ | string): BarSeries {
    return this.real.bars(symbol);
  }
  lastTrade(symbol: Symbol_ | string): TradeTick | null {
    return this.real.lastTrade(symbol);
  }
  lastQuote(symbol: Symbol_ | string): QuoteTick | null {
    return this.real.lastQuote(symbol);
  }
  position(symbol: Symbol_ | string): number {
    return this.targets.get(symbol) ?? 0;
  }
  cash(): number {
    return this.real.cash();
  }
  equity(): number {
    return this.real.equity();
  }
  setTarget(symbol: Symbol_ | string, units: number, _options?: TargetOptions): void {
    this.targets.set(symbol, units);
  }
  emitSignal(): void {}
  submitOrder(_request: OrderRequest): OrderId {
    throw new InvalidArgumentError(`q_learning_selector: sub-strategy ${this.strategyId} submitted an order; actions may only set targets`);
  }
  submitBracket(_request: BracketRequest): BracketIds {
    throw new InvalidArgumentError(`q_learning_selector: sub-strategy ${this.strategyId} submitted a bracket; actions may only set targets`);
  }
  cancelOrder(_orderId: OrderId): void {}
  replaceOrder(_orderId: OrderId, _changes: OrderChanges): void {}
  openOrders(): readonly OrderSnapshot[] {
    return NO_ORDERS;
  }
  setTimer(): void {
    throw new InvalidArgumentError(`q_learning_selector: sub-strategy ${this.strategyId} set a timer; actions may only set targets`);
  }
  cancelTimer(): void {}
  instrument(symbol: Symbol_ | string): Readonly<InstrumentSpec> | null {
    return this.real.instrument?.(symbol) ?? null;
  }
  /** A sub-strategy's indicators are not the selector's: its plots are not kept. */
  readonly plotting = false;
  plot(): void {}
  plotSeries(): PlotLine {
    return NO_PLOT_LINE;
  }
}

/** Learning state of one symbol. */
class SymbolAgent {
  readonly trend: Sma;
  readonly shortVol: RollingStd;
  readonly longVol: RollingStd;
  readonly volume: Sma;
  /** Q values, state-major: q[state * actions + action]. */
  readonly q: Float64Array;
  /** Visits per (state, action). */
  readonly visits: Uint32Array;
  prevClose = Number.NaN;
  prevState = -1;
  prevAction = -1;
  /** Direction (-1/0/1) of the previously chosen action at the previous close. */
  prevDirection = 0;
  chosen = -1;
  target = 0;
  /** Direction (-1/0/1) each action would hold at the previous bar (recorded only when episodes > 1). */
  readonly prevDirections: Int8Array;
  /**
   * Transitions of the online training pass, for the replayed episodes: state, next state and
   * close-to-close return per transition, and each action's direction (actions per transition).
   */
  readonly recordedStates: number[] = [];
  readonly recordedNext: number[] = [];
  readonly recordedReturns: number[] = [];
  /** What the reward of each recorded transition's return is divided by (1 unless reward is 'sharpe'). */
  readonly recordedScales: number[] = [];
  readonly recordedDirections: number[] = [];
  /** The reward's divisor at the previous decision (see {@link QLearningSelector.rewardScale}). */
  prevScale = 1;
  /** Whether the training stop (replays, freeze) has been applied. */
  trainingDone = false;
  constructor(
    readonly symbol: Symbol_,
    p: QLearningSelectorParams,
    actions: number,
  ) {
    this.trend = new Sma(p.trendPeriod);
    this.shortVol = new RollingStd(p.volatilityPeriod);
    this.longVol = new RollingStd(4 * p.volatilityPeriod);
    this.volume = new Sma(p.volumePeriod);
    this.q = new Float64Array(Q_LEARNING_STATES * actions);
    this.visits = new Uint32Array(Q_LEARNING_STATES * actions);
    this.prevDirections = new Int8Array(actions);
  }
}

/**
 * `q_learning_selector`: seed 001's reinforcement-learning strategy selector. Per symbol, a tabular
 * Q-learning agent picks, on each bar, which action to follow: a rule (long / flat / short) or one
 * of the registered strategies, all of which run in the shadow on every bar so each is ready when
 * chosen. The selector holds the chosen action's target.
 *
 * State (18 buckets): trend (close vs SMA(trendPeriod): down / flat / up at +-trendThreshold) x
 * volatility (std of log returns over volatilityPeriod vs over 4x that: low below 0.8x, high above
 * 1.25x, else normal) x volume (above or below its SMA). Until every indicator is warm the state is
 * not defined and the selector stays flat.
 *
 * Learning is online: the reward of the action chosen at bar t is its direction at t times the
 * close-to-close return to bar t+1; Q(s, a) += alpha (r + gamma max Q(s', .) - Q(s, a)). Actions
 * are epsilon-greedy with the exploration stream randomStream(seed, 'q-learning', strategy id): the
 * strategy context has no randomness of its own, so the seed is a parameter and the stream is
 * derived from it and the id (two selectors never share draws). After `trainUntil` the table freezes
 * and actions are greedy: run in a walk-forward with trainUntil at the end of each train window,
 * the test window is an honest out-of-sample evaluation of the learned policy. Greedy ties go to the
 * first action. With `episodes` > 1 the transitions of the online pass are recorded and replayed
 * when training stops (see {@link QLearningSelectorParams.episodes}).
 */
export class QLearningSelector implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: QLearningSelectorParams;
  /** Action labels, in parameter order. */
  readonly actionNames: readonly string[];
  private readonly rules: (number | null)[];
  private readonly subs: (Strategy | null)[];
  private readonly shadows: (ShadowContext | null)[];
  private readonly agents: Map<string, SymbolAgent>;
  private readonly rng: RandomStream;
  private readonly trainUntilUs: number;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<QLearningSelectorParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = qLearningSelectorParams(params);
    const p = this.params;
    this.rng = randomStream(p.seed, 'q-learning', this.id);
    this.trainUntilUs = p.trainUntil === null ? Number.POSITIVE_INFINITY : parseIsoUs(p.trainUntil);
    this.rules = [];
    this.subs = [];
    this.shadows = [];
    const names: string[] = [];
    p.actions.forEach((a, i) => {
      if (typeof a === 'string' && Object.prototype.hasOwnProperty.call(RULES, a)) {
        this.rules.push(RULES[a as RuleName]);
        this.subs.push(null);
        this.shadows.push(null);
        names.push(a);
        return;
      }
      // qLearningSelectorParams checked the name and the action's parameters.
      const name = typeof a === 'string' ? a : a.strategy;
      const subId = `${this.id}/${i}:${name}`;
      // Sizing follows the selector's unless the action sets its own.
      const sub = SELECTABLE.get(name)!.create(subId, this.symbols, actionParams(a, p.sizing, p.fractional));
      this.rules.push(null);
      this.subs.push(sub);
      this.shadows.push(new ShadowContext(sub.id, this.symbols));
      names.push(name);
    });
    this.actionNames = Object.freeze(names);
    this.agents = new Map(this.symbols.map((s) => [s, new SymbolAgent(s, p, names.length)]));
  }

  onStart(ctx: StrategyContext): void {
    this.subs.forEach((sub, i) => {
      const shadow = this.shadows[i]!;
      if (sub?.onStart !== undefined) {
        shadow.real = ctx;
        sub.onStart(shadow);
      }
    });
  }

  /** Returns the Q table of `symbol` as rows of states (copies). */
  qTable(symbol: string): number[][] {
    const agent = this.agent(symbol);
    const n = this.actionNames.length;
    return Array.from({ length: Q_LEARNING_STATES }, (_, s) => Array.from(agent.q.subarray(s * n, (s + 1) * n)));
  }

  /** Returns how often each (state, action) was updated, as rows of states. */
  visitCounts(symbol: string): number[][] {
    const agent = this.agent(symbol);
    const n = this.actionNames.length;
    return Array.from({ length: Q_LEARNING_STATES }, (_, s) => Array.from(agent.visits.subarray(s * n, (s + 1) * n)));
  }

  /** Returns the index of the action chosen on the last bar of `symbol` (-1 before any). */
  lastAction(symbol: string): number {
    return this.agent(symbol).chosen;
  }

  private agent(symbol: string): SymbolAgent {
    const a = this.agents.get(symbol);
    if (a === undefined) throw new InvalidArgumentError(`q_learning_selector: ${symbol} is not one of its symbols`);
    return a;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const agent = this.agent(bars.symbol);
    const p = this.params;
    const close = bars.close(0);
    // Every action's view moves on every bar, chosen or not.
    for (let i = 0; i < this.subs.length; i++) {
      const sub = this.subs[i];
      if (sub?.onBar !== undefined) {
        const shadow = this.shadows[i]!;
        shadow.real = ctx;
        sub.onBar(shadow, bars);
      }
    }
    const state = this.observe(agent, close, bars.volume(0));
    // This bar's return is known at ctx.now, so it may still update the table at trainUntil; the
    // action decided now is held over the next bar, after trainUntil, so it no longer explores.
    const learning = ctx.now <= this.trainUntilUs;
    const exploring = ctx.now < this.trainUntilUs;
    const recording = p.episodes > 1 && learning;
    const n = this.actionNames.length;
    if (learning && agent.prevState >= 0 && state >= 0 && agent.prevClose > 0) {
      const change = close / agent.prevClose - 1;
      this.update(agent, agent.prevState, agent.prevAction, this.reward(agent.prevDirection * change, agent.prevScale), state);
      if (recording) {
        agent.recordedStates.push(agent.prevState);
        agent.recordedNext.push(state);
        agent.recordedReturns.push(change);
        agent.recordedScales.push(agent.prevScale);
        for (let a = 0; a < n; a++) agent.recordedDirections.push(agent.prevDirections[a]!);
      }
    }
    agent.prevClose = close;
    if (!exploring && !agent.trainingDone) {
      agent.trainingDone = true;
      this.replayEpisodes(agent);
    }
    if (state < 0) {
      agent.prevState = -1;
      this.hold(ctx, agent, -1, 0, 'warming up');
      return;
    }
    let action: number;
    if (exploring && this.rng.next() < p.epsilon) {
      action = this.rng.int(0, n - 1);
    } else {
      action = this.greedy(agent, state);
    }
    const units = this.actionTarget(ctx, action, bars, close);
    if (recording) {
      for (let a = 0; a < n; a++) agent.prevDirections[a] = a === action ? Math.sign(units) : Math.sign(this.actionTarget(ctx, a, bars, close));
    }
    agent.prevState = state;
    agent.prevAction = action;
    agent.prevDirection = Math.sign(units);
    agent.prevScale = this.rewardScale(agent);
    this.hold(ctx, agent, action, units, this.actionNames[action]!);
  }

  /** Returns the reward of a held return `r` (direction x change), `scale` the divisor of a 'sharpe' reward. */
  private reward(r: number, scale: number): number {
    switch (this.params.reward) {
      case 'return':
        return r;
      case 'sharpe':
        return r / scale;
      case 'win_rate':
        return r > 0 ? 1 : r < 0 ? -1 : 0;
    }
  }

  /**
   * The divisor of a 'sharpe' reward for the action decided now: the standard deviation of the last
   * volatilityPeriod log returns (known now; the state is defined, so it is warm), 1 when it is 0 or
   * for the other rewards.
   */
  private rewardScale(agent: SymbolAgent): number {
    if (this.params.reward !== 'sharpe') return 1;
    const sd = agent.shortVol.value;
    return sd > 0 ? sd : 1;
  }

  /** Q(s, a) += alpha (reward + gamma max Q(next, .) - Q(s, a)). */
  private update(agent: SymbolAgent, state: number, action: number, reward: number, nextState: number): void {
    const n = this.actionNames.length;
    let next = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < n; a++) next = Math.max(next, agent.q[nextState * n + a]!);
    const k = state * n + action;
    agent.q[k] = agent.q[k]! + this.params.alpha * (reward + this.params.gamma * next - agent.q[k]!);
    agent.visits[k] = agent.visits[k]! + 1;
  }

  /** Returns the action with the highest Q value in `state` (ties: the first). */
  private greedy(agent: SymbolAgent, state: number): number {
    const n = this.actionNames.length;
    let action = 0;
    for (let a = 1; a < n; a++) if (agent.q[state * n + a]! > agent.q[state * n + action]!) action = a;
    return action;
  }

  /**
   * Runs episodes 2..N over the transitions recorded in the online pass: in order, an epsilon-greedy
   * action, the reward its recorded direction earned over the recorded return, the update. Then
   * drops the record.
   */
  private replayEpisodes(agent: SymbolAgent): void {
    const p = this.params;
    const n = this.actionNames.length;
    const count = agent.recordedStates.length;
    const steps = p.maxStepsPerEpisode === null ? count : Math.min(p.maxStepsPerEpisode, count);
    for (let episode = 1; episode < p.episodes; episode++) {
      // An episode of maxStepsPerEpisode consecutive transitions starts anywhere it fits.
      const from = steps < count ? this.rng.int(0, count - steps) : 0;
      for (let t = from; t < from + steps; t++) {
        const state = agent.recordedStates[t]!;
        const action = this.rng.next() < p.epsilon ? this.rng.int(0, n - 1) : this.greedy(agent, state);
        this.update(agent, state, action, this.reward(agent.recordedDirections[t * n + action]! * agent.recordedReturns[t]!, agent.recordedScales[t]!), agent.recordedNext[t]!);
      }
    }
    agent.recordedStates.length = 0;
    agent.recordedNext.length = 0;
    agent.recordedReturns.length = 0;
    agent.recordedScales.length = 0;
    agent.recordedDirections.length = 0;
  }

  /** Returns the market state 0..17 after updating the indicators, or -1 while they warm up. */
  private observe(agent: SymbolAgent, close: number, volume: number): number {
    const trend = agent.trend.update(close);
    const logReturn = agent.prevClose > 0 && close > 0 ? Math.log(close / agent.prevClose) : Number.NaN;
    if (!Number.isNaN(logReturn)) {
      agent.shortVol.update(logReturn);
      agent.longVol.update(logReturn);
    }
    const avgVolume = agent.volume.update(volume);
    if (!agent.trend.ready || !agent.longVol.ready || !agent.volume.ready) return -1;
    const deviation = close / trend - 1;
    const t = deviation > this.params.trendThreshold ? 2 : deviation < -this.params.trendThreshold ? 0 : 1;
    const ratio = agent.longVol.value > 0 ? agent.shortVol.value / agent.longVol.value : 1;
    const v = ratio < 0.8 ? 0 : ratio > 1.25 ? 2 : 1;
    const vol = avgVolume > 0 && volume > avgVolume ? 1 : 0;
    return (t * 3 + v) * 2 + vol;
  }

  private actionTarget(ctx: StrategyContext, action: number, bars: BarSeries, close: number): number {
    const rule = this.rules[action];
    if (rule !== null && rule !== undefined) {
      if (rule === 0) return 0;
      return rule * positionSize(this.params.sizing, this.params.fractional, ctx.equity(), close, bars, Number.NaN, ctx.instrument?.(bars.symbol)?.multiplier ?? 1);
    }
    return this.shadows[action]!.targets.get(bars.symbol) ?? 0;
  }

  private hold(ctx: StrategyContext, agent: SymbolAgent, action: number, units: number, reason: string): void {
    if (action !== agent.chosen) {
      agent.chosen = action;
      const direction = units > 0 ? 1 : units < 0 ? -1 : 0;
      ctx.emitSignal(agent.symbol, direction, direction === 0 ? 0 : 1, 1, action < 0 ? reason : `q-learning chose ${reason}`);
    }
    if (units !== agent.target) {
      agent.target = units;
      ctx.setTarget(agent.symbol, units);
    }
  }

  /**
   * What the selector learned and where it is, as JSON: per symbol the Q table, the visit counts, the
   * indicators of its state, the previous decision and any recorded transitions; the exploration
   * stream's position; and the state of every shadow action (its indicators and target). A fresh
   * selector built with the same parameters and given it by {@link restore} decides bar for bar as
   * this one would.
   */
  snapshot(): QLearningSnapshot {
    return {
      kind: 'q_learning_selector',
      version: 1,
      actions: [...this.actionNames],
      symbols: [...this.symbols],
      rng: this.rng.state(),
      agents: Object.fromEntries([...this.agents].map(([sym, agent]) => [sym, captureState(agent, `agents.${sym}`)])),
      subs: this.subs.map((sub, i) => (sub === null ? null : captureState(sub, `subs[${i}]`))),
      shadowTargets: this.shadows.map((sh, i) => (sh === null ? null : captureState(sh.targets, `shadowTargets[${i}]`))),
    };
  }

  /**
   * Takes back a {@link snapshot} (after a JSON round trip) on a fresh instance, before onStart.
   * Refuses one taken by another kind of strategy, with other actions or symbols, or with other
   * indicator windows, naming the field.
   */
  restore(state: unknown): void {
    const s = state as Partial<QLearningSnapshot> | null;
    const where = `q_learning_selector ${this.id}`;
    if (s === null || typeof s !== 'object' || s.kind !== 'q_learning_selector') throw new InvalidArgumentError(`${where}: not a q_learning_selector snapshot (kind ${JSON.stringify(s?.kind)})`);
    if (s.version !== 1) throw new InvalidArgumentError(`${where}: snapshot version ${JSON.stringify(s.version)} is not supported (1 is)`);
    const same = (a: unknown, b: readonly string[]) => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
    if (!same(s.actions, this.actionNames)) throw new InvalidArgumentError(`${where}: the snapshot's actions ${JSON.stringify(s.actions)} differ from this instance's ${JSON.stringify(this.actionNames)}`);
    if (!same(s.symbols, this.symbols)) throw new InvalidArgumentError(`${where}: the snapshot's symbols ${JSON.stringify(s.symbols)} differ from this instance's ${JSON.stringify(this.symbols)}`);
    if (s.agents === null || typeof s.agents !== 'object' || !Array.isArray(s.subs) || s.subs.length !== this.subs.length || !Array.isArray(s.shadowTargets) || s.shadowTargets.length !== this.shadows.length) {
      throw new InvalidArgumentError(`${where}: malformed snapshot (agents, subs or shadowTargets missing or of another length)`);
    }
    for (const sym of this.symbols) {
      const a = s.agents[sym];
      if (a === undefined) throw new InvalidArgumentError(`${where}: the snapshot has no state for ${sym}`);
      restoreState(this.agents.get(sym)!, a, `${where}: agents.${sym}`);
    }
    this.subs.forEach((sub, i) => {
      if (sub !== null) restoreState(sub, s.subs![i]!, `${where}: subs[${i}]`);
      const sh = this.shadows[i];
      if (sh !== null && sh !== undefined) restoreState(sh.targets, s.shadowTargets![i]!, `${where}: shadowTargets[${i}]`);
    });
    this.rng.restore(s.rng as RandomStreamState);
  }

  onStop(ctx: StrategyContext): void {
    this.subs.forEach((sub, i) => {
      const shadow = this.shadows[i]!;
      if (sub?.onStop !== undefined) {
        shadow.real = ctx;
        sub.onStop(shadow);
      }
    });
  }
}

/** What {@link QLearningSelector.snapshot} returns (JSON). */
export interface QLearningSnapshot {
  readonly kind: 'q_learning_selector';
  readonly version: 1;
  readonly actions: readonly string[];
  readonly symbols: readonly string[];
  readonly rng: RandomStreamState;
  /** Per symbol: the learning state (Q table, visits, indicators, previous decision), field by field. */
  readonly agents: Readonly<Record<string, CapturedState>>;
  /** Per action: a shadow strategy's state, null for a rule. */
  readonly subs: readonly (CapturedState | null)[];
  /** Per action: the targets a shadow strategy last set, null for a rule. */
  readonly shadowTargets: readonly (CapturedState | null)[];
}

/** The built-in `q_learning_selector` (scenario `"type": "q_learning_selector"`). */
export const qLearningSelector = defineStrategy({
  name: 'q_learning_selector',
  description:
    'Q-learning strategy selector (seed 001): per symbol, picks each bar which action (long/flat/short rules or registered strategies run in the shadow) to follow from a trend x volatility x volume state, epsilon-greedy with a seeded stream; learns online (optionally over several episodes) until trainUntil, then greedy and frozen.',
  defaults: Q_LEARNING_SELECTOR_DEFAULTS,
  params: qLearningSelectorParams,
  trainUntilParam: 'trainUntil',
  warmup: qLearningSelectorWarmup,
  create: ({ id, symbols, params }) => new QLearningSelector(id, symbols, params),
});

export default qLearningSelector;
