import { orderId } from '../core/ids.js';
import type { OrderId } from '../core/ids.js';
import type { OrderChanges, Signal } from '../model/events.js';
import type { BracketIds, BracketRequest, OrderRequest } from '../model/orders.js';
import type { TargetOptions } from '../strategies/context.js';
import { RouterDecorator } from './strategy-router.js';
import type { StrategyRouter } from './strategy-router.js';

/** What a {@link TradeGate} dropped before trading began. */
export interface WarmupCounts {
  /** The start of trading, microseconds (`engine.tradeFrom`). */
  readonly tradeFromUs: number;
  /** Orders submitted before it (never sent). */
  readonly orders: number;
  /** Target changes made before it (never executed). */
  readonly targets: number;
  /** Signals emitted before it (not recorded). */
  readonly signals: number;
  /** Cancels and replaces of dropped orders (no-ops). */
  readonly amendments: number;
}

/**
 * Gates the strategies' requests by time, for warm-up: before `tradeFromUs` strategies see every
 * bar, print, quote and timer (their indicators are fed) but each order, target and signal they make
 * is dropped and counted, so the account holds cash until trading begins. From `tradeFromUs` on,
 * everything passes to the wrapped router unchanged. A dropped order gets an id of its own
 * (`warmup-N`), never a venue's, so a strategy that later cancels or replaces it changes nothing.
 *
 * Sits between the StrategyContext and the run's router (direct, execution algorithms or an
 * ensemble), so a warm-up means the same thing on every pipeline. Without `tradeFromUs` the
 * TradingEngine does not build a gate at all (a run without warm-up is untouched, to the bit).
 */
export class TradeGate extends RouterDecorator {
  private droppedOrders = 0;
  private droppedTargets = 0;
  private droppedSignals = 0;
  private amendments = 0;
  private readonly dropped = new Set<string>();

  constructor(
    inner: StrategyRouter,
    readonly tradeFromUs: number,
  ) {
    super(inner);
    if (inner.submitBracket) this.submitBracket = (k: number, request: BracketRequest, ts: number): BracketIds => this.gateBracket(inner, k, request, ts);
  }

  /** What was dropped so far. */
  counts(): WarmupCounts {
    return { tradeFromUs: this.tradeFromUs, orders: this.droppedOrders, targets: this.droppedTargets, signals: this.droppedSignals, amendments: this.amendments };
  }

  override setTarget(strategyIndex: number, symbolIndex: number, units: number, ts: number, options: TargetOptions | undefined): void {
    if (ts < this.tradeFromUs) {
      this.droppedTargets++;
      return;
    }
    this.inner.setTarget(strategyIndex, symbolIndex, units, ts, options);
  }
  override signal(strategyIndex: number, signal: Signal): void {
    if (signal.ts < this.tradeFromUs) {
      this.droppedSignals++;
      return;
    }
    this.inner.signal(strategyIndex, signal);
  }
  override submitOrder(strategyIndex: number, request: OrderRequest, ts: number): OrderId {
    if (ts < this.tradeFromUs) {
      this.droppedOrders++;
      const id = orderId(`warmup-${this.droppedOrders}`);
      this.dropped.add(id);
      return id;
    }
    return this.inner.submitOrder(strategyIndex, request, ts);
  }
  /** A bracket before trading begins is dropped like three orders. */
  private gateBracket(inner: StrategyRouter, k: number, request: BracketRequest, ts: number): BracketIds {
    if (ts >= this.tradeFromUs) return inner.submitBracket!(k, request, ts);
    const [entry, takeProfit, stopLoss] = [0, 1, 2].map(() => {
      this.droppedOrders++;
      const id = orderId(`warmup-${this.droppedOrders}`);
      this.dropped.add(id);
      return id;
    }) as [OrderId, OrderId, OrderId];
    return { entry, takeProfit, stopLoss };
  }
  override cancelOrder(strategyIndex: number, id: OrderId, ts: number): void {
    if (this.dropped.has(id)) {
      this.amendments++;
      return;
    }
    this.inner.cancelOrder(strategyIndex, id, ts);
  }
  override replaceOrder(strategyIndex: number, id: OrderId, changes: OrderChanges, ts: number): void {
    if (this.dropped.has(id)) {
      this.amendments++;
      return;
    }
    this.inner.replaceOrder(strategyIndex, id, changes, ts);
  }
}

/** Describes a warm-up for the report's assumptions. */
export function describeWarmup(c: WarmupCounts, iso: string): string {
  return `Trading starts at ${iso}: before it strategies saw the data (indicators warmed up) but their ${c.orders} order${c.orders === 1 ? '' : 's'}, ${c.targets} target change${c.targets === 1 ? '' : 's'} and ${c.signals} signal${c.signals === 1 ? '' : 's'} were dropped, not traded.`;
}
