import { join } from 'node:path';
import { ConfigError, formatIsoUs, parseDurationUs, parseIsoUs, printable } from '../../engine/core/index.js';
// The research modules one by one, not sim/research/index.js (which loads BullMQ and ioredis).
import { createLocalExecutor } from '../../sim/research/local-executor.js';
import { parseFitness } from '../../sim/research/fitness.js';
import { checkOptimizerSettings } from '../../sim/research/optimizer-settings.js';
import { checkParameterPaths } from '../../sim/research/space.js';
import { DEFAULT_MAX_TRIALS, SWEEP_METHODS, checkSweepSize } from '../../sim/research/sweep.js';
import type { SweepMethod, SweepProgress } from '../../sim/research/sweep.js';
import { runWalkForward, walkForwardWindows } from '../../sim/research/walk-forward/index.js';
import type { AutoUpdateOptions, WalkForwardFold, WalkForwardResult } from '../../sim/research/walk-forward/index.js';
import { loadScenarioDocument, qualify } from '../compose/load-scenario.js';
import type { QualifiedScenario } from '../compose/load-scenario.js';
import { ImportedFiles, prepareSharedData } from '../compose/sweep-shared-data.js';
import { SWEEP_TRIAL_MODULE } from '../compose/sweep-trial-module.js';
import { UsageError } from '../errors.js';
import { prepareOutputDir } from '../output.js';
import { checkWorkers, collectSet, intFlag, seedFlag, usage } from '../flags.js';
import { trialProgress } from '../progress.js';
import type { TrialProgress } from '../progress.js';
import { shutdownSignal, stopsOnShutdown } from '../shutdown.js';
import { NothingProducedError, checkMaxTrials, loadOutputModules, loadSpace } from './sweep.js';

/** Version of walkforward.json. */
export const WALKFORWARD_SCHEMA_VERSION = 1;

export interface WalkForwardCommandOptions {
  /** The search space file; required unless `lambdaEta`. */
  readonly space?: string;
  readonly out: string;
  readonly train: string;
  readonly test: string;
  readonly anchored?: boolean;
  readonly purge?: string;
  readonly embargo?: string;
  readonly method: SweepMethod;
  readonly trials?: number;
  readonly workers?: number;
  readonly seed?: number;
  readonly set: readonly string[];
  readonly fitness: string;
  /** Most trials per fold (default DEFAULT_MAX_TRIALS). */
  readonly maxTrials?: number;
  readonly fresh?: boolean;
  readonly quiet?: boolean;
  readonly warmStart?: boolean;
  /**
   * Warm-up of the test runs (`--warmup`): a duration such as '60d', '0' for none; default the train
   * length. Commander gives `false` for `--no-warmup`.
   */
  readonly warmup?: string | boolean;
  /** Seed 001's update rule: adopt a fold's re-optimized parameters only when they beat the incumbent by this fraction (--improvement-threshold). */
  readonly improvementThreshold?: number;
  /** ... and only when the train window gives at least this many per-period returns (--min-observations). */
  readonly minObservations?: number;
  /** Seed 000's nested lambda/eta walk-forward instead of a parameter walk-forward (see lambda-eta.ts). */
  readonly lambdaEta?: boolean;
  readonly lambdas?: string;
  readonly etas?: string;
  readonly innerTrain?: string;
  readonly innerTest?: string;
  readonly cost?: number;
  readonly wMax?: number;
  readonly signal?: AbortSignal;
}

function duration(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  try {
    return parseDurationUs(text, flag);
  } catch {
    throw new UsageError(`${flag}: expected a duration such as 30d, 12h or 0, was ${JSON.stringify(text)}`);
  }
}

/**
 * Reads `--warmup` / `--no-warmup`: the warm-up of each test run in microseconds and as written.
 * Default: the train length (the strategies see as many bars before the test window as their
 * parameters were chosen on, so whatever warms up in a train window is warm when its test opens),
 * none with --warm-start (which replays the train window itself). An explicit --warmup with
 * --warm-start is refused: one would silently replace the other.
 */
function warmUpFlag(value: string | boolean | undefined, train: string, warmStart: boolean): { us: number; text: string } {
  if (value === false) return { us: 0, text: '0' };
  if (value === undefined || value === true) return warmStart ? { us: 0, text: '0' } : { us: duration(train, '--train', 0), text: train };
  const us = /^0+$/.test(value) ? 0 : duration(value, '--warmup', 0);
  if (warmStart && us > 0) throw new UsageError('--warmup: --warm-start already replays each train window before its test; give one of the two');
  return { us, text: us === 0 ? '0' : value };
}

/**
 * Reads --improvement-threshold and --min-observations (seed 001's `wfo.improvement_threshold` and
 * `wfo.min_observations`): either turns the automatic update rule on, the other defaulting to 0 and 1
 * (any strict improvement; any train window). Null when neither is given.
 */
function autoUpdateFlags(threshold: number | undefined, minObservations: number | undefined): AutoUpdateOptions | null {
  if (threshold === undefined && minObservations === undefined) return null;
  if (threshold !== undefined && !(Number.isFinite(threshold) && threshold >= 0)) throw new UsageError(`--improvement-threshold: not a non-negative number, was ${threshold}`);
  if (minObservations !== undefined && !(Number.isSafeInteger(minObservations) && minObservations >= 1)) throw new UsageError(`--min-observations: not a positive integer, was ${minObservations}`);
  return { improvementThreshold: threshold ?? 0, minObservations: minObservations ?? 1 };
}

/** Returns the data window [start, end) in microseconds: the scenario's data.start/end, else the dataset's range. */
export async function dataRange(scenario: QualifiedScenario, files: ImportedFiles): Promise<{ start: number; end: number }> {
  let start: number | null = scenario.data.start !== undefined ? parseIsoUs(scenario.data.start, 'data.start') : null;
  let end: number | null = scenario.data.end !== undefined ? parseIsoUs(scenario.data.end, 'data.end') : null;
  if (start === null || end === null) {
    const field = (['bars', 'quotes', 'trades', 'book'] as const).find((f) => scenario.data[f] !== undefined);
    if (field === undefined) throw new ConfigError('data', 'the scenario names no data');
    // Imported once for the whole command: the folds read this import (see ImportedFiles).
    const opened = await files.open(scenario.data[field]!, field, field, scenario.data.symbols);
    const m = opened.manifest;
    if (m.startUs === null || m.endUs === null) throw new ConfigError(`data.${field}`, `dataset ${opened.source} is empty`);
    start ??= m.startUs;
    // The manifest's end is the last timestamp; the window is half-open.
    end ??= m.endUs + 1;
  }
  return { start, end };
}

/** The walkforward.json document: folds, chosen parameters, IS/OOS metrics, stitched curve, WFE, hash. */
export interface WalkForwardJson {
  readonly schemaVersion: number;
  /** Always written ('tapedeck'); optional for files written before the field existed. */
  readonly generator?: 'tapedeck';
  /** Always written ('walkforward', as sweep.json says 'sweep'); optional for older files. */
  readonly kind?: 'walkforward';
  readonly scenario: string;
  readonly scenarioFile: string;
  readonly sets: readonly string[];
  readonly method: SweepMethod;
  readonly trialsPerFold: number | null;
  readonly seed: number;
  readonly fitness: string;
  readonly windows: { readonly train: string; readonly test: string; readonly anchored: boolean; readonly purge: string; readonly embargo: string };
  /**
   * True when each test run replayed its train window first, learning strategies stopping at the
   * train end, and was measured on the test window only (see each fold's `warmStart`). Always
   * written; optional for files written before the field existed.
   */
  readonly warmStart?: boolean;
  /** The warm-up of the test runs (--warmup) as given or defaulted, '0' for none. Always written; optional for older files. */
  readonly warmUp?: string;
  /** The automatic update rule (--improvement-threshold, --min-observations), null without it. Always written; optional for older files. */
  readonly autoUpdate?: AutoUpdateOptions | null;
  readonly combinedHash: string;
  readonly efficiency: number | null;
  readonly isAnnualizedReturn: number | null;
  readonly oosAnnualizedReturn: number | null;
  readonly folds: WalkForwardResult['folds'];
  readonly stitched: WalkForwardResult['stitched'];
  /** One row per fold: the table printed by the command. */
  readonly table: readonly Record<string, unknown>[];
}

/**
 * Runs `tapedeck walkforward`: validates flags, scenario and space before any trial, builds the
 * folds over the scenario's data window, runs them on a worker pool (each fold's trial store under
 * DIR/folds/, so a rerun resumes) and writes DIR/walkforward.json atomically.
 */
export async function walkForwardAndWrite(
  scenarioFile: string,
  opts: WalkForwardCommandOptions,
  progress: (line: string) => void = () => {},
  onTrials?: (foldIndex: number, p: SweepProgress) => void,
): Promise<{ doc: WalkForwardJson; outFile: string; htmlFile: string }> {
  if (!(SWEEP_METHODS as readonly string[]).includes(opts.method)) throw new UsageError(`--method: expected one of ${SWEEP_METHODS.join(', ')}, was ${JSON.stringify(opts.method)}`);
  const lambdaEtaFlag = (
    [
      [opts.lambdas, '--lambdas'],
      [opts.etas, '--etas'],
      [opts.innerTrain, '--inner-train'],
      [opts.innerTest, '--inner-test'],
      [opts.cost, '--cost'],
      [opts.wMax, '--w-max'],
    ] as const
  ).find(([v]) => v !== undefined);
  if (lambdaEtaFlag) throw new UsageError(`${lambdaEtaFlag[1]}: applies to --lambda-eta only`);
  if (opts.space === undefined) throw new UsageError('--space: required (the parameters each fold searches), unless --lambda-eta');
  const spaceFile = opts.space;
  const workers = checkWorkers(opts.workers, '--workers');
  if (opts.trials !== undefined && opts.trials < 1) throw new UsageError(`--trials: not a positive integer, was ${opts.trials}`);
  if (opts.method !== 'grid' && opts.trials === undefined) throw new UsageError(`--trials: the ${opts.method} method needs a number of trials per fold`);
  if (opts.method === 'grid' && opts.trials !== undefined) throw new UsageError('--trials: a grid sweep runs every grid point; --trials applies to the other methods');
  const maxTrials = checkMaxTrials(opts.maxTrials);
  const train = duration(opts.train, '--train', 0);
  const test = duration(opts.test, '--test', 0);
  if (!(train > 0)) throw new UsageError(`--train: not a positive duration, was ${JSON.stringify(opts.train)}`);
  if (!(test > 0)) throw new UsageError(`--test: not a positive duration, was ${JSON.stringify(opts.test)}`);
  const purge = duration(opts.purge, '--purge', 0);
  const embargo = opts.embargo !== undefined && /^0+$/.test(opts.embargo) ? 0 : duration(opts.embargo, '--embargo', 0);
  // Every train window ends before its own test starts, and the span after a test lies inside the
  // next test window: an embargo removes no data here (it matters for combinatorial purged CV).
  if (embargo > 0) throw new UsageError(`--embargo: a walk-forward never trains on data after a test window, so an embargo would change nothing; remove it (was ${JSON.stringify(opts.embargo)})`);
  if (purge >= train) throw new UsageError(`--purge: not shorter than --train (${opts.train}), was ${JSON.stringify(opts.purge)}`);
  const warmUp = warmUpFlag(opts.warmup, opts.train, opts.warmStart ?? false);
  const autoUpdate = autoUpdateFlags(opts.improvementThreshold, opts.minObservations);
  const fitness = usage(() => parseFitness(opts.fitness));
  const space = await loadSpace(spaceFile);
  usage(() => checkOptimizerSettings(space.optimizer, { method: opts.method, ...(opts.trials !== undefined ? { trials: opts.trials } : {}), dimensions: space.parameters.length, file: spaceFile }));
  checkSweepSize({ space, method: opts.method, ...(opts.trials !== undefined ? { trials: opts.trials } : {}), seed: 0, maxTrials, spaceFile: spaceFile });
  const doc = await loadScenarioDocument(scenarioFile, { overrides: opts.set });
  const scenario = await qualify(doc, scenarioFile);
  if (warmUp.us > 0 && scenario.engine.tradeFrom !== undefined) {
    throw new UsageError(`--warmup: the scenario sets engine.tradeFrom (${scenario.engine.tradeFrom}), which each fold's warm-up replaces; remove it or give --no-warmup`);
  }
  checkParameterPaths(space, [doc, scenario], `scenario ${scenarioFile} (a field must be in the file or have a default to be swept)`);
  const seed = opts.seed ?? scenario.seed;
  const files = new ImportedFiles();
  /** Runs the folds on a pool started for them; each batch's data is read here once for every worker. */
  async function runFolds(folds: readonly WalkForwardFold[], outDir: string): Promise<WalkForwardResult> {
    // Each fold's train trials share one data window, its test run another: this thread reads each
    // once for all the workers (from one import of a CSV or Parquet file, whatever the folds).
    let lastDoc: unknown = undefined;
    let lastShared: Promise<unknown> = Promise.resolve(null);
    const executor = createLocalExecutor({
      workers,
      runnerModule: SWEEP_TRIAL_MODULE,
      shared: (tasks) => {
        const doc = tasks[0]!.scenario;
        if (doc !== lastDoc) {
          lastDoc = doc;
          lastShared = prepareSharedData(doc, files);
        }
        return lastShared;
      },
    });
    try {
      return await runWalkForward({
        scenario: doc,
        space,
        method: opts.method,
        ...(opts.trials !== undefined ? { trials: opts.trials } : {}),
        seed,
        fitness,
        folds,
        executor,
        storeDir: join(outDir, 'folds'),
        fresh: opts.fresh ?? false,
        maxTrials,
        spaceFile: spaceFile,
        warmStart: opts.warmStart ?? false,
        warmUpUs: warmUp.us,
        ...(autoUpdate !== null ? { autoUpdate } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onFoldStart: (f, of) => progress(`fold ${f.index + 1}/${of}: train ${isoDay(f.train.start)}..${isoDay(f.train.end)}, test ${isoDay(f.test.start)}..${isoDay(f.test.end)}`),
        onProgress: (f, p) => {
          onTrials?.(f.index, p);
          if (p.done === p.total) progress(`fold ${f.index + 1}: ${p.done}/${p.total} trials (${p.failed} failed), best ${p.best ? p.best.fitness.toFixed(4) : '-'}`);
        },
      });
    } finally {
      await executor.close();
    }
  }
  let outDir: string;
  let result: WalkForwardResult;
  try {
    const range = await dataRange(scenario, files);
    let folds;
    try {
      folds = walkForwardWindows({ start: range.start, end: range.end, train, test, anchored: opts.anchored ?? false, purge, embargo });
    } catch (err) {
      throw new UsageError(`--train/--test: ${opts.train} + ${opts.test} do not fit in the data (${formatIsoUs(range.start)} to ${formatIsoUs(range.end)}): ${(err as Error).message}`);
    }
    if (opts.improvementThreshold !== undefined && folds.length < 2) {
      throw new UsageError(`--improvement-threshold: the data gives one fold, so there are never parameters in force to beat; it needs at least two folds (shorter --train/--test)`);
    }
    outDir = await prepareOutputDir(opts.out, 'walkforward');
    result = await runFolds(folds, outDir);
  } finally {
    await files.close();
  }
  const table = result.folds.map((f) => ({
    fold: f.index,
    train: `${f.train.startIso}..${f.train.endIso}`,
    test: `${f.test.startIso}..${f.test.endIso}`,
    params: f.params,
    ...(f.update !== undefined ? { adopted: f.update.adopted } : {}),
    isFitness: f.inSample?.fitness ?? null,
    isAnnualizedReturn: f.inSample?.annualizedReturn ?? null,
    oosStatus: f.outOfSample.status,
    oosSharpe: f.outOfSample.status === 'ok' ? f.outOfSample.metrics.sharpe : null,
    oosAnnualizedReturn: f.outOfSample.status === 'ok' ? f.outOfSample.annualizedReturn : null,
    efficiency: f.efficiency,
  }));
  const out: WalkForwardJson = {
    schemaVersion: WALKFORWARD_SCHEMA_VERSION,
    generator: 'tapedeck',
    kind: 'walkforward',
    scenario: scenario.name,
    scenarioFile,
    sets: opts.set,
    method: opts.method,
    trialsPerFold: opts.trials ?? null,
    seed,
    fitness: fitness.text,
    windows: { train: opts.train, test: opts.test, anchored: opts.anchored ?? false, purge: opts.purge ?? '0', embargo: opts.embargo ?? '0' },
    warmStart: opts.warmStart ?? false,
    warmUp: warmUp.text,
    autoUpdate,
    combinedHash: result.combinedHash,
    efficiency: result.efficiency,
    isAnnualizedReturn: result.isAnnualizedReturn,
    oosAnnualizedReturn: result.oosAnnualizedReturn,
    folds: result.folds,
    stitched: result.stitched,
    table,
  };
  const outFile = join(outDir, 'walkforward.json');
  // walkforward.json and walkforward.html appear together, or neither does
  const { writeResearchOutputs } = await loadOutputModules();
  const htmlFile = await writeResearchOutputs('walkforward', outDir, `${JSON.stringify(out, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n`);
  return { doc: out, outFile, htmlFile };
}

/**
 * Throws NothingProducedError when no fold's test run produced a result: every fold skipped (with
 * the reasons) or failed. A walk-forward where some folds ran is a result (the others show in the table).
 */
export function checkWalkForwardProduced(doc: WalkForwardJson, outFile: string): void {
  const folds = doc.folds;
  if (folds.length === 0 || folds.some((f) => f.outOfSample.status === 'ok')) return;
  const reasons = [...new Set(folds.map((f) => (f.outOfSample.status === 'skipped' ? f.outOfSample.reason : f.outOfSample.status === 'failed' ? `test run failed: ${f.outOfSample.error.split('\n')[0]!}` : '')))];
  const what = folds.every((f) => f.outOfSample.status === 'skipped') ? `every fold was skipped (${folds.length} of ${folds.length})` : `no fold's test run succeeded (${folds.length} folds)`;
  throw new NothingProducedError(`${what}: ${printable(reasons.join('; '), 300)} (folds in ${outFile})`);
}

function isoDay(us: number): string {
  return formatIsoUs(us).slice(0, 10);
}

const fmt = (x: number | null | undefined, d = 4): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

/** A short human summary for stdout. */
export function summarizeWalkForward(doc: WalkForwardJson, outFile: string): string {
  const lines = [
    `scenario      ${doc.scenario}`,
    `windows       train ${doc.windows.train}, test ${doc.windows.test}, ${doc.windows.anchored ? 'anchored' : 'rolling'}, purge ${doc.windows.purge}, embargo ${doc.windows.embargo}${doc.warmStart ? ', warm start' : ''}${doc.warmUp !== undefined && doc.warmUp !== '0' ? `, warm-up ${doc.warmUp}` : ''}`,
    `method        ${doc.method}   seed ${doc.seed}   fitness ${doc.fitness}`,
    ...(doc.autoUpdate ? [`auto update   improvement threshold ${doc.autoUpdate.improvementThreshold}, min observations ${doc.autoUpdate.minObservations}: ${doc.folds.filter((f) => f.update?.adopted === true).length} of ${doc.folds.length} folds adopted new parameters`] : []),
    'fold  test                       params                                   IS fitness  OOS Sharpe  WFE',
  ];
  for (const row of doc.table) {
    const shown = row['params'] === null ? '-' : Object.entries(row['params'] as Record<string, unknown>).map(([k, v]) => `${k.split('.').pop()}=${String(v)}`).join(' ');
    // With the automatic update rule, a fold that kept the parameters in force says so.
    const params = row['adopted'] === false && row['params'] !== null ? `${shown} (kept)` : shown;
    lines.push(
      `${String(row['fold']).padEnd(5)} ${String(row['test']).slice(0, 10)}..${String(row['test']).split('..')[1]!.slice(0, 10)}  ${params.padEnd(40)} ${fmt(row['isFitness'] as number | null).padStart(10)}  ${fmt(row['oosSharpe'] as number | null).padStart(10)}  ${fmt(row['efficiency'] as number | null)}`,
    );
  }
  lines.push(`OOS annualized return ${fmt(doc.oosAnnualizedReturn)}   IS annualized return ${fmt(doc.isAnnualizedReturn)}   WFE ${fmt(doc.efficiency)}`);
  lines.push(`combinedHash  ${doc.combinedHash}`);
  lines.push(`report        ${outFile}`);
  return lines.join('\n');
}

/** What `tapedeck walkforward` does once its arguments are parsed (loaded only when the command runs). */
export async function walkForwardAction(file: string, opts: Omit<WalkForwardCommandOptions, 'signal'> & { json?: boolean }): Promise<void> {
  // SIGINT/SIGTERM stop handing out trials; running ones finish and are stored, then everything closes.
  const done = stopsOnShutdown();
  try {
    if (opts.lambdaEta) {
      const { lambdaEtaAndWrite, summarizeLambdaEta } = await import('./lambda-eta.js');
      const { lambdaEta: _flag, ...rest } = opts;
      const { doc, outFile } = await lambdaEtaAndWrite(file, { ...rest, signal: shutdownSignal() }, opts.quiet ? () => {} : (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(opts.json ? `${JSON.stringify({ oosSharpe: doc.oosSharpe, folds: doc.folds.map((f) => ({ index: f.index, lambda: f.lambda, eta: f.eta, innerSharpe: f.innerSharpe, testSharpe: f.testSharpe, weights: f.weights })), report: outFile }, null, 2)}\n` : `${summarizeLambdaEta(doc, outFile)}\n`);
      return;
    }
    const quiet = opts.quiet ?? false;
    const progress = quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
    // On a terminal, one trial bar per fold, ended before the fold's summary line; off a terminal
    // (a CI log) the fold lines alone, rather than a line per 5% of every fold.
    const bars = !quiet && process.stderr.isTTY === true;
    let bar: TrialProgress | null = null;
    let barFold = -1;
    const onTrials = (fold: number, p: SweepProgress): void => {
      if (fold !== barFold) {
        bar?.stop();
        bar = trialProgress(`fold ${fold + 1}`, !bars);
        barFold = fold;
      }
      bar!.update(p);
      if (p.done === p.total) bar!.stop();
    };
    let written: Awaited<ReturnType<typeof walkForwardAndWrite>>;
    try {
      written = await walkForwardAndWrite(file, { ...opts, signal: shutdownSignal() }, progress, onTrials);
    } finally {
      (bar as TrialProgress | null)?.stop();
    }
    const { doc, outFile, htmlFile } = written;
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ combinedHash: doc.combinedHash, efficiency: doc.efficiency, oosAnnualizedReturn: doc.oosAnnualizedReturn, isAnnualizedReturn: doc.isAnnualizedReturn, folds: doc.table, report: outFile, html: htmlFile }, null, 2)}\n`
        : `${summarizeWalkForward(doc, outFile)}\nhtml          ${htmlFile}\n`,
    );
    checkWalkForwardProduced(doc, outFile);
  } finally {
    done();
  }
}
