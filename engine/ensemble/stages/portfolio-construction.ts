import { InvalidArgumentError } from '../../core/index.js';
import type { StrategyIntents } from '../../kernel/decision-pipeline.js';
import { allocate, evaluateHedge, momentumScore, planRebalance, selectTopN } from '../../portfolio/allocation/index.js';
import { ledoitWolf } from '../covariance.js';
import type { PortfolioConstructionConfig } from '../ensemble-config.js';
import type { EnsembleMarket } from './market-state.js';

/** A hedge that changed: the triggers that hold now and the fraction moved to cash. */
export interface HedgeChange {
  readonly fired: readonly string[];
  readonly cashFraction: number;
}

/** What a rebalance decided. */
export interface RebalancePlan {
  /** Whether the allocation was recomputed (the periodic schedule was due). */
  readonly due: boolean;
  /** Symbols whose drift is worth trading: re-target them to their voted units. */
  readonly trade: readonly number[];
  /** Trades skipped because their cost exceeds the expected benefit. */
  readonly skipped: number;
}

/**
 * Stage 4 of the decision pipeline: turns the combined decision into the account's target.
 * In allocation mode the combined units are scaled by the hedge and rounded. In voting mode the
 * voted direction of a symbol is sized as direction x allocation x investedFraction x
 * (1 - hedge) x size multiple x equity / price, where the allocation over the symbols comes from
 * `portfolio.allocation` (after `portfolio.rotation` keeps the top N) and is recomputed and traded
 * on `portfolio.rebalancing`'s schedule (drifts whose cost exceeds their benefit are skipped).
 * `portfolio.hedging` moves a fraction of the account to cash while a trigger holds.
 */
export class PortfolioConstruction {
  /** Per symbol: the voted direction (0 before the first vote). */
  readonly direction: Int8Array;
  /** Per symbol: the size multiple of the signals behind the last vote. */
  readonly sizeMultiplier: Float64Array;
  /** Per symbol: its share of the invested capital. */
  allocation: Float64Array;
  /** Fraction of the allocation moved to cash by the hedge. */
  hedgeFraction = 0;
  private hedgeKey = '';
  private peak = Number.NEGATIVE_INFINITY;
  private lastRebalance = -1;

  constructor(
    private readonly pc: PortfolioConstructionConfig,
    private readonly wholeUnits: boolean,
    symbolCount: number,
  ) {
    this.direction = new Int8Array(symbolCount);
    this.sizeMultiplier = new Float64Array(symbolCount).fill(1);
    this.allocation = new Float64Array(symbolCount).fill(1 / symbolCount);
  }

  /** Rounds toward zero to whole units when `ensemble.wholeUnits`. */
  round(units: number): number {
    return this.wholeUnits ? Math.trunc(units) : units;
  }

  /** Allocation mode: the account's target from the combined units (hedged, rounded). */
  allocationUnits(combined: number): number {
    return this.round(combined * (1 - this.hedgeFraction));
  }

  /** Voting mode: records a vote's direction and size multiple in symbol i. */
  setVote(i: number, direction: -1 | 0 | 1, sizeMultiplier: number): void {
    this.direction[i] = direction;
    this.sizeMultiplier[i] = sizeMultiplier;
  }

  /** Units for the voted direction of symbol i: direction x allocation x invested x (1 - hedge) x equity / price x quality multiplier. */
  votedUnits(i: number, equity: number, price: number | undefined): number {
    const d = this.direction[i]!;
    if (d === 0 || price === undefined || !(price > 0)) return 0;
    const w = this.allocation[i]! * this.pc.allocation.investedFraction * (1 - this.hedgeFraction) * this.sizeMultiplier[i]!;
    return this.round((d * w * equity) / price);
  }

  /** Records an equity sample (the drawdown the hedge reads). */
  onEquity(equity: number): void {
    if (equity > this.peak) this.peak = equity;
  }

  /** Evaluates `portfolio.hedging`; returns the new hedge when the set of triggers that hold changed, else null. */
  updateHedge(market: EnsembleMarket, equity: number): HedgeChange | null {
    const h = this.pc.hedging;
    if (h === null) return null;
    const decision = evaluateHedge(h, {
      adx: market.classifier.meanAdx(),
      volatility: market.classifier.meanVolatility(),
      drawdown: this.peak > 0 ? (this.peak - equity) / this.peak : 0,
    });
    const key = decision.fired.join(',');
    if (key === this.hedgeKey) return null;
    this.hedgeKey = key;
    this.hedgeFraction = decision.cashFraction;
    return { fired: decision.fired, cashFraction: decision.cashFraction };
  }

  /**
   * Voting mode, on every equity sample (number `samples`): recomputes the allocation when the
   * schedule is due and plans the trades worth their cost. `position(i)` is the account's position
   * plus working orders; `units(i)` the target the vote and the allocation give now (votedUnits at
   * the account's equity).
   */
  rebalance(samples: number, equity: number, market: EnsembleMarket, intents: StrategyIntents, position: (i: number) => number, units: (i: number) => number): RebalancePlan {
    const r = this.pc.rebalancing;
    const due = this.lastRebalance < 0 || samples - this.lastRebalance >= r.everyBars;
    if (due) {
      this.lastRebalance = samples;
      this.allocation = this.computeAllocation(market, intents);
    }
    if (!(due || r.mode === 'threshold') || !(equity > 0)) return { due, trade: [], skipped: 0 };
    const n = this.allocation.length;
    const current: number[] = [];
    const target: number[] = [];
    const vol: number[] = [];
    for (let i = 0; i < n; i++) {
      const price = market.lastClose(i) ?? Number.NaN;
      const pos = position(i);
      current.push(price > 0 ? (pos * price) / equity : 0);
      target.push(price > 0 ? (units(i) * price) / equity : 0);
      vol.push(market.volatility(i, this.pc.allocation.lookback));
    }
    const plan = planRebalance(current, target, vol, equity, { threshold: r.threshold, costRate: r.costRate, riskAversion: r.riskAversion, horizon: r.everyBars });
    const trade: number[] = [];
    let skipped = 0;
    for (const line of plan) {
      if (line.trade) trade.push(line.index);
      else if (line.skipped === 'cost_exceeds_benefit') skipped++;
    }
    return { due, trade, skipped };
  }

  /** The allocation over the symbols: rotation's top N (by momentum or signal strength), weighted by `portfolio.allocation.method`. */
  computeAllocation(market: EnsembleMarket, intents: StrategyIntents): Float64Array {
    const closes = market.closes;
    const n = closes.length;
    const out = new Float64Array(n);
    const a = this.pc.allocation;
    let eligible = Array.from({ length: n }, (_, i) => i);
    const rot = this.pc.rotation;
    if (rot !== null) {
      const scores = closes.map((c, i) => {
        if (rot.by === 'momentum') return momentumScore(c, rot.lookback);
        let s = 0;
        for (const g of intents.latestSignals(i)) if (g) s += Math.abs(g.direction) * g.strength * g.confidence;
        return s;
      });
      const top = selectTopN(scores, rot.topN);
      if (top.length > 0) eligible = top.sort((x, y) => x - y);
    }
    const m = eligible.length;
    const rowsAvailable = Math.min(...eligible.map((i) => closes[i]!.length)) - 1;
    const look = Math.min(a.lookback, rowsAvailable);
    let weights: number[];
    const needsCov = a.method === 'inverse_volatility' || a.method === 'equal_risk_contribution' || a.method === 'minimum_variance';
    if (a.method === 'equal_weight' || (needsCov && look < Math.max(3, m + 1))) {
      weights = new Array<number>(m).fill(1 / m);
    } else if (a.method === 'momentum') {
      const mom = eligible.map((i) => momentumScore(closes[i]!, Math.max(1, Math.min(a.lookback, closes[i]!.length - 1))));
      weights = allocate('momentum', { n: m, momentum: mom.map((x) => (x === x ? x : 0)) });
    } else {
      const rows: number[][] = [];
      for (let t = look; t >= 1; t--) {
        rows.push(eligible.map((i) => {
          const c = closes[i]!;
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
}
