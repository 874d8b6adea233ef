import { describe, expect, it } from 'vitest';
import { formatIsoUs } from '../../../../engine/core/index.js';
import { escapeHtml } from '../../../../reports/html/escape.js';
import { formatCount, formatMoney, formatNumber, formatPercent, shortTime } from '../../../../reports/html/format.js';
import { renderRunReportHtml, renderRunReportPieces } from '../../../../reports/html/index.js';
import { signClass } from '../../../../reports/html/page.js';
import { PAGE_ROWS, jsonNumber, recordTablePieces } from '../../../../reports/html/record-table.js';
import type { RecordColumn } from '../../../../reports/html/record-table.js';
import { reportTrade } from '../../../../reports/run-report.js';
import type { RunReport, RunReportInput } from '../../../../reports/run-report.js';
import { sampleReport } from './fixture.js';
import { columnsOf, drawnCells, tableData } from './record-rows.js';

const DAY_US = 86_400_000_000;
const START_US = Date.parse('2023-01-02T00:00:00Z') * 1000;

/** A run report of `trades` (sampleReport's run with them): the page reads the run's own records. */
function reportWith(trades: RunReportInput['trades']): RunReport {
  return sampleReport({ trades });
}

/**
 * A report that lists `trades` as report.json does (times as ISO-8601 text: a report read back): the page reads
 * that list. A run never holds a non-finite number (buildRunReport refuses one); a report read back may.
 */
function listedReport(trades: RunReportInput['trades']): RunReport {
  return { ...sampleReport(), trades: trades.map((t) => reportTrade(t)) };
}

/** The two ways a page reads round trips, and the trades each may hold. */
const SOURCES = [
  { name: 'a run\'s records', report: reportWith, trades: () => awkwardTrades().filter(finite) },
  { name: 'a report\'s list', report: listedReport, trades: awkwardTrades },
] as const;

function finite(t: RunReportInput['trades'][number]): boolean {
  return [t.qty, t.entryPrice, t.exitPrice, t.pnl, t.returnPct, t.commission].every(Number.isFinite);
}

/** Round trips with the awkward values a run can hold: -0, NaN, infinities, fractions, microseconds, several symbols. */
function awkwardTrades(): RunReportInput['trades'] {
  const pnls = [-0, 0, 1234567.891, -0.004, Number.NaN, Number.POSITIVE_INFINITY, 1e21, -1e-7, 0.1 + 0.2, -987654.321];
  return pnls.map((pnl, k) => ({
    symbol: k % 3 === 0 ? 'AAA' : k % 3 === 1 ? 'B<b>&"' : 'CCC',
    strategyId: k % 2 === 0 ? 'trend' : 'revert',
    side: k % 2 === 0 ? ('long' as const) : ('short' as const),
    qty: [100, 2.5, -0, 0.00012345, 1e6][k % 5]!,
    // Reversals (each entry the exit before it), a time with microseconds, one before 1970.
    entryTs: k === 0 ? -DAY_US - 7 : START_US + k * DAY_US + (k === 4 ? 250 : 0),
    entryPrice: [10.5, 0.91234, -0, 1e-9, 123456.789][k % 5]!,
    exitTs: START_US + (k + 1) * DAY_US + (k === 3 ? 250 : 0),
    exitPrice: [11.25, 0.9, 12, Number.NEGATIVE_INFINITY, 5][k % 5]!,
    pnl,
    returnPct: k === 6 ? Number.NaN : pnl / 1e5,
    commission: k * 0.1 + 0.2,
  }));
}

describe('the trade list as data the page draws', () => {
  it.each(SOURCES)('holds every round trip exactly: numbers read back to the same doubles, times to the same microseconds ($name)', (source) => {
    const trades = source.trades();
    const html = renderRunReportHtml(source.report(trades));
    const { data, cols } = columnsOf(html, 'trade-table');
    expect(data.n).toBe(trades.length);
    expect(data.page).toBe(PAGE_ROWS);
    trades.forEach((t, i) => {
      const row = cols.map((c) => c.val(i));
      expect(row.slice(0, 4)).toEqual([i + 1, t.symbol, t.strategyId, t.side]);
      const numbers = [t.qty, t.entryTs, t.entryPrice, t.exitTs, t.exitPrice, t.pnl, t.returnPct, t.commission];
      row.slice(4).forEach((v, k) => expect(Object.is(v, numbers[k]), `row ${i} column ${k + 4}: ${String(v)} for ${numbers[k]}`).toBe(true));
    });
  });

  it.each(SOURCES)('draws each cell as the page listed it before: the same formats, signs and pills ($name)', (source) => {
    const trades = source.trades();
    const html = renderRunReportHtml(source.report(trades));
    const { cols } = columnsOf(html, 'trade-table');
    const time = (ts: number) => `<td>${escapeHtml(shortTime(formatIsoUs(ts)))}</td>`;
    const signed = (x: number, text: string) => `<td class="num ${signClass(x)}">${text}</td>`;
    trades.forEach((t, i) => {
      const cells = cols.map((c) => c.cell(i));
      expect(cells).toEqual([
        `<td class="num">${i + 1}</td>`,
        `<td>${escapeHtml(t.symbol)}</td>`,
        `<td>${escapeHtml(t.strategyId)}</td>`,
        `<td><span class="pill ${t.side}">${t.side}</span></td>`,
        `<td class="num">${formatNumber(t.qty, t.qty % 1 === 0 ? 0 : 4)}</td>`,
        time(t.entryTs),
        `<td class="num">${formatNumber(t.entryPrice, 2)}</td>`,
        time(t.exitTs),
        `<td class="num">${formatNumber(t.exitPrice, 2)}</td>`,
        signed(t.pnl, formatMoney(t.pnl)),
        signed(t.returnPct, formatPercent(t.returnPct)),
        `<td class="num">${formatMoney(t.commission)}</td>`,
      ]);
    });
  });

  it('formats as format.ts does: thousands, signs, n/a, exponents and microseconds', () => {
    const { cols } = columnsOf(renderRunReportHtml(listedReport(awkwardTrades())), 'trade-table');
    expect(cols[9]!.cell(2)).toBe('<td class="num pos">1,234,567.89</td>');
    // A loss that rounds to zero reads 0.00, its class still says the loss (as signClass).
    expect(cols[9]!.cell(3)).toBe('<td class="num neg">0.00</td>');
    expect(cols[9]!.cell(6)).toBe('<td class="num pos">1e+21</td>');
    expect(cols[10]!.cell(6)).toBe('<td class="num ">n/a</td>');
    expect(cols[5]!.cell(4)).toBe('<td>2023-01-06 00:00:00.000250Z</td>');
    expect(cols[5]!.cell(0)).toBe('<td>1969-12-30 23:59:59.999993Z</td>');
  });

  it('sorts by a column\'s numbers (n/a first ascending) and by text as text', () => {
    const trades = awkwardTrades();
    const { cols } = columnsOf(renderRunReportHtml(listedReport(trades)), 'trade-table');
    expect(trades.map((_, i) => cols[9]!.key(i))).toEqual(trades.map((t) => (Number.isNaN(t.pnl) ? -Infinity : t.pnl)));
    expect(trades.map((_, i) => cols[1]!.key(i))).toEqual(trades.map((t) => t.symbol));
    expect(trades.map((_, i) => cols[0]!.key(i))).toEqual(trades.map((_, i) => i));
  });

  it('writes a reversal\'s entry as no time of its own, and one symbol and one strategy once', () => {
    const trades = Array.from({ length: 300 }, (_, j) => ({ ...awkwardTrades()[2]!, symbol: 'AAA', strategyId: 'trend', entryTs: START_US + j * 1800e6, exitTs: START_US + (j + 1) * 1800e6 }));
    const data = tableData(renderRunReportHtml(reportWith(trades)), 'trade-table');
    expect(data.seqs).toEqual([{ u: 1e6, w: 2, z: [START_US / 1e6, ...Array.from({ length: 599 }, (_, k) => (k % 2 === 0 ? 1800 : 0))] }]);
    expect(data.cols[1]).toEqual({ f: 'text', d: ['AAA'], c: 0 });
    expect(data.cols[2]).toEqual({ f: 'text', d: ['trend'], c: 0 });
  });

  it('writes a number column as one value, as short texts or as its doubles\' bytes (base64), each read back exactly', () => {
    const one = awkwardTrades()[2]!;
    // PnL to the last bit (base64) with the values no text holds, prices of a few digits (texts), one quantity.
    const odd = [Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324];
    const trades = Array.from({ length: 7000 }, (_, j) => ({ ...one, qty: 3, entryPrice: 1 + j / 100, exitPrice: 2 + j / 100, pnl: j < odd.length ? odd[j]! : Math.PI * (j - 3500), entryTs: START_US + j * 60e6, exitTs: START_US + (j + 1) * 60e6 }));
    const { data, cols } = columnsOf(renderRunReportHtml(listedReport(trades)), 'trade-table');
    const form = (k: number) => Object.keys(data.cols[k] as object).filter((key) => key === 'k' || key === 'v' || key === 'b');
    expect([form(4), form(6), form(8), form(9)]).toEqual([['k'], ['v'], ['v'], ['b']]);
    // 7,000 doubles: three pieces of base64 joined (3,072 a piece, no padding inside).
    expect((data.cols[9] as { b: string }).b).toHaveLength(Math.ceil((7000 * 8) / 3) * 4);
    trades.forEach((t, i) => {
      expect(Object.is(cols[9]!.val(i), t.pnl), `pnl ${i}`).toBe(true);
      expect(cols[4]!.val(i)).toBe(3);
      expect(cols[6]!.val(i)).toBe(t.entryPrice);
    });
    expect(cols[9]!.cell(0)).toBe('<td class="num ">n/a</td>');
    expect(cols[9]!.cell(1)).toBe('<td class="num ">0.00</td>');
  });

  it('writes a reversal\'s entry price as the exit price before it: only the other rows\' prices are in the page', () => {
    const one = awkwardTrades()[2]!;
    const exit = (j: number) => (j === 199 ? 0 : 0.9 + Math.PI * 1e-3 * j);
    // Each entry the exit before it but row 0, row 150 (a fresh position) and row 200 (-0 after 0: not the same).
    const entry = (j: number) => (j === 0 ? 0.5 : j === 150 ? 2.25 : j === 200 ? -0 : exit(j - 1));
    const trades = Array.from({ length: 300 }, (_, j) => ({ ...one, entryPrice: entry(j), exitPrice: exit(j), entryTs: START_US + j * 60e6, exitTs: START_US + (j + 1) * 60e6 }));
    for (const report of [reportWith(trades.filter((t) => !Object.is(t.entryPrice, -0))), listedReport(trades)]) {
      const html = renderRunReportHtml(report);
      const { data, cols } = columnsOf(html, 'trade-table');
      const listed = data.n === 300;
      expect(tableData(html, 'trade-table').cols[6]).toEqual(listed ? { f: 'price', a: 8, x: [0, 150, 50], v: [0.5, 2.25, -0] } : { f: 'price', a: 8, x: [0, 150, 50], v: [0.5, 2.25, exit(200)] });
      for (let i = 0; i < data.n; i++) {
        const t = listed ? trades[i]! : trades.filter((u) => !Object.is(u.entryPrice, -0))[i]!;
        expect(Object.is(cols[6]!.val(i), t.entryPrice), `entry ${i}`).toBe(true);
        expect(cols[8]!.val(i)).toBe(t.exitPrice);
      }
    }
  });

  it('lists every round trip, however many: no cap, the JSON in pieces, never one long string', async () => {
    const one = awkwardTrades()[2]!;
    const trades = Array.from({ length: 10_000 }, (_, j) => ({ ...one, pnl: j - 5000.5, entryTs: START_US + j * 60e6, exitTs: START_US + (j + 1) * 60e6 }));
    const report = reportWith(trades);
    const pieces = await renderRunReportPieces(report);
    const strings = pieces.filter((p): p is string => typeof p === 'string');
    expect(Math.max(...strings.map((p) => p.length))).toBeLessThan(200_000);
    const html = renderRunReportHtml(report);
    expect(html).toContain('<h2>Trades (10,000)</h2>');
    expect(html).toContain('<span class="count muted">rows 1-100 of 10,000</span>');
    expect(html).toContain('Click a column header to sort all 10,000.');
    const { data, cols } = columnsOf(html, 'trade-table');
    expect(data.n).toBe(10_000);
    expect(Array.from({ length: 10_000 }, (_, i) => cols[9]!.val(i))).toEqual(trades.map((t) => t.pnl));
    expect(Array.from({ length: 10_000 }, (_, i) => cols[7]!.val(i))).toEqual(trades.map((t) => t.exitTs));
  });

  it('keeps a report\'s own texts when it holds a time no microsecond gives, and reads the others back to their microseconds', () => {
    const base = sampleReport();
    const t0 = base.trades[0]!;
    const times = ['2024-01-02T00:00:00.000Z', '2024-01-02T09:30:00.000Z', '2024-01-03T10:00:00.000250Z'];
    const listed = [0, 1].map((k) => ({ ...t0, entryTime: times[k]!, exitTime: times[k + 1]! }));
    const exact = columnsOf(renderRunReportHtml({ ...base, trades: listed }), 'trade-table');
    expect(exact.data.cols[5]).toEqual({ f: 'time', s: 0, o: 0 });
    expect(exact.cols[7]!.val(1)).toBe(Date.parse('2024-01-03T10:00:00.000Z') * 1000 + 250);
    expect(exact.cols[7]!.cell(1)).toBe('<td>2024-01-03 10:00:00.000250Z</td>');
    const odd = [...listed, { ...t0, entryTime: times[2]!, exitTime: '2024-01-04 <b>&' }];
    const text = columnsOf(renderRunReportHtml({ ...base, trades: odd }), 'trade-table');
    expect(text.data.cols[7]).toEqual({ f: 'iso', v: [times[1], times[2], '2024-01-04 <b>&'] });
    expect(text.cols[7]!.cell(2)).toBe('<td>2024-01-04 &lt;b&gt;&amp;</td>');
    expect(text.cols[7]!.key(2)).toBe('2024-01-04 <b>&');
    // '<' never closes the script element the JSON is in.
    expect(renderRunReportHtml({ ...base, trades: odd })).toContain('"2024-01-04 \\u003cb>&"');
  });
});

describe('the audit trail as data the page draws', () => {
  it('holds every entry, its details beside its message, escaped when drawn', () => {
    const audit = Array.from({ length: 3 }, (_, k) => ({
      ts: START_US + k * DAY_US,
      kind: k === 2 ? 'venue.rejected' : 'risk.denied',
      message: `order O-${k} denied: <max notional>`,
      ...(k !== 1 ? { strategyId: 'trend', symbol: 'AAA', orderId: `O-${k}` } : {}),
      ...(k === 0 ? { details: { limit: 400000 } } : {}),
    }));
    const html = renderRunReportHtml(sampleReport({ auditEntries: audit as RunReportInput['audit'] }));
    expect(html).toContain('<h2>Audit trail (3)</h2>');
    const { data, cols } = columnsOf(html, 'audit-table');
    expect(data.n).toBe(3);
    expect(cols.map((c) => c.val(0))).toEqual([formatIsoUs(audit[0]!.ts), 'risk.denied', 'trend', 'AAA', 'O-0', ['order O-0 denied: <max notional>', 'limit=400000']]);
    expect(cols.map((c) => c.val(1))).toEqual([formatIsoUs(audit[1]!.ts), 'risk.denied', '', '', '', ['order O-1 denied: <max notional>', '']]);
    expect(cols[0]!.cell(0)).toBe(`<td class="mono">${shortTime(formatIsoUs(audit[0]!.ts))}</td>`);
    expect(cols[5]!.cell(0)).toBe('<td>order O-0 denied: &lt;max notional&gt; <span class="muted mono">limit=400000</span></td>');
    expect(cols[5]!.cell(1)).toBe('<td>order O-1 denied: &lt;max notional&gt;</td>');
  });
});

describe('recordTablePieces', () => {
  it('writes numbers as JSON that reads back to the same value, NaN and the infinities included', () => {
    for (const x of [0, -0, 1.5, -1e-300, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, Number.NaN, Infinity, -Infinity]) {
      const back = JSON.parse(`[${jsonNumber(x)}]`)[0] as number | null;
      expect(Object.is(back === null ? Number.NaN : back, x), String(x)).toBe(true);
    }
  });

  it('gives a table\'s head, an empty body the script fills, the count line, and a line for readers without JavaScript', () => {
    const html = recordTablePieces({ id: 't', head: '<tr><th>#</th></tr>', rows: 250, columns: [{ f: 'idx' }], noscript: 'No script.' }).join('');
    expect(html).toContain('<table class="sortable" id="t" data-records><thead><tr><th>#</th></tr></thead><tbody></tbody></table>');
    expect(html).toContain('<noscript><p class="note">No script.</p></noscript>');
    expect(html).toContain('<div class="pager" hidden>');
    expect(html).toContain('rows 1-100 of 250');
    expect(tableData(html, 't')).toEqual({ n: 250, page: PAGE_ROWS, seqs: [], cols: [{ f: 'idx' }] });
  });

  it('writes a number as its own text (num), and price, money and pct with dp decimals (money with 0: a count)', () => {
    const values = [3, 0.1 + 0.2, -0, Number.NaN, 1e21, -2.5, 12345.6789, -0.00004];
    const columns = [
      { f: 'num', values },
      { f: 'price', values, dp: 4 },
      { f: 'money', values, dp: 0 },
      { f: 'pct', values, dp: 1, sign: true },
      { f: 'price', values },
    ] as const;
    const html = recordTablePieces({ id: 't', head: '', rows: values.length, columns, noscript: '' }).join('');
    const v = [3, 0.1 + 0.2, -0, null, 1e21, -2.5, 12345.6789, -0.00004];
    expect(tableData(html, 't').cols).toEqual([{ f: 'num', v }, { f: 'price', dp: 4, v }, { f: 'money', dp: 0, v }, { f: 'pct', dp: 1, sign: 1, v }, { f: 'price', v }]);
    const cells = drawnCells(html, 't');
    values.forEach((x, i) => {
      expect(cells[i]).toEqual([
        `<td class="num">${Number.isFinite(x) ? String(x) : 'n/a'}</td>`,
        `<td class="num">${formatNumber(x, 4)}</td>`,
        `<td class="num">${formatCount(x)}</td>`,
        `<td class="num ${signClass(x)}">${formatPercent(x, 1)}</td>`,
        `<td class="num">${formatNumber(x, 2)}</td>`,
      ]);
    });
    expect(cells[4]![0]).toBe('<td class="num">1e+21</td>');
    expect(cells[6]![2]).toBe('<td class="num">12,346</td>');
    // A loss that rounds to zero reads 0.0%, its class still the loss's.
    expect(cells[7]![3]).toBe('<td class="num neg">0.0%</td>');
    const { cols } = columnsOf(html, 't');
    expect(values.map((_, i) => cols[0]!.key(i))).toEqual(values.map((x) => (Number.isNaN(x) ? -Infinity : x)));
  });

  it('gives a pill the class of its entry instead of its text, a text a span of its class, and a row a title (the pill\'s or the cell\'s)', () => {
    const status = ['ok', 'failed', 'ok', 'ruined', 'ok'];
    const strategy = ['a', '', 'ensemble', '', 'a'];
    const hash = ['ab'.repeat(32), 'cd'.repeat(32), '', 'ef'.repeat(32), 'a<"&\''.repeat(4)];
    const html = recordTablePieces({
      id: 't',
      head: '',
      rows: 5,
      columns: [
        { f: 'pill', at: (i) => status[i]!, mark: (i) => (status[i] === 'ok' ? 'long' : 'sell'), title: (i) => (status[i] === 'ruined' ? 'ruined at <t> "x"' : '') },
        { f: 'pill', at: (i) => status[i]!, mark: () => '' },
        // An empty name reads 'ensemble' in a muted span; a strategy named 'ensemble' is another entry.
        { f: 'text', at: (i) => strategy[i] || 'ensemble', mark: (i) => (strategy[i] ? '' : 'muted') },
        { f: 'text', cls: 'mono', at: (i) => hash[i]!.slice(0, 12), title: (i) => hash[i]! },
      ],
      noscript: '',
    }).join('');
    expect(tableData(html, 't').cols).toEqual([
      { f: 'pill', d: ['ok', 'failed', 'ruined'], dc: ['long', 'sell', 'sell'], c: [0, 1, 0, 2, 0], td: ['', 'ruined at <t> "x"'], tc: [0, 0, 0, 1, 0] },
      { f: 'pill', d: ['ok', 'failed', 'ruined'], dc: ['', '', ''], c: [0, 1, 0, 2, 0] },
      { f: 'text', d: ['a', 'ensemble', 'ensemble'], dc: ['', 'muted', ''], c: [0, 1, 2, 1, 0] },
      { f: 'text', cls: 'mono', d: hash.map((h) => h.slice(0, 12)), td: hash },
    ]);
    const cells = drawnCells(html, 't');
    expect(cells.map((r) => r[0])).toEqual([
      '<td><span class="pill long">ok</span></td>',
      '<td><span class="pill sell">failed</span></td>',
      '<td><span class="pill long">ok</span></td>',
      '<td><span class="pill sell" title="ruined at &lt;t&gt; &quot;x&quot;">ruined</span></td>',
      '<td><span class="pill long">ok</span></td>',
    ]);
    expect(cells.map((r) => r[1])).toEqual(status.map((s) => `<td><span class="pill">${s}</span></td>`));
    expect(cells.map((r) => r[2])).toEqual(['<td>a</td>', '<td><span class="muted">ensemble</span></td>', '<td>ensemble</td>', '<td><span class="muted">ensemble</span></td>', '<td>a</td>']);
    expect(cells.map((r) => r[3])).toEqual(hash.map((h) => `<td class="mono"${h ? ` title="${escapeHtml(h)}"` : ''}>${escapeHtml(h.slice(0, 12))}</td>`));
    // Sorted by the text shown.
    const { cols } = columnsOf(html, 't');
    expect([0, 1, 2, 3, 4].map((i) => cols[2]!.key(i))).toEqual(['a', 'ensemble', 'ensemble', 'ensemble', 'a']);
  });

  it('writes a text no two rows share as its texts alone and a text empty in every row not at all, each cell drawn as before', () => {
    const keys = ['k-b', 'k-a', 'k<c>', 'k-d'];
    const columns: RecordColumn[] = [
      // Every row its own text and its own title: no codes.
      { f: 'text', cls: 'mono', at: (i) => keys[i]!, title: (i) => `${keys[i]!}!` },
      // Text, extra and title '' in every row: none of them written.
      { f: 'text', cls: 'muted', at: () => '', extra: () => '', title: () => '' },
      // A text of one class, '': its entry and class written (the pill's class is ''), one code.
      { f: 'pill', at: () => '', mark: () => '' },
      // Rows share a text: codes as before, and the one title coded.
      { f: 'pill', at: (i) => (i < 2 ? 'long' : 'short'), title: (i) => (i === 3 ? 'last' : '') },
      // One text, each row's class its own: every (text, class) pair distinct, no codes.
      { f: 'text', at: () => 'x', mark: (i) => `c${i}` },
    ];
    const html = recordTablePieces({ id: 't', head: '', rows: 4, columns, noscript: '' }).join('');
    expect(tableData(html, 't').cols).toEqual([
      { f: 'text', cls: 'mono', d: keys, td: keys.map((k) => `${k}!`) },
      { f: 'text', cls: 'muted' },
      { f: 'pill', d: [''], dc: [''], c: 0 },
      { f: 'pill', d: ['long', 'short'], c: [0, 0, 1, 1], td: ['', 'last'], tc: [0, 0, 0, 1] },
      { f: 'text', d: ['x', 'x', 'x', 'x'], dc: ['c0', 'c1', 'c2', 'c3'] },
    ]);
    expect(drawnCells(html, 't')).toEqual(
      keys.map((k, i) => [
        `<td class="mono" title="${escapeHtml(k)}!">${escapeHtml(k)}</td>`,
        '<td class="muted"></td>',
        '<td><span class="pill"></span></td>',
        `<td><span class="pill ${i < 2 ? 'long' : 'short'}"${i === 3 ? ' title="last"' : ''}>${i < 2 ? 'long' : 'short'}</span></td>`,
        `<td><span class="c${i}">x</span></td>`,
      ]),
    );
    const { cols } = columnsOf(html, 't');
    expect([0, 1, 2, 3].map((i) => cols[0]!.key(i))).toEqual(keys);
    expect([0, 1, 2, 3].map((i) => cols[1]!.key(i))).toEqual(['', '', '', '']);
    // One row is its own text; no row writes no text but the classed one's (empty) entries.
    const one = recordTablePieces({ id: 't', head: '', rows: 1, columns: [{ f: 'text', at: () => 'only', title: () => '' }], noscript: '' }).join('');
    expect(tableData(one, 't').cols).toEqual([{ f: 'text', d: ['only'] }]);
    expect(drawnCells(one, 't')).toEqual([['<td>only</td>']]);
    const none = recordTablePieces({ id: 't', head: '', rows: 0, columns: [{ f: 'text', at: () => 'x' }, { f: 'pill', at: () => 'x', mark: () => '' }], noscript: '' }).join('');
    expect(tableData(none, 't').cols).toEqual([{ f: 'text' }, { f: 'pill', d: [], dc: [] }]);
  });

  it('writes a text whose rows are mostly their own as the rows that repeat an earlier entry, when that is shorter than a code a row', () => {
    // A sweep's runHashes: each trial's own, but two trials of one run (row 7 repeats row 3) and '' for three failed ones.
    const hash = (i: number): string => (i === 7 ? hash(3) : i >= 20 && i <= 22 ? '' : `${(i * 7919).toString(16).padStart(6, '0')}<&>${'f'.repeat(20)}`);
    const columns: RecordColumn[] = [{ f: 'text', cls: 'mono', at: (i) => hash(i).slice(0, 6), title: (i) => hash(i) }];
    const html = recordTablePieces({ id: 't', head: '', rows: 30, columns, noscript: '' }).join('');
    const col = tableData(html, 't').cols[0] as { d: string[]; c: unknown; td: string[]; tc: unknown };
    // Entries in the order rows first show them; rows 7, 21 and 22 repeat codes 3, 19 and 19.
    expect(col.d).toHaveLength(27);
    expect(col.c).toEqual({ x: [7, 14, 1], v: [3, 19, 19] });
    expect(col.tc).toEqual({ x: [7, 14, 1], v: [3, 19, 19] });
    const { cols } = columnsOf(html, 't');
    expect(drawnCells(html, 't')).toEqual(Array.from({ length: 30 }, (_, i) => [`<td class="mono"${hash(i) ? ` title="${escapeHtml(hash(i))}"` : ''}>${escapeHtml(hash(i).slice(0, 6))}</td>`]));
    expect(Array.from({ length: 30 }, (_, i) => cols[0]!.key(i))).toEqual(Array.from({ length: 30 }, (_, i) => hash(i).slice(0, 6)));
    // Rows sharing a few texts keep a code a row: fewer characters.
    const few = recordTablePieces({ id: 't', head: '', rows: 30, columns: [{ f: 'text', at: (i) => `s${i % 3}` }], noscript: '' }).join('');
    expect(tableData(few, 't').cols[0]).toEqual({ f: 'text', d: ['s0', 's1', 's2'], c: Array.from({ length: 30 }, (_, i) => i % 3) });
  });

  it('names the rows of each row class after the columns, and writes none when no row has one', () => {
    const table = (rowClasses?: Readonly<Record<string, readonly number[]>>) => recordTablePieces({ id: 't', head: '', rows: 3, columns: [{ f: 'idx' }], ...(rowClasses ? { rowClasses } : {}), noscript: '' }).join('');
    expect(table({ best: [2], 'odd one': [0, 2], none: [] })).toContain('"cols":[{"f":"idx"}],"rc":{"best":[2],"odd one":[0,2]}}</script>');
    expect(tableData(table({ best: [2] }), 't')).toEqual({ n: 3, page: PAGE_ROWS, seqs: [], cols: [{ f: 'idx' }], rc: { best: [2] } });
    expect(table({ none: [] })).toBe(table());
    expect(table()).toContain('"cols":[{"f":"idx"}]}</script>');
  });
});
