import { orderId } from '../core/ids.js';
import type { OrderId } from '../core/ids.js';
import type { OrderChanges, Signal } from '../model/events.js';
import type { BracketIds, BracketRequest, OrderRequest } from '../model/orders.js';
import { createPredictiveFilter, describePredictiveFilter } from '../models/predictive-filters.js';
import type { PredictiveFilter, PredictiveFilterConfig } from '../models/predictive-filters.js';
import type { Recorder } from '../ports/recorder.js';
import type { TargetOptions } from '../strategies/context.js';
import { RouterDecorator } from './strategy-router.js';
import type { StrategyRouter, TargetSink } from './strategy-router.js';

/** The predictive filters of a run (scenario `strategies[i].filters`, `ensemble.filters`). */
export interface PredictiveFiltersConfig {
  /** Per strategy index (the engine's order): its filters, empty for none. */
  readonly strategies: readonly (readonly PredictiveFilterConfig[])[];
  /** The ensemble account's filters (empty without an ensemble or without filters). */
  readonly account: readonly PredictiveFilterConfig[];
}

/** Blocks counted by a {@link PredictiveFilterStage}, per scope (strategy id or the ensemble's account) and filter. */
export interface FilterBlockCount {
  readonly scope: string;
  readonly filter: string;
  /** Entries (targets, orders, brackets) and signals blocked, repeats included. */
  readonly blocked: number;
}

/** An entry's side, from the current and the requested signed exposure; 0: not an entry (unchanged or reducing). */
export function entrySide(from: number, to: number): -1 | 0 | 1 {
  if (to === from || to === 0) return 0;
  if (from !== 0 && Math.sign(to) === Math.sign(from) && Math.abs(to) <= Math.abs(from)) return 0;
  return to > 0 ? 1 : -1;
}

/**
 * Stage 2 of the decision pipeline (engine/kernel/decision-pipeline.ts): the predictive filters of
 * each strategy and of an ensemble's account. Every filter sees each bar as it closes, before the
 * strategies do (so a decision on a bar reads that bar and the ones before, never a later one).
 * An entry (a target, order or bracket that opens, adds to or flips a position) goes only when every
 * filter of its scope passes; a blocked target keeps the position where it was (a flip goes flat,
 * its reducing part), a blocked order or bracket is never sent (it gets an id `filtered-N`, so cancels
 * and replaces of it are no-ops). Reductions and exits always pass. A strategy's directional signal is
 * judged as an entry of its side: when blocked it goes on with direction 0 and strength 0 (so an
 * ensemble's vote sees no view). Every signal of a filtered strategy carries the filters' predictions in
 * its metadata. Every block is an audit entry `filter.blocked` (a request repeated unchanged while
 * blocked is blocked again and counted, not written again).
 */
export class PredictiveFilterStage {
  private readonly byStrategy: PredictiveFilter[][];
  private readonly account: PredictiveFilter[];
  private readonly all: PredictiveFilter[];
  private readonly latest: (Signal | null)[];
  /** Per strategy x symbol: the last target forwarded (NaN: none yet, the position is the reference). */
  private readonly forwarded: Float64Array;
  /** Per strategy x symbol: the last blocked request (NaN: none), not audited again while repeated. */
  private readonly lastBlocked: Float64Array;
  private readonly accountForwarded: Float64Array;
  private readonly accountBlocked: Float64Array;
  private readonly counts = new Map<string, number>();
  private dropped = 0;
  readonly droppedIds = new Set<string>();

  constructor(
    readonly config: PredictiveFiltersConfig,
    private readonly symbols: readonly string[],
    private readonly strategyIds: readonly string[],
    private readonly recorder: Recorder,
    private readonly accountId = 'ensemble',
  ) {
    const n = symbols.length;
    this.byStrategy = strategyIds.map((_, k) => (config.strategies[k] ?? []).map((c) => createPredictiveFilter(c, n)));
    this.account = config.account.map((c) => createPredictiveFilter(c, n));
    this.all = [...this.byStrategy.flat(), ...this.account];
    this.latest = new Array<Signal | null>(strategyIds.length * n).fill(null);
    this.forwarded = new Float64Array(strategyIds.length * n).fill(Number.NaN);
    this.lastBlocked = new Float64Array(strategyIds.length * n).fill(Number.NaN);
    this.accountForwarded = new Float64Array(n);
    this.accountBlocked = new Float64Array(n).fill(Number.NaN);
  }

  /** True when strategy `k` has filters. */
  filters(k: number): boolean {
    return this.byStrategy[k]!.length > 0;
  }

  onBar(i: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    const all = this.all;
    for (let f = 0; f < all.length; f++) all[f]!.onBar(i, ts, open, high, low, close, volume);
  }

  /** The first filter of `filters` that blocks an entry of `side`, with its reason; null when all pass. */
  private firstBlock(filters: readonly PredictiveFilter[], i: number, side: 1 | -1, signal: Signal | null): { filter: string; reason: string } | null {
    for (const f of filters) {
      const v = f.assess(i, side, signal);
      if (!v.pass) return { filter: f.kind, reason: v.reason };
    }
    return null;
  }

  private predictionsOf(filters: readonly PredictiveFilter[], i: number): Record<string, number | string | null> {
    const out: Record<string, number | string | null> = {};
    for (const f of filters) f.predictions(i, out);
    return out;
  }

  private block(scope: string, filters: readonly PredictiveFilter[], ts: number, i: number, hit: { filter: string; reason: string }, what: string, details: Record<string, unknown>, audit: boolean): void {
    const key = `${scope}\u0000${hit.filter}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (!audit) return;
    this.recorder.onAudit({
      ts,
      kind: 'filter.blocked',
      message: `${what} blocked by ${hit.filter}: ${hit.reason}`,
      strategyId: scope,
      symbol: this.symbols[i]!,
      details: { filter: hit.filter, reason: hit.reason, ...details, predictions: this.predictionsOf(filters, i) },
    });
  }

  /** A target of strategy `k`: returns the units to forward, or NaN to forward nothing. */
  target(k: number, i: number, units: number, ts: number, position: number): number {
    const slot = k * this.symbols.length + i;
    const last = this.forwarded[slot]!;
    const from = last === last ? last : position;
    const side = entrySide(from, units);
    if (side === 0) return this.pass(slot, units);
    const filters = this.byStrategy[k]!;
    const hit = this.firstBlock(filters, i, side, this.latest[slot]!);
    if (hit === null) return this.pass(slot, units);
    const sent = Math.sign(units) !== Math.sign(from) && from !== 0 ? 0 : Number.NaN;
    const repeated = this.lastBlocked[slot] === units;
    this.lastBlocked[slot] = units;
    const what = `${side > 0 ? 'buy' : 'sell'} target ${units} (from ${from})`;
    this.block(this.strategyIds[k]!, filters, ts, i, hit, what, { side, from, to: units, sent: sent === sent ? sent : from }, !repeated);
    if (sent === sent) this.forwarded[slot] = sent;
    return sent;
  }

  private pass(slot: number, units: number): number {
    this.forwarded[slot] = units;
    this.lastBlocked[slot] = Number.NaN;
    return units;
  }

  /** An order or bracket entry of strategy `k`: true when it may go. */
  order(k: number, i: number, side: 1 | -1, qty: number, reduceOnly: boolean, ts: number, position: number, what: string): boolean {
    if (reduceOnly || entrySide(position, position + side * qty) === 0) return true;
    const filters = this.byStrategy[k]!;
    const hit = this.firstBlock(filters, i, side, this.latest[k * this.symbols.length + i]!);
    if (hit === null) return true;
    this.block(this.strategyIds[k]!, filters, ts, i, hit, `${side > 0 ? 'buy' : 'sell'} ${what} of ${qty}`, { side, qty, position }, true);
    return false;
  }

  /** A dropped order's id. */
  droppedId(): OrderId {
    this.dropped++;
    const id = orderId(`filtered-${this.dropped}`);
    this.droppedIds.add(id);
    return id;
  }

  /** A signal of strategy `k`: returns it with the filters' predictions in its metadata, neutral when blocked. */
  signal(k: number, signal: Signal, i: number): Signal {
    const slot = k * this.symbols.length + i;
    this.latest[slot] = signal;
    const filters = this.byStrategy[k]!;
    const predictions = this.predictionsOf(filters, i);
    const hit = signal.direction !== 0 ? this.firstBlock(filters, i, signal.direction, signal) : null;
    const metadata: Record<string, number | string | null> = { ...signal.metadata, ...predictions, filter: hit === null ? 'pass' : `blocked:${hit.filter}` };
    if (hit === null) return { ...signal, metadata };
    this.block(this.strategyIds[k]!, filters, signal.ts, i, hit, `${signal.direction > 0 ? 'long' : 'short'} signal`, { side: signal.direction, confidence: signal.confidence }, true);
    metadata['originalDirection'] = signal.direction;
    metadata['originalStrength'] = signal.strength;
    return { ...signal, direction: 0, strength: 0, metadata };
  }

  /** The ensemble account's target sink with the account's filters in front of `inner`. */
  accountSink(inner: TargetSink): TargetSink {
    if (this.account.length === 0) return inner;
    return {
      setTarget: (i: number, units: number, ts: number): void => {
        const from = this.accountForwarded[i]!;
        const side = entrySide(from, units);
        if (side !== 0) {
          const hit = this.firstBlock(this.account, i, side, null);
          if (hit !== null) {
            const sent = from !== 0 && Math.sign(units) !== Math.sign(from) ? 0 : Number.NaN;
            const repeated = this.accountBlocked[i] === units;
            this.accountBlocked[i] = units;
            this.block(this.accountId, this.account, ts, i, hit, `account ${side > 0 ? 'buy' : 'sell'} target ${units} (from ${from})`, { side, from, to: units, sent: sent === sent ? sent : from }, !repeated);
            if (sent !== sent) return;
            units = sent;
          } else {
            this.accountBlocked[i] = Number.NaN;
          }
        } else {
          this.accountBlocked[i] = Number.NaN;
        }
        this.accountForwarded[i] = units;
        inner.setTarget(i, units, ts);
      },
    };
  }

  /** Blocks so far, per scope and filter, in the order of the configuration. */
  blockCounts(): FilterBlockCount[] {
    const out: FilterBlockCount[] = [];
    const add = (scope: string, configs: readonly PredictiveFilterConfig[]): void => {
      for (const c of configs) out.push({ scope, filter: c.kind, blocked: this.counts.get(`${scope}\u0000${c.kind}`) ?? 0 });
    };
    this.strategyIds.forEach((id, k) => add(id, this.config.strategies[k] ?? []));
    add(this.accountId, this.config.account);
    return out;
  }

  /** The report's assumptions: each scope's filters and what they blocked. */
  assumptions(): string[] {
    const counts = this.blockCounts();
    const lines: string[] = [];
    const say = (scope: string, configs: readonly PredictiveFilterConfig[], who: string): void => {
      if (configs.length === 0) return;
      const parts = configs.map((c) => `${describePredictiveFilter(c)}: ${counts.find((x) => x.scope === scope && x.filter === c.kind)?.blocked ?? 0} blocked`);
      lines.push(`Predictive filters of ${who}, judged on each entry with the bars closed by then: ${parts.join('; ')}. Reductions and exits always pass; each block is an audit entry filter.blocked.`);
    };
    this.strategyIds.forEach((id, k) => say(id, this.config.strategies[k] ?? [], `strategy ${id}`));
    say(this.accountId, this.config.account, "the ensemble's account");
    return lines;
  }
}

/**
 * The router in front of a run's router when it has predictive filters: feeds the filters every bar
 * (before the inner router and the strategies see it), judges each filtered strategy's targets, orders,
 * brackets and signals through the {@link PredictiveFilterStage}, and passes everything else on.
 */
export class PredictiveFilterGate extends RouterDecorator {
  constructor(
    inner: StrategyRouter,
    readonly stage: PredictiveFilterStage,
    private readonly symbolIndex: (symbol: string) => number,
  ) {
    super(inner);
    if (inner.submitBracket) {
      const submit = inner.submitBracket.bind(inner);
      this.submitBracket = (k: number, request: BracketRequest, ts: number): BracketIds => {
        if (this.stage.filters(k)) {
          const i = this.symbolIndex(request.symbol);
          if (!this.stage.order(k, i, request.side === 'buy' ? 1 : -1, request.qty, false, ts, inner.position(k, i), 'bracket')) {
            return { entry: this.stage.droppedId(), takeProfit: this.stage.droppedId(), stopLoss: this.stage.droppedId() };
          }
        }
        return submit(k, request, ts);
      };
    }
  }

  override beforeBar(i: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    this.stage.onBar(i, ts, open, high, low, close, volume);
    this.inner.beforeBar?.(i, ts, open, high, low, close, volume);
  }
  override setTarget(k: number, i: number, units: number, ts: number, options: TargetOptions | undefined): void {
    if (!this.stage.filters(k)) {
      this.inner.setTarget(k, i, units, ts, options);
      return;
    }
    const sent = this.stage.target(k, i, units, ts, this.inner.position(k, i));
    if (sent === sent) this.inner.setTarget(k, i, sent, ts, options);
  }
  override signal(k: number, signal: Signal): void {
    this.inner.signal(k, this.stage.filters(k) ? this.stage.signal(k, signal, this.symbolIndex(signal.symbol)) : signal);
  }
  override submitOrder(k: number, request: OrderRequest, ts: number): OrderId {
    if (this.stage.filters(k)) {
      const i = this.symbolIndex(request.symbol);
      if (!this.stage.order(k, i, request.side === 'buy' ? 1 : -1, request.qty, request.reduceOnly === true, ts, this.inner.position(k, i), `${request.type ?? 'market'} order`)) return this.stage.droppedId();
    }
    return this.inner.submitOrder(k, request, ts);
  }
  override cancelOrder(k: number, id: OrderId, ts: number): void {
    if (!this.stage.droppedIds.has(id)) this.inner.cancelOrder(k, id, ts);
  }
  override replaceOrder(k: number, id: OrderId, changes: OrderChanges, ts: number): void {
    if (!this.stage.droppedIds.has(id)) this.inner.replaceOrder(k, id, changes, ts);
  }
}
