import { describe, expect, it } from 'vitest';
import { orderId, strategyId, symbolId } from '../../../../engine/core/index.js';
import type { OrderId } from '../../../../engine/core/index.js';
import { entrySide, PredictiveFilterGate, PredictiveFilterStage } from '../../../../engine/kernel/index.js';
import type { StrategyRouter } from '../../../../engine/kernel/index.js';
import type { AuditEntry, Signal } from '../../../../engine/model/index.js';
import type { Recorder } from '../../../../engine/ports/recorder.js';

/** A router that records what reaches it; positions are set by the test. */
class InnerRouter implements StrategyRouter {
  readonly deliversOrderEvents = true;
  readonly targets: [number, number, number][] = [];
  readonly signals: Signal[] = [];
  readonly orders: string[] = [];
  readonly cancels: string[] = [];
  readonly bars: number[] = [];
  pos = 0;
  position(): number {
    return this.pos;
  }
  cash(): number {
    return 0;
  }
  equity(): number {
    return 0;
  }
  setTarget(k: number, i: number, units: number): void {
    this.targets.push([k, i, units]);
  }
  signal(_k: number, s: Signal): void {
    this.signals.push(s);
  }
  submitOrder(_k: number, request: { side: string; qty: number }): OrderId {
    this.orders.push(`${request.side} ${request.qty}`);
    return orderId(`o${this.orders.length}`);
  }
  cancelOrder(_k: number, id: OrderId): void {
    this.cancels.push(id);
  }
  replaceOrder(): void {}
  openOrders(): readonly never[] {
    return [];
  }
  beforeBar(i: number): void {
    this.bars.push(i);
  }
}

function recorder(): Recorder & { audit: AuditEntry[] } {
  const audit: AuditEntry[] = [];
  return { audit, onAudit: (e) => void audit.push(e), onOrderEvent() {}, onFill() {}, onSignal() {}, onEquity() {} };
}

const sig = (direction: -1 | 0 | 1, confidence: number, ts = 5): Signal => ({ ts, strategyId: strategyId('a'), symbol: symbolId('X'), direction, strength: 0.8, confidence });

describe('entrySide', () => {
  it('is the side of a change that opens, adds to or flips a position, 0 for the rest', () => {
    expect(entrySide(0, 10)).toBe(1);
    expect(entrySide(10, 20)).toBe(1);
    expect(entrySide(10, -5)).toBe(-1);
    expect(entrySide(0, -3)).toBe(-1);
    expect(entrySide(-3, -4)).toBe(-1);
    expect(entrySide(10, 10)).toBe(0);
    expect(entrySide(10, 4)).toBe(0);
    expect(entrySide(10, 0)).toBe(0);
    expect(entrySide(-10, -2)).toBe(0);
  });
});

describe('PredictiveFilterGate', () => {
  const make = () => {
    const rec = recorder();
    const inner = new InnerRouter();
    const stage = new PredictiveFilterStage({ strategies: [[{ kind: 'confidence', minConfidence: 0.5 }], []], account: [] }, ['X', 'Y'], ['a', 'b'], rec);
    const gate = new PredictiveFilterGate(inner, stage, (s) => ['X', 'Y'].indexOf(s));
    return { rec, inner, stage, gate };
  };

  it('blocks a filtered strategy\'s entries, passes its reductions and leaves other strategies alone', () => {
    const { rec, inner, stage, gate } = make();
    gate.setTarget(0, 0, 100, 1, undefined); // no signal yet: blocked
    expect(inner.targets).toEqual([]);
    expect(rec.audit).toHaveLength(1);
    expect(rec.audit[0]).toMatchObject({ ts: 1, kind: 'filter.blocked', strategyId: 'a', symbol: 'X', details: { filter: 'confidence', side: 1, from: 0, to: 100, sent: 0 } });
    expect(rec.audit[0]!.message).toBe('buy target 100 (from 0) blocked by confidence: no signal from the strategy in this symbol');
    gate.signal(0, sig(1, 0.9));
    expect(inner.signals.at(-1)).toMatchObject({ direction: 1, strength: 0.8, metadata: { filter: 'pass' } });
    gate.setTarget(0, 0, 100, 6, undefined);
    expect(inner.targets).toEqual([[0, 0, 100]]);
    // A weak short signal goes on neutral; the flip it asks for goes flat (its reducing part).
    gate.signal(0, sig(-1, 0.2, 7));
    expect(inner.signals.at(-1)).toMatchObject({ direction: 0, strength: 0, confidence: 0.2, metadata: { filter: 'blocked:confidence', originalDirection: -1, originalStrength: 0.8 } });
    gate.setTarget(0, 0, -50, 7, undefined);
    expect(inner.targets.at(-1)).toEqual([0, 0, 0]);
    expect(rec.audit).toHaveLength(3);
    // The same request again is blocked again but not written again.
    gate.setTarget(0, 0, -50, 8, undefined);
    expect(inner.targets).toHaveLength(2);
    expect(rec.audit).toHaveLength(3);
    expect(stage.blockCounts()).toEqual([{ scope: 'a', filter: 'confidence', blocked: 4 }]);
    // Strategy b has no filter.
    gate.setTarget(1, 1, 7, 9, undefined);
    gate.signal(1, sig(1, 0));
    expect(inner.targets.at(-1)).toEqual([1, 1, 7]);
    expect(inner.signals.at(-1)!.metadata).toBeUndefined();
  });

  it('never sends a blocked order: it gets a filtered-N id whose cancel is a no-op; reduce-only orders pass', () => {
    const { rec, inner, gate } = make();
    gate.signal(0, sig(1, 0.1));
    const id = gate.submitOrder(0, { symbol: 'X', side: 'buy', qty: 10 }, 3);
    expect(id).toBe('filtered-1');
    expect(inner.orders).toEqual([]);
    gate.cancelOrder(0, id, 4);
    expect(inner.cancels).toEqual([]);
    inner.pos = 10;
    gate.submitOrder(0, { symbol: 'X', side: 'sell', qty: 10, type: 'stop', stopPrice: 1, reduceOnly: true }, 5);
    gate.submitOrder(0, { symbol: 'X', side: 'sell', qty: 4 }, 5);
    expect(inner.orders).toEqual(['sell 10', 'sell 4']);
    expect(rec.audit.map((a) => a.message)).toEqual(['long signal blocked by confidence: signal confidence 0.1 < minConfidence 0.5', 'buy market order of 10 blocked by confidence: signal confidence 0.1 < minConfidence 0.5']);
  });

  it('feeds every bar to the filters before the inner router, and filters the account\'s targets', () => {
    const rec = recorder();
    const inner = new InnerRouter();
    const stage = new PredictiveFilterStage({ strategies: [[]], account: [{ kind: 'volume_surge', window: 2, minZScore: 1 }] }, ['X'], ['a'], rec, 'acct');
    const gate = new PredictiveFilterGate(inner, stage, () => 0);
    const sent: number[] = [];
    const sink = stage.accountSink({ setTarget: (_i, units) => void sent.push(units) });
    for (const v of [10, 12]) gate.beforeBar(0, 0, 1, 1, 1, 1, v);
    sink.setTarget(0, 5, 1); // no z-score yet: blocked
    gate.beforeBar(0, 0, 1, 1, 1, 1, 30); // z = (30 - 11) / sqrt(2) > 1
    sink.setTarget(0, 5, 2);
    sink.setTarget(0, 3, 3); // a reduction
    gate.beforeBar(0, 0, 1, 1, 1, 1, 20); // baseline 12, 30: z = (20 - 21) / sqrt(162) < 1
    sink.setTarget(0, 8, 4);
    sink.setTarget(0, -2, 5); // a flip: goes flat
    expect(inner.bars).toEqual([0, 0, 0, 0]);
    expect(sent).toEqual([5, 3, 0]);
    expect(rec.audit.map((a) => [a.strategyId, a.details!['to']])).toEqual([
      ['acct', 5],
      ['acct', 8],
      ['acct', -2],
    ]);
    expect(stage.assumptions()[0]).toMatch(/^Predictive filters of the ensemble's account.*volume_surge.*: 3 blocked/);
  });
});
