import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { backtest } from '../../../../index.js';
import { recordColumns, recordRows, tableColumns } from '../../../../cli/compose/run-columns.js';
import { REPO } from '../../../support/cli.js';

describe('recordColumns', () => {
  it("fills the tables' columns from the result's records, with the values of the report's lists", async () => {
    const run = await backtest(join(REPO, 'scenarios', 'demo.json'));
    const { report, result } = run;
    const c = recordColumns(result);
    expect(report.fills.length).toBeGreaterThan(10);
    expect(Object.keys(c.fills)).toEqual(['ts', 'symbol', 'side', 'qty', 'price', 'commission', 'orderId', 'strategyId', 'liquidity']);
    for (const key of Object.keys(c.fills)) expect([...c.fills[key]!], `fills.${key}`).toEqual(report.fills.map((f) => f[key as keyof (typeof report.fills)[number]]));
    expect([...c.orders['id']!]).toEqual(report.orders.map((o) => o.id));
    expect([...c.orders['limitPrice']!]).toEqual(report.orders.map((o) => o.limitPrice ?? Number.NaN));
    expect([...c.orders['reduceOnly']!]).toEqual(report.orders.map((o) => (o.reduceOnly ? 1 : 0)));
    expect(c.trades['entryTime']!.length).toBe(report.trades.length);
    expect(report.trades.map((t) => t.entryTime)).toEqual(result.trades.map((t) => new Date(t.entryTs / 1000).toISOString()));
    expect([...c.trades['pnl']!]).toEqual(report.trades.map((t) => t.pnl));
    expect([...c.trades['symbol']!]).toEqual(report.trades.map((t) => t.symbol));
    expect([...c.audit['ts']!]).toEqual(report.audit.map((a) => a.ts));
    expect([...c.audit['details']!]).toEqual(report.audit.map((a) => (a.details !== undefined ? JSON.stringify(a.details) : null)));
    expect([...c.signals['ts']!]).toEqual(report.signals.recorded.map((s) => s.ts));
    expect([...c.signals['metadata']!]).toEqual(report.signals.recorded.map((s) => (s.metadata !== undefined ? JSON.stringify(s.metadata) : null)));
    // Each table alone is the same columns, and its row count is known without building any.
    const rows = recordRows(result);
    for (const name of ['fills', 'orders', 'trades', 'audit', 'signals'] as const) {
      expect(tableColumns(result, name), name).toEqual(c[name]);
      expect(rows[name], name).toBe(Object.values(c[name])[0]!.length);
    }
    expect(rows.fills).toBe(report.fills.length);
  });
});

describe('tableColumns from the logs', () => {
  it("builds the fills, orders and round trips from a replay's record columns exactly as from its lists, whole and by row range", async () => {
    for (const scenario of ['demo.json', 'l2-demo.json']) {
      const { result } = await backtest(join(REPO, 'scenarios', scenario));
      expect(result.records, scenario).toBeDefined();
      // A spread copy has the lists alone (records is not enumerable): the list path.
      const lists = { ...result };
      expect(lists.records, scenario).toBeUndefined();
      for (const name of ['fills', 'orders', 'trades'] as const) {
        const rows = recordRows(result)[name];
        expect(rows, `${scenario} ${name}`).toBe(recordRows(lists)[name]);
        expect(tableColumns(result, name), `${scenario} ${name}`).toEqual(tableColumns(lists, name));
        const mid = Math.floor(rows / 2);
        expect(tableColumns(result, name, 1, mid), `${scenario} ${name} [1, ${mid})`).toEqual(tableColumns(lists, name, 1, mid));
      }
    }
  });
});

describe('tableColumns by slices', () => {
  it("reads each of a log's number columns once per pass over its rows, and again for the next pass", async () => {
    const { result } = await backtest(join(REPO, 'scenarios', 'demo.json'));
    const orders = result.records!.orders;
    const n = orders.length;
    expect(n).toBeGreaterThan(6);
    const whole = tableColumns(result, 'orders');
    const read = vi.spyOn(orders, 'column');
    for (let pass = 1; pass <= 2; pass++) {
      const slices: ReturnType<typeof tableColumns>[] = [];
      for (let from = 0; from < n; from += 3) slices.push(tableColumns(result, 'orders', from, Math.min(n, from + 3)));
      // Six number columns (qty, limitPrice, stopPrice, filledQty, avgFillPrice, tsCreated), each read once a pass.
      expect(read).toHaveBeenCalledTimes(6 * pass);
      for (const key of Object.keys(whole)) expect(slices.flatMap((c) => [...c[key]!]), `pass ${pass} orders.${key}`).toEqual([...whole[key]!]);
    }
    read.mockRestore();
  });
});
