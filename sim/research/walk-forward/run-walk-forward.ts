import { join } from 'node:path';
import { formatIsoUs, InvalidArgumentError, US_PER_YEAR } from '../../../engine/core/index.js';
import { fitnessOf, fitnessOfMetrics, type Fitness } from '../fitness.js';
import type { SearchSpace, TrialParams } from '../space.js';
import { runSweep, type ScoredTrial, type SweepMethod, type SweepProgress } from '../sweep.js';
import { canonicalJson, sha256Hex, trialKey, trialSeed, type TrialMetrics, type TrialOk, type TrialResult } from '../trial.js';
import type { TrialExecutor } from '../trial-executor.js';
import { trainUntilPaths } from './warm-start.js';
import type { Span, WalkForwardFold } from './windows.js';

/**
 * Walk-forward analysis of a scenario: for each fold, a sweep over the train window picks the
 * parameters with the best fitness; those parameters then run once on the test window. The test
 * windows' returns are stitched into one out-of-sample equity curve.
 *
 * Without `warmUpUs` each test run starts cold at the test window's start: its indicators warm up
 * inside the window, so a slow indicator may not be ready before the window ends and the fold makes
 * no trade. With `warmUpUs` (what `tapedeck walkforward` does by default, the train length) the test
 * run replays that much data before the window with `engine.tradeFrom` at the test start: the
 * strategies are fed (indicators ready when the window opens) but nothing they ask for before it is
 * traded, and only the test window is measured. A cold start also throws away what a learning strategy learned in the
 * train window, though, so the out-of-sample run of a model-based strategy would evaluate an
 * untrained model. With `warmStart`, each fold's test run replays from the train window's start
 * through the test window's end, with every learning strategy's train-until parameter (see
 * trainUntilPaths) set to the train window's end, in the train trials as in the test run: the test
 * run then reaches the test window holding exactly the model the chosen train trial ended with
 * (same data, parameters and seed up to that point), frozen, and only the test-window part of its
 * equity curve, rebased at the test start, makes its metrics and the stitched curve (measureFromUs).
 */

/** Options of {@link runWalkForward}. */
export interface RunWalkForwardOptions {
  /** The scenario document (JSON); each fold sets its data window at `startPath`/`endPath`. */
  readonly scenario: unknown;
  readonly space: SearchSpace;
  readonly method: SweepMethod;
  /** Trials per fold (every method but grid). */
  readonly trials?: number;
  readonly seed: number;
  readonly fitness: Fitness;
  /** The folds, in microseconds (see walkForwardWindows). */
  readonly folds: readonly WalkForwardFold[];
  /** Runs every fold's trials (shared, so workers keep their data between folds). */
  readonly executor: TrialExecutor;
  /** Directory of the per-fold trial stores (fold-<k>.duckdb): a rerun resumes each fold's sweep. */
  readonly storeDir: string;
  readonly optimizerOptions?: Readonly<Record<string, unknown>>;
  /** Most trials per fold (default DEFAULT_MAX_TRIALS of the sweep). */
  readonly maxTrials?: number;
  /** The space file, named in refusals. */
  readonly spaceFile?: string;
  readonly fresh?: boolean;
  readonly signal?: AbortSignal;
  /** Dotted path of the data window start in the scenario (default ['data', 'start']). */
  readonly startPath?: readonly string[];
  readonly endPath?: readonly string[];
  /**
   * Warm start (default false): each test run replays from its train window's start, learning
   * strategies stop training at the train window's end, and only the test window is measured.
   */
  readonly warmStart?: boolean;
  /**
   * With warmStart, the dotted paths (segments) set to the train window's end (ISO) in the train
   * trials and the test run; default trainUntilPaths(scenario), the train-until parameter of every
   * registered learning strategy of the scenario.
   */
  readonly trainUntilPaths?: readonly (readonly string[])[];
  /**
   * Warm-up of the test runs, microseconds (default 0: none; `tapedeck walkforward` defaults it to
   * the train length). With warmUpUs > 0, each fold's test run replays from `warmUpUs` before the
   * test start (never before the first fold's train start, the start of the data) with
   * `engine.tradeFrom` (at `tradeFromPath`) set to the test start: the strategies see those bars,
   * so their indicators are warm when the window opens, but every order they make before it is
   * dropped, and only the test window is measured. Not with `warmStart`, which replays the train
   * window trading.
   */
  readonly warmUpUs?: number;
  /** Dotted path of the start of trading in the scenario (default ['engine', 'tradeFrom']). */
  readonly tradeFromPath?: readonly string[];
  /**
   * Seed 001's automatic parameter update (default: none, every fold adopts its re-optimized
   * parameters). With it, a fold's best train trial replaces the parameters in force (the
   * incumbent, adopted by an earlier fold) only when its train window has at least
   * `minObservations` per-period returns and its fitness beats the incumbent's fitness on the same
   * train window by more than `improvementThreshold` x |incumbent fitness|; otherwise the
   * incumbent runs the test window. The first fold adopts its best trial if it has enough
   * observations, and is skipped otherwise. The incumbent is run on a train window when the
   * fold's sweep did not try it (same seed as its trial, so the figures match).
   */
  readonly autoUpdate?: AutoUpdateOptions;
  readonly onFoldStart?: (fold: WalkForwardFold, of: number) => void;
  readonly onProgress?: (fold: WalkForwardFold, progress: SweepProgress) => void;
}

/** Seed 001's walk-forward update rule (its `wfo.improvement_threshold` and `wfo.min_observations`). */
export interface AutoUpdateOptions {
  /** Relative improvement over the incumbent's train fitness required to adopt new parameters, >= 0 (seed 001: 0.05). */
  readonly improvementThreshold: number;
  /** Fewest per-period returns a train window must give for its re-optimized parameters to be adopted, >= 1 (seed 001: 1000). */
  readonly minObservations: number;
}

/** How a fold decided between its re-optimized parameters and the incumbent (with autoUpdate). */
export interface FoldUpdate {
  /** The parameters in force before the fold and their fitness on its train window (null for the first fold to adopt any). */
  readonly incumbent: { readonly params: TrialParams; readonly trialKey: string; readonly fitness: number | null } | null;
  /** The fold's best train trial (null when none had a finite fitness). */
  readonly candidate: { readonly params: TrialParams; readonly trialKey: string; readonly fitness: number; readonly observations: number } | null;
  /** True when the candidate replaced the incumbent (or became the first parameters in force). */
  readonly adopted: boolean;
  readonly reason: string;
}

/** One fold's outcome. */
export interface WalkForwardFoldResult {
  readonly index: number;
  readonly train: Span & { readonly startIso: string; readonly endIso: string };
  readonly test: Span & { readonly startIso: string; readonly endIso: string };
  readonly purgedUs: number;
  readonly embargoUs: number;
  /**
   * Present with warm start: the test run replays from `replayFrom` (the train start) with the
   * fields at `paths` set to `trainUntil` (the train end, which is the test start unless purged),
   * and is measured from the test start.
   */
  readonly warmStart?: {
    readonly replayFrom: number;
    readonly replayFromIso: string;
    readonly trainUntil: number;
    readonly trainUntilIso: string;
    readonly paths: readonly string[];
  };
  /**
   * Present with a warm-up: the test run replayed from `from` (strategies fed, no trading) and
   * traded from the test start.
   */
  readonly warmUp?: { readonly from: number; readonly fromIso: string; readonly tradeFromIso: string };
  readonly sweep: { readonly combinedHash: string; readonly trials: number; readonly failed: number };
  /** Present with autoUpdate: whether the fold adopted its re-optimized parameters, and why. */
  readonly update?: FoldUpdate;
  /** The chosen parameters (null when no train trial had a finite fitness). */
  readonly params: TrialParams | null;
  readonly trialKey: string | null;
  readonly trialSeed: number | null;
  readonly inSample: { readonly fitness: number; readonly metrics: TrialMetrics; readonly runHash: string; readonly annualizedReturn: number | null } | null;
  readonly outOfSample:
    | {
        readonly status: 'ok';
        readonly metrics: TrialMetrics;
        readonly runHash: string;
        readonly annualizedReturn: number | null;
        readonly fitness: number;
        /** Per-period returns of the test run (what the stitched curve chains); with warm start, of its test window only. */
        readonly returns: readonly number[];
      }
    | { readonly status: 'failed'; readonly error: string }
    | { readonly status: 'skipped'; readonly reason: string };
  /** Annualized OOS return / annualized IS return; null when either is undefined or the IS return is not positive. */
  readonly efficiency: number | null;
}

/** The result of {@link runWalkForward}. */
export interface WalkForwardResult {
  readonly folds: readonly WalkForwardFoldResult[];
  /** The stitched out-of-sample equity (starts at 1 before the first test return). */
  readonly stitched: { readonly equity: readonly number[]; readonly foldOffsets: readonly number[] };
  /** Annualized return of the stitched curve over the summed test durations of the folds that ran. */
  readonly oosAnnualizedReturn: number | null;
  /** Mean of the folds' annualized IS returns. */
  readonly isAnnualizedReturn: number | null;
  /**
   * Walk-forward efficiency: oosAnnualizedReturn / isAnnualizedReturn (Pardo's definition, annualized
   * so that train and test windows of different lengths compare); null when the IS return is not
   * positive (the ratio then says nothing) or a figure is missing.
   */
  readonly efficiency: number | null;
  /**
   * SHA-256 over the canonical JSON of every fold's windows, sweep hash, chosen key and test runHash
   * (and, with warm start, its replay start and train end).
   */
  readonly combinedHash: string;
}

/** Returns the compound annualized return of `returns` spanning `durationUs`, or null when undefined. */
export function annualizedReturn(returns: ArrayLike<number>, durationUs: number): number | null {
  if (returns.length === 0 || !(durationUs > 0)) return null;
  let growth = 1;
  for (let i = 0; i < returns.length; i++) growth *= 1 + returns[i]!;
  if (!(growth > 0) || !Number.isFinite(growth)) return growth <= 0 ? -1 : null;
  return growth ** (US_PER_YEAR / durationUs) - 1;
}

function ratio(oos: number | null, is: number | null): number | null {
  return oos === null || is === null || !(is > 0) ? null : oos / is;
}

/** Returns a copy of `doc` with `value` at `path` (creating objects on the way). */
function withPath(doc: unknown, path: readonly string[], value: unknown): unknown {
  const root = structuredClone(doc) as Record<string, unknown>;
  if (root === null || typeof root !== 'object') throw new InvalidArgumentError(`invalid 'scenario': not an object`);
  let cur = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (cur[k] === undefined || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
  return root;
}

function window(doc: unknown, span: Span, startPath: readonly string[], endPath: readonly string[]): unknown {
  return withPath(withPath(doc, startPath, formatIsoUs(span.start)), endPath, formatIsoUs(span.end));
}

function withPaths(doc: unknown, paths: readonly (readonly string[])[], value: unknown): unknown {
  let out = doc;
  for (const p of paths) out = withPath(out, p, value);
  return out;
}

/** Runs the walk-forward; folds run one after another, each fold's trials in parallel on the executor. */
export async function runWalkForward(options: RunWalkForwardOptions): Promise<WalkForwardResult> {
  const startPath = options.startPath ?? ['data', 'start'];
  const endPath = options.endPath ?? ['data', 'end'];
  if (options.folds.length === 0) throw new InvalidArgumentError(`invalid 'folds': no fold`);
  const warm = options.warmStart ?? false;
  const warmUpUs = options.warmUpUs ?? 0;
  if (!(Number.isSafeInteger(warmUpUs) && warmUpUs >= 0)) throw new InvalidArgumentError(`invalid 'warmUpUs': not a non-negative integer number of microseconds, was ${warmUpUs}`);
  if (warm && warmUpUs > 0) throw new InvalidArgumentError("invalid 'warmUpUs': a warm start already replays the train window before the test; give one of the two");
  const tradeFromPath = options.tradeFromPath ?? ['engine', 'tradeFrom'];
  const dataStart = Math.min(...options.folds.map((f) => f.train.start));
  const learnPaths = warm ? (options.trainUntilPaths ?? trainUntilPaths(options.scenario)) : [];
  for (const [i, p] of learnPaths.entries()) {
    if (p.length === 0) throw new InvalidArgumentError(`invalid 'trainUntilPaths[${i}]': empty path`);
  }
  const auto = options.autoUpdate ?? null;
  if (auto !== null) {
    if (!(Number.isFinite(auto.improvementThreshold) && auto.improvementThreshold >= 0)) {
      throw new InvalidArgumentError(`invalid 'autoUpdate.improvementThreshold': not a non-negative number, was ${auto.improvementThreshold}`);
    }
    if (!(Number.isSafeInteger(auto.minObservations) && auto.minObservations >= 1)) {
      throw new InvalidArgumentError(`invalid 'autoUpdate.minObservations': not a positive integer, was ${auto.minObservations}`);
    }
  }
  /** With autoUpdate, the parameters in force (adopted by an earlier fold). */
  let incumbent: { readonly params: TrialParams; readonly key: string } | null = null;
  const results: WalkForwardFoldResult[] = [];
  for (const fold of options.folds) {
    options.signal?.throwIfAborted();
    options.onFoldStart?.(fold, options.folds.length);
    // Warm start: training stops where the train window ends, in the train trials (so each learns
    // through its whole window whatever the scenario says) and in the test run.
    const trainUntilIso = formatIsoUs(fold.train.end);
    const trainScenario = window(options.scenario, fold.train, startPath, endPath);
    const sweepScenario = warm ? withPaths(trainScenario, learnPaths, trainUntilIso) : trainScenario;
    const outcome = await runSweep({
      scenario: sweepScenario,
      space: options.space,
      method: options.method,
      ...(options.trials !== undefined ? { trials: options.trials } : {}),
      seed: options.seed,
      fitness: options.fitness,
      storeFile: join(options.storeDir, `fold-${fold.index}.duckdb`),
      fresh: options.fresh ?? false,
      executor: options.executor,
      ...(options.maxTrials !== undefined ? { maxTrials: options.maxTrials } : {}),
      ...(options.spaceFile !== undefined ? { spaceFile: options.spaceFile } : {}),
      ...(options.optimizerOptions !== undefined ? { optimizerOptions: options.optimizerOptions } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.onProgress !== undefined ? { onProgress: (p: SweepProgress) => options.onProgress!(fold, p) } : {}),
    });
    let best: (TrialOk & { readonly fitness: number }) | null = outcome.best;
    let update: FoldUpdate | undefined;
    let skipReason = 'no train trial had a finite fitness';
    if (auto !== null) {
      const decision = await decideUpdate(auto, outcome.best, incumbent, outcome.trials, async (params, key) => {
        let r: TrialResult | null = null;
        await options.executor.run([{ key, scenario: sweepScenario, params, seed: trialSeed(options.seed, key) }], (x) => {
          r = x;
        }, options.signal);
        if (r === null) throw new InvalidArgumentError(`the executor returned no result for the incumbent's train run (${key})`);
        return r;
      }, options.fitness);
      best = decision.chosen;
      update = decision.update;
      if (decision.chosen === null) skipReason = decision.update.reason;
      else incumbent = { params: decision.chosen.params, key: decision.chosen.key };
    }
    const trainDuration = fold.train.end - fold.train.start;
    const testDuration = fold.test.end - fold.test.start;
    const warmUpFrom = Math.max(dataStart, fold.test.start - warmUpUs);
    const warmUp = warmUpUs > 0 && warmUpFrom < fold.test.start ? { from: warmUpFrom, fromIso: formatIsoUs(warmUpFrom), tradeFromIso: formatIsoUs(fold.test.start) } : null;
    const base = {
      index: fold.index,
      train: { ...fold.train, startIso: formatIsoUs(fold.train.start), endIso: formatIsoUs(fold.train.end) },
      test: { ...fold.test, startIso: formatIsoUs(fold.test.start), endIso: formatIsoUs(fold.test.end) },
      purgedUs: fold.purged.end - fold.purged.start,
      embargoUs: fold.embargo,
      ...(warm
        ? {
            warmStart: {
              replayFrom: fold.train.start,
              replayFromIso: formatIsoUs(fold.train.start),
              trainUntil: fold.train.end,
              trainUntilIso,
              paths: learnPaths.map((p) => p.join('.')),
            },
          }
        : {}),
      ...(warmUp !== null ? { warmUp } : {}),
      sweep: { combinedHash: outcome.combinedHash, trials: outcome.trials.length, failed: outcome.trials.filter((t) => t.status === 'failed').length },
      ...(update !== undefined ? { update } : {}),
    };
    if (best === null) {
      results.push({
        ...base,
        params: null,
        trialKey: null,
        trialSeed: null,
        inSample: null,
        outOfSample: { status: 'skipped', reason: skipReason },
        efficiency: null,
      });
      continue;
    }
    const isReturn = annualizedReturn(best.returns, trainDuration);
    // The test run uses the chosen trial's seed: the same strategy randomness, a new data window
    // (with warm start, the train window again and then the test window, measured from the test start).
    const testTask = warm
      ? {
          key: trialKey(best.params),
          scenario: withPaths(window(options.scenario, { start: fold.train.start, end: fold.test.end }, startPath, endPath), learnPaths, trainUntilIso),
          params: best.params,
          seed: best.seed,
          measureFromUs: fold.test.start,
        }
      : warmUp !== null
        ? {
            // Warm-up: the bars before the test window feed the strategies; trading (and measuring) starts at the test start.
            key: trialKey(best.params),
            scenario: withPath(window(options.scenario, { start: warmUp.from, end: fold.test.end }, startPath, endPath), tradeFromPath, warmUp.tradeFromIso),
            params: best.params,
            seed: best.seed,
            measureFromUs: fold.test.start,
          }
        : { key: trialKey(best.params), scenario: window(options.scenario, fold.test, startPath, endPath), params: best.params, seed: best.seed };
    let testResult: TrialResult | null = null;
    await options.executor.run(
      [testTask],
      (r) => {
        testResult = r;
      },
      options.signal,
    );
    const test = testResult as TrialResult | null;
    let outOfSample: WalkForwardFoldResult['outOfSample'];
    let efficiency: number | null = null;
    if (test === null) {
      outOfSample = { status: 'failed', error: 'the executor returned no result for the test run' };
    } else if (test.status === 'failed') {
      outOfSample = { status: 'failed', error: test.error };
    } else {
      const oosReturn = annualizedReturn(test.returns, testDuration);
      outOfSample = {
        status: 'ok',
        metrics: test.metrics,
        runHash: test.runHash,
        annualizedReturn: oosReturn,
        fitness: fitnessOfMetrics(options.fitness, test.metrics),
        returns: Array.from(test.returns),
      };
      efficiency = ratio(oosReturn, isReturn);
    }
    results.push({
      ...base,
      params: best.params,
      trialKey: best.key,
      trialSeed: best.seed,
      inSample: { fitness: best.fitness, metrics: best.metrics, runHash: best.runHash, annualizedReturn: isReturn },
      outOfSample,
      efficiency,
    });
  }
  return summarize(results);
}

const fmtFitness = (x: number): string => (Number.isFinite(x) ? x.toPrecision(6) : String(x));

/**
 * Applies the automatic update rule to one fold: returns the trial whose parameters run the test
 * window (the fold's best, or the incumbent's train trial) and the decision; `runIncumbent` runs the
 * incumbent on the fold's train window when its sweep did not try it.
 */
export async function decideUpdate(
  auto: AutoUpdateOptions,
  best: (TrialOk & { readonly fitness: number }) | null,
  incumbent: { readonly params: TrialParams; readonly key: string } | null,
  trials: readonly ScoredTrial[],
  runIncumbent: (params: TrialParams, key: string) => Promise<TrialResult>,
  fitness: Fitness,
): Promise<{ chosen: (TrialOk & { readonly fitness: number }) | null; update: FoldUpdate }> {
  const candidate = best === null ? null : { params: best.params, trialKey: best.key, fitness: best.fitness, observations: best.metrics.observations };
  const short = best !== null && best.metrics.observations < auto.minObservations ? `the best train trial has ${best.metrics.observations} observations, fewer than the ${auto.minObservations} required (min observations)` : null;
  if (incumbent === null) {
    if (best === null) return { chosen: null, update: { incumbent: null, candidate, adopted: false, reason: 'no train trial had a finite fitness' } };
    if (short !== null) return { chosen: null, update: { incumbent: null, candidate, adopted: false, reason: `${short}; no parameters in force yet` } };
    return { chosen: best, update: { incumbent: null, candidate, adopted: true, reason: 'the first parameters in force' } };
  }
  const stored = trials.find((t) => t.key === incumbent.key);
  const run: TrialResult & { fitness: number } = stored ?? (await runIncumbent(incumbent.params, incumbent.key).then((r) => ({ ...r, fitness: fitnessOf(fitness, r) })));
  const incFitness = run.fitness;
  const incumbentInfo = { params: incumbent.params, trialKey: incumbent.key, fitness: Number.isFinite(incFitness) ? incFitness : null };
  const keep = (reason: string) => ({
    chosen: run.status === 'ok' && Number.isFinite(incFitness) ? (run as TrialOk & { fitness: number }) : null,
    update: { incumbent: incumbentInfo, candidate, adopted: false, reason: run.status === 'ok' ? reason : `${reason}; the incumbent's train run failed, so the fold has no test run` },
  });
  const adopt = (reason: string) => ({ chosen: best, update: { incumbent: incumbentInfo, candidate, adopted: true, reason } });
  if (best === null) return keep('no train trial had a finite fitness; the incumbent stays');
  if (best.key === incumbent.key) return keep('the re-optimization chose the incumbent again');
  if (short !== null) return keep(`${short}; the incumbent stays`);
  if (!Number.isFinite(incFitness)) return adopt('the incumbent has no finite fitness on this train window');
  const gain = best.fitness - incFitness;
  const needed = auto.improvementThreshold * Math.abs(incFitness);
  const text = `fitness ${fmtFitness(best.fitness)} vs the incumbent's ${fmtFitness(incFitness)} (gain ${fmtFitness(gain)}, needed more than ${fmtFitness(needed)}: threshold ${auto.improvementThreshold} x |incumbent|)`;
  return gain > needed ? adopt(text) : keep(`${text}; the incumbent stays`);
}

/** Stitches the folds' out-of-sample returns and computes the aggregate figures and hash. */
function summarize(folds: WalkForwardFoldResult[]): WalkForwardResult {
  const equity: number[] = [1];
  const foldOffsets: number[] = [];
  let testDuration = 0;
  const oosReturns: number[] = [];
  const isReturns: number[] = [];
  for (const f of folds) {
    foldOffsets.push(equity.length - 1);
    const oos = f.outOfSample;
    if (oos.status !== 'ok') continue;
    testDuration += f.test.end - f.test.start;
    let e = equity[equity.length - 1]!;
    for (const r of oos.returns) {
      e *= 1 + r;
      equity.push(e);
      oosReturns.push(r);
    }
    if (f.inSample?.annualizedReturn !== null && f.inSample?.annualizedReturn !== undefined) isReturns.push(f.inSample.annualizedReturn);
  }
  const oosAnnualizedReturn = annualizedReturn(oosReturns, testDuration);
  const isAnnualizedReturn = isReturns.length === 0 ? null : isReturns.reduce((s, r) => s + r, 0) / isReturns.length;
  const identity = folds.map((f) => ({
    index: f.index,
    train: [f.train.start, f.train.end],
    test: [f.test.start, f.test.end],
    sweep: f.sweep.combinedHash,
    key: f.trialKey,
    test_run: f.outOfSample.status === 'ok' ? f.outOfSample.runHash : f.outOfSample.status,
    // Absent (so cold-start hashes are unchanged) unless warm.
    warm: f.warmStart === undefined ? undefined : [f.warmStart.replayFrom, f.warmStart.trainUntil, f.warmStart.paths],
    // Likewise absent without a warm-up.
    warmUp: f.warmUp === undefined ? undefined : [f.warmUp.from, f.warmUp.tradeFromIso],
    // And without the automatic update rule.
    update: f.update === undefined ? undefined : [f.update.adopted, f.update.incumbent?.trialKey ?? null],
  }));
  return {
    folds,
    stitched: { equity, foldOffsets },
    oosAnnualizedReturn,
    isAnnualizedReturn,
    efficiency: ratio(oosAnnualizedReturn, isAnnualizedReturn),
    combinedHash: sha256Hex(canonicalJson(identity)),
  };
}
