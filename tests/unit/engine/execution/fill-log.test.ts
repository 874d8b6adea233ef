import { describe, expect, it } from 'vitest';
import { orderId, strategyId, symbolId } from '../../../../engine/core/index.js';
import type { FillId } from '../../../../engine/core/index.js';
import { FillLog } from '../../../../engine/execution/fill-log.js';
import { OrderLog } from '../../../../engine/execution/order-log.js';
import { Order } from '../../../../engine/model/index.js';
import type { Fill } from '../../../../engine/model/index.js';

function logOf(ids: readonly string[]): { fills: FillLog; given: Fill[] } {
  const orders = new OrderLog();
  orders.add(new Order(orderId(orders.nextId()), { symbol: 'AAA', side: 'buy', qty: 1 }, 0, strategyId('s')), 0);
  const fills = new FillLog(orders, [symbolId('AAA')]);
  const given = ids.map((id, k): Fill => ({ fillId: id as FillId, orderId: orderId('O-1'), strategyId: strategyId('s'), ts: k, symbol: symbolId('AAA'), side: 'buy', qty: 1, price: 100 + k, commission: 0, liquidity: 'taker' }));
  for (const f of given) fills.add(0, 0, f);
  return { fills, given };
}

describe('FillLog fill ids', () => {
  it('gives back every id as it was added: the venues\' F-<n> and any other', () => {
    const ids = ['F-1', 'F-2', 'F-10', 'F-999999999999999', 'F-0', 'F-01', 'F-', 'F-1a', 'X-3', 'f-4', 'fill 5', ''];
    const { fills, given } = logOf(ids);
    expect(ids.map((_, i) => fills.fillIdAt(i))).toEqual(ids);
    expect(fills.list()).toEqual(given);
  });

  it('forgets the ids on clear and numbers the next ones from scratch', () => {
    const { fills } = logOf(['X-1', 'F-7']);
    fills.clear();
    expect(fills.length).toBe(0);
    fills.add(0, 0, { fillId: 'F-3' as FillId, orderId: orderId('O-1'), strategyId: null, ts: 0, symbol: symbolId('AAA'), side: 'sell', qty: 2, price: 9, commission: 0, liquidity: 'maker' });
    expect(fills.fillIdAt(0)).toBe('F-3');
  });
});
