import { describe, expect, it } from 'vitest';
import { ProbQueue, RiskAverseQueue } from '../../../../../sim/venue/l2/index.js';
import { l2Harness, T0 } from './l2-harness.js';

function resting(queue: Parameters<typeof l2Harness>[0] extends infer C ? C : never) {
  const h = l2Harness(queue);
  h.snapshot(T0, [[99.99, 10], [99.98, 20]], [[100.01, 10], [100.02, 20]]);
  const id = h.submit({ side: 'buy', qty: 5, type: 'limit', limitPrice: 99.99 }, T0 + 1);
  return { h, id };
}

describe('RiskAverseQueue', () => {
  it('advances only on trades at the price and treats cancels as behind the order', () => {
    const { h, id } = resting({ queue: { kind: 'risk-averse' } });
    expect(h.venue.queueAhead(id)).toBe(10);
    h.trade(T0 + 2, 99.99, 4, -1); // a seller takes 4 ahead of us
    expect(h.venue.queueAhead(id)).toBe(6);
    h.update(T0 + 2, 1, 99.99, 6); // the same 4 leave the level
    expect(h.venue.queueAhead(id)).toBe(6);
    h.update(T0 + 3, 1, 99.99, 9); // orders join behind
    h.update(T0 + 4, 1, 99.99, 7); // a cancel: assumed behind us
    expect(h.venue.queueAhead(id)).toBe(6);
    h.update(T0 + 5, 1, 99.99, 3); // the level now shows less than our queue: it cannot be ahead
    expect(h.venue.queueAhead(id)).toBe(3);
  });

  it('fills the part of a trade beyond the queue ahead as a maker at the limit', () => {
    const { h, id } = resting({ queue: { kind: 'risk-averse' } });
    h.trade(T0 + 2, 99.99, 12, -1);
    expect(h.fills(id).map((f) => [f.qty, f.price, f.liquidity])).toEqual([[2, 99.99, 'maker']]);
    expect(h.venue.queueAhead(id)).toBe(0);
    h.trade(T0 + 3, 99.99, 1, 1); // a buyer's print does not hit bids
    expect(h.fills(id)).toHaveLength(1);
    h.trade(T0 + 4, 99.99, 10, -1);
    expect(h.fills(id).map((f) => f.qty)).toEqual([2, 3]);
    expect(h.kinds(id).at(-1)).toBe('OrderFilled');
    expect(h.venue.workingOrders()).toBe(0);
  });

  it('fills orders priced through a print, sharing the print size in price then arrival priority', () => {
    const h = l2Harness();
    h.snapshot(T0, [[99.99, 10]], [[100.02, 10], [100.03, 20]]);
    const a = h.submit({ side: 'sell', qty: 2, type: 'limit', limitPrice: 100.01 }, T0 + 1);
    const b = h.submit({ side: 'sell', qty: 2, type: 'limit', limitPrice: 100.01 }, T0 + 1);
    const c = h.submit({ side: 'sell', qty: 2, type: 'limit', limitPrice: 100.0 }, T0 + 1);
    h.trade(T0 + 2, 100.02, 3, 1); // buyer lifts 100.02: our sells below it traded through
    expect(h.fills(c).map((f) => [f.qty, f.price])).toEqual([[2, 100.0]]);
    expect(h.fills(a).map((f) => [f.qty, f.price])).toEqual([[1, 100.01]]);
    expect(h.fills(b)).toEqual([]);
  });

  it('infers the side of a print without an aggressor from the touch it trades at', () => {
    const { h, id } = resting({ queue: { kind: 'risk-averse' } });
    h.trade(T0 + 2, 99.99, 4, 0); // at the best bid: a seller
    expect(h.venue.queueAhead(id)).toBe(6);
    h.trade(T0 + 3, 100.0, 4, 0); // inside the spread: no queue advances
    expect(h.venue.queueAhead(id)).toBe(6);
  });
});

describe('ProbQueue', () => {
  it('computes the hftbacktest probabilities that a decrease came from behind', () => {
    expect(new ProbQueue('power', 2).probBehind(10, 5)).toBeCloseTo(25 / 125, 15);
    expect(new ProbQueue('log').probBehind(10, 5)).toBeCloseTo(Math.log(6) / (Math.log(6) + Math.log(11)), 15);
    expect(new ProbQueue('power-fraction', 2).probBehind(10, 5)).toBeCloseTo(1 - (10 / 15) ** 2, 15);
    expect(new ProbQueue('power', 2).probBehind(0, 0)).toBe(1);
  });

  it('splits a cancel between ahead and behind by the power probability (hand-computed)', () => {
    const { h, id } = resting({ queue: { kind: 'prob', function: 'power', n: 2 } });
    h.update(T0 + 2, 1, 99.99, 15); // 5 join behind: front 10, back 5
    expect(h.venue.queueAhead(id)).toBe(10);
    h.update(T0 + 3, 1, 99.99, 12); // 3 cancelled: p(behind) = 0.2, front = 10 - 0.8 * 3 = 7.6
    expect(h.venue.queueAhead(id)).toBeCloseTo(7.6, 12);
    h.trade(T0 + 4, 99.99, 2, -1); // trade: front 5.6
    h.update(T0 + 4, 1, 99.99, 10); // the traded 2 leave the level: not counted twice
    expect(h.venue.queueAhead(id)).toBeCloseTo(5.6, 12);
  });

  it('moves an order at the back of the queue forward by a whole cancel', () => {
    const { h, id } = resting({ queue: { kind: 'prob', function: 'log' } });
    h.update(T0 + 2, 1, 99.99, 7); // nothing behind us: the 3 cancelled were ahead
    expect(h.venue.queueAhead(id)).toBeCloseTo(7, 12);
  });

  it('differs from the risk-averse model on the same tape', () => {
    const tape = (h: ReturnType<typeof l2Harness>) => {
      h.update(T0 + 2, 1, 99.99, 20);
      h.update(T0 + 3, 1, 99.99, 12);
    };
    const a = resting({ queue: { kind: 'risk-averse' } });
    const b = resting({ queue: { kind: 'prob', function: 'power', n: 3 } });
    tape(a.h);
    tape(b.h);
    expect(a.h.venue.queueAhead(a.id)).toBe(10);
    // front 10, back 10: p = 0.5, front = 10 - 0.5 * 8 = 6
    expect(b.h.venue.queueAhead(b.id)).toBeCloseTo(6, 12);
  });

  it('keeps the queue state on the position record (the models are stateless)', () => {
    const q = { front: 0, cumTrade: 0 };
    const m = new RiskAverseQueue();
    m.onJoin(q, 8);
    m.onTrade(q, 3);
    m.onDepth(q, 8, 4);
    expect(q.front).toBe(4);
  });
});
