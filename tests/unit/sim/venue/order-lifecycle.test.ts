import { describe, expect, it } from 'vitest';
import type { ExecutionClient } from '../../../../engine/ports/execution-client.js';
import { orderId } from '../../../../engine/core/index.js';
import { Order } from '../../../../engine/model/index.js';
import { after, harness, openPosition } from './venue-harness.js';

describe('reduce-only', () => {
  it('clips a reduce-only fill to the position and cancels the rest', () => {
    const h = harness();
    openPosition(h, 100, 0, 100);
    const id = h.submit({ side: 'sell', qty: 150, reduceOnly: true }, after(1));
    h.bar(2, 101, 102, 100, 101);
    expect(h.fills().map((f) => f.qty)).toEqual([100]);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCancelled']);
    expect(h.venue.position(0)).toBe(0);
  });

  it('cancels a reduce-only order that has nothing to reduce, with a reason', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'sell', qty: 10, reduceOnly: true }, after(0));
    h.bar(1, 101, 102, 100, 101);
    const cancelled = h.events.find((e) => e.kind === 'OrderCancelled');
    expect(cancelled?.kind === 'OrderCancelled' && cancelled.reason).toBe('reduce-only: no long position to reduce');
    expect(h.venue.position(0)).toBe(0);
  });

  it('cancels a reduce-only buy while the position is long (it would add to it)', () => {
    const h = harness();
    openPosition(h, 10, 0, 100);
    const id = h.submit({ side: 'buy', qty: 5, reduceOnly: true }, after(1));
    h.bar(2, 101, 102, 100, 101);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderCancelled']);
    expect(h.venue.position(0)).toBe(10);
  });
});

describe('cancel', () => {
  it('cancels a working order before it fills', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 98 }, after(0));
    h.venue.cancel(id, after(0));
    h.bar(1, 99, 100, 97, 99);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderCancelled']);
    expect(h.fills()).toEqual([]);
  });

  it('ignores a cancel after the fill: no event, the fill stands and the refusal is recorded', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 1 }, after(0));
    h.bar(1, 101, 102, 100, 101);
    h.venue.cancel(id, after(1));
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled']);
    expect(h.venue.position(0)).toBe(1);
    expect(h.venue.requestRejections()).toEqual([{ ts: after(1), orderId: id, request: 'cancel', reason: 'unknown or no longer working order' }]);
  });
});

describe('replace', () => {
  it('changes quantity and limit price, emits OrderReplaced and fills on the new terms', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 95 }, after(0));
    h.venue.replace(id, { qty: 20, limitPrice: 99 }, after(0));
    expect(h.events.at(-1)).toEqual({ kind: 'OrderReplaced', ts: after(0), orderId: id, qty: 20, limitPrice: 99, stopPrice: null });
    h.bar(1, 100, 101, 98.5, 100);
    expect(h.fills().map((f) => [f.qty, f.price])).toEqual([[20, 99]]);
  });

  it('refuses to reduce the quantity to or below what has filled, without an event', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 0.1 } });
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 150 }, after(0));
    h.bar(1, 101, 102, 100, 101, 1000);
    const before = h.events.length;
    h.venue.replace(id, { qty: 100 }, after(1));
    expect(h.events.length).toBe(before);
    expect(h.venue.requestRejections()[0]!.reason).toBe("invalid 'qty': must exceed the filled quantity 100, was 100");
  });

  it('refuses a limit price on a market order', () => {
    const h = harness();
    const id = h.submit({ side: 'buy', qty: 1 }, after(0));
    h.venue.replace(id, { limitPrice: 10 }, after(0));
    expect(h.venue.requestRejections()[0]!.reason).toBe("invalid 'limitPrice': not allowed on a market order, was 10");
  });
});

describe('validation on submit', () => {
  it('rejects a quantity that is not a multiple of the lot size, naming the field and value', () => {
    const h = harness({ lotSize: 10 });
    const id = h.submit({ side: 'buy', qty: 15 }, after(0));
    expect(h.events).toEqual([{ kind: 'OrderRejected', ts: after(0), orderId: id, reason: "invalid 'qty': not a multiple of the lot size 10, was 15" }]);
    expect(h.venue.workingOrders()).toBe(0);
  });

  it('accepts a quantity on the lot grid despite floating-point representation', () => {
    const h = harness({ lotSize: 0.1 });
    h.submit({ side: 'buy', qty: 0.3 }, after(0));
    expect(h.kinds()).toEqual(['OrderAccepted']);
  });

  it('rejects a limit price off the tick grid when the tick size is enforced', () => {
    const h = harness({ enforceTickSize: true, tickSize: 0.05 });
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 100.02 }, after(0));
    const [e] = h.events;
    expect(e!.kind === 'OrderRejected' && e!.reason).toBe("invalid 'limitPrice': not a multiple of the tick size 0.05, was 100.02");
  });

  it('rejects an unknown symbol', () => {
    const h = harness();
    h.submit({ symbol: 'ZZZ', side: 'buy', qty: 1 }, after(0));
    const [e] = h.events;
    expect(e!.kind === 'OrderRejected' && e!.reason).toMatch(/unknown symbol "ZZZ"/);
  });
});

describe('determinism and the port', () => {
  it('fits the ExecutionClient port structurally', () => {
    const h = harness();
    const client: ExecutionClient = h.venue;
    expect(typeof client.submit).toBe('function');
  });

  it('replays identically after reset, fill ids included', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 0.1 } });
    const run = () => {
      h.bar(0, 100, 101, 99, 100);
      h.venue.submit(makeOrder(), after(0));
      h.bar(1, 101, 102, 100, 101, 1000);
      h.bar(2, 102, 103, 101, 102, 1000);
      return h.take();
    };
    const first = run();
    h.venue.reset();
    const second = run();
    expect(first.map((e) => e.kind)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderFilled']);
    expect(second).toEqual(first);
  });

  it('throws when bars of a symbol do not move forward in time', () => {
    const h = harness();
    h.bar(1, 100, 101, 99, 100);
    expect(() => h.bar(1, 100, 101, 99, 100)).toThrow(/is not after the previous bar/);
  });

  it('throws on an inconsistent bar', () => {
    const h = harness();
    expect(() => h.bar(0, 100, 99, 98, 100)).toThrow(/inconsistent bar/);
  });
});

function makeOrder(): Order {
  return new Order(orderId('R-1'), { symbol: 'AAA', side: 'buy', qty: 150 }, after(0));
}
