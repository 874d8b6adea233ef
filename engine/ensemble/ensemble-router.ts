import { InvalidArgumentError, assertNever, randomStream, utcDayStart } from '../core/index.js';
import type { OrderId } from '../core/ids.js';
import type { ExecutionEngine } from '../execution/execution-engine.js';
import type { StrategyRouter } from '../kernel/strategy-router.js';
import type { AuditEntry, OrderChanges, Signal } from '../model/events.js';
import type { Order, OrderRequest } from '../model/orders.js';
import { allocate, evaluateHedge, momentumScore, planRebalance, selectTopN } from '../portfolio/allocation/index.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Recorder } from '../ports/recorder.js';
import type { TargetOptions } from '../strategies/context.js';
import { AdaptiveWeights, normalize } from './adaptive/adaptive-weights.js';
import { decomposePerformance } from './adaptive/decomposition.js';
import type { AttributedTrade, PerformanceDecomposition } from './adaptive/decomposition.js';
import { checkEnsembleHealth } from './adaptive/monitor.js';
import { strategyStats } from './adaptive/performance-stats.js';
import type { StrategyStats } from './adaptive/performance-stats.js';
import { RegimeClassifier } from './adaptive/regime-classifier.js';
import { StrategyRetirement } from './adaptive/retirement.js';
import type { StrategyStatus } from './adaptive/retirement.js';
import { SetupHistory, regimeAlignment, scoreSignal } from './adaptive/signal-quality.js';
import { ledoitWolf } from './covariance.js';
import type { EnsembleConfig, PortfolioConstructionConfig } from './ensemble-config.js';
import { optimizeFromReturns } from './optimize-from-returns.js';
import { ShadowBook } from './shadow-book.js';
import { vote } from './voting.js';
import type { Vote, VoteDecision } from './voting.js';

/** The weights in force from `ts` on. */
export interface WeightsSnapshot {
  readonly ts: number;
  readonly regime: string;
  readonly weights: Readonly<Record<string, number>>;
  readonly source: string;
}

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
}

const ACCOUNT = 0;

/**
 * The ensemble layer between strategies and execution (see {@link EnsembleConfig} for the sizing
 * rule). Strategies trade shadow ledgers; the router re-weighs them on a schedule (optimizer,
 * static or performance weights, adjusted by adaptive multiples and retirement status), and trades
 * the account, under one id, to the combined targets (allocation mode) or to the vote of the
 * strategies' latest signals sized by the portfolio section (voting mode). Every weight, status,
 * hedge, stop and monitor event is an AuditEntry through the Recorder.
 */
export class EnsembleRouter implements StrategyRouter {
  readonly deliversOrderEvents = false;
  private readonly cfg: EnsembleConfig;
  private readonly pc: PortfolioConstructionConfig;
  private readonly symbols: readonly string[];
  private readonly ids: readonly string[];
  private readonly execution: ExecutionEngine;
  private readonly portfolio: Portfolio;
  private readonly recorder: Recorder;
  private readonly books: ShadowBook[];
  private readonly equityHistory: number[][];
  private readonly accountEquity: number[] = [];
  private readonly closes: number[][];
  private readonly base: Record<string, number>;
  private weights: Float64Array;
  private baseOptimal: number[];
  private readonly adaptive: AdaptiveWeights | null;
  private readonly retirement: StrategyRetirement;
  private readonly classifier: RegimeClassifier;
  private readonly history = new SetupHistory();
  private readonly stream;
  private regime = 'mixed';
  private readonly dirty: Uint8Array;
  private readonly voteDirty: Uint8Array;
  private readonly latest: (Signal | null)[][];
  private readonly direction: Int8Array;
  private readonly sizeMultiplier: Float64Array;
  private allocation: Float64Array;
  private hedgeFraction = 0;
  private hedgeKey = '';
  private samples = 0;
  private lastRebalance = -1;
  private lastPortfolioRebalance = -1;
  private lastExpected: number | null = null;
  private lastRebalanceAccountIdx = 0;
  private peak = Number.NEGATIVE_INFINITY;
  private day = Number.NaN;
  private dayStart = 0;
  private stopped = false;
  private ended = false;
  private now = 0;
  private readonly processedTrades: number[];
  private readonly tradeRegime: Map<string, string>[];
  private readonly weightsLog: WeightsSnapshot[] = [];
  private readonly decisions: DecisionEntry[] = [];
  private readonly auditLog: AuditEntry[] = [];

  constructor(o: EnsembleRouterOptions) {
    this.cfg = o.ensemble;
    this.pc = o.construction;
    this.symbols = o.symbols;
    this.ids = o.strategyIds;
    this.execution = o.execution;
    this.portfolio = o.portfolio;
    this.recorder = o.recorder;
    const k = this.ids.length;
    const n = this.symbols.length;
    if (k === 0) throw new InvalidArgumentError('an ensemble needs at least one strategy');
    this.books = this.ids.map(() => new ShadowBook(n, o.portfolio.initialCash, this.cfg.shadowCostBps));
    this.equityHistory = this.ids.map(() => []);
    this.closes = this.symbols.map(() => []);
    const given = this.cfg.baseWeights;
    if (given !== null) {
      for (const id of Object.keys(given)) if (!this.ids.includes(id)) throw new InvalidArgumentError(`invalid 'ensemble.baseWeights': unknown strategy '${id}' (strategies: ${this.ids.join(', ')})`);
    }
    this.base = normalize(Object.fromEntries(this.ids.map((id) => [id, given?.[id] ?? (given === null ? 1 : 0)])));
    this.baseOptimal = this.ids.map((id) => this.base[id]!);
    this.adaptive = this.cfg.adaptive !== null ? new AdaptiveWeights(this.base, this.cfg.adaptive) : null;
    this.retirement = new StrategyRetirement(this.ids, this.cfg.retirement ?? undefined);
    this.classifier = new RegimeClassifier(n, this.cfg.regimes);
    this.stream = randomStream(o.seed, 'run', 'ensemble.resampling');
    this.dirty = new Uint8Array(n);
    this.voteDirty = new Uint8Array(n);
    this.latest = this.symbols.map(() => this.ids.map(() => null));
    this.direction = new Int8Array(n);
    this.sizeMultiplier = new Float64Array(n).fill(1);
    this.allocation = new Float64Array(n).fill(1 / n);
    this.processedTrades = this.ids.map(() => 0);
    this.tradeRegime = this.ids.map(() => new Map());
    this.weights = new Float64Array(k);
    for (const [id, st] of Object.entries(this.cfg.forcedStatus)) {
      if (!this.ids.includes(id)) throw new InvalidArgumentError(`invalid 'ensemble.forcedStatus': unknown strategy '${id}'`);
      const change = this.retirement.force(id, st, 'set in the scenario');
      if (change) this.audit(0, 'strategy.status', `${id}: ${change.from} -> ${change.to} (${change.reason})`, id, { from: change.from, to: change.to, forced: true });
    }
    this.applyWeights(0, this.composeWeights(this.baseOptimal, null), 'initial');
  }

  // ---- StrategyRouter: what strategies see ----

  position(strategyIndex: number, symbolIndex: number): number {
    return this.books[strategyIndex]!.targetOf(symbolIndex);
  }
  cash(strategyIndex: number): number {
    return this.books[strategyIndex]!.cash;
  }
  equity(strategyIndex: number): number {
    return this.books[strategyIndex]!.equity();
  }
  setTarget(strategyIndex: number, symbolIndex: number, units: number, _ts: number, _options: TargetOptions | undefined): void {
    this.books[strategyIndex]!.setTarget(symbolIndex, units);
    this.dirty[symbolIndex] = 1;
  }
  signal(strategyIndex: number, signal: Signal): void {
    this.recorder.onSignal(signal);
    const i = this.symbols.indexOf(signal.symbol);
    this.latest[i]![strategyIndex] = signal;
    this.voteDirty[i] = 1;
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
  openOrders(_strategyIndex: number, _symbolIndex: number | undefined): readonly Readonly<Order>[] {
    return [];
  }

  // ---- engine hooks ----

  beforeBar(symbolIndex: number, ts: number, open: number, high: number, low: number, close: number, _volume: number): void {
    this.now = ts;
    for (const b of this.books) b.onBar(symbolIndex, ts, open, close);
    this.classifier.onBar(symbolIndex, high, low, close);
    this.closes[symbolIndex]!.push(close);
  }

  afterBar(symbolIndex: number, ts: number): void {
    this.now = ts;
    if (this.stopped) {
      this.dirty[symbolIndex] = 0;
      this.voteDirty[symbolIndex] = 0;
      return;
    }
    if (this.cfg.mode === 'allocation') {
      if (this.dirty[symbolIndex] === 1) this.pushAllocationTarget(symbolIndex);
    } else if (this.voteDirty[symbolIndex] === 1) {
      this.runVote(symbolIndex, ts);
    }
    this.dirty[symbolIndex] = 0;
    this.voteDirty[symbolIndex] = 0;
  }

  onEquity(ts: number, equity: number): void {
    if (this.ended) return;
    this.now = ts;
    this.samples++;
    this.accountEquity.push(equity);
    for (let k = 0; k < this.books.length; k++) this.equityHistory[k]!.push(this.books[k]!.equity());
    this.regime = this.classifier.classify();
    this.attributeTrades();
    if (equity > this.peak) this.peak = equity;
    if (this.dailyStop(ts, equity)) return;
    this.checkHedge(ts, equity);
    if (this.samples >= this.cfg.warmupBars && (this.lastRebalance < 0 || this.samples - this.lastRebalance >= this.cfg.rebalanceEveryBars)) {
      this.rebalance(ts);
    }
    if (this.cfg.mode === 'voting') this.rebalancePositions(ts, equity);
  }

  onStop(): void {
    this.ended = true;
  }

  // ---- weights ----

  private stats(): Record<string, StrategyStats> {
    const out: Record<string, StrategyStats> = {};
    const from = Math.max(0, this.samples - this.cfg.window - 1);
    this.ids.forEach((id, k) => {
      out[id] = strategyStats(this.equityHistory[k]!.slice(from), this.books[k]!.trades.map((t) => t.pnl), this.cfg.periodsPerYear);
    });
    return out;
  }

  private rebalance(ts: number): void {
    this.lastRebalance = this.samples;
    const stats = this.stats();
    if (this.cfg.retirement !== null) {
      for (const id of this.ids) {
        const change = this.retirement.assess(id, stats[id]!);
        if (change) this.audit(ts, 'strategy.status', `${id}: ${change.from} -> ${change.to} (${change.reason})`, id, { from: change.from, to: change.to, violations: change.violations });
      }
    }
    const w = this.cfg.weighting;
    let source: string = w.kind;
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
        const returns = this.returnsWindow();
        if (returns.length < 2) break;
        const regime = w.regime === 'auto' ? (this.regime as 'trending' | 'ranging' | 'volatile' | 'mixed') : w.regime;
        const result = optimizeFromReturns(returns, {
          mean: w.mean,
          covariance: w.covariance,
          ...(regime !== undefined ? { regime } : {}),
          ...(w.lambda !== undefined ? { lambda: w.lambda } : {}),
          ...(w.eta !== undefined ? { eta: w.eta } : {}),
          ...(w.wMax !== undefined ? { wMax: w.wMax } : {}),
          wPrev: this.baseOptimal,
          ...(w.resampling !== undefined ? { resampling: { ...w.resampling, stream: this.stream } } : {}),
        });
        source = `optimizer:${result.source}:${result.status}`;
        const realized = this.realizedAccountReturn();
        const alerts = checkEnsembleHealth(
          { sharpe: result.sharpe, conditionNumber: result.conditionNumber, turnover: result.turnover, expectedReturn: this.lastExpected, realizedReturn: realized },
          this.cfg.monitor,
        );
        for (const a of alerts) this.audit(ts, 'monitor.alert', a.message, undefined, { level: a.level, alert: a.kind, value: a.value, threshold: a.threshold });
        if (result.status !== 'optimal') this.audit(ts, 'monitor.alert', `optimizer status ${result.status}: ${result.reason}`, undefined, { level: 'warning', alert: 'optimizer_status' });
        this.baseOptimal = result.weights;
        this.lastExpected = Number.isFinite(result.expectedReturn) ? result.expectedReturn : null;
        this.lastRebalanceAccountIdx = this.accountEquity.length - 1;
        break;
      }
      default:
        assertNever(w, 'weighting');
    }
    let multiples: Record<string, number> | null = null;
    if (this.adaptive !== null) {
      const changes = this.adaptive.update(stats, this.regime);
      for (const c of changes) {
        this.audit(ts, 'weights.changed', `${c.strategyId} adaptive weight ${c.previous.toFixed(4)} -> ${c.next.toFixed(4)} in ${c.regime}: ${c.reason}`, c.strategyId, { adaptive: true, regime: c.regime, previous: c.previous, next: c.next, score: c.score });
      }
      multiples = Object.fromEntries(this.ids.map((id) => [id, this.adaptive!.multiple(id, this.regime)]));
    }
    this.applyWeights(ts, this.composeWeights(this.baseOptimal, multiples), source);
  }

  /** Final weights: base-or-optimal x adaptive multiple x status multiplier, normalized (all zero stays zero). */
  private composeWeights(baseWeights: readonly number[], multiples: Record<string, number> | null): Float64Array {
    const raw = new Float64Array(this.ids.length);
    let total = 0;
    this.ids.forEach((id, k) => {
      raw[k] = baseWeights[k]! * (multiples?.[id] ?? 1) * this.retirement.weightMultiplier(id);
      total += raw[k]!;
    });
    if (total > 0) for (let k = 0; k < raw.length; k++) raw[k] = raw[k]! / total;
    return raw;
  }

  private applyWeights(ts: number, next: Float64Array, source: string): void {
    const prev = this.weights;
    let changed = this.weightsLog.length === 0;
    for (let k = 0; k < next.length; k++) if (Math.abs(next[k]! - prev[k]!) > 1e-12) changed = true;
    this.weights = next;
    if (!changed) return;
    const asRecord = Object.fromEntries(this.ids.map((id, k) => [id, next[k]!]));
    this.weightsLog.push({ ts, regime: this.regime, weights: asRecord, source });
    if (this.weightsLog.length > 1) {
      const turnover = next.reduce((a, w, k) => a + Math.abs(w - prev[k]!), 0);
      this.audit(ts, 'weights.changed', `ensemble weights re-set by ${source} in regime ${this.regime} (turnover ${turnover.toFixed(4)})`, undefined, {
        source,
        regime: this.regime,
        previous: Object.fromEntries(this.ids.map((id, k) => [id, prev[k]!])),
        next: asRecord,
      });
      if (this.cfg.mode === 'allocation') for (let i = 0; i < this.symbols.length; i++) this.pushAllocationTarget(i);
    }
  }

  private returnsWindow(): number[][] {
    const t = this.samples;
    const from = Math.max(1, t - this.cfg.window);
    const rows: number[][] = [];
    for (let s = from; s < t; s++) {
      rows.push(this.equityHistory.map((h) => (h[s - 1]! > 0 ? h[s]! / h[s - 1]! - 1 : 0)));
    }
    return rows;
  }

  private realizedAccountReturn(): number | null {
    const a = this.accountEquity;
    const from = this.lastRebalanceAccountIdx;
    const n = a.length - 1 - from;
    if (this.lastExpected === null || n <= 0 || !(a[from]! > 0)) return null;
    return (a[a.length - 1]! / a[from]!) ** (1 / n) - 1;
  }

  // ---- account targets ----

  private round(units: number): number {
    return this.cfg.wholeUnits ? Math.trunc(units) : units;
  }

  private pushAllocationTarget(i: number): void {
    if (this.stopped || this.ended) return;
    const e = this.portfolio.equity();
    let units = 0;
    for (let k = 0; k < this.books.length; k++) {
      const w = this.weights[k]!;
      if (w === 0) continue;
      const b = this.books[k]!;
      const be = b.equity();
      if (!(be > 0)) continue;
      units += w * b.targetOf(i) * (e / be);
    }
    this.setAccountTarget(i, this.round(units * (1 - this.hedgeFraction)));
  }

  private setAccountTarget(i: number, units: number): void {
    this.execution.setTarget(ACCOUNT, i, units, this.now, { tag: 'ensemble' });
  }

  private runVote(i: number, ts: number): void {
    const votes: Vote[] = [];
    const q = this.cfg.quality;
    const multipliers: number[] = [];
    const signals = this.latest[i]!;
    for (let k = 0; k < signals.length; k++) {
      const s = signals[k];
      if (s === null || s === undefined) continue;
      let confidence = s.confidence;
      if (q !== null) {
        let agreeing = 0;
        for (const o of signals) if (o !== null && o !== undefined && o.direction === s.direction) agreeing++;
        const id = this.ids[k]!;
        const score = scoreSignal(
          {
            confidence,
            confluence: agreeing,
            regimeAlignment: regimeAlignment(this.regime, s.direction, this.classifier.trend(i)),
            historicalSuccess: this.history.successRate(id, this.symbols[i]!, s.direction, this.regime),
          },
          q,
        );
        if (!score.pass) continue;
        confidence = score.adjustedConfidence;
        multipliers.push(score.sizeMultiplier);
      }
      votes.push({ strategyId: this.ids[k]!, direction: s.direction, confidence, weight: this.weights[k]! });
    }
    const r = vote(votes, this.cfg.voting.method, { voteRatio: this.cfg.voting.voteRatio, minConfidence: this.cfg.voting.minConfidence });
    let target: number | null = null;
    if (r.decision !== 'hold') {
      const d = r.decision === 'buy' ? 1 : r.decision === 'sell' ? -1 : 0;
      this.direction[i] = d;
      this.sizeMultiplier[i] = multipliers.length > 0 ? Math.min(2, multipliers.reduce((a, b) => a + b, 0) / multipliers.length) : 1;
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

  /** Units for the voted direction of symbol i: direction x allocation x invested x (1 - hedge) x equity / price x quality multiplier. */
  private votedUnits(i: number): number {
    const d = this.direction[i]!;
    const c = this.closes[i]!;
    const price = c[c.length - 1];
    if (d === 0 || price === undefined || !(price > 0)) return 0;
    const e = this.portfolio.equity();
    const w = this.allocation[i]! * this.pc.allocation.investedFraction * (1 - this.hedgeFraction) * this.sizeMultiplier[i]!;
    return this.round((d * w * e) / price);
  }

  /** Voting mode: recomputes the symbol allocation on its schedule and trades the drifts worth their cost. */
  private rebalancePositions(ts: number, equity: number): void {
    const r = this.pc.rebalancing;
    const due = this.lastPortfolioRebalance < 0 || this.samples - this.lastPortfolioRebalance >= r.everyBars;
    if (due) {
      this.lastPortfolioRebalance = this.samples;
      this.allocation = this.computeAllocation();
    }
    if (!(due || r.mode === 'threshold') || !(equity > 0)) return;
    const n = this.symbols.length;
    const current: number[] = [];
    const target: number[] = [];
    const vol: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = this.closes[i]!;
      const price = c[c.length - 1] ?? Number.NaN;
      const pos = this.portfolio.netPosition[i]! + this.execution.pendingQty(i);
      current.push(price > 0 ? (pos * price) / equity : 0);
      target.push(price > 0 ? (this.votedUnits(i) * price) / equity : 0);
      vol.push(this.volatility(i));
    }
    const plan = planRebalance(current, target, vol, equity, { threshold: r.threshold, costRate: r.costRate, riskAversion: r.riskAversion, horizon: r.everyBars });
    let skipped = 0;
    for (const line of plan) {
      if (line.trade) this.setAccountTarget(line.index, this.votedUnits(line.index));
      else if (line.skipped === 'cost_exceeds_benefit') skipped++;
    }
    if (skipped > 0 && due) this.audit(ts, 'portfolio.rebalance', `${skipped} rebalance trade(s) skipped: cost above the expected benefit`, undefined, { skipped });
  }

  private volatility(i: number): number {
    const c = this.closes[i]!;
    const look = this.pc.allocation.lookback;
    const from = Math.max(1, c.length - look);
    const r: number[] = [];
    for (let t = from; t < c.length; t++) r.push(c[t]! / c[t - 1]! - 1);
    if (r.length < 2) return 0;
    const m = r.reduce((a, b) => a + b, 0) / r.length;
    return Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / (r.length - 1));
  }

  private computeAllocation(): Float64Array {
    const n = this.symbols.length;
    const out = new Float64Array(n);
    const a = this.pc.allocation;
    let eligible = Array.from({ length: n }, (_, i) => i);
    const rot = this.pc.rotation;
    if (rot !== null) {
      const scores = this.symbols.map((_, i) => {
        if (rot.by === 'momentum') return momentumScore(this.closes[i]!, rot.lookback);
        const sigs = this.latest[i]!;
        let s = 0;
        for (const g of sigs) if (g) s += Math.abs(g.direction) * g.strength * g.confidence;
        return s;
      });
      const top = selectTopN(scores, rot.topN);
      if (top.length > 0) eligible = top.sort((x, y) => x - y);
    }
    const m = eligible.length;
    const rowsAvailable = Math.min(...eligible.map((i) => this.closes[i]!.length)) - 1;
    const look = Math.min(a.lookback, rowsAvailable);
    let weights: number[];
    const needsCov = a.method === 'inverse_volatility' || a.method === 'equal_risk_contribution' || a.method === 'minimum_variance';
    if (a.method === 'equal_weight' || (needsCov && look < Math.max(3, m + 1))) {
      weights = new Array<number>(m).fill(1 / m);
    } else if (a.method === 'momentum') {
      const mom = eligible.map((i) => momentumScore(this.closes[i]!, Math.max(1, Math.min(a.lookback, this.closes[i]!.length - 1))));
      weights = allocate('momentum', { n: m, momentum: mom.map((x) => (x === x ? x : 0)) });
    } else {
      const rows: number[][] = [];
      for (let t = look; t >= 1; t--) {
        rows.push(eligible.map((i) => {
          const c = this.closes[i]!;
          return c[c.length - t]! / c[c.length - t - 1]! - 1;
        }));
      }
      try {
        weights = allocate(a.method, { n: m, covariance: ledoitWolf(rows).covariance });
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err;
        weights = new Array<number>(m).fill(1 / m);
      }
    }
    eligible.forEach((i, j) => {
      out[i] = weights[j]!;
    });
    return out;
  }

  // ---- constraints and hedging ----

  /** Returns true while the daily stop holds (the account was flattened and stays flat until the next UTC day). */
  private dailyStop(ts: number, equity: number): boolean {
    const limit = this.pc.constraints.dailyStopLoss;
    const day = utcDayStart(ts);
    if (day !== this.day) {
      if (this.stopped) this.audit(ts, 'portfolio.daily_stop_lifted', `daily stop lifted: new UTC day, day-start equity ${equity.toFixed(2)}`);
      this.day = day;
      this.dayStart = equity;
      if (this.stopped) {
        this.stopped = false;
        for (let i = 0; i < this.symbols.length; i++) {
          if (this.cfg.mode === 'allocation') this.pushAllocationTarget(i);
          else this.setAccountTarget(i, this.votedUnits(i));
        }
      }
    }
    if (limit === undefined || this.stopped) return this.stopped;
    if (this.dayStart - equity >= limit) {
      this.stopped = true;
      this.audit(ts, 'portfolio.daily_stop', `daily stop loss ${limit} hit: loss ${(this.dayStart - equity).toFixed(2)} since the day start; flattening until the next UTC day`, undefined, { limit, dayStartEquity: this.dayStart, equity });
      for (let i = 0; i < this.symbols.length; i++) this.setAccountTarget(i, 0);
    }
    return this.stopped;
  }

  private checkHedge(ts: number, equity: number): void {
    const h = this.pc.hedging;
    if (h === null) return;
    const decision = evaluateHedge(h, {
      adx: this.classifier.meanAdx(),
      volatility: this.classifier.meanVolatility(),
      drawdown: this.peak > 0 ? (this.peak - equity) / this.peak : 0,
    });
    const key = decision.fired.join(',');
    if (key === this.hedgeKey) return;
    this.hedgeKey = key;
    this.hedgeFraction = decision.cashFraction;
    this.audit(ts, 'portfolio.hedge', key === '' ? 'hedge lifted: no trigger holds' : `hedge on (${key}): ${(decision.cashFraction * 100).toFixed(0)}% to cash`, undefined, { fired: decision.fired, cashFraction: decision.cashFraction });
    for (let i = 0; i < this.symbols.length; i++) {
      if (this.cfg.mode === 'allocation') this.pushAllocationTarget(i);
      else if (this.direction[i] !== 0) this.setAccountTarget(i, this.votedUnits(i));
    }
  }

  // ---- attribution ----

  private attributeTrades(): void {
    this.books.forEach((b, k) => {
      for (let t = this.processedTrades[k]!; t < b.trades.length; t++) {
        const tr = b.trades[t]!;
        this.history.record(this.ids[k]!, this.symbols[tr.symbolIndex]!, tr.direction, this.regime, tr.pnl > 0);
        this.tradeRegime[k]!.set(String(t), this.regime);
      }
      this.processedTrades[k] = b.trades.length;
    });
  }

  private audit(ts: number, kind: string, message: string, strategyId?: string, details?: Record<string, unknown>): void {
    const entry: AuditEntry = { ts, kind, message, ...(strategyId !== undefined ? { strategyId } : {}), ...(details !== undefined ? { details } : {}) };
    this.auditLog.push(entry);
    this.recorder.onAudit(entry);
  }

  /** Returns what the run recorded. */
  summary(): EnsembleSummary {
    const trades: AttributedTrade[] = [];
    const strategies = this.ids.map((id, k) => {
      const b = this.books[k]!;
      b.trades.forEach((t, j) => trades.push({ strategyId: id, symbol: this.symbols[t.symbolIndex]!, regime: this.tradeRegime[k]!.get(String(j)) ?? this.regime, pnl: t.pnl }));
      const s = strategyStats([b.notionalBase, ...this.equityHistory[k]!], b.trades.map((t) => t.pnl), this.cfg.periodsPerYear);
      return {
        id,
        return: s.totalReturn,
        sharpe: s.sharpe,
        maxDrawdown: s.maxDrawdown,
        turnover: b.tradedNotional / b.notionalBase,
        trades: s.tradeCount,
        winRate: s.winRate,
        profitFactor: s.profitFactor === Number.POSITIVE_INFINITY ? null : s.profitFactor,
        status: this.retirement.status(id),
        finalWeight: this.weights[k]!,
      };
    });
    const acct = strategyStats([this.portfolio.initialCash, ...this.accountEquity], [], this.cfg.periodsPerYear);
    return {
      mode: this.cfg.mode,
      accountId: this.cfg.accountId,
      weightsOverTime: this.weightsLog,
      decisions: this.decisions,
      strategies,
      account: { return: acct.totalReturn, sharpe: acct.sharpe, maxDrawdown: acct.maxDrawdown, turnover: this.portfolio.tradedNotional / this.portfolio.initialCash },
      decomposition: decomposePerformance(trades),
      audit: this.auditLog,
    };
  }
}
