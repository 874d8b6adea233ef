import { ConfigError, TapedeckError, checkInteger, checkPositiveInteger, randomStream } from '../../engine/core/index.js';
import { fitnessOf } from './fitness.js';
import type { Fitness } from './fitness.js';
import { createLocalExecutor } from './local-executor.js';
import { axisCount, decode, formatCount, gridPoints, gridSizeExact, sampleRandom, satisfies } from './space.js';
import type { SearchSpace, TrialParams } from './space.js';
import { canonicalJson, combinedHash, sha256Hex, trialKey, trialSeed } from './trial.js';
import type { TrialOk, TrialResult, TrialTask } from './trial.js';
import type { TrialExecutor } from './trial-executor.js';
import { TrialStore } from './trial-store.js';
import { createOptimizer } from './optimizers/index.js';
import { checkOptimizerSettings } from './optimizer-settings.js';
import { DEFAULT_MAX_TRIALS, SWEEP_METHODS } from './sweep-methods.js';
import type { SweepMethod } from './sweep-methods.js';

// The method names and the default trial limit live in a module of their own, which the CLI's command
// tree imports without loading the store (DuckDB) or the pool (piscina).
export { DEFAULT_MAX_TRIALS, SWEEP_METHODS } from './sweep-methods.js';
export type { SweepMethod } from './sweep-methods.js';

/** Methods driven through an ask/tell optimizer. */
export const ASK_TELL_METHODS = ['ga', 'de', 'mcmc', 'bayes'] as const satisfies readonly SweepMethod[];

/** A sweep was stopped by its abort signal (Ctrl-C); finished trials stay in the store. Exit code 130. */
export class SweepInterruptedError extends TapedeckError {
  constructor(message: string) {
    super('interrupted', message);
  }
}


/**
 * A sweep larger than its cap ({@link DEFAULT_MAX_TRIALS} or `--max-trials`): a usage error (exit 2),
 * refused before any point is built or any trial runs.
 */
export class SweepTooLargeError extends TapedeckError {
  constructor(message: string) {
    super('usage', message);
  }
}

/**
 * A `--trials` the space cannot give: more trials than it has distinct points that satisfy its
 * constraints. A usage error (exit 2), since running fewer trials than asked would be a silent setting.
 */
export class TooFewPointsError extends TapedeckError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** Largest grid {@link distinctPointCount} enumerates to count the points that satisfy the constraints. */
const COUNTABLE_GRID = 1_000_000;

/**
 * Returns the number of distinct points of a finite space (every parameter has a grid: ints,
 * categoricals, floats with `step` or `count`) that satisfy its constraints, or null when the space
 * is continuous. Every method samples those same points (random draws and optimizer coordinates are
 * binned onto the grid), so a sweep can never have more distinct trials than this. A grid above
 * {@link COUNTABLE_GRID} points is not enumerated: its size before constraints is returned.
 */
export function distinctPointCount(space: SearchSpace): number | null {
  if (space.parameters.some((p) => p.kind === 'float' && p.step === null && p.count === null)) return null;
  const size = gridSizeExact(space);
  if (size > BigInt(COUNTABLE_GRID)) return Number(size);
  return space.constraints.length === 0 ? Number(size) : gridPoints(space).length;
}

/** What {@link planSweep} needs: the space, the method, its trial budget and the cap. */
export interface SweepPlanOptions {
  readonly space: SearchSpace;
  readonly method: SweepMethod;
  readonly trials?: number;
  readonly seed: number;
  /** Most trials allowed (default {@link DEFAULT_MAX_TRIALS}). */
  readonly maxTrials?: number;
  /** The space file, named in refusals (default 'the space'). */
  readonly spaceFile?: string;
}

/** The trials a sweep will run: every point for grid and random sweeps, null (asked as it goes) for the optimizers. */
export interface SweepPlan {
  readonly points: readonly TrialParams[] | null;
  /** Trials expected: the points, or the optimizer's budget. */
  readonly total: number;
}

/**
 * Checks a sweep's size against its cap without building anything: a grid's size is the exact product
 * of its axes' value counts; the other methods' is --trials. Throws SweepTooLargeError (usage) naming
 * the size, each axis's count and `--max-trials`.
 */
export function checkSweepSize(options: SweepPlanOptions): void {
  const { space, method } = options;
  const cap = options.maxTrials ?? DEFAULT_MAX_TRIALS;
  checkPositiveInteger(cap, 'maxTrials');
  const where = options.spaceFile ?? 'the space';
  if (method === 'grid') {
    const continuous = space.parameters.find((p) => p.kind === 'float' && p.step === null && p.count === null);
    if (continuous) throw new ConfigError(`parameters["${continuous.path}"]`, `a float needs 'step' or 'count' for a grid sweep (in ${where})`);
    const size = gridSizeExact(space);
    if (size > BigInt(cap)) {
      const axes = space.parameters.map((p) => `${p.path}: ${formatCount(axisCount(p))}`).join(' x ');
      throw new SweepTooLargeError(
        `--max-trials: the grid of ${where} has ${formatCount(size)} points (${axes}), more than the cap of ${formatCount(cap)} trials; use coarser steps or constraints, or raise the cap with --max-trials ${size.toString()}`,
      );
    }
  } else if (options.trials !== undefined && options.trials > cap) {
    throw new SweepTooLargeError(`--trials: ${formatCount(options.trials)} trials is more than the cap of ${formatCount(cap)}; raise the cap with --max-trials ${options.trials}`);
  }
}

/**
 * The sweep planner: turns a space and a method into the trials to run. Checks the size first
 * ({@link checkSweepSize}), so a huge grid is refused before a point is built; a grid or random sweep
 * with no point satisfying the constraints is refused with a ConfigError naming the space file.
 */
export function planSweep(options: SweepPlanOptions): SweepPlan {
  const { space, method, seed } = options;
  checkInteger(seed, 'seed');
  if (method === 'grid') {
    if (options.trials !== undefined) throw new ConfigError('--trials', 'a grid sweep runs every grid point; --trials applies to the other methods');
  } else {
    if (options.trials === undefined) throw new ConfigError('--trials', `the ${method} method needs a number of trials`);
    checkPositiveInteger(options.trials, 'trials');
  }
  checkSweepSize(options);
  const where = options.spaceFile ?? 'the space';
  checkOptimizerSettings(space.optimizer, { method, ...(options.trials !== undefined ? { trials: options.trials } : {}), dimensions: space.parameters.length, file: where });
  if (method !== 'grid') {
    // A budget above the space's distinct points would silently run fewer trials: refuse it.
    const distinct = distinctPointCount(space);
    if (distinct !== null && distinct > 0 && options.trials! > distinct) {
      throw new TooFewPointsError(
        `--trials: ${formatCount(options.trials!)} trials asked, but ${where} has only ${formatCount(distinct)} distinct point${distinct === 1 ? '' : 's'}${space.constraints.length > 0 ? ' that satisfy its constraints' : ''}; ask for at most ${distinct} (or run them all with --method grid)`,
      );
    }
  }
  const points = method === 'grid' ? gridPoints(space) : method === 'random' ? randomPoints(space, options.trials!, seed) : null;
  if (points !== null && points.length === 0) {
    throw new ConfigError(
      'constraints',
      method === 'grid'
        ? `no trial: the constraints exclude every one of the ${formatCount(gridSizeExact(space))} grid points (in ${where})`
        : `no trial: none of ${formatCount(options.trials! * 100)} random draws satisfied the constraints (in ${where})`,
    );
  }
  if (method === 'random' && points !== null && points.length < options.trials!) {
    // A continuous space whose constraints reject most draws: fewer distinct points than asked.
    throw new TooFewPointsError(
      `--trials: ${formatCount(options.trials!)} trials asked, but only ${formatCount(points.length)} distinct points of ${where} satisfied its constraints in ${formatCount(options.trials! * 100)} random draws; ask for at most ${points.length} or loosen the constraints`,
    );
  }
  return { points, total: points ? points.length : options.trials! };
}

/** Progress of a sweep, reported as each trial finishes (its result is stored in the next batch, see TrialStore.put). */
export interface SweepProgress {
  /** Distinct trials finished (resumed ones included). */
  readonly done: number;
  /** Trials the sweep expects in all (the optimizer budget for ga/de/mcmc/bayes). */
  readonly total: number;
  /** Trials taken from the store instead of being run. */
  readonly resumed: number;
  readonly failed: number;
  /** The best trial so far by fitness, or null. */
  readonly best: { readonly key: string; readonly fitness: number } | null;
}

export interface SweepOptions {
  /** The scenario document every trial starts from (JSON; sent to the runner with each task). */
  readonly scenario: unknown;
  readonly space: SearchSpace;
  readonly method: SweepMethod;
  /** Number of trials of random and optimizer sweeps (required there; a grid takes every point). */
  readonly trials?: number;
  /** Seed of the sweep: trial seeds, random draws and optimizer streams derive from it. */
  readonly seed: number;
  readonly fitness: Fitness;
  /** The trial store file (DIR/trials.duckdb). */
  readonly storeFile: string;
  /** Start over: delete the store first. */
  readonly fresh?: boolean;
  /** Where trials run; when absent a local pool of `workers` threads running `runnerModule`. */
  readonly executor?: TrialExecutor;
  readonly workers?: number;
  /** Absolute path or file URL of the trial runner module (see TrialRunnerModule). */
  readonly runnerModule?: string;
  /**
   * Extra options passed to createOptimizer (population size, burn-in, ...), over the space's
   * `optimizer` block. Part of the sweep's identity.
   */
  readonly optimizerOptions?: Readonly<Record<string, unknown>>;
  /** Aborting stops the sweep: it rejects with SweepInterruptedError, finished trials stay stored. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SweepProgress) => void;
  /** Most trials allowed (default {@link DEFAULT_MAX_TRIALS}); not part of the sweep's identity. */
  readonly maxTrials?: number;
  /** The space file, named in refusals. */
  readonly spaceFile?: string;
}

/** A trial of the outcome with its fitness. */
export type ScoredTrial = TrialResult & { readonly fitness: number };

export interface SweepOutcome {
  /** SHA-256 identity of the sweep configuration (the store refuses another one). */
  readonly configHash: string;
  readonly method: SweepMethod;
  readonly seed: number;
  /** Every trial of the sweep, failed ones too, sorted by key, with per-period returns. */
  readonly trials: readonly ScoredTrial[];
  /** combinedHash over the trials (see {@link combinedHash}). */
  readonly combinedHash: string;
  /** The trial with the largest fitness (the smallest key among ties), or null when none has a finite one. */
  readonly best: (TrialOk & { readonly fitness: number }) | null;
  /** Trials taken from the store and trials run now. */
  readonly resumed: number;
  readonly ran: number;
  /** The optimizer's summary() for ga/de/mcmc/bayes, null otherwise. */
  readonly optimizer: unknown;
}

/** Returns the identity hash of a sweep configuration. */
export function sweepConfigHash(options: Pick<SweepOptions, 'scenario' | 'space' | 'method' | 'trials' | 'seed' | 'fitness' | 'optimizerOptions'>): string {
  const optimizing = (ASK_TELL_METHODS as readonly string[]).includes(options.method);
  return sha256Hex(
    canonicalJson({
      v: 1,
      scenario: options.scenario,
      space: options.space,
      method: options.method,
      trials: options.method === 'grid' ? null : (options.trials ?? null),
      seed: options.seed,
      // The fitness steers which trials an optimizer asks for; grid and random trials do not depend on it.
      fitness: optimizing ? options.fitness.text : null,
      optimizerOptions: optimizing ? (options.optimizerOptions ?? null) : null,
    }),
  );
}

/** Returns up to `count` distinct constraint-satisfying random points (at most 100 * count draws). */
export function randomPoints(space: SearchSpace, count: number, seed: number): TrialParams[] {
  const rng = randomStream(seed, 'sweep', 'random');
  const seen = new Set<string>();
  const out: TrialParams[] = [];
  for (let draw = 0; draw < count * 100 && out.length < count; draw++) {
    const p = sampleRandom(space, rng);
    if (!satisfies(space, p)) continue;
    const k = trialKey(p);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

/**
 * Runs a parameter sweep and returns every trial sorted by key with the combined hash and the best
 * trial. Trials are stored in `storeFile` as they finish; rerunning the same sweep resumes (stored
 * trials are not run again). Grid and random sweeps run all their points in one batch; ga, de, mcmc
 * and bayes run in rounds (ask a batch, run it, tell the fitness in ask order), so the trial set does
 * not depend on the number of workers or on completion order. A failed trial is kept (status 'failed')
 * and the sweep goes on. Throws SweepInterruptedError when `signal` aborts, ConfigError for a bad
 * option or a store of another sweep.
 */
export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const { space, method, seed, fitness } = options;
  // Points of grid and random sweeps are known up front: a bad space fails before anything is opened.
  const plan = planSweep(options);
  const fixedPoints = plan.points;

  const configHash = sweepConfigHash(options);
  const store = await TrialStore.open(options.storeFile, {
    configHash,
    fresh: options.fresh ?? false,
    config: { method, seed, trials: options.trials ?? null, fitness: fitness.text, space, scenario: options.scenario },
  });
  let executor = options.executor ?? null;
  const ownsExecutor = executor === null;
  try {
    const results = new Map<string, TrialResult>();
    for (const t of await store.read()) results.set(t.key, t);
    const sweepKeys = new Set<string>();
    const total = plan.total;
    let resumed = 0;
    let ran = 0;
    let failed = 0;
    let best: { key: string; fitness: number } | null = null;
    const note = (t: TrialResult): void => {
      if (t.status === 'failed') failed++;
      const f = fitnessOf(fitness, t);
      if (Number.isFinite(f) && (best === null || f > best.fitness || (f === best.fitness && t.key < best.key))) best = { key: t.key, fitness: f };
    };
    const report = (): void => options.onProgress?.({ done: sweepKeys.size, total: Math.max(total, sweepKeys.size), resumed, failed, best });

    /** Runs the points not yet known; returns once every point of the batch has a result. */
    const evaluate = async (points: readonly TrialParams[]): Promise<void> => {
      const tasks: TrialTask[] = [];
      const queued = new Set<string>();
      for (const params of points) {
        const key = trialKey(params);
        if (sweepKeys.has(key) || queued.has(key)) continue;
        const stored = results.get(key);
        if (stored) {
          sweepKeys.add(key);
          resumed++;
          note(stored);
          continue;
        }
        queued.add(key);
        tasks.push({ key, scenario: options.scenario, params, seed: trialSeed(seed, key) });
      }
      report();
      if (tasks.length === 0) return;
      if (executor === null) {
        if (options.runnerModule === undefined) throw new ConfigError('runnerModule', 'give an executor or a trial runner module');
        executor = createLocalExecutor({ workers: options.workers ?? 1, runnerModule: options.runnerModule });
      }
      // Results are stored in batches (see TrialStore.put) while the trials go on; the batch is
      // over once every one of its trials is committed.
      const stored: Promise<void>[] = [];
      try {
        await executor.run(
          tasks,
          (r) => {
            results.set(r.key, r);
            // The progress counts a trial once it is committed: what the bar shows done survives a kill -9.
            const put = store.put(r).then(() => {
              sweepKeys.add(r.key);
              ran++;
              note(r);
              report();
            });
            put.catch(() => {});
            stored.push(put);
          },
          options.signal,
        );
      } finally {
        await store.flush();
      }
      await Promise.all(stored);
    };

    let optimizerSummary: unknown = null;
    try {
      options.signal?.throwIfAborted();
      if (fixedPoints) {
        await evaluate(fixedPoints);
      } else {
        const optimizer = createOptimizer(method, {
          ...(space.optimizer ?? {}),
          ...(options.optimizerOptions ?? {}),
          dimensions: space.parameters.length,
          rng: randomStream(seed, 'sweep', method),
          budget: options.trials!,
        });
        for (let xs = optimizer.ask(); xs !== null; xs = optimizer.ask()) {
          const batch = xs.map((x) => ({ x, params: decode(space, x) }));
          await evaluate(batch.filter((b) => satisfies(space, b.params)).map((b) => b.params));
          optimizer.tell(
            batch.map((b) => {
              const r = satisfies(space, b.params) ? results.get(trialKey(b.params)) : undefined;
              return { x: b.x, fitness: r ? fitnessOf(fitness, r) : Number.NEGATIVE_INFINITY };
            }),
          );
        }
        optimizerSummary = optimizer.summary();
      }
    } catch (err) {
      if (options.signal?.aborted) {
        await store.flush().catch(() => {});
        throw new SweepInterruptedError(`interrupted: ${store.size} trial${store.size === 1 ? '' : 's'} kept in ${store.file}; run the same command again to resume`);
      }
      throw err;
    }

    const trials: ScoredTrial[] = [...sweepKeys]
      .sort()
      .map((k) => results.get(k)!)
      .map((t) => ({ ...t, fitness: fitnessOf(fitness, t) }));
    let bestTrial: (TrialOk & { fitness: number }) | null = null;
    for (const t of trials) {
      if (t.status === 'ok' && Number.isFinite(t.fitness) && (bestTrial === null || t.fitness > bestTrial.fitness)) bestTrial = t;
    }
    return { configHash, method, seed, trials, combinedHash: combinedHash(trials), best: bestTrial, resumed, ran, optimizer: optimizerSummary };
  } finally {
    if (ownsExecutor && executor !== null) await (executor as TrialExecutor).close();
    await store.close();
  }
}
