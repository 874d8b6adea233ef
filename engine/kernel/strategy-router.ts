import type { OrderId } from '../core/ids.js';
import type { ExecutionEngine } from '../execution/execution-engine.js';
import type { OrderChanges, Signal } from '../model/events.js';
import type { BracketIds, BracketRequest, OrderRequest } from '../model/orders.js';
import type { OrderSnapshot } from '../model/order-snapshot.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Recorder } from '../ports/recorder.js';
import type { TargetOptions } from '../strategies/context.js';

/**
 * Where a strategy's requests go: the seam between strategies and execution. The TradingEngine's
 * StrategyContext calls it for every position query, target, signal and order of strategy
 * `strategyIndex`. The {@link DirectRouter} (the default) sends them straight to the
 * ExecutionEngine and the Portfolio ledger of that strategy, as a multi-strategy account does; an
 * ensemble router (engine/ensemble) gives each strategy a shadow ledger and trades the account to
 * a combination of their targets instead.
 */
export interface StrategyRouter extends RouterHooks {
  /** When true, the account's order events are delivered to the strategy that owns the order (index = strategy). */
  readonly deliversOrderEvents: boolean;
  position(strategyIndex: number, symbolIndex: number): number;
  cash(strategyIndex: number): number;
  equity(strategyIndex: number): number;
  setTarget(strategyIndex: number, symbolIndex: number, units: number, ts: number, options: TargetOptions | undefined): void;
  signal(strategyIndex: number, signal: Signal): void;
  /**
   * False when {@link signal} (and whatever it hands the signal to) keeps neither the signal object nor anything in
   * it past the call: the TradingEngine then passes one object per shape, written again for each signal (see
   * TradingEngine.recordSignal). Absent: a new object per signal, as a router that keeps or forwards them needs.
   */
  readonly keepsSignals?: boolean;
  submitOrder(strategyIndex: number, request: OrderRequest, ts: number): OrderId;
  cancelOrder(strategyIndex: number, orderId: OrderId, ts: number): void;
  replaceOrder(strategyIndex: number, orderId: OrderId, changes: OrderChanges, ts: number): void;
  openOrders(strategyIndex: number, symbolIndex: number | undefined): readonly OrderSnapshot[];
}

/**
 * The optional hooks of a {@link StrategyRouter}: the TradingEngine calls each only when the router has it (it checks
 * their presence once), and a decorator has them only where its inner router does (see {@link RouterDecorator}).
 */
export interface RouterHooks {
  /** Submits a bracket (see StrategyContext.submitBracket); a router that trades targets only leaves it out. */
  submitBracket?(strategyIndex: number, request: BracketRequest, ts: number): BracketIds;
  /** Called with each bar before the strategies see it (after the account is marked). */
  beforeBar?(symbolIndex: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void;
  /** Called after every strategy subscribed to the symbol has seen the bar. */
  afterBar?(symbolIndex: number, ts: number): void;
  /** Called on every equity sample of the account, after the recorder and the other watchers. */
  onEquity?(ts: number, equity: number): void;
  /** Called once after the strategies' onStop. */
  onStop?(): void;
  /** Called once when the TradingEngine is built, with the services a time-driven router needs. */
  attach?(host: RouterHost): void;
  /** Called when a timer the router scheduled through its host fires. */
  onTimer?(name: string, ts: number): void;
  /** Called on every trade print, before the strategies see it. */
  onTrade?(symbolIndex: number, ts: number, price: number, size: number): void;
}

/**
 * What the TradingEngine lends a router that works over time (execution algorithms): the clock,
 * router-owned timers (fired back through {@link StrategyRouter.onTimer}) and the latest prices.
 */
export interface RouterHost {
  now(): number;
  /** Schedules a one-shot router timer `name` at `ts` (names are the router's own namespace). */
  schedule(name: string, ts: number): void;
  cancel(name: string): void;
  /** Returns the last quote of a symbol as [bid, ask], or null before the first quote. */
  lastQuote(symbolIndex: number): { readonly bid: number; readonly ask: number } | null;
  /** Returns the last price (mark) of a symbol; NaN before the first. */
  mark(symbolIndex: number): number;
}

/** The optional hooks of a {@link StrategyRouter}, by name. */
const ROUTER_HOOKS: readonly (keyof RouterHooks)[] = ['beforeBar', 'afterBar', 'onEquity', 'onStop', 'attach', 'onTimer', 'onTrade', 'submitBracket'];

/**
 * A router in front of another (the warm-up gate, the predictive filters, regime-adaptive sizes, execution
 * algorithms): every call goes on to `inner` unless the subclass overrides it. An optional hook exists on it
 * only when the subclass defines it (as a method, or by assigning it in its constructor) or when `inner` has it,
 * then bound to `inner`: the TradingEngine checks a hook's presence before calling it on every bar, so a
 * decorator adds no hook its inner router does not have. A subclass's own hook calls the inner one itself.
 */
export abstract class RouterDecorator implements StrategyRouter {
  readonly deliversOrderEvents: boolean;

  constructor(protected readonly inner: StrategyRouter) {
    this.deliversOrderEvents = inner.deliversOrderEvents;
    const hooks = this as Partial<Record<keyof RouterHooks, unknown>>;
    for (const h of ROUTER_HOOKS) {
      const own = inner[h];
      if (hooks[h] === undefined && own !== undefined) hooks[h] = (own as (...args: never[]) => unknown).bind(inner);
    }
  }

  position(strategyIndex: number, symbolIndex: number): number {
    return this.inner.position(strategyIndex, symbolIndex);
  }
  cash(strategyIndex: number): number {
    return this.inner.cash(strategyIndex);
  }
  equity(strategyIndex: number): number {
    return this.inner.equity(strategyIndex);
  }
  setTarget(strategyIndex: number, symbolIndex: number, units: number, ts: number, options: TargetOptions | undefined): void {
    this.inner.setTarget(strategyIndex, symbolIndex, units, ts, options);
  }
  signal(strategyIndex: number, signal: Signal): void {
    this.inner.signal(strategyIndex, signal);
  }
  submitOrder(strategyIndex: number, request: OrderRequest, ts: number): OrderId {
    return this.inner.submitOrder(strategyIndex, request, ts);
  }
  cancelOrder(strategyIndex: number, orderId: OrderId, ts: number): void {
    this.inner.cancelOrder(strategyIndex, orderId, ts);
  }
  replaceOrder(strategyIndex: number, orderId: OrderId, changes: OrderChanges, ts: number): void {
    this.inner.replaceOrder(strategyIndex, orderId, changes, ts);
  }
  openOrders(strategyIndex: number, symbolIndex: number | undefined): readonly OrderSnapshot[] {
    return this.inner.openOrders(strategyIndex, symbolIndex);
  }
}

/** The decorator's optional hooks are the interface's, declared by merging: no field is emitted to hide a subclass's method. */
export interface RouterDecorator extends RouterHooks {}

/** Strategies trade the account directly: one Portfolio ledger and one ExecutionEngine slot per strategy. */
export class DirectRouter implements StrategyRouter {
  readonly deliversOrderEvents = true;
  /** A signal goes to the recorder alone: kept past the call only when the recorder keeps it (Recorder.keepsSignals). */
  readonly keepsSignals: boolean;
  constructor(
    private readonly execution: ExecutionEngine,
    private readonly portfolio: Portfolio,
    private readonly recorder: Recorder,
  ) {
    this.keepsSignals = recorder.keepsSignals !== false;
  }
  position(strategyIndex: number, symbolIndex: number): number {
    return this.portfolio.position(strategyIndex, symbolIndex);
  }
  cash(_strategyIndex: number): number {
    return this.portfolio.cash;
  }
  equity(_strategyIndex: number): number {
    return this.portfolio.equity();
  }
  setTarget(strategyIndex: number, symbolIndex: number, units: number, ts: number, options: TargetOptions | undefined): void {
    this.execution.setTarget(strategyIndex, symbolIndex, units, ts, options);
  }
  signal(_strategyIndex: number, signal: Signal): void {
    this.recorder.onSignal(signal);
  }
  submitOrder(strategyIndex: number, request: OrderRequest, ts: number): OrderId {
    return this.execution.submit(strategyIndex, request, ts);
  }
  submitBracket(strategyIndex: number, request: BracketRequest, ts: number): BracketIds {
    return this.execution.submitBracket(strategyIndex, request, ts);
  }
  cancelOrder(_strategyIndex: number, orderId: OrderId, ts: number): void {
    this.execution.cancel(orderId, ts);
  }
  replaceOrder(_strategyIndex: number, orderId: OrderId, changes: OrderChanges, ts: number): void {
    this.execution.replace(orderId, changes, ts);
  }
  openOrders(strategyIndex: number, symbolIndex: number | undefined): readonly OrderSnapshot[] {
    return this.execution.openOrders(strategyIndex, symbolIndex);
  }
}

/** What a router is built from when it replaces the DirectRouter of a run. */
export interface RouterDeps {
  readonly symbols: readonly string[];
  /** Ids of the strategies, in the engine's order (strategy index = position). */
  readonly strategyIds: readonly string[];
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly recorder: Recorder;
  /**
   * Where the router sends the account's targets (stage 6 of the decision pipeline,
   * engine/kernel/decision-pipeline.ts); absent: straight to the ExecutionEngine (DirectTargets).
   */
  readonly targets?: TargetSink;
}

/** Stage 6 of the decision pipeline takes: the account's target per symbol (from an ensemble's portfolio construction). */
export interface TargetSink {
  setTarget(symbolIndex: number, units: number, ts: number): void;
}
