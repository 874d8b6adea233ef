import { InvalidArgumentError } from '../../core/index.js';
import type { OrderId } from '../../core/index.js';
import { RouterDecorator } from '../../kernel/strategy-router.js';
import type { RouterHost, StrategyRouter } from '../../kernel/strategy-router.js';
import { isTerminal } from '../../model/orders.js';
import type { BracketIds, BracketRequest } from '../../model/orders.js';
import type { Portfolio } from '../../portfolio/portfolio.js';
import type { TargetOptions } from '../../strategies/context.js';
import type { ExecutionEngine } from '../execution-engine.js';
import { describeAlgorithm } from './algorithm-config.js';
import type { AlgorithmConfig, AlgorithmKind } from './algorithm-config.js';
import { dcaSchedule, implementationShortfallBps, smartSchedule, twapSchedule, vwapSchedule } from './schedule.js';
import type { Slice } from './schedule.js';
import { IntradayVolumeProfile } from './volume-profile.js';

const QTY_EPS = 1e-9;

/** Where a parent order stands. */
export type ParentStatus = 'working' | 'completed' | 'cancelled';

/** A parent order: a target difference an execution algorithm works through child orders. */
export interface ParentOrder {
  readonly id: string;
  readonly strategyIndex: number;
  readonly symbolIndex: number;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly algo: AlgorithmKind;
  readonly tsCreated: number;
  /** Mid of the last quote when the parent was created, else the last price. */
  readonly arrivalPrice: number;
  readonly arrivalSource: 'mid' | 'last';
  readonly slices: readonly Slice[];
  /** Index of the next slice to send. */
  next: number;
  readonly children: OrderId[];
  /** Time of the market-order fallback, or null. */
  readonly fallbackAt: number | null;
  fallbackUsed: boolean;
  status: ParentStatus;
  /** Why it was cancelled (a new target, a DCA cancel). */
  reason: string | null;
}

/** One parent order as the report lists it. */
export interface ParentOrderReport {
  readonly id: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly algo: AlgorithmKind;
  readonly qty: number;
  /** Slices planned. */
  readonly parts: number;
  /** Child orders sent (the fallback order included). */
  readonly childOrders: number;
  readonly filledQty: number;
  /** Volume-weighted average fill price of the children; null without a fill. */
  readonly averageFill: number | null;
  readonly arrivalPrice: number;
  readonly arrivalSource: 'mid' | 'last';
  /** (average fill - arrival) / arrival x 10^4, signed so that a cost is positive; null without a fill. */
  readonly shortfallBps: number | null;
  readonly fallbackUsed: boolean;
  readonly status: ParentStatus;
  readonly reason: string | null;
  readonly tsCreated: number;
}

/** Per strategy: its algorithm and its parents' quantity-weighted shortfall. */
export interface AlgorithmStrategyReport {
  readonly strategyId: string;
  readonly algo: AlgorithmKind;
  readonly parents: number;
  readonly filledQty: number;
  /** Shortfall weighted by each parent's filled notional (filled qty x arrival price); null without fills. */
  readonly shortfallBps: number | null;
  readonly fallbacks: number;
}

/** What the execution algorithms did in a run. */
export interface ExecutionSummary {
  readonly parents: readonly ParentOrderReport[];
  readonly strategies: readonly AlgorithmStrategyReport[];
  /** One sentence per algorithm in use. */
  readonly algorithms: readonly string[];
}

/**
 * A StrategyRouter that sends the targets of strategies with an execution algorithm through it:
 * each `setTarget` that changes the position becomes a parent order (the difference between the
 * target and the position plus working orders), with its arrival price recorded and a schedule of
 * child market orders sent through the ExecutionEngine (`parentId` set) at the slice times, driven by
 * router timers. A new target cancels the strategy's working parent in that symbol (its unsent slices
 * and working children) before the new difference is computed. Everything else, and the targets of
 * strategies without an algorithm or with a limit-order target, goes to the inner router unchanged.
 *
 * The same code runs live: it sees time only through the {@link RouterHost} and orders only through
 * the ExecutionEngine.
 */
export class AlgorithmRouter extends RouterDecorator {
  private host: RouterHost | null = null;
  private readonly active = new Map<number, ParentOrder>();
  private readonly byId = new Map<string, ParentOrder>();
  private readonly all: ParentOrder[] = [];
  private readonly profile: IntradayVolumeProfile;
  private seq = 0;

  constructor(
    inner: StrategyRouter,
    private readonly execution: ExecutionEngine,
    private readonly portfolio: Portfolio,
    /** Per strategy index: its algorithm, or null to trade through the inner router directly. */
    private readonly algorithms: readonly (AlgorithmConfig | null)[],
  ) {
    super(inner);
    let keep = 1;
    for (const a of algorithms) if (a?.kind === 'vwap' && a.sessions > keep) keep = a.sessions;
    this.profile = new IntradayVolumeProfile(execution.symbols.length, keep);
  }

  override attach(host: RouterHost): void {
    this.host = host;
    this.inner.attach?.(host);
  }
  override submitBracket(k: number, request: BracketRequest, ts: number): BracketIds {
    if (this.inner.submitBracket === undefined) throw new InvalidArgumentError(`strategy ${k} submits a bracket, which this run's router does not route (it trades targets only)`);
    return this.inner.submitBracket(k, request, ts);
  }
  override beforeBar(i: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    this.profile.add(i, ts, volume);
    this.inner.beforeBar?.(i, ts, open, high, low, close, volume);
  }
  override onTrade(i: number, ts: number, price: number, size: number): void {
    this.profile.add(i, ts, size);
    this.inner.onTrade?.(i, ts, price, size);
  }

  override setTarget(k: number, i: number, units: number, ts: number, options: TargetOptions | undefined): void {
    const algo = this.algorithms[k] ?? null;
    if (algo === null || (options?.type !== undefined && options.type !== 'market')) {
      this.inner.setTarget(k, i, units, ts, options);
      return;
    }
    if (!Number.isFinite(units)) throw new InvalidArgumentError(`invalid target 'units': not a finite number, was ${units}`);
    const key = k * this.execution.symbols.length + i;
    const prev = this.active.get(key);
    if (prev !== undefined) {
      if (prev.next >= prev.slices.length) {
        // Every slice is out: only its fallback was pending; the parent is done, not cancelled.
        this.requireHost().cancel(`${prev.id}:fallback`);
        this.release(prev);
      } else {
        this.cancelParent(prev.id, ts, 'superseded by a new target');
      }
    }
    let pending = 0;
    for (const o of this.execution.openOrders(k, i)) pending += o.sign * o.leavesQty;
    const delta = units - this.inner.position(k, i) - pending;
    if (Math.abs(delta) <= QTY_EPS * Math.max(1, Math.abs(units))) return;
    const qty = Math.abs(delta);
    const side = delta > 0 ? 'buy' : 'sell';
    const host = this.requireHost();
    const q = host.lastQuote(i);
    const hasMid = q !== null && q.bid > 0 && q.ask > 0;
    const arrivalPrice = hasMid ? (q.bid + q.ask) / 2 : host.mark(i);
    const integral = Number.isInteger(qty);
    let slices: Slice[];
    switch (algo.kind) {
      case 'direct':
        slices = [{ ts, qty }];
        break;
      case 'smart':
        slices = smartSchedule(ts, qty, qty * arrivalPrice * this.portfolio.multiplier[i]!, algo.thresholdNotional, algo.maxParts, algo.delayUs, integral);
        break;
      case 'twap':
        slices = twapSchedule(ts, qty, algo.durationUs, algo.parts, integral);
        break;
      case 'vwap':
        slices = vwapSchedule(ts, qty, algo.durationUs, this.profile.weights(i, ts, algo.durationUs / algo.parts, algo.parts, algo.sessions), integral);
        break;
      case 'dca':
        slices = dcaSchedule(ts, qty, algo.intervalUs, algo.parts, integral);
        break;
    }
    const parent: ParentOrder = {
      id: `P${++this.seq}`,
      strategyIndex: k,
      symbolIndex: i,
      side,
      qty,
      algo: algo.kind,
      tsCreated: ts,
      arrivalPrice,
      arrivalSource: hasMid ? 'mid' : 'last',
      slices,
      next: 0,
      children: [],
      fallbackAt: algo.fallbackAfterUs === null ? null : ts + algo.fallbackAfterUs,
      fallbackUsed: false,
      status: 'working',
      reason: null,
    };
    this.active.set(key, parent);
    this.byId.set(parent.id, parent);
    this.all.push(parent);
    if (parent.fallbackAt !== null) host.schedule(`${parent.id}:fallback`, parent.fallbackAt);
    this.sendDue(parent, ts);
  }

  override onTimer(name: string, ts: number): void {
    const colon = name.indexOf(':');
    const parent = this.byId.get(name.slice(0, colon));
    if (parent === undefined || parent.status !== 'working') return;
    if (name.endsWith(':slice')) this.sendDue(parent, ts);
    else if (name.endsWith(':fallback')) this.fallback(parent, ts);
  }

  /** The host's clock: the time a target handed over from outside a strategy call (an ensemble's) is worked from. */
  now(): number {
    return this.requireHost().now();
  }

  /** Returns a parent order by id (a DCA session's status is its `status` and `next`/`slices`). */
  parent(id: string): Readonly<ParentOrder> | undefined {
    return this.byId.get(id);
  }

  /**
   * Returns the status of a parent (a DCA session): slices sent of planned, filled quantity, status.
   * Undefined for an unknown id.
   */
  sessionStatus(id: string): { readonly sent: number; readonly parts: number; readonly filledQty: number; readonly status: ParentStatus } | undefined {
    const p = this.byId.get(id);
    if (p === undefined) return undefined;
    let filled = 0;
    for (const c of p.children) filled += this.execution.order(c)?.filledQty ?? 0;
    const status: ParentStatus = p.status === 'cancelled' ? 'cancelled' : filled >= p.qty - QTY_EPS * Math.max(1, p.qty) ? 'completed' : 'working';
    return { sent: p.next, parts: p.slices.length, filledQty: filled, status };
  }

  /** Returns every parent order in creation order. */
  parents(): readonly Readonly<ParentOrder>[] {
    return this.all;
  }

  /**
   * Cancels a working parent: no further slice or fallback is sent and its working children are
   * cancelled (what already filled stays). A no-op for a parent that is not working.
   */
  cancelParent(id: string, ts: number, reason = 'cancelled'): void {
    const p = this.byId.get(id);
    if (p === undefined || p.status !== 'working') return;
    p.status = 'cancelled';
    p.reason = reason;
    const host = this.requireHost();
    host.cancel(`${p.id}:slice`);
    host.cancel(`${p.id}:fallback`);
    for (const c of p.children) this.execution.cancel(c, ts);
    this.release(p);
  }

  /** Returns the run's parent orders with their fills and shortfall, and a per-strategy comparison. */
  summary(): ExecutionSummary {
    const ids = this.execution.strategyIds;
    const parents = this.all.map((p): ParentOrderReport => {
      let filled = 0;
      let value = 0;
      for (const c of p.children) {
        const o = this.execution.order(c);
        if (o !== undefined && o.filledQty > 0) {
          filled += o.filledQty;
          value += o.filledQty * o.avgFillPrice;
        }
      }
      const avg = filled > 0 ? value / filled : Number.NaN;
      const is = implementationShortfallBps(p.side === 'buy' ? 1 : -1, p.arrivalPrice, avg);
      const status: ParentStatus = p.status === 'cancelled' ? 'cancelled' : filled >= p.qty - QTY_EPS * Math.max(1, p.qty) ? 'completed' : 'working';
      return {
        id: p.id,
        strategyId: ids[p.strategyIndex] ?? String(p.strategyIndex),
        symbol: this.execution.symbols[p.symbolIndex]!,
        side: p.side,
        algo: p.algo,
        qty: p.qty,
        parts: p.slices.length,
        childOrders: p.children.length,
        filledQty: filled,
        averageFill: filled > 0 ? avg : null,
        arrivalPrice: p.arrivalPrice,
        arrivalSource: p.arrivalSource,
        shortfallBps: Number.isFinite(is) ? is : null,
        fallbackUsed: p.fallbackUsed,
        status,
        reason: p.reason,
        tsCreated: p.tsCreated,
      };
    });
    const strategies: AlgorithmStrategyReport[] = [];
    this.algorithms.forEach((a, k) => {
      if (a === null) return;
      const mine = parents.filter((_, j) => this.all[j]!.strategyIndex === k);
      let w = 0;
      let ws = 0;
      let filled = 0;
      let fallbacks = 0;
      for (const p of mine) {
        filled += p.filledQty;
        if (p.fallbackUsed) fallbacks++;
        if (p.shortfallBps !== null) {
          const n = p.filledQty * p.arrivalPrice;
          w += n;
          ws += n * p.shortfallBps;
        }
      }
      strategies.push({ strategyId: ids[k] ?? String(k), algo: a.kind, parents: mine.length, filledQty: filled, shortfallBps: w > 0 ? ws / w : null, fallbacks });
    });
    const algorithms = [...new Set(this.algorithms.filter((a): a is AlgorithmConfig => a !== null).map(describeAlgorithm))];
    return { parents, strategies, algorithms };
  }

  private sendDue(p: ParentOrder, ts: number): void {
    const host = this.requireHost();
    while (p.next < p.slices.length && p.slices[p.next]!.ts <= ts) {
      this.child(p, p.slices[p.next]!.qty, ts, `${p.algo} ${p.id} ${p.next + 1}/${p.slices.length}`);
      p.next++;
      if (p.status !== 'working') return;
    }
    if (p.next < p.slices.length) host.schedule(`${p.id}:slice`, p.slices[p.next]!.ts);
    else if (p.fallbackAt === null) this.release(p);
  }

  /** Sends whatever is left of the parent at once as one market order. */
  private fallback(p: ParentOrder, ts: number): void {
    const host = this.requireHost();
    host.cancel(`${p.id}:slice`);
    let done = 0;
    for (const c of p.children) {
      const o = this.execution.order(c)!;
      // Working market children will still fill; other working children are cancelled and replaced.
      if (!isTerminal(o.status) && o.type !== 'market') this.execution.cancel(c, ts);
      const after = this.execution.order(c)!;
      done += after.filledQty + (isTerminal(after.status) ? 0 : after.leavesQty);
    }
    p.next = p.slices.length;
    const left = p.qty - done;
    if (left > QTY_EPS * Math.max(1, p.qty)) {
      p.fallbackUsed = true;
      this.child(p, left, ts, `${p.algo} ${p.id} fallback`);
    }
    this.release(p);
  }

  private child(p: ParentOrder, qty: number, ts: number, tag: string): void {
    const id = this.execution.submit(p.strategyIndex, { symbol: this.execution.symbols[p.symbolIndex]!, side: p.side, qty, type: 'market', tag }, ts, p.id as OrderId);
    p.children.push(id);
  }

  private release(p: ParentOrder): void {
    const key = p.strategyIndex * this.execution.symbols.length + p.symbolIndex;
    if (this.active.get(key) === p) this.active.delete(key);
  }

  private requireHost(): RouterHost {
    if (this.host === null) throw new InvalidArgumentError('AlgorithmRouter: not attached to a TradingEngine (attach(host) is called by the engine)');
    return this.host;
  }
}
