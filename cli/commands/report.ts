import type { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../datasets/atomic.js';
import { DataError } from '../../engine/core/index.js';
import { renderRunReportHtml } from '../../reports/html/index.js';
import type { RunReport } from '../../reports/index.js';
import { validateRunReport } from '../../reports/report-schema.js';
import { UsageError } from '../errors.js';

/** A report.json read from disk and validated against reports/report.schema.json. */
export interface LoadedReport {
  /** The report.json file it came from. */
  readonly file: string;
  /** The directory holding it (where report.html goes by default). */
  readonly dir: string;
  readonly report: RunReport;
}

/**
 * Reads DIR/report.json (or a report.json path given directly) and validates it against the report
 * schema. Every problem is one error naming the file: missing, not JSON, or the first bad field's path.
 */
export async function loadReport(dirOrFile: string): Promise<LoadedReport> {
  const path = resolve(dirOrFile);
  let file = path;
  let dir: string;
  const st = await stat(path).catch(() => null);
  if (st === null) throw new UsageError(`${dirOrFile}: no such directory or file`);
  if (st.isDirectory()) {
    dir = path;
    file = join(path, 'report.json');
  } else {
    dir = resolve(path, '..');
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no report.json here (write one with `tapedeck run SCENARIO --out DIR`)' : (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON (${(err as Error).message})`, { file });
  }
  const checked = validateRunReport(value);
  if (!checked.ok) {
    const more = checked.issues > 1 ? ` (and ${checked.issues - 1} more)` : '';
    throw new DataError(`not a valid report.json at ${checked.issue.path}: ${checked.issue.message}${more}`, { file });
  }
  return { file, dir, report: checked.report };
}

/** Writes `html` to `file` atomically and returns its size in bytes. */
export async function writeHtml(file: string, html: string): Promise<number> {
  await writeFileAtomic(file, html);
  return Buffer.byteLength(html, 'utf8');
}

/** Returns a byte count as "318 KB" / "1.2 MB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/** `tapedeck report DIR`: rebuilds DIR/report.html from DIR/report.json. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild DIR/report.html from DIR/report.json (validated against reports/report.schema.json)')
    .argument('<dir>', 'a run directory holding report.json, or the report.json file itself')
    .option('--out <file>', 'write the HTML here instead of DIR/report.html')
    .option('--json', 'print {"report", "html", "bytes"} as JSON')
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText(
      'after',
      '\nExamples:\n  $ tapedeck report out/demo                      # writes out/demo/report.html\n  $ tapedeck report out/demo/report.json --out /tmp/demo.html\n  $ tapedeck report out/sma-cross --json',
    )
    .action(async (target: string, opts: { out?: string; json?: boolean; quiet?: boolean }) => {
      const { file, dir, report } = await loadReport(target);
      const out = opts.out !== undefined ? resolve(opts.out) : join(dir, 'report.html');
      const bytes = await writeHtml(out, renderRunReportHtml(report));
      if (opts.quiet) return;
      process.stdout.write(opts.json ? `${JSON.stringify({ report: file, html: out, bytes }, null, 2)}\n` : `wrote ${out} (${formatBytes(bytes)})\n`);
    });
}
