import type { Command } from 'commander';
import { resolve } from 'node:path';
import { METRIC_ROWS, comparisonLabels, renderComparisonHtml } from '../../reports/html/index.js';
import type { ComparedRun } from '../../reports/html/index.js';
import { UsageError } from '../errors.js';
import { formatBytes, loadReport, writeHtml } from './report.js';

/** Default output of `tapedeck compare`. */
export const DEFAULT_COMPARE_OUT = 'out/compare.html';

/** Returns the metrics of the runs as a plain-text table: one row per metric, one column per run. */
export function metricsTable(runs: readonly ComparedRun[]): string {
  const header = ['metric', ...runs.map((r) => r.label)];
  const rows = METRIC_ROWS.map((row) => [row.label, ...runs.map((r) => row.format(r.report.metrics))]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `tapedeck compare DIR1 DIR2 ...`: metrics side by side on stdout and in a comparison HTML page. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare two or more runs: metrics side by side on stdout, overlaid equity curves in an HTML page')
    .argument('<dirs...>', 'run directories holding report.json (or report.json files)')
    .option('--out <file>', 'comparison HTML to write', DEFAULT_COMPARE_OUT)
    .option('--json', 'print the runs and their metrics as JSON instead of a table')
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText(
      'after',
      '\nExamples:\n  $ tapedeck compare out/demo out/sma-cross\n  $ tapedeck compare out/a out/b out/c --out out/abc.html\n  $ tapedeck compare out/demo out/sma-cross --json | jq ".runs[].metrics.sharpe"',
    )
    .action(async (dirs: string[], opts: { out: string; json?: boolean; quiet?: boolean }) => {
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
    });
}
