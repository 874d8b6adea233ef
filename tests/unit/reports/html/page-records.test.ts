import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { backtest } from '../../../../index.js';
import { formatIsoUs } from '../../../../engine/core/index.js';
import { compareExitTime, exitMs, exitTime, isoMs, pageFills, pageTrades } from '../../../../reports/html/page-records.js';
import type { PageFills, PageTrades } from '../../../../reports/html/page-records.js';
import { renderRunReportHtml } from '../../../../reports/html/run-report-html.js';
import { buildRunReport, extendReport, runRecordsOf } from '../../../../reports/run-report.js';
import type { RunTables } from '../../../../reports/run-report.js';
import { REPO } from '../../../support/cli.js';

describe('compareExitTime', () => {
  it('orders run records (times as numbers) as their ISO-8601 exit times compare as text', () => {
    const ms = Date.parse('2023-03-01T12:00:00Z');
    // Whole milliseconds and microseconds within one, around the epoch, far past and future years, a fraction of a microsecond.
    const bases = [ms, ms + 1, ms + 1000, 0, -1, -86_400_000 * 365, Date.parse('0001-01-01T00:00:00Z'), Date.parse('9999-12-31T23:59:59.999Z'), Date.parse('+010000-01-01T00:00:00Z')];
    const times: number[] = [];
    for (const b of bases) for (const us of [0, 1, 9, 10, 99, 100, 500, 999]) times.push(b * 1000 + us);
    times.push(ms * 1000 + 1.5);
    let compared = 0;
    for (const x of times) {
      for (const y of times) {
        const sx = formatIsoUs(x);
        const sy = formatIsoUs(y);
        const text = sx < sy ? -1 : sx > sy ? 1 : 0;
        expect(Math.sign(compareExitTime({ exitTs: x }, { exitTs: y })), `${sx} vs ${sy}`).toBe(text);
        expect(Math.sign(compareExitTime({ exitTime: sx }, { exitTime: sy }))).toBe(text);
        compared++;
      }
    }
    expect(compared).toBe(times.length ** 2);
    // The whole millisecond sorts after its microseconds, as text does ('Z' after the digits).
    expect(compareExitTime({ exitTs: ms * 1000 }, { exitTs: ms * 1000 + 5 })).toBe(1);
  });
});

describe('isoMs and exitMs', () => {
  it('give the milliseconds Date.parse reads from the ISO-8601 text of a time', () => {
    const ms = Date.parse('2023-03-01T12:00:00Z');
    const bases = [ms, ms + 1, 0, -1, -86_400_000 * 365, Date.parse('0001-01-01T00:00:00Z'), Date.parse('9999-12-31T23:59:59.999Z'), Date.parse('+010000-01-01T00:00:00Z'), Date.parse('-000100-06-01T00:00:00Z'), 8.64e15, -8.64e15];
    let compared = 0;
    for (const b of bases) {
      for (const us of [0, 1, 9, 500, 999, -1, -999]) {
        const ts = b * 1000 + us;
        if (Math.abs(Math.floor(ts / 1000)) > 8.64e15) continue;
        expect(Object.is(isoMs(ts), Date.parse(formatIsoUs(ts))), `${ts}`).toBe(true);
        expect(Object.is(exitMs({ exitTs: ts }), Date.parse(formatIsoUs(ts)))).toBe(true);
        expect(Object.is(exitMs({ exitTime: formatIsoUs(ts) }), Date.parse(formatIsoUs(ts)))).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(70);
  });
});

describe('the records the page reads', () => {
  /** A report built from a run that kept its columns, and the report extended with a tables section (as `tapedeck run` extends it). */
  async function runWithColumns(scenario: string) {
    const { report, result } = await backtest(join(REPO, 'scenarios', scenario));
    const records = result.records!;
    const tables = Object.fromEntries(['equity', 'fills', 'orders', 'trades', 'audit', 'signals'].map((name) => [name, { file: `${name}.parquet`, rows: 0 }])) as unknown as RunTables;
    return { report, result, records, withColumns: extendReport(report, { tables }) };
  }

  it("reads a run's columns row by row as the report's lists, and builds no list of them", async () => {
    const { report, result, records, withColumns } = await runWithColumns('demo.json');
    const lists = [vi.spyOn(records.trades, 'list'), vi.spyOn(records.fills, 'list')];
    const rowsOf = (trades: PageTrades, fills: PageFills) => ({
      trades: Array.from({ length: trades.length }, (_, i) => {
        const a = trades.attributedAt(i);
        return { trade: trades.tradeAt(i), symbol: trades.symbolAt(i), strategyId: trades.strategyIdAt(i), attributed: [a.strategyId, a.pnl, a.commission, exitTime(a)] };
      }),
      fills: Array.from({ length: fills.length }, (_, i) => [fills.symbolAt(i), fills.sideAt(i), fills.timeAt(i), fills.column('ts')[i], fills.column('qty')[i], fills.column('price')[i]]),
    });
    const fromColumns = rowsOf(pageTrades(withColumns), pageFills(withColumns));
    for (const spy of lists) expect(spy).not.toHaveBeenCalled();
    const expected = {
      trades: report.trades.map((t) => ({ trade: t, symbol: t.symbol, strategyId: t.strategyId, attributed: [t.strategyId, t.pnl, t.commission, t.exitTime] })),
      fills: report.fills.map((f) => [f.symbol, f.side, f.time, f.ts, f.qty, f.price]),
    };
    expect(expected.trades.length).toBeGreaterThan(5);
    expect(expected.fills.length).toBeGreaterThan(10);
    expect(fromColumns).toEqual(expected);
    // The report itself (built from the run's columns), the report's lists (read back from its tables, or a
    // report spread into a new object) and a report built from the run's lists (a run given without its
    // columns, as a spread result is) read the same.
    expect(rowsOf(pageTrades(report), pageFills(report))).toEqual(expected);
    expect(rowsOf(pageTrades({ ...report }), pageFills({ ...report }))).toEqual(expected);
    const fromLists = buildRunReport({ ...result }, null, 1, report.data);
    expect(runRecordsOf(fromLists)?.columns).toBeNull();
    expect(runRecordsOf(report)?.columns).toBe(records);
    expect(rowsOf(pageTrades(fromLists), pageFills(fromLists))).toEqual(expected);
  });

  it('gives one view of a report\'s round trips, each built once, with its times in milliseconds as Date.parse reads them', async () => {
    const { result, report, withColumns } = await runWithColumns('demo.json');
    const fromLists = buildRunReport({ ...result }, null, 1, report.data);
    const spread = { ...report };
    for (const r of [report, withColumns, fromLists, spread]) {
      const view = pageTrades(r);
      expect(pageTrades(r)).toBe(view);
      expect(view.length).toBeGreaterThan(5);
      for (let i = 0; i < view.length; i++) {
        const t = view.tradeAt(i);
        expect(view.tradeAt(i)).toBe(t);
        expect(Object.is(view.entryMsAt(i), Date.parse(t.entryTime))).toBe(true);
        expect(Object.is(view.exitMsAt(i), Date.parse(t.exitTime))).toBe(true);
      }
    }
  });

  it('renders the same page from the columns, the run records and the lists, building no list from the columns', async () => {
    for (const scenario of ['demo.json', 'l2-demo.json']) {
      const { report, records, withColumns } = await runWithColumns(scenario);
      const lists = [vi.spyOn(records.trades, 'list'), vi.spyOn(records.fills, 'list')];
      const page = renderRunReportHtml(withColumns);
      for (const spy of lists) expect(spy, scenario).not.toHaveBeenCalled();
      expect(page, scenario).toBe(renderRunReportHtml(report));
      expect(page, scenario).toBe(renderRunReportHtml({ ...report }));
    }
  });
});
