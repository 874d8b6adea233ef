import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { backtest } from '../../../../index.js';
import { SliceArrays, recordColumns, recordRows, sinkColumns, tableColumns } from '../../../../cli/compose/run-columns.js';
import type { RecordTableName } from '../../../../cli/compose/run-columns.js';
import type { BacktestResult } from '../../../../sim/backtest/index.js';
import { RUN_TABLE_COLUMNS } from '../../../../cli/compose/run-outputs.js';
import type { CodedStrings, NumberedStrings, SinkBatch } from '../../../../datasets/table-sink.js';
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

/** A sink batch's columns as tableColumns gives them: codes back to their values, numbered ids back to text. */
function decoded(batch: SinkBatch, numberedPrefix: Record<string, string | undefined>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [key, col] of Object.entries(batch)) {
    if (col instanceof Float64Array) out[key] = [...col];
    else if ('codes' in col) out[key] = [...col.codes].map((c) => col.values[c]);
    else if ('numbers' in col) out[key] = [...col.numbers].map((k) => (k === k ? `${numberedPrefix[key]}${k}` : null));
    else out[key] = [...col];
  }
  return out;
}

/**
 * A table's columns written out from the result's lists (an object per record), field by field, as README "Outputs"
 * defines them: what sinkColumns and tableColumns must hold, stated apart from their builders.
 */
function fromLists(result: BacktestResult, name: RecordTableName, from: number, to: number): Record<string, unknown[]> {
  const nan = (x: number | null | undefined): number => x ?? Number.NaN;
  const json = (x: unknown): string | null => (x !== undefined ? JSON.stringify(x) : null);
  const pick = <T,>(list: readonly T[], columns: Record<string, (x: T) => unknown>): Record<string, unknown[]> =>
    Object.fromEntries(Object.entries(columns).map(([k, f]) => [k, list.slice(from, to).map(f)]));
  switch (name) {
    case 'fills':
      return pick(result.fills, { ts: (f) => f.ts, symbol: (f) => f.symbol, side: (f) => f.side, qty: (f) => f.qty, price: (f) => f.price, commission: (f) => f.commission, orderId: (f) => f.orderId, strategyId: (f) => f.strategyId, liquidity: (f) => f.liquidity });
    case 'orders':
      return pick(result.orders, {
        id: (o) => o.id, symbol: (o) => o.symbol, side: (o) => o.side, type: (o) => o.type, qty: (o) => o.qty, limitPrice: (o) => nan(o.limitPrice), stopPrice: (o) => nan(o.stopPrice),
        timeInForce: (o) => o.timeInForce, status: (o) => o.status, filledQty: (o) => o.filledQty, avgFillPrice: (o) => nan(o.avgFillPrice), tsCreated: (o) => o.tsCreated, strategyId: (o) => o.strategyId,
        reduceOnly: (o) => (o.reduceOnly ? 1 : 0), tag: (o) => o.tag ?? null, reason: (o) => o.reason ?? null, linkContingency: (o) => o.link?.contingency ?? null, linkParentId: (o) => o.link?.parentId ?? null,
        linkedIds: (o) => (o.link ? JSON.stringify(o.link.linkedIds) : null), linkGroup: (o) => o.link?.group ?? null,
      });
    case 'trades':
      return pick(result.trades, { symbol: (t) => t.symbol, strategyId: (t) => t.strategyId, side: (t) => t.side, qty: (t) => t.qty, entryTime: (t) => t.entryTs, entryPrice: (t) => t.entryPrice, exitTime: (t) => t.exitTs, exitPrice: (t) => t.exitPrice, pnl: (t) => t.pnl, returnPct: (t) => t.returnPct, commission: (t) => t.commission });
    case 'audit':
      return pick(result.audit, { ts: (a) => a.ts, kind: (a) => a.kind, message: (a) => a.message, strategyId: (a) => a.strategyId ?? null, symbol: (a) => a.symbol ?? null, orderId: (a) => a.orderId ?? null, details: (a) => json(a.details) });
    case 'signals':
      return pick(result.signals, { ts: (g) => g.ts, strategyId: (g) => g.strategyId, symbol: (g) => g.symbol, direction: (g) => g.direction, strength: (g) => g.strength, confidence: (g) => g.confidence, reason: (g) => g.reason ?? null, metadata: (g) => json(g.metadata) });
  }
}

describe('sinkColumns', () => {
  it("holds the result's records field by field, text as codes of its values and a replay's order ids as numbers, from the logs and from the lists, whole and by row range; tableColumns the same as text", async () => {
    for (const scenario of ['demo.json', 'l2-demo.json', 'ensemble.json']) {
      const { result } = await backtest(join(REPO, 'scenarios', scenario));
      const lists = { ...result };
      let audited = 0;
      for (const name of ['fills', 'orders', 'trades', 'audit', 'signals'] as const) {
        const prefix = Object.fromEntries(RUN_TABLE_COLUMNS[name].map((c) => [c.name, 'numbered' in c ? c.numbered : undefined]));
        const rows = recordRows(result)[name];
        if (name === 'audit') audited = rows;
        const mid = Math.floor(rows / 2);
        const asArrays = (c: Record<string, ArrayLike<unknown>>): Record<string, unknown[]> => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Array.from(v)]));
        for (const r of [result, lists]) {
          const batch = sinkColumns(r, name);
          expect(Object.keys(batch), `${scenario} ${name}`).toEqual(RUN_TABLE_COLUMNS[name].map((c) => c.name));
          expect(decoded(batch, prefix), `${scenario} ${name}`).toEqual(fromLists(result, name, 0, rows));
          expect(asArrays(tableColumns(r, name)), `${scenario} ${name}`).toEqual(fromLists(result, name, 0, rows));
          if (rows < 2) continue;
          expect(decoded(sinkColumns(r, name, 1, mid), prefix), `${scenario} ${name} [1, ${mid})`).toEqual(fromLists(result, name, 1, mid));
          expect(asArrays(tableColumns(r, name, 1, mid)), `${scenario} ${name} [1, ${mid})`).toEqual(fromLists(result, name, 1, mid));
        }
      }
      if (scenario === 'ensemble.json') expect(audited, 'the ensemble demo records audit entries').toBeGreaterThan(0);
      // The replay's logs hand their ids as numbers: no id string is made.
      expect(recordRows(result).fills, scenario).toBeGreaterThan(0);
      expect('numbers' in sinkColumns(result, 'fills')['orderId']!, scenario).toBe(true);
      expect('numbers' in sinkColumns(result, 'orders')['id']!, scenario).toBe(true);
      expect('codes' in sinkColumns(lists, 'orders')['id']!, scenario).toBe(true);
      expect('codes' in sinkColumns(result, 'fills')['symbol']!, scenario).toBe(true);
    }
  });
});

describe('sinkColumns by slices', () => {
  it('builds each slice in the typed arrays of the slice before when given them, with its own values', async () => {
    const { result } = await backtest(join(REPO, 'scenarios', 'demo.json'));
    expect(recordRows(result).orders).toBeGreaterThan(8);
    const arrays = new SliceArrays();
    const first = sinkColumns(result, 'orders', 0, 4, arrays);
    const symbols = (first['symbol'] as CodedStrings).codes.buffer;
    const ids = (first['id'] as NumberedStrings).numbers.buffer;
    const second = sinkColumns(result, 'orders', 4, 8, arrays);
    expect((second['symbol'] as CodedStrings).codes.buffer).toBe(symbols);
    expect((second['id'] as NumberedStrings).numbers.buffer).toBe(ids);
    const prefix = Object.fromEntries(RUN_TABLE_COLUMNS.orders.map((c) => [c.name, 'numbered' in c ? c.numbered : undefined]));
    const expected = Object.fromEntries(Object.entries(tableColumns(result, 'orders', 4, 8)).map(([k, v]) => [k, [...v]]));
    expect(decoded(second, prefix)).toEqual(expected);
  });
});
