import { describe, expect, it } from 'vitest';
import { orderId } from '../../../../engine/core/index.js';
import { canTransition, isTerminal, isWorking, Order, ORDER_STATUSES } from '../../../../engine/model/index.js';

/** The order state machine, written out: every legal `from -> to`, each once. */
const LEGAL = new Set([
  'initialized -> denied',
  'initialized -> submitted',
  'submitted -> accepted',
  'submitted -> rejected',
  'submitted -> denied',
  'accepted -> accepted',
  'accepted -> partially_filled',
  'accepted -> filled',
  'accepted -> cancelled',
  'accepted -> expired',
  'accepted -> denied',
  'partially_filled -> partially_filled',
  'partially_filled -> filled',
  'partially_filled -> cancelled',
  'partially_filled -> expired',
  'partially_filled -> denied',
]);

describe('order state machine', () => {
  it('allows exactly the legal transitions, for every pair of statuses', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) expect([from, to, canTransition(from, to)]).toEqual([from, to, LEGAL.has(`${from} -> ${to}`)]);
    }
  });

  it('calls terminal exactly the statuses with no way out, and working the two that can fill', () => {
    expect(ORDER_STATUSES.filter((s) => isTerminal(s))).toEqual(['denied', 'filled', 'cancelled', 'rejected', 'expired']);
    expect(ORDER_STATUSES.filter((s) => isWorking(s))).toEqual(['accepted', 'partially_filled']);
  });

  it('moves an order through its legal path and refuses an illegal step naming both statuses', () => {
    const o = new Order(orderId('O-1'), { symbol: 'AAA', side: 'buy', qty: 10 }, 0);
    o.transition('submitted', 1);
    o.transition('accepted', 2);
    o.applyFill(4, 100, 3);
    expect(o.status).toBe('partially_filled');
    o.applyFill(6, 101, 4);
    expect(o.status).toBe('filled');
    expect(() => o.transition('cancelled', 5)).toThrow('order O-1: illegal transition filled -> cancelled');
  });
});
