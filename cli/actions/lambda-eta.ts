import { join } from 'node:path';
import { InvalidArgumentError, parseDurationUs, printable } from '../../engine/core/index.js';
import { createLocalExecutor } from '../../sim/research/local-executor.js';
import type { TrialResult, TrialTask } from '../../sim/research/trial.js';
import { lambdaEtaWalkForward } from '../../sim/research/walk-forward/lambda-eta-search.js';
import type { LambdaEtaSearchResult } from '../../sim/research/walk-forward/lambda-eta-search.js';
import { loadScenarioDocument, qualify } from '../compose/load-scenario.js';
import { ImportedFiles, prepareSharedData } from '../compose/sweep-shared-data.js';
import { SWEEP_TRIAL_MODULE } from '../compose/sweep-trial-module.js';
import { UsageError } from '../errors.js';
import { checkWorkers } from '../flags.js';
import { prepareOutputDir, writeOutputs } from '../output.js';
import { NothingProducedError } from './sweep.js';
import type { WalkForwardCommandOptions } from './walkforward.js';
import { dataRange } from './walkforward.js';

/** Version of lambda-eta.json. */
export const LAMBDA_ETA_SCHEMA_VERSION = 1;

/** The content of DIR/lambda-eta.json (`tapedeck walkforward --lambda-eta`). */
export interface LambdaEtaJson {
  readonly schemaVersion: number;
  readonly generator: 'tapedeck';
  readonly kind: 'lambda-eta';
  readonly scenario: string;
  readonly scenarioFile: string;
  readonly sets: readonly string[];
  readonly seed: number;
  /** The strategies (columns of the returns matrix), each run alone on the whole data window. */
  readonly strategies: readonly { readonly id: string; readonly runHash: string; readonly observations: number }[];
  /** The windows as given and as rows of the returns matrix (durations in proportion to the data window). */
  readonly windows: { readonly train: string; readonly test: string; readonly innerTrain: string; readonly innerTest: string; readonly purge: string; readonly rows: number };
  readonly settings: LambdaEtaSearchResult['settings'];
  readonly folds: LambdaEtaSearchResult['folds'];
  readonly oosSharpe: number | null;
  readonly oosRows: readonly number[];
  readonly oosEquity: readonly number[];
}

function list(text: string | undefined, flag: string): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((s) => Number(s.trim()));
  if (text.trim() === '' || values.some((v) => !(Number.isFinite(v) && v >= 0))) throw new UsageError(`${flag}: expected non-negative numbers separated by commas, was ${printable(text)}`);
  return values;
}

function durationUs(text: string, flag: string): number {
  try {
    return /^0+$/.test(text) ? 0 : parseDurationUs(text, flag);
  } catch {
    throw new UsageError(`${flag}: expected a duration such as 30d, 12h or 0, was ${JSON.stringify(text)}`);
  }
}

/** The flags of a walk-forward over parameters that mean nothing to the lambda/eta search. */
function refuseSweepFlags(opts: WalkForwardCommandOptions): void {
  const given: [boolean, string][] = [
    [opts.space !== undefined, '--space'],
    [opts.method !== 'grid', '--method'],
    [opts.trials !== undefined, '--trials'],
    [opts.maxTrials !== undefined, '--max-trials'],
    [opts.fitness !== 'sharpe', '--fitness'],
    [opts.warmStart === true, '--warm-start'],
    [opts.warmup !== undefined && opts.warmup !== true, '--warmup/--no-warmup'],
    [opts.improvementThreshold !== undefined, '--improvement-threshold'],
    [opts.minObservations !== undefined, '--min-observations'],
    [opts.embargo !== undefined, '--embargo'],
    [opts.fresh === true, '--fresh'],
  ];
  const bad = given.find(([g]) => g);
  if (bad) throw new UsageError(`${bad[1]}: applies to a walk-forward over the --space parameters, not to --lambda-eta (which picks the ensemble's lambda and eta, scored by the Sharpe ratio of the inner out-of-sample returns)`);
}

/**
 * Runs `tapedeck walkforward --lambda-eta`: seed 000's nested walk-forward of the mean-variance
 * risk aversion lambda and turnover penalty eta (sim/research lambdaEtaWalkForward). Each strategy of
 * the scenario runs alone over the data window (in parallel on the pool); their per-period returns
 * are the columns of the matrix the search walks. Writes DIR/lambda-eta.json atomically.
 */
export async function lambdaEtaAndWrite(scenarioFile: string, opts: WalkForwardCommandOptions, progress: (line: string) => void = () => {}): Promise<{ doc: LambdaEtaJson; outFile: string }> {
  refuseSweepFlags(opts);
  const workers = checkWorkers(opts.workers, '--workers');
  const trainUs = durationUs(opts.train, '--train');
  const testUs = durationUs(opts.test, '--test');
  const innerTrainText = opts.innerTrain ?? null;
  const innerTestText = opts.innerTest ?? null;
  if (innerTrainText === null || innerTestText === null) throw new UsageError('--inner-train/--inner-test: --lambda-eta needs both (the inner walk-forward inside each train window that scores the pairs)');
  const innerTrainUs = durationUs(innerTrainText, '--inner-train');
  const innerTestUs = durationUs(innerTestText, '--inner-test');
  const purgeUs = opts.purge !== undefined ? durationUs(opts.purge, '--purge') : 0;
  for (const [us, flag] of [[trainUs, '--train'], [testUs, '--test'], [innerTrainUs, '--inner-train'], [innerTestUs, '--inner-test']] as const) {
    if (!(us > 0)) throw new UsageError(`${flag}: not a positive duration`);
  }
  const lambdas = list(opts.lambdas, '--lambdas');
  const etas = list(opts.etas, '--etas');
  if (opts.cost !== undefined && !(Number.isFinite(opts.cost) && opts.cost >= 0)) throw new UsageError(`--cost: not a non-negative number, was ${opts.cost}`);
  if (opts.wMax !== undefined && !(Number.isFinite(opts.wMax) && opts.wMax > 0)) throw new UsageError(`--w-max: not a positive number, was ${opts.wMax}`);
  const doc = (await loadScenarioDocument(scenarioFile, { overrides: opts.set })) as Record<string, unknown>;
  const scenario = await qualify(doc, scenarioFile);
  const seed = opts.seed ?? scenario.seed;
  if (scenario.strategies.length < 2) throw new UsageError(`--lambda-eta: the scenario has ${scenario.strategies.length} strategy; the search weighs two or more (${scenarioFile})`);
  // Weights sum to 1 under the cap: a cap of 1/n or less leaves only equal weights, whatever lambda and eta say.
  const n = scenario.strategies.length;
  const wMax = opts.wMax ?? Math.max(0.25, 1 / n);
  if (wMax * n <= 1 + 1e-12) {
    throw new UsageError(`--w-max: with ${n} strategies a cap of ${Number(wMax.toFixed(6))}${opts.wMax === undefined ? ' (the default)' : ''} per weight forces equal weights (${Number((1 / n).toFixed(6))} each), so lambda and eta would change nothing; give a cap above 1/${n}`);
  }
  const files = new ImportedFiles();
  let range: { start: number; end: number };
  try {
    range = await dataRange(scenario, files);
  } finally {
    await files.close();
  }
  // Each strategy alone: the scenario without its ensemble, with that one strategy.
  const { ensemble: _ensemble, ...alone } = doc;
  const rawStrategies = doc['strategies'] as unknown[];
  const tasks: TrialTask[] = scenario.strategies.map((s, i) => ({ key: `strategy-${i}`, scenario: { ...alone, strategies: [rawStrategies[i]] }, params: {}, seed }));
  let shared: Promise<unknown> = Promise.resolve(null);
  const executor = createLocalExecutor({ workers, runnerModule: SWEEP_TRIAL_MODULE, shared: () => shared });
  shared = prepareSharedData(tasks[0]!.scenario);
  const results = new Map<string, TrialResult>();
  let outDir: string;
  try {
    outDir = await prepareOutputDir(opts.out, 'walkforward');
    progress(`running ${tasks.length} strategies alone over the data window`);
    await executor.run(tasks, (r) => void results.set(r.key, r), opts.signal);
  } finally {
    await executor.close();
  }
  const columns = scenario.strategies.map((s, i) => {
    const r = results.get(`strategy-${i}`)!;
    if (r.status === 'failed') throw new NothingProducedError(`strategy ${s.id} failed when run alone: ${printable(r.error.split('\n')[0]!, 200)}`);
    return r;
  });
  const rows = columns[0]!.status === 'ok' ? columns[0]!.returns.length : 0;
  for (const [i, c] of columns.entries()) {
    if (c.status === 'ok' && c.returns.length !== rows) throw new NothingProducedError(`strategy ${scenario.strategies[i]!.id} run alone has ${c.returns.length} returns, ${scenario.strategies[0]!.id} ${rows}: the returns matrix needs one row per period for every strategy`);
  }
  const span = range.end - range.start;
  const toRows = (us: number) => Math.max(1, Math.floor((rows * us) / span));
  const matrix: number[][] = Array.from({ length: rows }, (_, t) => columns.map((c) => (c.status === 'ok' ? c.returns[t]! : 0)));
  let result: LambdaEtaSearchResult;
  try {
    result = lambdaEtaWalkForward(matrix, {
      train: toRows(trainUs),
      test: toRows(testUs),
      innerTrain: toRows(innerTrainUs),
      innerTest: toRows(innerTestUs),
      purge: purgeUs > 0 ? toRows(purgeUs) : 0,
      anchored: opts.anchored ?? false,
      ...(lambdas !== undefined ? { lambdas } : {}),
      ...(etas !== undefined ? { etas } : {}),
      ...(opts.cost !== undefined ? { cost: opts.cost } : {}),
      ...(opts.wMax !== undefined ? { wMax: opts.wMax } : {}),
    });
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new UsageError(`--train/--test/--inner-train/--inner-test: ${err.message} (rows of the ${rows}-period returns matrix)`);
    throw err;
  }
  const out: LambdaEtaJson = {
    schemaVersion: LAMBDA_ETA_SCHEMA_VERSION,
    generator: 'tapedeck',
    kind: 'lambda-eta',
    scenario: scenario.name,
    scenarioFile,
    sets: opts.set,
    seed,
    strategies: scenario.strategies.map((s, i) => {
      const c = columns[i]!;
      return { id: s.id, runHash: c.status === 'ok' ? c.runHash : '', observations: c.status === 'ok' ? c.metrics.observations : 0 };
    }),
    windows: { train: opts.train, test: opts.test, innerTrain: innerTrainText, innerTest: innerTestText, purge: opts.purge ?? '0', rows },
    settings: result.settings,
    folds: result.folds,
    oosSharpe: result.oosSharpe,
    oosRows: result.oosRows,
    oosEquity: result.oosEquity,
  };
  const outFile = join(outDir, 'lambda-eta.json');
  await writeOutputs(outDir, 'walkforward', [{ name: 'lambda-eta.json', data: `${JSON.stringify(out, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n` }]);
  return { doc: out, outFile };
}

/** A short human summary for stdout: one line per outer fold. */
export function summarizeLambdaEta(doc: LambdaEtaJson, outFile: string): string {
  const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
  const s = doc.settings;
  const lines = [
    `scenario      ${doc.scenario}   strategies ${doc.strategies.map((x) => x.id).join(', ')}`,
    `windows       train ${doc.windows.train} (${s.train} rows), test ${doc.windows.test} (${s.test}), inner ${doc.windows.innerTrain}/${doc.windows.innerTest} (${s.innerTrain}/${s.innerTest}) of ${doc.windows.rows} rows, ${s.anchored ? 'anchored' : 'rolling'}`,
    `grid          lambdas ${s.lambdas.join(',')}   etas ${s.etas.join(',')}   wMax ${s.wMax}   cost ${s.cost}`,
    'fold  train rows   test rows    lambda  eta     inner Sharpe  test Sharpe  weights',
  ];
  for (const f of doc.folds) {
    lines.push(
      `${String(f.index).padEnd(5)} ${`${f.train.start}..${f.train.end}`.padEnd(12)} ${`${f.test.start}..${f.test.end}`.padEnd(12)} ${String(f.lambda).padEnd(7)} ${String(f.eta).padEnd(7)} ${fmt(f.innerSharpe).padStart(12)}  ${fmt(f.testSharpe).padStart(11)}  ${f.weights.map((w) => w.toFixed(3)).join(' ')}`,
    );
  }
  lines.push(`OOS Sharpe    ${fmt(doc.oosSharpe)} over ${doc.oosRows.length} rows`);
  lines.push(`report        ${outFile}`);
  return lines.join('\n');
}
