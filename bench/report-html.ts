/**
 * Times report.html rendering for a run directory: reads DIR/report.json (and its Parquet tables), renders it REPEAT times
 * (default 5) with renderRunReportHtml and prints the median and fastest render time and the page
 * size, by part (charts' options, tables, the inlined ECharts library).
 *
 *   node --import tsx bench/report-html.ts DIR [REPEAT]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunTables } from '../cli/compose/run-outputs.js';
import { renderRunReportHtml } from '../reports/html/index.js';
import type { RunReport } from '../reports/index.js';

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: node --import tsx bench/report-html.ts DIR [REPEAT]');
  process.exit(2);
}
const repeat = Number(process.argv[3] ?? 5);
const file = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
// report.json leaves the fills, orders, trades and audit trail to its Parquet tables: read them back.
const report: RunReport = file.tables !== undefined ? { ...file, ...(await readRunTables(dir, file.tables, file.signals.count)) } : file;
const times: number[] = [];
let html = '';
for (let i = 0; i < repeat; i++) {
  const t0 = process.hrtime.bigint();
  html = renderRunReportHtml(report);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const options = [...html.matchAll(/class="chart-option">(.*?)<\/script>/gs)].reduce((n, m) => n + m[1]!.length, 0);
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].reduce((n, m) => n + m[1]!.length, 0);
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
console.log(`equity samples ${report.equity.length}, trades ${report.trades.length}, audit ${report.audit.length}, bars ${report.metrics.bars}`);
console.log(`render median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, fastest ${times[0]!.toFixed(0)} ms (${repeat} renders)`);
console.log(`report.html ${mb(html.length)}: chart options ${mb(options)}, scripts (ECharts, chart script, sorter) ${mb(scripts)}, the rest (tables, text) ${mb(html.length - options - scripts)}`);
