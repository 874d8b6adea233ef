import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DirectoryRefused } from '../../datasets/output-dir.js';
import { DataError, InvalidArgumentError, assertNever } from '../../engine/core/index.js';
import { renderRunReportHtml, renderSweepHtml, renderWalkForwardHtml } from '../../reports/html/index.js';
import type { RunReport } from '../../reports/index.js';
import { validateRunReport, validateRunReportFile } from '../../reports/report-schema.js';
import { REPORT_SCHEMA_VERSION } from '../../reports/run-report.js';
import { validateSweepJson, validateWalkForwardJson } from '../../reports/research-schema.js';
import type { SweepJsonReport, WalkForwardJsonReport } from '../../reports/research-schema.js';
import { TRIAL_METRIC_NAMES } from '../../reports/html/index.js';
import { UsageError } from '../errors.js';
import { renderFor, writeOutputFile, writeOutputs } from '../output.js';

/** A report.json read from disk and validated against reports/report.schema.json. */
export interface LoadedReport {
  /** The report.json file it came from. */
  readonly file: string;
  /** The directory holding it (where report.html goes by default). */
  readonly dir: string;
  readonly report: RunReport;
}

/** The outputs `tapedeck report` knows, by the JSON file each command writes and the HTML beside it. */
export const REPORT_KINDS = [
  { kind: 'run', json: 'report.json', html: 'report.html', command: 'tapedeck run SCENARIO --out DIR' },
  { kind: 'sweep', json: 'sweep.json', html: 'sweep.html', command: 'tapedeck sweep SCENARIO --space FILE --out DIR' },
  { kind: 'walkforward', json: 'walkforward.json', html: 'walkforward.html', command: 'tapedeck walkforward SCENARIO --space FILE --train D --test D --out DIR' },
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number]['kind'];

/** A JSON output found on disk: its kind, file and directory. */
export interface FoundOutput {
  readonly kind: ReportKind;
  readonly file: string;
  readonly dir: string;
}

/**
 * Returns the outputs at `dirOrFile`: the given file (its kind from its name), or every report.json,
 * sweep.json and walkforward.json of a directory, in that order. Throws a UsageError naming the path when
 * there is none.
 */
export async function findOutputs(dirOrFile: string): Promise<FoundOutput[]> {
  const path = resolve(dirOrFile);
  const st = await stat(path).catch(() => null);
  if (st === null) throw new UsageError(`${dirOrFile}: no such directory or file`);
  if (!st.isDirectory()) {
    const k = REPORT_KINDS.find((x) => basename(path) === x.json) ?? REPORT_KINDS[0];
    return [{ kind: k.kind, file: path, dir: dirname(path) }];
  }
  const found: FoundOutput[] = [];
  for (const k of REPORT_KINDS) {
    const file = join(path, k.json);
    if ((await stat(file).catch(() => null))?.isFile()) found.push({ kind: k.kind, file, dir: path });
  }
  if (found.length === 0) {
    throw new UsageError(`${join(path, 'report.json')}: no report.json here, nor sweep.json or walkforward.json (write one with \`${REPORT_KINDS.map((k) => k.command).join('`, `')}\`)`);
  }
  return found;
}

/** Reads and parses a JSON file; a missing file is a usage error, bad JSON a data error, both naming the file. */
async function readJson(file: string, what: string, hint = ''): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? `no ${what} here${hint}` : (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON (${(err as Error).message})`, { file });
  }
}

function invalid(file: string, what: string, checked: { issue: { path: string; message: string }; issues: number }): DataError {
  const more = checked.issues > 1 ? ` (and ${checked.issues - 1} more)` : '';
  return new DataError(`not a valid ${what} at ${checked.issue.path}: ${checked.issue.message}${more}`, { file });
}

/**
 * Reads DIR/report.json (or a report.json path given directly) and validates it against the report
 * schema. Every problem is one error naming the file: missing, not JSON, or the first bad field's path.
 */
export async function loadReport(dirOrFile: string): Promise<LoadedReport> {
  const path = resolve(dirOrFile);
  const st = await stat(path).catch(() => null);
  if (st === null) throw new UsageError(`${dirOrFile}: no such directory or file`);
  const file = st.isDirectory() ? join(path, 'report.json') : path;
  const value = await readJson(file, 'report.json', ' (write one with `tapedeck run SCENARIO --out DIR`)');
  const dir = dirname(file);
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > REPORT_SCHEMA_VERSION) {
    throw new DataError(`report.json schemaVersion ${version} was written by a newer Tapedeck; this one reads versions 1 to ${REPORT_SCHEMA_VERSION}`, { file });
  }
  // schemaVersion 2 as `tapedeck run` writes it: the fills, orders and round trips are in the Parquet tables beside it.
  if (version === REPORT_SCHEMA_VERSION && value !== null && typeof value === 'object' && 'tables' in value) {
    const checked = validateRunReportFile(value);
    if (!checked.ok) throw invalid(file, 'report.json', checked);
    const { readRunTables } = await import('../compose/run-outputs.js');
    const lists = await readRunTables(dir, checked.report.tables, checked.report.signals.count);
    return { file, dir, report: { ...checked.report, ...lists } };
  }
  // A report held whole: schemaVersion 1 (before the tables), or one a library caller wrote.
  const checked = validateRunReport(value);
  if (!checked.ok) throw invalid(file, 'report.json', checked);
  return { file, dir, report: checked.report };
}

/** Reads a sweep.json file and validates it against reports/sweep.schema.json. */
export async function loadSweep(file: string): Promise<SweepJsonReport> {
  const checked = validateSweepJson(await readJson(file, 'sweep.json'));
  if (!checked.ok) throw invalid(file, 'sweep.json', checked);
  return checked.value;
}

/** Reads a walkforward.json file and validates it against reports/walkforward.schema.json. */
export async function loadWalkForward(file: string): Promise<WalkForwardJsonReport> {
  const checked = validateWalkForwardJson(await readJson(file, 'walkforward.json'));
  if (!checked.ok) throw invalid(file, 'walkforward.json', checked);
  return checked.value;
}

/**
 * Writes a finished sweep's or walk-forward's JSON and its page together (both or neither, with the
 * marker; see writeOutputs). The page is rendered from the JSON text exactly as it is written, read back
 * and validated as `tapedeck report` reads it, so a later `tapedeck report DIR` rebuilds it byte for byte.
 * Returns the page's path.
 */
export async function writeResearchOutputs(kind: 'sweep' | 'walkforward', dir: string, jsonText: string): Promise<string> {
  const k = REPORT_KINDS.find((x) => x.kind === kind)!;
  const file = join(dir, k.json);
  const html = join(dir, k.html);
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (err) {
    throw new DataError(`not valid JSON (${(err as Error).message})`, { file });
  }
  let page: string;
  if (kind === 'sweep') {
    const checked = validateSweepJson(value);
    if (!checked.ok) throw invalid(file, k.json, checked);
    page = renderFor(html, () => renderSweepHtml(checked.value, {}));
  } else {
    const checked = validateWalkForwardJson(value);
    if (!checked.ok) throw invalid(file, k.json, checked);
    page = renderFor(html, () => renderWalkForwardHtml(checked.value));
  }
  await writeOutputs(dir, kind, [
    { name: k.json, data: jsonText },
    { name: k.html, data: page },
  ]);
  return html;
}

/** Heatmap choices of a sweep page (see renderSweepHtml). */
export interface ReportViewOptions {
  readonly x?: string;
  readonly y?: string;
  readonly metric?: string;
}

/**
 * Renders the HTML page of one output from its JSON file and writes it (default: beside the JSON, as
 * report.html, sweep.html or walkforward.html). Returns the HTML file and its size. A bad --x, --y or
 * --metric is a usage error naming the flag. Beside the JSON, the directory must be a Tapedeck output
 * directory (see cli/output.ts) and the page is recorded in its marker; with `out`, the file must be
 * new or a page Tapedeck wrote.
 */
export async function writeOutputHtml(found: FoundOutput, opts: ReportViewOptions & { readonly out?: string } = {}): Promise<{ html: string; bytes: number }> {
  const k = REPORT_KINDS.find((x) => x.kind === found.kind)!;
  const html = opts.out !== undefined ? resolve(opts.out) : join(found.dir, k.html);
  let page: string;
  switch (found.kind) {
    case 'run': {
      const { report } = await loadReport(found.file);
      page = renderFor(html, () => renderRunReportHtml(report));
      break;
    }
    case 'sweep': {
      const sweep = await loadSweep(found.file);
      page = renderFor(html, () => {
        try {
          return renderSweepHtml(sweep, opts);
        } catch (err) {
          if (err instanceof InvalidArgumentError) throw new UsageError(err.message.replace(/^invalid '(x|y|metric)'/, "--$1"));
          throw err;
        }
      });
      break;
    }
    case 'walkforward': {
      const wf = await loadWalkForward(found.file);
      page = renderFor(html, () => renderWalkForwardHtml(wf));
      break;
    }
    default:
      return assertNever(found.kind);
  }
  if (opts.out !== undefined) return { html, bytes: await writeHtml(html, page) };
  try {
    await writeOutputs(found.dir, found.kind, [{ name: k.html, data: page }], '');
  } catch (err) {
    // The directory was named as the report's place, not as --out: say how to write the page elsewhere.
    if (err instanceof DirectoryRefused) throw new DirectoryRefused(err.dir, `${err.message.replace(/; (choose a new or empty directory|move it or choose another directory)$/, '')}, so ${k.html} is not written there; write it elsewhere with --out FILE`);
    throw err;
  }
  return { html, bytes: Buffer.byteLength(page, 'utf8') };
}

/**
 * Writes the page `html` to a file the user named, atomically, and returns its size in bytes. Refuses a
 * file inside a dataset directory and an existing file that is not a page Tapedeck wrote (exit 2).
 */
export async function writeHtml(file: string, html: string): Promise<number> {
  await writeOutputFile(file, html);
  return Buffer.byteLength(html, 'utf8');
}

/** Returns a byte count as "318 KB" / "1.2 MB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/** What `tapedeck report` does once its arguments are parsed (loaded only when the command runs). */
export async function reportAction(target: string, opts: ReportViewOptions & { out?: string; json?: boolean; quiet?: boolean }): Promise<void> {
  const found = await findOutputs(target);
  if (opts.out !== undefined && found.length > 1) throw new UsageError(`--out: ${target} holds ${found.map((f) => basename(f.file)).join(' and ')}; name one of the files instead of the directory`);
  const sweepOnly = (['x', 'y'] as const).find((k) => opts[k] !== undefined);
  if (sweepOnly !== undefined && !found.some((f) => f.kind === 'sweep')) throw new UsageError(`--${sweepOnly}: applies to a sweep (sweep.json), and ${target} holds none`);
  const outputs: { kind: ReportKind; report: string; html: string; bytes: number }[] = [];
  for (const f of found) {
    const { html, bytes } = await writeOutputHtml(f, opts);
    outputs.push({ kind: f.kind, report: f.file, html, bytes });
  }
  if (opts.quiet) return;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...outputs[0]!, outputs }, null, 2)}\n`);
    return;
  }
  process.stdout.write(outputs.map((o) => `wrote ${o.html} (${formatBytes(o.bytes)})\n`).join(''));
}
