import type { OrderId, StrategyId, Symbol_ } from '../../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../../engine/execution/index.js';
import type { AlgorithmConfig, PreTradeRisk } from '../../../../../engine/execution/index.js';
import { AlgorithmRouter } from '../../../../../engine/execution/algorithms/index.js';
import { DirectRouter, SimulatedClock, TimerQueue } from '../../../../../engine/kernel/index.js';
import { TradingEngine } from '../../../../../engine/kernel/trading-engine.js';
import type { AuditEntry, Fill, Order, OrderEvent, Signal } from '../../../../../engine/model/index.js';
import { Portfolio } from '../../../../../engine/portfolio/index.js';
import type { ExecutionClient } from '../../../../../engine/ports/execution-client.js';
import type { Recorder } from '../../../../../engine/ports/recorder.js';

/** A recorder that keeps nothing. */
export const nullRecorder: Recorder = {
  onFill(_f: Fill) {},
  onOrderEvent(_e: OrderEvent) {},
  onSignal(_s: Signal) {},
  onAudit(_a: AuditEntry) {},
  onEquity() {},
} as unknown as Recorder;

/** Fills market orders at once at `price` (mode 'fill'), or accepts and never fills them ('rest'). */
export class ImmediateClient implements ExecutionClient {
  mode: 'fill' | 'rest' = 'fill';
  price = 100;
  readonly submitted: { id: OrderId; ts: number; qty: number; side: string; tag: string | null; parentId: OrderId | null }[] = [];
  sink: ExecutionEngine | null = null;
  submit(order: Readonly<Order>, ts: number): void {
    this.submitted.push({ id: order.id, ts, qty: order.qty, side: order.side, tag: order.tag, parentId: order.parentId });
    if (this.mode === 'rest') {
      this.sink!.onOrderEvent({ kind: 'OrderAccepted', ts, orderId: order.id });
      return;
    }
    this.sink!.onOrderEvent({
      kind: 'OrderFilled',
      ts,
      orderId: order.id,
      fill: { ts, orderId: order.id, symbol: order.symbol, side: order.side, qty: order.qty, price: this.price, commission: 0, liquidity: 'taker', strategyId: order.strategyId },
    } as OrderEvent);
  }
  cancel(orderId: OrderId, ts: number): void {
    this.sink!.onOrderEvent({ kind: 'OrderCancelled', ts, orderId, reason: 'cancelled' } as OrderEvent);
  }
  replace(): void {}
  assumptions(): string[] {
    return [];
  }
}

/** An engine with one strategy slot per algorithm, a router over them, and a timer-driven clock. */
export function algoHarness(algorithms: (AlgorithmConfig | null)[], opts: { symbols?: string[]; risk?: PreTradeRisk | null; t0?: number; multipliers?: number[] } = {}) {
  const symbols = (opts.symbols ?? ['AAA']) as Symbol_[];
  const ids = algorithms.map((_, k) => `s${k}` as StrategyId);
  const portfolio = new Portfolio(symbols.length, ids.length, 1_000_000, opts.multipliers);
  const execution = new ExecutionEngine(symbols, ids, portfolio, nullRecorder, opts.risk ?? null);
  const client = new ImmediateClient();
  client.sink = execution;
  execution.connect(client);
  const clock = new SimulatedClock();
  clock.advanceTo(opts.t0 ?? 0);
  const timers = new TimerQueue({ clock });
  const router = new AlgorithmRouter(new DirectRouter(execution, portfolio, nullRecorder), execution, portfolio, algorithms);
  const engine = new TradingEngine({ symbols, strategies: [], portfolio, execution, clock, timers, recorder: nullRecorder, router });
  /** Fires every timer due up to `ts`, then moves the clock to `ts`. */
  const advance = (ts: number): void => {
    while (timers.size > 0 && timers.peekTs() <= ts) {
      clock.advanceTo(timers.peekTs());
      timers.fire();
      engine.onTimer(timers.firedName);
    }
    clock.advanceTo(ts);
  };
  return { symbols, portfolio, execution, client, clock, timers, router, engine, advance };
}
