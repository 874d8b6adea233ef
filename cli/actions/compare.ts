import { resolve } from 'node:path';
import { METRIC_ROWS, comparisonLabels, renderComparisonHtml } from '../../reports/html/index.js';
import type { ComparedRun } from '../../reports/html/index.js';
import { UsageError } from '../errors.js';
import { formatBytes, loadReport, writeHtml } from './report.js';

/** Returns the metrics of the runs as a plain-text table: one row per metric, one column per run. */
export function metricsTable(runs: readonly ComparedRun[]): string {
  const header = ['metric', ...runs.map((r) => r.label)];
  const rows = METRIC_ROWS.map((row) => [row.label, ...runs.map((r) => row.format(r.report.metrics))]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** What `tapedeck compare` does once its arguments are parsed (loaded only when the command runs). */
export async function compareAction(dirs: string[], opts: { out: string; json?: boolean; quiet?: boolean }): Promise<void> {
  if (dirs.length < 2) throw new UsageError(`compare: expected at least two run directories, was ${dirs.length}`);
  const loaded = [];
  for (const d of dirs) loaded.push(await loadReport(d));
  const labels = comparisonLabels(loaded.map((l) => ({ source: l.file, report: l.report })));
  const runs: ComparedRun[] = loaded.map((l, i) => ({ label: labels[i]!, source: l.file, report: l.report }));
  const out = resolve(opts.out);
  const bytes = await writeHtml(out, renderComparisonHtml(runs));
  if (opts.quiet) return;
  if (opts.json) {
    const json = {
      html: out,
      runs: runs.map((r) => ({ label: r.label, report: r.source, scenario: (r.report.scenario as { name: string }).name, seed: r.report.seed, runHash: r.report.runHash, metrics: r.report.metrics })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${metricsTable(runs)}\n\nwrote ${out} (${formatBytes(bytes)})\n`);
}
