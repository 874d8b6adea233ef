import { checkPositiveInteger, InvalidArgumentError, type RandomStream } from '../../../engine/core/index.js';

/**
 * The ask/tell protocol shared by every optimizer. Points live in the unit hypercube [0, 1]^d (the
 * sweep's space maps them to parameters) and fitness is maximised.
 *
 * The protocol: `ask()` returns a batch of points (or null when the budget is spent or the search
 * converged); the caller evaluates them in any order, in parallel if it likes, and reports every
 * point of the batch through one or more `tell()` calls. Results are matched to the asked points by
 * their coordinates, not by the order of `tell`, so the next `ask()` is the same whatever order the
 * evaluations finished in: same seed => same sequence of batches.
 *
 * A failed trial reports NaN or -Infinity. Every non-finite fitness (NaN, +Infinity, -Infinity)
 * counts as a failure: it ranks below every finite fitness and is never the best point.
 */
export interface Optimizer {
  readonly method: string;
  /** Returns the next batch of points in [0, 1]^d, or null when the budget is used or the search converged. */
  ask(): number[][] | null;
  /** Reports fitness for points of the last batch (all of them, in one call or several). */
  tell(results: ReadonlyArray<OptimizerResult>): void;
  /** Returns method-specific output (best point, per-generation history, posterior samples, ...). */
  summary(): Record<string, unknown>;
}

/** One evaluated point. */
export interface OptimizerResult {
  readonly x: readonly number[];
  readonly fitness: number;
}

/** Options every optimizer takes. */
export interface CommonOptimizerOptions {
  /** Number of dimensions d of the unit hypercube, >= 1. */
  readonly dimensions: number;
  /** The optimizer's random stream (its only source of randomness). */
  readonly rng: RandomStream;
  /** Maximum number of points asked over the whole search, >= 1. */
  readonly budget: number;
}

/** Returns `fitness` when finite, otherwise -Infinity (a failed trial). */
export function effectiveFitness(fitness: number): number {
  return typeof fitness === 'number' && Number.isFinite(fitness) ? fitness : Number.NEGATIVE_INFINITY;
}

/** Returns the key a point is matched by: its coordinates, exactly. */
function pointKey(x: readonly number[]): string {
  return x.join(',');
}

/** Returns `value` clipped into [0, 1]. */
export function clipUnit(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

/**
 * Returns `value` reflected into [0, 1] (a mirror at each face, repeated for far excursions).
 * Reflection keeps a symmetric random-walk proposal symmetric, which clipping does not.
 */
export function reflectUnit(value: number): number {
  if (value >= 0 && value <= 1) return value;
  // The reflected walk has period 2: fold into [0, 2), then mirror the upper half.
  let r = value % 2;
  if (r < 0) r += 2;
  return r > 1 ? 2 - r : r;
}

/** Returns `n` points of a Latin hypercube design in [0, 1]^d: each axis has one point per 1/n stratum. */
export function latinHypercube(n: number, d: number, rng: RandomStream): number[][] {
  const points: number[][] = Array.from({ length: n }, () => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    const strata = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i++) points[i]![j] = (strata[i]! + rng.next()) / n;
  }
  return points;
}

/** Returns a uniform random point in [0, 1]^d. */
export function uniformPoint(d: number, rng: RandomStream): number[] {
  const x = new Array<number>(d);
  for (let j = 0; j < d; j++) x[j] = rng.next();
  return x;
}

/** Checks the common options, naming the bad one. */
export function checkCommonOptions(options: CommonOptimizerOptions): void {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`invalid 'options': expected an object, was ${String(options)}`);
  checkPositiveInteger(options.dimensions, 'dimensions');
  checkPositiveInteger(options.budget, 'budget');
  const rng = options.rng as Partial<RandomStream> | undefined;
  if (rng === undefined || rng === null || typeof rng.next !== 'function' || typeof rng.normal !== 'function') {
    throw new InvalidArgumentError(`invalid 'rng': expected a RandomStream, was ${String(options.rng)}`);
  }
}

/**
 * The bookkeeping every ask/tell optimizer shares: the pending batch, matching told results to it
 * by coordinates, the evaluation count and the best point. Subclasses implement `propose` (the next
 * batch, or null to stop) and `absorb` (the batch's fitness, in the order the batch was proposed,
 * non-finite values already turned into -Infinity).
 */
export abstract class AskTellOptimizer implements Optimizer {
  abstract readonly method: string;
  protected readonly d: number;
  protected readonly rng: RandomStream;
  protected readonly budget: number;
  /** Points evaluated so far (told back). */
  protected evaluations = 0;
  /** Points whose evaluation failed (non-finite fitness). */
  protected failures = 0;
  protected bestX: number[] | null = null;
  protected bestFitness = Number.NEGATIVE_INFINITY;
  private pending: number[][] | null = null;
  private pendingFitness: number[] = [];
  private pendingTold: boolean[] = [];
  private pendingIndex = new Map<string, number[]>();
  private told = 0;

  constructor(options: CommonOptimizerOptions) {
    checkCommonOptions(options);
    this.d = options.dimensions;
    this.rng = options.rng;
    this.budget = options.budget;
  }

  /** Returns the number of points the budget still allows, counting the batch in flight. */
  protected remaining(): number {
    return this.budget - this.evaluations - (this.pending?.length ?? 0);
  }

  protected abstract propose(): number[][] | null;
  protected abstract absorb(batch: readonly number[][], fitness: readonly number[]): void;
  protected abstract details(): Record<string, unknown>;

  ask(): number[][] | null {
    if (this.pending !== null) {
      throw new InvalidArgumentError(
        `${this.method}: ask() called before tell() reported every point of the previous batch (${this.told} of ${this.pending.length} told)`,
      );
    }
    if (this.remaining() <= 0) return null;
    const batch = this.propose();
    if (batch === null || batch.length === 0) return null;
    if (batch.length > this.remaining()) batch.length = this.remaining();
    this.pending = batch;
    this.pendingFitness = new Array<number>(batch.length).fill(Number.NEGATIVE_INFINITY);
    this.pendingTold = new Array<boolean>(batch.length).fill(false);
    this.told = 0;
    this.pendingIndex = new Map();
    batch.forEach((x, i) => {
      const key = pointKey(x);
      const slots = this.pendingIndex.get(key);
      if (slots === undefined) this.pendingIndex.set(key, [i]);
      else slots.push(i);
    });
    return batch.map((x) => x.slice());
  }

  tell(results: ReadonlyArray<OptimizerResult>): void {
    if (this.pending === null) throw new InvalidArgumentError(`${this.method}: tell() called with no batch in flight (call ask() first)`);
    for (const r of results) {
      const slots = r !== null && typeof r === 'object' && Array.isArray(r.x) ? this.pendingIndex.get(pointKey(r.x)) : undefined;
      // Duplicate points in one batch take the told results in turn.
      const slot = slots?.find((i) => !this.pendingTold[i]);
      if (slot === undefined) {
        throw new InvalidArgumentError(
          `${this.method}: tell() got a point that is not pending in the last batch (or was told twice): x=${JSON.stringify(r?.x)}`,
        );
      }
      this.pendingTold[slot] = true;
      this.pendingFitness[slot] = effectiveFitness(r.fitness);
      this.told++;
    }
    if (this.told < this.pending.length) return;
    const batch = this.pending;
    const fitness = this.pendingFitness;
    this.pending = null;
    this.evaluations += batch.length;
    for (let i = 0; i < batch.length; i++) {
      const f = fitness[i]!;
      if (f === Number.NEGATIVE_INFINITY) this.failures++;
      else if (f > this.bestFitness) {
        this.bestFitness = f;
        this.bestX = batch[i]!.slice();
      }
    }
    this.absorb(batch, fitness);
  }

  summary(): Record<string, unknown> {
    return {
      method: this.method,
      dimensions: this.d,
      budget: this.budget,
      evaluations: this.evaluations,
      failures: this.failures,
      bestX: this.bestX === null ? null : this.bestX.slice(),
      bestFitness: this.bestX === null ? null : this.bestFitness,
      ...this.details(),
    };
  }
}

/** Throws when `options` has a key outside `known`, naming it (a misspelt option is an error, not a silent default). */
export function checkKnownOptions(method: string, options: object, known: readonly string[]): void {
  const allowed = new Set(['dimensions', 'rng', 'budget', ...known]);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new InvalidArgumentError(`invalid option '${key}' for ${method}: unknown (known: ${[...allowed].join(', ')})`);
    }
  }
}
