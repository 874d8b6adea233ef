import { describe, expect, it } from 'vitest';
import { orderId } from '../../../../engine/core/index.js';
import { Order } from '../../../../engine/model/index.js';
import { firstWrites } from '../../first-writes.js';

const T0 = 946_684_800_000_000.5;

describe("an Order's fields", () => {
  it('number fields are first written with their numbers by the constructor (no box at each later write)', () => {
    const fields = ['tsCreated', 'qty', 'filledQty', 'avgFillPrice', 'tsLastEvent'];
    const seen = firstWrites(Order, fields, (C) => new (C as unknown as typeof Order)(orderId('O-1'), { symbol: 'AAA', side: 'buy', qty: 7, type: 'limit', limitPrice: 101.5 }, T0));
    expect(Object.keys(seen).sort()).toEqual([...fields].sort());
    for (const f of fields) expect(typeof seen[f]).toBe('number');
    expect(seen.tsLastEvent).toBe(T0);
  });

  it('keep the key order and values they had as class fields', () => {
    const o = new Order(orderId('O-1'), { symbol: 'AAA', side: 'sell', qty: 3, type: 'stop', stopPrice: 99, tag: 't' }, T0);
    expect(Object.entries(o)).toEqual([
      ['id', 'O-1'],
      ['symbol', 'AAA'],
      ['side', 'sell'],
      ['type', 'stop'],
      ['timeInForce', 'GTC'],
      ['reduceOnly', false],
      ['postOnly', false],
      ['strategyId', null],
      ['tag', 't'],
      ['parentId', null],
      ['link', null],
      ['tsCreated', T0],
      ['qty', 3],
      ['limitPrice', null],
      ['stopPrice', 99],
      ['status', 'initialized'],
      ['filledQty', 0],
      ['avgFillPrice', 0],
      ['triggered', false],
      ['tsLastEvent', T0],
      ['reason', null],
    ]);
  });
});
