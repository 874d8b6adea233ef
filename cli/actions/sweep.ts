import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, TapedeckError, printable } from '../../engine/core/index.js';
// The research modules one by one, not sim/research/index.js: that would load BullMQ and ioredis for
// every sweep; the queue is imported only for --queue.
import { createLocalExecutor } from '../../sim/research/local-executor.js';
import { parseFitness } from '../../sim/research/fitness.js';
import { checkOptimizerSettings } from '../../sim/research/optimizer-settings.js';
import { checkParameterPaths, parseSearchSpace } from '../../sim/research/space.js';
import { DEFAULT_MAX_TRIALS, SWEEP_METHODS, checkSweepSize, planSweep, runSweep, sweepConfigHash } from '../../sim/research/sweep.js';
import type { SweepMethod, SweepOutcome, SweepProgress } from '../../sim/research/sweep.js';
import type { TrialExecutor } from '../../sim/research/trial-executor.js';
import { loadScenarioDocument, qualify } from '../compose/load-scenario.js';
import type { SweepJson } from '../compose/sweep-report.js';
import { prepareSharedData } from '../compose/sweep-shared-data.js';
import { SWEEP_TRIAL_MODULE } from '../compose/sweep-trial-module.js';
import { parseJsonText } from '../../scenarios/json.js';
import { UsageError } from '../errors.js';
import { prepareOutputDir } from '../output.js';
import { checkWorkers, collectSet, intFlag, queueFlag, seedFlag, usage } from '../flags.js';
import { trialProgress } from '../progress.js';
import { shutdownSignal, stopsOnShutdown } from '../shutdown.js';

export interface SweepCommandOptions {
  readonly space: string;
  readonly out: string;
  readonly method: SweepMethod;
  readonly trials?: number;
  readonly workers?: number;
  readonly seed?: number;
  readonly set: readonly string[];
  readonly fitness: string;
  readonly pboBlocks: number;
  readonly queue?: string;
  /** Most trials allowed (default DEFAULT_MAX_TRIALS). */
  readonly maxTrials?: number;
  readonly fresh?: boolean;
  readonly quiet?: boolean;
  /** Aborting stops the sweep cleanly (the CLI wires SIGINT and SIGTERM to it). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: SweepProgress) => void;
}

/** Reads and validates a space file; errors name the file and the path inside it. */
export async function loadSpace(file: string) {
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('--space', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseJsonText(text);
  } catch (err) {
    throw new ConfigError('--space', `${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseSearchSpace(doc, file);
}

/**
 * Runs `tapedeck sweep`: validates the scenario, the space (every parameter path must address a
 * scenario field) and the flags before any trial starts, runs the sweep (resuming from DIR/trials.duckdb)
 * and writes DIR/sweep.json atomically. Returns the outcome and the written document.
 */
export async function sweepAndWrite(scenarioFile: string, opts: SweepCommandOptions): Promise<{ outcome: SweepOutcome; sweep: SweepJson; outFile: string; htmlFile: string }> {
  if (!(SWEEP_METHODS as readonly string[]).includes(opts.method)) throw new UsageError(`--method: expected one of ${SWEEP_METHODS.join(', ')}, was ${JSON.stringify(opts.method)}`);
  const workers = checkWorkers(opts.workers, '--workers');
  if (opts.trials !== undefined && opts.trials < 1) throw new UsageError(`--trials: not a positive integer, was ${opts.trials}`);
  if (opts.method !== 'grid' && opts.trials === undefined) throw new UsageError(`--trials: the ${opts.method} method needs a number of trials`);
  if (opts.method === 'grid' && opts.trials !== undefined) throw new UsageError('--trials: a grid sweep runs every grid point; --trials applies to the other methods');
  const maxTrials = checkMaxTrials(opts.maxTrials);
  if (!(opts.pboBlocks >= 2 && opts.pboBlocks % 2 === 0)) throw new UsageError(`--pbo-blocks: not an even number >= 2, was ${opts.pboBlocks}`);
  if (opts.queue !== undefined) queueFlag(opts.queue);
  // With a queue the trials run in `tapedeck worker` processes; a --workers here would change nothing.
  if (opts.queue !== undefined && opts.workers !== undefined) {
    throw new UsageError('--workers: with --queue the trials run in `tapedeck worker` processes (set their --concurrency); remove --workers');
  }
  const fitness = usage(() => parseFitness(opts.fitness));
  const space = await loadSpace(opts.space);
  usage(() => checkOptimizerSettings(space.optimizer, { method: opts.method, ...(opts.trials !== undefined ? { trials: opts.trials } : {}), dimensions: space.parameters.length, file: opts.space }));
  // The size is known from the space alone: a huge grid is refused before the scenario or data is read.
  checkSweepSize({ space, method: opts.method, ...(opts.trials !== undefined ? { trials: opts.trials } : {}), seed: 0, maxTrials, spaceFile: opts.space });
  const doc = await loadScenarioDocument(scenarioFile, { overrides: opts.set });
  const scenario = await qualify(doc, scenarioFile);
  checkParameterPaths(space, [doc, scenario], `scenario ${scenarioFile} (a field must be in the file or have a default to be swept)`);
  const seed = opts.seed ?? scenario.seed;
  const base = { scenario: doc, space, method: opts.method, seed, fitness, ...(opts.trials !== undefined ? { trials: opts.trials } : {}) };
  // Plan (and refuse an empty plan) before a store, a pool or a queue exists.
  planSweep({ ...base, maxTrials, spaceFile: opts.space });
  let executor: TrialExecutor;
  if (opts.queue !== undefined) {
    const { createQueueExecutor, queueNameFor } = await import('../../sim/research/queue.js');
    executor = await createQueueExecutor({ url: opts.queue, queueName: queueNameFor(sweepConfigHash(base)) });
  } else {
    // The pool starts first, so its workers load while this thread reads the data they all replay.
    let shared: Promise<unknown> = Promise.resolve(null);
    executor = createLocalExecutor({ workers, runnerModule: SWEEP_TRIAL_MODULE, shared: () => shared });
    shared = prepareSharedData(doc);
  }
  let outDir: string;
  let outcome: SweepOutcome;
  try {
    // The directory is claimed (marker written) only once the plan is known to be runnable and the
    // executor is up: a refused or failed start leaves no directory behind.
    outDir = await prepareOutputDir(opts.out, 'sweep');
    outcome = await runSweep({
      ...base,
      maxTrials,
      spaceFile: opts.space,
      storeFile: join(outDir, 'trials.duckdb'),
      fresh: opts.fresh ?? false,
      executor,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  } finally {
    await executor.close();
  }
  const { buildSweepJson, writeResearchOutputs } = await loadOutputModules();
  const sweep = buildSweepJson(outcome, { scenarioName: scenario.name, scenarioFile, sets: opts.set, fitness: fitness.text, space, pboBlocks: opts.pboBlocks });
  const outFile = join(outDir, 'sweep.json');
  // sweep.json and sweep.html appear together, or neither does
  const htmlFile = await writeResearchOutputs('sweep', outDir, `${JSON.stringify(sweep, null, 1)}\n`);
  return { outcome, sweep, outFile, htmlFile };
}

/**
 * Loads what writes sweep.json and its page (the report modules, ECharts included) once the trials are
 * done: loading them takes this thread ~1 s in synchronous steps, and while trials run it must be free
 * to hand out tasks and take results (loaded beside the trials, the workers idled waiting for it and
 * the peak memory grew by the charts' modules).
 */
export async function loadOutputModules(): Promise<{ buildSweepJson: typeof import('../compose/sweep-report.js').buildSweepJson; writeResearchOutputs: typeof import('./report.js').writeResearchOutputs }> {
  const [a, b] = await Promise.all([import('../compose/sweep-report.js'), import('./report.js')]);
  return { buildSweepJson: a.buildSweepJson, writeResearchOutputs: b.writeResearchOutputs };
}

/** Checks `--max-trials` (default DEFAULT_MAX_TRIALS). */
export function checkMaxTrials(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_TRIALS;
  if (!(Number.isInteger(value) && value >= 1)) throw new UsageError(`--max-trials: not a positive integer, was ${value}`);
  return value;
}

/** A sweep that ran but produced nothing a user asked for: exit code 1 (the files are written). */
export class NothingProducedError extends TapedeckError {
  constructor(message: string) {
    super('nothing_produced', message);
  }
}

/**
 * Throws NothingProducedError when a finished sweep has no trial (every point an optimizer asked for
 * broke the constraints) or every trial failed, naming the first failure (by key) and the output file.
 */
export function checkSweepProduced(outcome: SweepOutcome, outFile: string): void {
  const n = outcome.trials.length;
  if (n === 0) throw new NothingProducedError(`no trial ran: every point the ${outcome.method} method asked for broke the constraints of the space (${outFile})`);
  const failed = outcome.trials.filter((t) => t.status === 'failed');
  if (failed.length === n) {
    const first = failed[0]!;
    const reason = first.status === 'failed' ? first.error.split('\n')[0]! : '';
    throw new NothingProducedError(`every trial failed (${n} of ${n}); the first, ${first.key}: ${printable(reason, 200)} (trials in ${outFile})`);
  }
}

const fmt = (x: number | null | undefined, d = 4): string => (x === null || x === undefined ? 'n/a' : x.toFixed(d));

/**
 * Says why an optimizer sweep has fewer distinct trials than its --trials budget: the budget counts
 * the points the optimizer evaluates, and a point it proposes again (or one outside the constraints)
 * is not run again. Empty when every evaluation was a new trial.
 */
function optimizerNote(outcome: SweepOutcome): string {
  const o = outcome.optimizer as { evaluations?: unknown } | null;
  if (o === null || typeof o !== 'object' || typeof o.evaluations !== 'number' || o.evaluations <= outcome.trials.length) return '';
  return `; the ${outcome.method} method evaluated ${o.evaluations} points, ${o.evaluations - outcome.trials.length} of them repeats or outside the constraints, which are not run again`;
}

/** A short human summary of a sweep for stdout. */
export function summarizeSweep(sweep: SweepJson, outcome: SweepOutcome, outFile: string): string {
  const lines = [
    `scenario      ${sweep.scenario}`,
    `method        ${sweep.method}   seed ${sweep.seed}   fitness ${sweep.fitness}`,
    `trials        ${sweep.trialCount} (${sweep.failedCount} failed; ${outcome.resumed} from the store, ${outcome.ran} run now)${optimizerNote(outcome)}`,
    `combinedHash  ${sweep.combinedHash}`,
  ];
  if (sweep.best) {
    lines.push(`best          ${sweep.best.key} fitness ${fmt(sweep.best.fitness)}  ${Object.entries(sweep.best.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
    lines.push(`reproduce     ${sweep.best.reproduce}`);
  } else {
    lines.push('best          none (no trial has a finite fitness)');
  }
  const d = sweep.deflatedSharpe;
  lines.push(`DSR           ${d.kind === 'value' ? `${fmt(d.value)} (best per-period Sharpe ${fmt(d.sharpe)} vs expected max ${fmt(d.expectedMaxSharpe)} of ${d.trials} trials)` : `n/a (${d.reason})`}`);
  const p = sweep.pbo;
  lines.push(`PBO           ${p.kind === 'value' ? `${fmt(p.value)} (${p.splits} splits of ${p.blocks} blocks, ${p.configurations} configurations)` : `n/a (${p.reason})`}`);
  lines.push(`report        ${outFile}`);
  return lines.join('\n');
}

/** What `tapedeck sweep` does once its arguments are parsed (loaded only when the command runs). */
export async function sweepAction(file: string, opts: Omit<SweepCommandOptions, 'signal' | 'onProgress'> & { json?: boolean }): Promise<void> {
  // SIGINT/SIGTERM stop handing out trials; running ones finish and are stored, then everything closes.
  const done = stopsOnShutdown();
  const bar = trialProgress('sweep', opts.quiet ?? false);
  try {
    const { outcome, sweep, outFile, htmlFile } = await sweepAndWrite(file, { ...opts, signal: shutdownSignal(), onProgress: bar.update });
    bar.stop();
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ combinedHash: sweep.combinedHash, trialCount: sweep.trialCount, failedCount: sweep.failedCount, best: sweep.best, deflatedSharpe: sweep.deflatedSharpe, pbo: sweep.pbo, report: outFile, html: htmlFile }, null, 2)}\n`
        : `${summarizeSweep(sweep, outcome, outFile)}\nhtml          ${htmlFile}\n`,
    );
    checkSweepProduced(outcome, outFile);
  } finally {
    bar.stop();
    done();
  }
}
