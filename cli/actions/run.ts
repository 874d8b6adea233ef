import { join, resolve } from 'node:path';
import type { OutputKind } from '../../datasets/output-dir.js';
import { reportRuin } from '../../reports/account-view.js';
import { extendReport, reportWithoutLists } from '../../reports/run-report.js';
import type { RunReport } from '../../reports/index.js';
import { loadScenario } from '../compose/load-scenario.js';
import type { QualifiedScenario } from '../compose/load-scenario.js';
import { RunOutputs } from '../compose/run-outputs.js';
import { DuckSession } from '../../datasets/duckdb.js';
import { releaseGarbage } from '../compose/heap.js';
import type { ExportFormat } from '../compose/run-outputs.js';
import { runScenario } from '../compose/run-scenario.js';
import type { NamedFile } from '../../datasets/atomic.js';
import type { ScenarioRun } from '../compose/run-scenario.js';
import { checkOutFlag, checkOutputDir, removeStaleOutputs, renderForAsync, writeOutputs } from '../output.js';
import { collectSet, seedFlag } from '../flags.js';
import { REPLAY_PROGRESS_THRESHOLD, createProgress } from '../progress.js';
import { endWhenDone, registerTempDir } from '../shutdown.js';
import type { Progress } from '../progress.js';
import { summarize, wantsColor } from './run-summary.js';

// The flag parsers moved to cli/flags.ts (shared by every command); re-exported for existing importers.
export { collect, intFlag } from '../flags.js';
// The summary (the metrics table) is its own module; re-exported for the commands that print it.
export { summarize, wantsColor } from './run-summary.js';

/**
 * What `tapedeck run --json` prints: the runHash, the metrics (with `ruinedAt`, null when never
 * ruined), each strategy's own account when the strategies trade their own (`accounts`, as in
 * report.json) and the report path.
 */
export function runJson(report: RunReport, outFile: string): { runHash: string; metrics: RunReport['metrics'] & { ruinedAt: string | null }; accounts?: RunReport['accounts']; report: string } {
  return { runHash: report.runHash, metrics: { ...report.metrics, ruinedAt: reportRuin(report)?.time ?? null }, ...(report.accounts !== undefined ? { accounts: report.accounts } : {}), report: outFile };
}

/**
 * Runs a scenario and writes DIR/report.json and DIR/report.html (with the output marker) together. The
 * output directory is checked before the replay (a dataset directory or a directory of the user's files is
 * refused at once) and again when writing. A tape of more than REPLAY_PROGRESS_THRESHOLD events shows a
 * progress bar on stderr unless `quiet`.
 */
export async function runAndWrite(
  scenarioFile: string,
  opts: { out?: string; seed?: number; set: string[]; quiet?: boolean; kind?: OutputKind; export?: readonly ExportFormat[]; endsProcess?: boolean },
): Promise<{ report: RunReport; outFile: string }> {
  const kind = opts.kind ?? 'run';
  // The tables are staged beside the output directory as the run goes (the equity curve streams there).
  // Ctrl-C ends the process at once: its staged tables go with it (registered before the directory is made).
  let unregister = (): void => undefined;
  let outDir: string;
  let outputs: RunOutputs;
  let scenario: QualifiedScenario;
  try {
    scenario = await loadScenario(scenarioFile, { overrides: opts.set, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
    outDir = resolve(opts.out !== undefined ? checkOutFlag(opts.out) : join('out', scenario.name));
    await checkOutputDir(outDir, kind);
    outputs = await RunOutputs.open(outDir, (staging) => {
      unregister = registerTempDir(staging);
    });
  } catch (err) {
    unregister();
    // A run refused before its outputs open closes the DuckDB session `tapedeck run` started for them (run-session.ts).
    DuckSession.discardPrepared();
    throw err;
  }
  let done = false;
  try {
    const { report, result, warnings } = await runWithProgress(scenario, opts.quiet === true, outputs);
    // A finished run's warnings (e.g. no trades) go to stderr, after any progress bar; the exit stays 0.
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    releaseGarbage();
    // DuckDB writes the tables on its own thread. `files` resolves once what DuckDB cached writing a long curve is
    // handed back (at once after a short one, which releases nothing); the page then renders, reading the run's
    // columns, while DuckDB writes the other tables, and writeOutputs waits for every file before anything is moved
    // into place (see RunOutputs.start). Rendered beside a long curve's write, the page's heap sat on top of DuckDB's
    // (a 2.5 M-bar run's peak: 480-510 MiB against 400-440 MiB; 2026-12-05).
    const { files, tables } = await outputs.start(result, opts.export ?? []);
    releaseGarbage();
    const written = extendReport(report, { tables });
    const outFile = await writeRunOutputs(outDir, written, kind, await files);
    done = true;
    return { report: written, outFile };
  } finally {
    // A process that ends once the run is written (`tapedeck run`) takes DuckDB's instance with it, not closed first.
    await outputs.close({ leaveOpen: done && opts.endsProcess === true });
    unregister();
  }
}

/**
 * Writes a run's report.json and report.html, and the `tables` staged by RunOutputs, into `outDir`,
 * together or not at all: the page is rendered in memory first (a failure names report.html and the
 * chart), then every file and the marker are staged and renamed into place (see writeOutputs); `tables` may
 * still be being written (a promise), and are awaited once the page and report.json are rendered. report.json
 * leaves out the fills, orders and round trips the tables hold (see RunReportFile). Returns its path.
 */
export async function writeRunOutputs(outDir: string, report: RunReport, kind: OutputKind = 'run', tables: readonly NamedFile[] | Promise<readonly NamedFile[]> = []): Promise<string> {
  // The page's renderer is loaded here, once the run is done, not at start (ECharts is not loaded into Node:
  // the page inlines its browser build and draws in the browser).
  const { renderRunReportPieces } = await import('../../reports/html/index.js');
  const html = await renderForAsync(join(outDir, 'report.html'), () => renderRunReportPieces(report));
  // With its tables, report.json leaves their lists out; a report without (a library caller's) is written whole.
  const json = `${JSON.stringify(report.tables !== undefined ? reportWithoutLists(report) : report, null, 1)}\n`;
  const files: NamedFile[] = [{ name: 'report.json', data: json }, { name: 'report.html', data: html }, ...(await tables)];
  const before = await writeOutputs(outDir, kind, files);
  await removeStaleOutputs(outDir, kind, files.map((f) => f.name), undefined, before);
  return join(outDir, 'report.json');
}

/** Runs a scenario with a replay progress bar (events read / events in the manifests, ETA) when the tape is large. */
async function runWithProgress(scenario: QualifiedScenario, quiet: boolean, outputs: RunOutputs): Promise<ScenarioRun> {
  let progress: Progress | null = null;
  let done = 0;
  let finished = false;
  try {
    const run = await runScenario(
      scenario,
      quiet
        ? undefined
        : {
            start(total) {
              if (total <= REPLAY_PROGRESS_THRESHOLD) return;
              progress = createProgress({ label: 'replay', unit: 'events' });
              progress.start(total);
            },
            batch(events) {
              done += events;
              progress?.update(done);
            },
          },
      // The data's read of a small CSV file takes a connection of the outputs' DuckDB session, open already.
      { equitySink: outputs.equity, session: outputs.session },
    );
    finished = true;
    return run;
  } finally {
    const p = progress as Progress | null;
    if (p) {
      // data.start/end may cut the tape short of the manifests' counts: a finished run's bar ends at what was
      // replayed. A failed one (a bad row far into a streamed CSV file) stops where it failed, not at 100%.
      if (finished) {
        p.setTotal(Math.max(done, 1));
        p.update(done);
      }
      p.stop();
    }
  }
}

/** What `tapedeck run` does once its arguments are parsed (loaded only when the command runs). */
export async function runAction(file: string, opts: { out?: string; seed?: number; set: string[]; json?: boolean; quiet?: boolean; export?: ExportFormat[] }): Promise<void> {
  const { report, outFile } = await runAndWrite(file, { ...opts, endsProcess: true });
  // Nothing is left to do once the run is written and printed: the process ends then (see endWhenDone), without
  // closing DuckDB's instance or tearing V8's heap down first. A failed run ends as before.
  endWhenDone();
  process.stdout.write(opts.json ? `${JSON.stringify(runJson(report, outFile), null, 2)}\n` : `${summarize(report, outFile, { color: wantsColor(process.stdout) })}\n`);
}
