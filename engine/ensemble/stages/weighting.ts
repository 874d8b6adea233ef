import { assertNever, randomStream } from '../../core/index.js';
import { InvalidArgumentError } from '../../core/index.js';
import type { Combination } from '../../kernel/decision-pipeline.js';
import { AdaptiveWeights, normalize } from '../adaptive/adaptive-weights.js';
import { checkEnsembleHealth } from '../adaptive/monitor.js';
import type { StrategyStats } from '../adaptive/performance-stats.js';
import { StrategyRetirement } from '../adaptive/retirement.js';
import type { EnsembleConfig } from '../ensemble-config.js';
import { optimizeFromReturns } from '../optimize-from-returns.js';
import type { ReturnsOptimizationResult } from '../optimize-from-returns.js';
import { REGIME_NAMES, REGIME_TABLE, rebalanceInterval, type RegimeName } from '../regime-table.js';
import { RlMetaAgent } from '../rl-meta-agent.js';
import type { RlDecision } from '../rl-meta-agent.js';
import type { SleeveCell } from './signal-collection.js';

/** The weights in force from `ts` on. */
export interface WeightsSnapshot {
  readonly ts: number;
  readonly regime: string;
  readonly weights: Readonly<Record<string, number>>;
  readonly source: string;
}

/** Records one audit entry (the ensemble's audit trail and the run's recorder). */
export type AuditFn = (ts: number, kind: string, message: string, strategyId?: string, details?: Record<string, unknown>) => void;

/** What a re-weighing reads of the strategies and the account. */
export interface WeighingInputs {
  /** Each strategy's statistics over the window. */
  readonly stats: Record<string, StrategyStats>;
  /** The strategies' per-sample returns over the window (read by the optimizer only). */
  returnsWindow(): number[][];
  readonly regime: string;
  /** Each strategy's shadow equity now, in strategy order (read by the rl weighting only). */
  equities?(): readonly number[];
  /** The sleeves' per-sample returns over the window, in sleeve order (read by the strategy_asset weighting only). */
  sleeveReturnsWindow?(): number[][];
}

/** The (strategy, symbol) sleeves of the strategy_asset weighting, over the router's symbols. */
export interface SleeveLayout {
  readonly cells: readonly SleeveCell[];
  readonly symbols: readonly string[];
}

/**
 * Stage 3's weights: how much each strategy counts. Starts from the base weights (given or equal)
 * and re-weighs on the schedule (every `rebalanceEveryBars` samples after `warmupBars`) by the
 * weighting (static, performance or the mean-variance optimizer over the books' returns), then
 * multiplies by the adaptive multiples and the retirement status (degraded x0.5, suspended and
 * retired x0) and normalizes. Every status change, alert and weight change is an audit entry.
 *
 * The strategy_asset weighting weighs (strategy, symbol) sleeves instead: the adaptive multiple and
 * status of a strategy scale each of its sleeves, a strategy's weight is the sum of its sleeves',
 * and {@link exposure} gives the multiple of each strategy's book target the account holds per symbol.
 * With `rebalanceRules`, an optimizer's weights are put in force only when their turnover or
 * confidence passes, and weight changes at or below `minWeightChange` are not made.
 */
export class EnsembleWeighting implements Combination {
  private readonly base: Record<string, number>;
  private baseOptimal: number[];
  private readonly adaptive: AdaptiveWeights | null;
  readonly retirement: StrategyRetirement;
  private readonly stream;
  private current: Float64Array;
  readonly log: WeightsSnapshot[] = [];
  private lastRebalance = -1;
  /** Time of the last re-weighing (-1 before the first), for rebalanceBy 'regime'. */
  private lastRebalanceTs = -1;
  /** True while a 'hold' regime holds the re-weighing back (audited once per spell). */
  private holding = false;
  private lastExpected: number | null = null;
  private lastRebalanceAccountIdx = 0;
  /** The rl weighting's agent (null for the other weightings). */
  readonly agent: RlMetaAgent | null;
  /** The shadow equities and the weights in force at the agent's last decision (its reward's start). */
  private rlFrom: { equities: readonly number[]; weights: Float64Array } | null = null;
  /** strategy_asset: the sleeves' base-or-optimal weights (the optimizer's anchor), their weights in force, and the exposure (null otherwise). */
  private cellBase: number[] = [];
  private cellsInForce: Float64Array = new Float64Array(0);
  private readonly cellExposure: Float64Array | null = null;
  /** strategy_asset: per sleeve, the number of sleeves of its strategy. */
  private readonly cellShare: Float64Array = new Float64Array(0);

  constructor(
    private readonly cfg: EnsembleConfig,
    private readonly ids: readonly string[],
    seed: number,
    /** The account's equity samples (read for the realized return the monitor compares). */
    private readonly accountEquity: readonly number[],
    private readonly audit: AuditFn,
    /** The sleeves, required by (and only read by) the strategy_asset weighting. */
    private readonly sleeves: SleeveLayout | null = null,
  ) {
    const given = cfg.baseWeights;
    if (given !== null) {
      for (const id of Object.keys(given)) if (!ids.includes(id)) throw new InvalidArgumentError(`invalid 'ensemble.baseWeights': unknown strategy '${id}' (strategies: ${ids.join(', ')})`);
    }
    this.base = normalize(Object.fromEntries(ids.map((id) => [id, given?.[id] ?? (given === null ? 1 : 0)])));
    this.baseOptimal = ids.map((id) => this.base[id]!);
    this.adaptive = cfg.adaptive !== null ? new AdaptiveWeights(this.base, cfg.adaptive) : null;
    this.retirement = new StrategyRetirement(ids, cfg.retirement ?? undefined);
    this.stream = randomStream(seed, 'run', 'ensemble.resampling');
    this.current = new Float64Array(ids.length);
    // Its own named stream, so the rl weighting never shifts the resampling's draws (nor they its).
    this.agent = cfg.weighting.kind === 'rl' ? new RlMetaAgent(cfg.weighting, ids, this.baseOptimal, randomStream(seed, 'run', 'ensemble.rl')) : null;
    if (cfg.weighting.kind === 'strategy_asset') {
      if (sleeves === null || sleeves.cells.length === 0) throw new InvalidArgumentError('the strategy_asset weighting needs the (strategy, symbol) sleeves: no strategy trades a symbol');
      const perStrategy = new Float64Array(ids.length);
      for (const c of sleeves.cells) perStrategy[c.strategy] = perStrategy[c.strategy]! + 1;
      this.cellShare = Float64Array.from(sleeves.cells, (c) => perStrategy[c.strategy]!);
      // Equal split of each strategy's base weight over its sleeves: the account starts as the strategy-level allocation.
      this.cellBase = sleeves.cells.map((c, j) => this.baseOptimal[c.strategy]! / this.cellShare[j]!);
      this.cellsInForce = new Float64Array(sleeves.cells.length);
      this.cellExposure = new Float64Array(ids.length * sleeves.symbols.length);
    }
  }

  /**
   * strategy_asset: per strategy k and symbol i (index k x symbols + i), the multiple of strategy
   * k's book target in symbol i the account holds: W_k,i x m_k, m_k the strategy's sleeves (so
   * equal sleeve weights give the strategy-level w_k). Null for the other weightings.
   */
  exposure(): Float64Array | null {
    return this.cellExposure;
  }

  /** Applies the scenario's forced statuses and the initial weights (call once, before the run). */
  start(regime: string): void {
    for (const [id, st] of Object.entries(this.cfg.forcedStatus)) {
      if (!this.ids.includes(id)) throw new InvalidArgumentError(`invalid 'ensemble.forcedStatus': unknown strategy '${id}'`);
      const change = this.retirement.force(id, st, 'set in the scenario');
      if (change) this.audit(0, 'strategy.status', `${id}: ${change.from} -> ${change.to} (${change.reason})`, id, { from: change.from, to: change.to, forced: true });
    }
    if (this.cellExposure !== null) this.applyCells(0, this.composeCells(null), 'initial', regime);
    else this.apply(0, this.compose(this.baseOptimal, null), 'initial', regime);
  }

  weights(): Float64Array {
    return this.current;
  }

  /**
   * True when a re-weighing is due at sample number `samples` (time `ts`, classified `regime`): every
   * `rebalanceEveryBars` samples, or with rebalanceBy 'regime' on the regime table's cadence of the
   * regime (calendar days since the last re-weighing; 'hold' in volatile: never, each spell of holding
   * one 'rebalance.held' audit entry).
   */
  due(samples: number, ts = 0, regime = 'mixed'): boolean {
    if (samples < this.cfg.warmupBars) return false;
    if (this.cfg.rebalanceBy !== 'regime') return this.lastRebalance < 0 || samples - this.lastRebalance >= this.cfg.rebalanceEveryBars;
    const name = (REGIME_NAMES as readonly string[]).includes(regime) ? (regime as RegimeName) : 'mixed';
    const every = rebalanceInterval(REGIME_TABLE[name].rebalance);
    if (every === null) {
      if (!this.holding) {
        this.holding = true;
        this.audit(ts, 'rebalance.held', `re-weighing held: regime ${name} rebalances 'hold' (seed 000 regime table)`, undefined, { regime: name });
      }
      return false;
    }
    this.holding = false;
    return this.lastRebalanceTs < 0 || ts - this.lastRebalanceTs >= every;
  }


  /**
   * Re-weighs (at sample number `samples`): assesses retirement, computes the base-or-optimal weights,
   * updates the adaptive multiples and applies the result. Returns true when the weights changed.
   */
  reweigh(ts: number, samples: number, inputs: WeighingInputs): boolean {
    this.lastRebalance = samples;
    this.lastRebalanceTs = ts;
    const stats = inputs.stats;
    const regimeNow = inputs.regime;
    if (this.cfg.retirement !== null) {
      for (const id of this.ids) {
        const change = this.retirement.assess(id, stats[id]!);
        if (change) this.audit(ts, 'strategy.status', `${id}: ${change.from} -> ${change.to} (${change.reason})`, id, { from: change.from, to: change.to, violations: change.violations });
      }
    }
    const w = this.cfg.weighting;
    let source: string = w.kind;
    let rl: { decision: RlDecision; reward: number | null } | null = null;
    switch (w.kind) {
      case 'static':
        this.baseOptimal = this.ids.map((id) => this.base[id]!);
        break;
      case 'performance': {
        const metric = (s: StrategyStats): number =>
          w.metric === 'sharpe' ? s.sharpe ?? 0 : w.metric === 'win_rate' ? s.winRate ?? 0 : Math.min(s.profitFactor ?? 0, 10);
        const raw = this.ids.map((id) => this.base[id]! * Math.max(0, metric(stats[id]!)));
        const total = raw.reduce((a, b) => a + b, 0);
        this.baseOptimal = total > 0 ? raw.map((x) => x / total) : this.ids.map((id) => this.base[id]!);
        break;
      }
      case 'optimizer': {
        const returns = inputs.returnsWindow();
        if (returns.length < 2) break;
        const regime = w.regime === 'auto' ? (regimeNow as 'trending' | 'ranging' | 'volatile' | 'mixed') : w.regime;
        const result = optimizeFromReturns(returns, {
          mean: w.mean,
          covariance: w.covariance,
          ...(regime !== undefined ? { regime } : {}),
          ...(w.lambda !== undefined ? { lambda: w.lambda } : {}),
          ...(w.eta !== undefined ? { eta: w.eta } : {}),
          ...(w.wMax !== undefined ? { wMax: w.wMax } : {}),
          wPrev: this.baseOptimal,
          ...(w.resampling !== undefined ? { resampling: { ...w.resampling, stream: this.stream } } : {}),
          ...(w.gammaReg !== undefined ? { gammaReg: w.gammaReg } : {}),
        });
        source = `optimizer:${result.source}:${result.status}`;
        this.monitorResult(ts, result);
        if (this.accepts(ts, result)) this.baseOptimal = result.weights;
        else source += ':rejected';
        break;
      }
      case 'strategy_asset': {
        const returns = inputs.sleeveReturnsWindow?.() ?? [];
        if (returns.length < 2) break;
        const result = optimizeFromReturns(returns, {
          mean: w.mean,
          covariance: w.covariance,
          lambda: w.lambda,
          eta: w.cost,
          wMax: w.wMax,
          wPrev: this.cellBase,
          gammaReg: w.gammaReg,
          diversification: w.diversification,
        });
        source = `strategy_asset:${result.source}:${result.status}`;
        this.monitorResult(ts, result);
        if (this.accepts(ts, result)) this.cellBase = result.weights;
        else source += ':rejected';
        break;
      }
      case 'rl':
        rl = this.decideRl(ts, inputs);
        source = `rl:${rl.decision.actionName}`;
        break;
      default:
        assertNever(w, 'weighting');
    }
    let multiples: Record<string, number> | null = null;
    if (this.adaptive !== null) {
      const changes = this.adaptive.update(stats, regimeNow);
      for (const c of changes) {
        this.audit(ts, 'weights.changed', `${c.strategyId} adaptive weight ${c.previous.toFixed(4)} -> ${c.next.toFixed(4)} in ${c.regime}: ${c.reason}`, c.strategyId, { adaptive: true, regime: c.regime, previous: c.previous, next: c.next, score: c.score });
      }
      multiples = Object.fromEntries(this.ids.map((id) => [id, this.adaptive!.multiple(id, regimeNow)]));
    }
    const changed = this.cellExposure !== null ? this.applyCells(ts, this.composeCells(multiples), source, regimeNow) : this.apply(ts, this.compose(this.baseOptimal, multiples), source, regimeNow);
    if (rl !== null) this.auditRl(ts, rl);
    return changed;
  }

  /** Audits the monitor's alerts on an optimization and a non-optimal status; the result's expected return is the one the next alert compares. */
  private monitorResult(ts: number, result: ReturnsOptimizationResult): void {
    const realized = this.realizedAccountReturn();
    const alerts = checkEnsembleHealth(
      { sharpe: result.sharpe, conditionNumber: result.conditionNumber, turnover: result.turnover, expectedReturn: this.lastExpected, realizedReturn: realized },
      this.cfg.monitor,
    );
    for (const a of alerts) this.audit(ts, 'monitor.alert', a.message, undefined, { level: a.level, alert: a.kind, value: a.value, threshold: a.threshold });
    if (result.status !== 'optimal') this.audit(ts, 'monitor.alert', `optimizer status ${result.status}: ${result.reason}`, undefined, { level: 'warning', alert: 'optimizer_status' });
    this.lastExpected = Number.isFinite(result.expectedReturn) ? result.expectedReturn : null;
    this.lastRebalanceAccountIdx = this.accountEquity.length - 1;
  }

  /**
   * Seed 000's acceptance rule: new weights are put in force only when turnover < maxTurnover or
   * confidence > minConfidence (always without `rebalanceRules`). A rejection is an audit entry.
   */
  private accepts(ts: number, result: ReturnsOptimizationResult): boolean {
    const rules = this.cfg.rebalanceRules ?? null;
    if (rules === null || result.turnover < rules.maxTurnover || result.confidence > rules.minConfidence) return true;
    this.audit(
      ts,
      'weights.rejected',
      `new weights rejected: turnover ${result.turnover.toFixed(4)} is not below maxTurnover ${rules.maxTurnover} and confidence ${result.confidence.toFixed(4)} is not above minConfidence ${rules.minConfidence}; the weights held stay`,
      undefined,
      { turnover: result.turnover, confidence: result.confidence, maxTurnover: rules.maxTurnover, minConfidence: rules.minConfidence, proposed: result.weights },
    );
    return false;
  }

  /** strategy_asset: the sleeves' base-or-optimal weights x their strategy's adaptive multiple and status multiplier, normalized. */
  private composeCells(multiples: Record<string, number> | null): Float64Array {
    const cells = this.sleeves!.cells;
    const raw = new Float64Array(cells.length);
    let total = 0;
    for (let j = 0; j < cells.length; j++) {
      const id = this.ids[cells[j]!.strategy]!;
      raw[j] = this.cellBase[j]! * (multiples?.[id] ?? 1) * this.retirement.weightMultiplier(id);
      total += raw[j]!;
    }
    if (total > 0) for (let j = 0; j < raw.length; j++) raw[j] = raw[j]! / total;
    return raw;
  }

  /**
   * strategy_asset: puts the sleeve weights `next` in force (changes at or below the rules'
   * minWeightChange are not made), with the strategy weights their sums and the exposure per
   * (strategy, symbol). Returns true when the weights in force changed.
   */
  private applyCells(ts: number, next: Float64Array, source: string, regime: string): boolean {
    const { cells } = this.sleeves!;
    const symbolCount = this.sleeves!.symbols.length;
    const skipped = this.log.length > 0 ? this.skipSmallChanges(next, this.cellsInForce) : 0;
    const strategies = new Float64Array(this.ids.length);
    for (let j = 0; j < cells.length; j++) strategies[cells[j]!.strategy] = strategies[cells[j]!.strategy]! + next[j]!;
    const exposure = this.cellExposure!;
    exposure.fill(0);
    for (let j = 0; j < cells.length; j++) exposure[cells[j]!.strategy * symbolCount + cells[j]!.symbol] = next[j]! * this.cellShare[j]!;
    let cellsChanged = false;
    for (let j = 0; j < cells.length; j++) if (Math.abs(next[j]! - this.cellsInForce[j]!) > 1e-12) cellsChanged = true;
    this.cellsInForce = next;
    const changed = this.apply(ts, strategies, source, regime, false, cellsChanged, skipped);
    return changed;
  }

  /** Keeps each weight of `next` whose change from `held` is at or below the rules' minWeightChange (seed 000's 1% trade threshold); returns how many. */
  private skipSmallChanges(next: Float64Array, held: Float64Array): number {
    const rules = this.cfg.rebalanceRules ?? null;
    if (rules === null) return 0;
    let skipped = 0;
    for (let k = 0; k < next.length; k++) {
      const d = Math.abs(next[k]! - held[k]!);
      if (d > 0 && d <= rules.minWeightChange) {
        next[k] = held[k]!;
        skipped++;
      }
    }
    return skipped;
  }

  /**
   * The rl weighting's re-weighing: the leader is the strategy with the highest shadow return over
   * the window; the reward of the previous action is the return of the weights it put in force over
   * the period since (sum of weight x the strategy's shadow return), the ensemble's return as the
   * allocation sizing defines it. Sets the action's weights as the base-or-optimal weights.
   */
  private decideRl(ts: number, inputs: WeighingInputs): { decision: RlDecision; reward: number | null } {
    const agent = this.agent!;
    if (inputs.equities === undefined) throw new InvalidArgumentError('the rl weighting needs the shadow equities (WeighingInputs.equities)');
    const equities = inputs.equities();
    let leader = 0;
    let best = Number.NEGATIVE_INFINITY;
    this.ids.forEach((id, k) => {
      const r = inputs.stats[id]?.totalReturn ?? 0;
      if (r > best) {
        best = r;
        leader = k;
      }
    });
    let reward: number | null = null;
    if (this.rlFrom !== null) {
      reward = 0;
      for (let k = 0; k < this.ids.length; k++) {
        const from = this.rlFrom.equities[k]!;
        if (from > 0) reward += this.rlFrom.weights[k]! * (equities[k]! / from - 1);
      }
    }
    const decision = agent.decide(ts, inputs.regime, leader, reward);
    this.baseOptimal = decision.weights.slice();
    this.rlFrom = { equities: equities.slice(), weights: this.current };
    return { decision, reward };
  }

  /** Audits an rl decision with the weights in force after it (adaptive multiples and statuses applied). */
  private auditRl(ts: number, { decision: d, reward }: { decision: RlDecision; reward: number | null }): void {
    // The reward of the next decision is earned by the weights now in force.
    this.rlFrom!.weights = this.current;
    const mode = d.exploring ? 'exploring' : d.learning ? 'greedy' : 'frozen';
    const learnt = d.update === null ? '' : `; Q[${d.update.state}][${d.update.action}] ${d.update.before.toFixed(6)} -> ${d.update.after.toFixed(6)} by reward ${d.update.reward.toFixed(6)}`;
    this.audit(ts, 'rl.decision', `rl chose ${d.actionName} in state ${d.state} (${d.regime}, leader ${this.ids[d.leader]}), ${mode}${learnt}`, undefined, {
      state: d.state,
      regime: d.regime,
      leader: this.ids[d.leader],
      action: d.action,
      actionName: d.actionName,
      exploring: d.exploring,
      learning: d.learning,
      reward,
      update: d.update,
      actionWeights: Object.fromEntries(this.ids.map((id, k) => [id, d.weights[k]!])),
      weights: Object.fromEntries(this.ids.map((id, k) => [id, this.current[k]!])),
    });
  }

  /** Final weights: base-or-optimal x adaptive multiple x status multiplier, normalized (all zero stays zero). */
  private compose(baseWeights: readonly number[], multiples: Record<string, number> | null): Float64Array {
    const raw = new Float64Array(this.ids.length);
    let total = 0;
    this.ids.forEach((id, k) => {
      raw[k] = baseWeights[k]! * (multiples?.[id] ?? 1) * this.retirement.weightMultiplier(id);
      total += raw[k]!;
    });
    if (total > 0) for (let k = 0; k < raw.length; k++) raw[k] = raw[k]! / total;
    return raw;
  }

  /**
   * Puts `next` in force; logs and audits a change. Returns true when weights in force before
   * changed. With `rebalanceRules` (and `skipSmall`), changes at or below minWeightChange are not
   * made; the sleeve weighting skips on its sleeves instead and passes whether they changed.
   */
  private apply(ts: number, next: Float64Array, source: string, regime: string, skipSmall = true, cellsChanged = false, cellsSkipped = 0): boolean {
    const prev = this.current;
    const skipped = skipSmall && this.log.length > 0 ? this.skipSmallChanges(next, prev) : cellsSkipped;
    let changed = this.log.length === 0 || cellsChanged;
    for (let k = 0; k < next.length; k++) if (Math.abs(next[k]! - prev[k]!) > 1e-12) changed = true;
    this.current = next;
    if (!changed) return false;
    const asRecord = Object.fromEntries(this.ids.map((id, k) => [id, next[k]!]));
    this.log.push({ ts, regime, weights: asRecord, source });
    if (this.log.length === 1) return false;
    const turnover = next.reduce((a, w, k) => a + Math.abs(w - prev[k]!), 0);
    const skippedNote = skipped > 0 ? `; ${skipped} change(s) at or below minWeightChange ${this.cfg.rebalanceRules!.minWeightChange} not made` : '';
    this.audit(ts, 'weights.changed', `ensemble weights re-set by ${source} in regime ${regime} (turnover ${turnover.toFixed(4)})${skippedNote}`, undefined, {
      source,
      regime,
      previous: Object.fromEntries(this.ids.map((id, k) => [id, prev[k]!])),
      next: asRecord,
      ...(skipped > 0 ? { skippedChanges: skipped } : {}),
      ...(this.sleeves !== null && this.cellExposure !== null ? { sleeves: this.sleeveRecord() } : {}),
    });
    return true;
  }

  /** strategy_asset: the sleeve weights in force, keyed `strategy/SYMBOL`. */
  private sleeveRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    this.sleeves!.cells.forEach((c, j) => {
      out[`${this.ids[c.strategy]}/${this.sleeves!.symbols[c.symbol]}`] = this.cellsInForce[j]!;
    });
    return out;
  }

  private realizedAccountReturn(): number | null {
    const a = this.accountEquity;
    const from = this.lastRebalanceAccountIdx;
    const n = a.length - 1 - from;
    if (this.lastExpected === null || n <= 0 || !(a[from]! > 0)) return null;
    return (a[a.length - 1]! / a[from]!) ** (1 / n) - 1;
  }
}
