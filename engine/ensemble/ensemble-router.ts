import { InvalidArgumentError } from '../core/index.js';
import type { Calendar } from '../core/index.js';
import type { OrderId } from '../core/ids.js';
import { DirectTargets } from '../kernel/decision-pipeline.js';
import type { SignalFilter, TargetSink } from '../kernel/decision-pipeline.js';
import type { ExecutionEngine } from '../execution/execution-engine.js';
import type { StrategyRouter } from '../kernel/strategy-router.js';
import type { AuditEntry, OrderChanges, Signal } from '../model/events.js';
import type { OrderRequest } from '../model/orders.js';
import { NO_ORDERS } from '../model/order-snapshot.js';
import type { OrderSnapshot } from '../model/order-snapshot.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Recorder } from '../ports/recorder.js';
import type { TargetOptions } from '../strategies/context.js';
import { decomposePerformance } from './adaptive/decomposition.js';
import type { PerformanceDecomposition } from './adaptive/decomposition.js';
import { strategyStats } from './adaptive/performance-stats.js';
import { QualityTimeline } from './adaptive/quality-timeline.js';
import type { QualityBucket } from './adaptive/quality-timeline.js';
import { attributeReturns } from './adaptive/return-attribution.js';
import type { ReturnAttribution } from './adaptive/return-attribution.js';
import type { StrategyStatus } from './adaptive/retirement.js';
import type { EnsembleConfig, PortfolioConstructionConfig } from './ensemble-config.js';
import type { VoteDecision } from './voting.js';
import { DailyStop } from './stages/account-risk.js';
import { combineSleeveTargets, combineTargets, combineVotes } from './stages/combination.js';
import { EnsembleMarket } from './stages/market-state.js';
import { PortfolioConstruction } from './stages/portfolio-construction.js';
import { SignalCollection } from './stages/signal-collection.js';
import { SignalQualityFilter, UnfilteredSignals } from './stages/signal-filter.js';
import { EnsembleWeighting } from './stages/weighting.js';
import type { SleeveLayout, WeightsSnapshot } from './stages/weighting.js';
import type { SleeveCell } from './stages/signal-collection.js';

/** One voting decision (seed 001's decision log). */
export interface DecisionEntry {
  readonly ts: number;
  readonly symbol: string;
  readonly decision: VoteDecision;
  readonly contributingStrategies: readonly string[];
  readonly voteCounts: { readonly buy: number; readonly sell: number; readonly flat: number };
  readonly totalWeight: number;
  readonly confidence: number;
  readonly mode: string;
  readonly weights: Readonly<Record<string, number>>;
  /** Signed units the account targets after the decision (null for hold). */
  readonly targetUnits: number | null;
}

/** One strategy's shadow-ledger results. */
export interface StrategyComparison {
  readonly id: string;
  readonly return: number;
  readonly sharpe: number | null;
  readonly maxDrawdown: number;
  /** Traded notional over the notional base (times the capital traded). */
  readonly turnover: number;
  readonly trades: number;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly status: StrategyStatus;
  readonly finalWeight: number;
}

/** What an ensemble run recorded, for the report. */
export interface EnsembleSummary {
  readonly mode: 'allocation' | 'voting';
  readonly accountId: string;
  readonly weightsOverTime: readonly WeightsSnapshot[];
  readonly decisions: readonly DecisionEntry[];
  readonly strategies: readonly StrategyComparison[];
  /** The account's results measured like the strategies' (from its equity samples). */
  readonly account: { readonly return: number; readonly sharpe: number | null; readonly maxDrawdown: number; readonly turnover: number };
  readonly decomposition: PerformanceDecomposition;
  /**
   * Each strategy's shadow-ledger returns (and the account's) attributed against the equal-weight buy
   * and hold of the ensemble's symbols, per equity sample: alpha and beta, and the Treynor-Mazuy split
   * of the mean return into selection, market and timing (see {@link ReturnAttribution}; null with too
   * few samples or a flat benchmark).
   */
  readonly attribution: {
    readonly benchmark: string;
    readonly byStrategy: Readonly<Record<string, ReturnAttribution | null>>;
    readonly account: ReturnAttribution | null;
  };
  /** What the signal quality filter scored, per strategy, over time (null without `ensemble.quality`). */
  readonly signalQuality: { readonly threshold: number; readonly buckets: readonly QualityBucket[] } | null;
  readonly audit: readonly AuditEntry[];
}

export interface EnsembleRouterOptions {
  readonly symbols: readonly string[];
  readonly strategyIds: readonly string[];
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly recorder: Recorder;
  readonly ensemble: EnsembleConfig;
  readonly construction: PortfolioConstructionConfig;
  readonly seed: number;
  /** Where the account's targets go (stage 6): default straight to the ExecutionEngine ({@link DirectTargets}). */
  readonly targets?: TargetSink;
  /** The trading calendar: the daily stop's day is its session day (default: the UTC day). */
  readonly calendar?: Calendar;
  /**
   * The symbols each strategy trades, in strategy order: the sleeves of the strategy_asset
   * weighting (default: every strategy in every symbol).
   */
  readonly strategySymbols?: readonly (readonly string[])[];
}

/**
 * The ensemble: stages 1-5 of the decision pipeline (engine/kernel/decision-pipeline.ts) between
 * the strategies and the account's execution, composed from engine/ensemble/stages:
 * signal collection (each strategy trades a shadow ledger; its latest signals are kept), the
 * predictive filter (signal quality, voting mode), the combination (weights re-set on a schedule by
 * the optimizer, static or performance weighting, adaptive multiples and retirement; allocation
 * mode sums the weighted book targets, voting mode votes), portfolio construction (voting sizes by
 * the allocation, rotation and rebalancing of `portfolio`; hedging in both modes) and the daily stop.
 * The account's targets, under one id, go to stage 6 (`targets`): at once, or as parent orders of
 * the account's execution algorithm. Every weight, status, hedge, stop and monitor event is an
 * AuditEntry through the Recorder. See {@link EnsembleConfig} for the sizing rule.
 */
export class EnsembleRouter implements StrategyRouter {
  readonly deliversOrderEvents = false;
  private readonly cfg: EnsembleConfig;
  private readonly ids: readonly string[];
  private readonly symbols: readonly string[];
  private readonly execution: ExecutionEngine;
  private readonly portfolio: Portfolio;
  private readonly recorder: Recorder;
  private readonly targets: TargetSink;
  private readonly market: EnsembleMarket;
  private readonly intents: SignalCollection;
  private readonly filter: SignalFilter;
  private readonly weighting: EnsembleWeighting;
  private readonly construction: PortfolioConstruction;
  private readonly stop: DailyStop;
  private readonly accountEquity: number[] = [];
  /** Equal-weight buy and hold of the symbols at each equity sample (growth of 1; a symbol not yet priced counts as 1). */
  private readonly benchmark: number[] = [];
  private readonly firstClose: Float64Array;
  private readonly qualityTimeline: QualityTimeline | null;
  private ended = false;
  private now = 0;
  private readonly decisions: DecisionEntry[] = [];
  private readonly auditLog: AuditEntry[] = [];

  constructor(o: EnsembleRouterOptions) {
    this.cfg = o.ensemble;
    this.ids = o.strategyIds;
    this.symbols = o.symbols;
    this.execution = o.execution;
    this.portfolio = o.portfolio;
    this.recorder = o.recorder;
    this.targets = o.targets ?? new DirectTargets(o.execution);
    if (this.ids.length === 0) throw new InvalidArgumentError('an ensemble needs at least one strategy');
    const audit = this.audit.bind(this);
    const n = this.symbols.length;
    this.intents = new SignalCollection(this.ids, this.symbols, o.portfolio.initialCash, this.cfg.shadowCostBps);
    this.market = new EnsembleMarket(n, this.cfg.regimes, o.seed);
    this.firstClose = new Float64Array(n).fill(Number.NaN);
    this.qualityTimeline = this.cfg.quality !== null ? new QualityTimeline(this.ids) : null;
    this.filter = this.cfg.quality !== null ? new SignalQualityFilter(this.cfg.quality, this.ids, this.symbols, this.intents.history, this.qualityTimeline) : new UnfilteredSignals();
    let sleeves: SleeveLayout | null = null;
    if (this.cfg.weighting.kind === 'strategy_asset') {
      const cells: SleeveCell[] = [];
      this.ids.forEach((id, k) => {
        const traded = o.strategySymbols?.[k] ?? this.symbols;
        for (const sym of traded) {
          const i = this.symbols.indexOf(sym);
          if (i < 0) throw new InvalidArgumentError(`strategy '${id}' trades '${sym}', which the ensemble does not replay (symbols: ${this.symbols.join(', ')})`);
          cells.push({ strategy: k, symbol: i });
        }
      });
      sleeves = { cells, symbols: this.symbols };
      this.intents.trackSleeves(cells);
    }
    this.weighting = new EnsembleWeighting(this.cfg, this.ids, o.seed, this.accountEquity, audit, sleeves);
    this.construction = new PortfolioConstruction(o.construction, this.cfg.wholeUnits, n);
    this.stop = new DailyStop(o.construction.constraints.dailyStopLoss, audit, o.calendar);
    this.weighting.start(this.market.regime);
  }

  // ---- StrategyRouter: what strategies see (stage 1) ----

  position(strategyIndex: number, symbolIndex: number): number {
    return this.intents.books[strategyIndex]!.targetOf(symbolIndex);
  }
  cash(strategyIndex: number): number {
    return this.intents.books[strategyIndex]!.cash;
  }
  equity(strategyIndex: number): number {
    return this.intents.books[strategyIndex]!.equity();
  }
  setTarget(strategyIndex: number, symbolIndex: number, units: number, _ts: number, _options: TargetOptions | undefined): void {
    this.intents.setTarget(strategyIndex, symbolIndex, units);
  }
  signal(strategyIndex: number, signal: Signal): void {
    this.recorder.onSignal(signal);
    this.intents.signal(strategyIndex, signal);
  }
  submitOrder(strategyIndex: number, _request: OrderRequest, _ts: number): OrderId {
    throw new InvalidArgumentError(`strategy '${this.ids[strategyIndex]}' submits orders directly, which an ensemble does not route: use setTarget`);
  }
  cancelOrder(strategyIndex: number, _orderId: OrderId, _ts: number): void {
    throw new InvalidArgumentError(`strategy '${this.ids[strategyIndex]}' cancels orders directly, which an ensemble does not route`);
  }
  replaceOrder(strategyIndex: number, _orderId: OrderId, _changes: OrderChanges, _ts: number): void {
    throw new InvalidArgumentError(`strategy '${this.ids[strategyIndex]}' replaces orders directly, which an ensemble does not route`);
  }
  openOrders(_strategyIndex: number, _symbolIndex: number | undefined): readonly OrderSnapshot[] {
    return NO_ORDERS;
  }

  // ---- engine hooks ----

  beforeBar(symbolIndex: number, ts: number, open: number, high: number, low: number, close: number, _volume: number): void {
    this.now = ts;
    if (Number.isNaN(this.firstClose[symbolIndex]!) && close > 0) this.firstClose[symbolIndex] = close;
    this.intents.onBar(symbolIndex, ts, open, close);
    this.market.onBar(symbolIndex, high, low, close);
  }

  afterBar(symbolIndex: number, ts: number): void {
    this.now = ts;
    if (!this.stop.halted) {
      if (this.cfg.mode === 'allocation') {
        if (this.intents.targetsChanged[symbolIndex] === 1) this.pushAllocationTarget(symbolIndex);
      } else if (this.intents.signalsChanged[symbolIndex] === 1) {
        this.runVote(symbolIndex, ts);
      }
    }
    this.intents.clearChanges(symbolIndex);
  }

  onEquity(ts: number, equity: number): void {
    if (this.ended) return;
    this.now = ts;
    this.intents.sampleEquity();
    this.accountEquity.push(equity);
    this.benchmark.push(this.buyAndHold());
    this.qualityTimeline?.sample(ts);
    const before = this.market.regime;
    const regime = this.market.classify();
    if (regime !== before && this.market.hmm !== null) {
      const p = this.market.hmm.posterior;
      this.audit(ts, 'regime.changed', `regime ${before} -> ${regime} (HMM, fit ${this.market.hmm.fitCount})`, undefined, {
        from: before,
        to: regime,
        posterior: p === null ? null : Array.from(p),
        fits: this.market.hmm.fitCount,
      });
    }
    this.intents.attributeTrades(regime);
    this.construction.onEquity(equity);
    const stop = this.stop.onEquity(ts, equity);
    if (stop === 'lifted') {
      for (let i = 0; i < this.symbols.length; i++) {
        if (this.cfg.mode === 'allocation') this.pushAllocationTarget(i);
        else this.setAccountTarget(i, this.votedUnits(i));
      }
    } else if (stop === 'hit') {
      for (let i = 0; i < this.symbols.length; i++) this.setAccountTarget(i, 0);
    }
    if (this.stop.halted) return;
    this.checkHedge(ts, equity);
    const samples = this.intents.samples;
    if (this.weighting.due(samples, ts, regime)) {
      const stats = this.intents.stats(this.cfg.window, this.cfg.periodsPerYear);
      const changed = this.weighting.reweigh(ts, samples, {
        stats,
        regime,
        returnsWindow: () => this.intents.returnsWindow(this.cfg.window),
        equities: () => this.intents.books.map((b) => b.equity()),
        sleeveReturnsWindow: () => this.intents.sleeveReturnsWindow(this.cfg.window),
      });
      if (changed && this.cfg.mode === 'allocation') for (let i = 0; i < this.symbols.length; i++) this.pushAllocationTarget(i);
    }
    if (this.cfg.mode === 'voting') this.rebalancePositions(ts, equity);
  }

  onStop(): void {
    this.ended = true;
  }

  // ---- account targets (stages 3-4, handed to stage 6) ----

  private pushAllocationTarget(i: number): void {
    if (this.stop.halted || this.ended) return;
    const exposure = this.weighting.exposure();
    const combined =
      exposure !== null
        ? combineSleeveTargets(this.intents, exposure, this.symbols.length, i, this.portfolio.equity())
        : combineTargets(this.intents, this.weighting.weights(), i, this.portfolio.equity());
    this.setAccountTarget(i, this.construction.allocationUnits(combined));
  }

  private setAccountTarget(i: number, units: number): void {
    this.targets.setTarget(i, units, this.now);
  }

  private runVote(i: number, ts: number): void {
    const filtered = this.filter.filter(i, this.intents.latestSignals(i), this.market.regime, this.market.classifier.trend(i));
    const { result: r, sizeMultiplier } = combineVotes(filtered, this.ids, this.weighting.weights(), this.cfg.voting.method, { voteRatio: this.cfg.voting.voteRatio, minConfidence: this.cfg.voting.minConfidence });
    let target: number | null = null;
    if (r.decision !== 'hold') {
      this.construction.setVote(i, r.decision === 'buy' ? 1 : r.decision === 'sell' ? -1 : 0, sizeMultiplier);
      target = this.votedUnits(i);
      this.setAccountTarget(i, target);
    }
    this.decisions.push({
      ts,
      symbol: this.symbols[i]!,
      decision: r.decision,
      contributingStrategies: r.contributing,
      voteCounts: r.voteCounts,
      totalWeight: r.totalWeight,
      confidence: r.confidence,
      mode: r.mode,
      weights: r.weights,
      targetUnits: target,
    });
  }

  /** The equal-weight buy and hold now: the mean over the symbols of last close / first close (1 before a symbol's first close). */
  private buyAndHold(): number {
    let sum = 0;
    for (let i = 0; i < this.symbols.length; i++) {
      const first = this.firstClose[i]!;
      const last = this.market.lastClose(i);
      sum += Number.isNaN(first) || last === undefined ? 1 : last / first;
    }
    return sum / this.symbols.length;
  }

  private votedUnits(i: number): number {
    return this.construction.votedUnits(i, this.portfolio.equity(), this.market.lastClose(i));
  }

  /** Voting mode: recomputes the symbol allocation on its schedule and trades the drifts worth their cost. */
  private rebalancePositions(ts: number, equity: number): void {
    const plan = this.construction.rebalance(
      this.intents.samples,
      equity,
      this.market,
      this.intents,
      (i) => this.portfolio.netPosition[i]! + this.execution.pendingQty(i),
      (i) => this.votedUnits(i),
    );
    for (const i of plan.trade) this.setAccountTarget(i, this.votedUnits(i));
    if (plan.skipped > 0 && plan.due) this.audit(ts, 'portfolio.rebalance', `${plan.skipped} rebalance trade(s) skipped: cost above the expected benefit`, undefined, { skipped: plan.skipped });
  }

  private checkHedge(ts: number, equity: number): void {
    const change = this.construction.updateHedge(this.market, equity);
    if (change === null) return;
    const key = change.fired.join(',');
    this.audit(ts, 'portfolio.hedge', key === '' ? 'hedge lifted: no trigger holds' : `hedge on (${key}): ${(change.cashFraction * 100).toFixed(0)}% to cash`, undefined, { fired: change.fired, cashFraction: change.cashFraction });
    for (let i = 0; i < this.symbols.length; i++) {
      if (this.cfg.mode === 'allocation') this.pushAllocationTarget(i);
      else if (this.construction.direction[i] !== 0) this.setAccountTarget(i, this.votedUnits(i));
    }
  }

  private audit(ts: number, kind: string, message: string, strategyId?: string, details?: Record<string, unknown>): void {
    const entry: AuditEntry = { ts, kind, message, ...(strategyId !== undefined ? { strategyId } : {}), ...(details !== undefined ? { details } : {}) };
    this.auditLog.push(entry);
    this.recorder.onAudit(entry);
  }

  private attribution(): EnsembleSummary['attribution'] {
    const bench = [1, ...this.benchmark];
    const byStrategy: Record<string, ReturnAttribution | null> = {};
    this.ids.forEach((id, k) => {
      byStrategy[id] = attributeReturns([this.intents.books[k]!.notionalBase, ...this.intents.equityHistory[k]!], bench, this.cfg.periodsPerYear);
    });
    return {
      benchmark: `equal-weight buy and hold of ${this.symbols.join(', ')}`,
      byStrategy,
      account: attributeReturns([this.portfolio.initialCash, ...this.accountEquity], bench, this.cfg.periodsPerYear),
    };
  }

  /** Returns what the run recorded. */
  summary(): EnsembleSummary {
    const weights = this.weighting.weights();
    const strategies = this.ids.map((id, k) => {
      const b = this.intents.books[k]!;
      const s = strategyStats([b.notionalBase, ...this.intents.equityHistory[k]!], b.trades.map((t) => t.pnl), this.cfg.periodsPerYear);
      return {
        id,
        return: s.totalReturn,
        sharpe: s.sharpe,
        maxDrawdown: s.maxDrawdown,
        turnover: b.tradedNotional / b.notionalBase,
        trades: s.tradeCount,
        winRate: s.winRate,
        profitFactor: s.profitFactor === Number.POSITIVE_INFINITY ? null : s.profitFactor,
        status: this.weighting.retirement.status(id),
        finalWeight: weights[k]!,
      };
    });
    const acct = strategyStats([this.portfolio.initialCash, ...this.accountEquity], [], this.cfg.periodsPerYear);
    return {
      mode: this.cfg.mode,
      accountId: this.cfg.accountId,
      weightsOverTime: this.weighting.log,
      decisions: this.decisions,
      strategies,
      account: { return: acct.totalReturn, sharpe: acct.sharpe, maxDrawdown: acct.maxDrawdown, turnover: this.portfolio.tradedNotional / this.portfolio.initialCash },
      decomposition: decomposePerformance(this.intents.attributedTrades(this.market.regime)),
      attribution: this.attribution(),
      signalQuality: this.qualityTimeline === null || this.cfg.quality === null ? null : { threshold: this.cfg.quality.threshold, buckets: this.qualityTimeline.entries() },
      audit: this.auditLog,
    };
  }
}
