import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest, toArrow } from '../../../../index.js';
import { REPO } from '../../../support/cli.js';

describe('toArrow', () => {
  it("hands a run's equity curve, fills, orders and round trips as Arrow tables, the equity columns the run's own arrays", async () => {
    const run = await backtest(join(REPO, 'scenarios', 'demo.json'));
    const t = await toArrow(run);
    expect(t.equity.numRows).toBe(run.equity.ts.length);
    // zero-copy: the Arrow column's values are the run's Float64Array
    const eq = t.equity.getChild('equity')!.data[0]!.values as Float64Array;
    expect(eq.buffer).toBe(run.equity.equity.buffer);
    expect(t.fills.numRows).toBe(run.fills.length);
    expect(t.orders.numRows).toBe(run.report.orders.length);
    expect(t.trades.numRows).toBe(run.trades.length);
    const i = Math.floor(run.fills.length / 2);
    expect(t.fills.get(i)!.toJSON()).toMatchObject({ ts: run.fills[i]!.ts, qty: run.fills[i]!.qty, price: run.fills[i]!.price, symbol: run.fills[i]!.symbol, orderId: run.fills[i]!.orderId });
    expect(t.trades.getChild('pnl')!.toArray()).toEqual(Float64Array.from(run.trades, (x) => x.pnl));
  });
});
