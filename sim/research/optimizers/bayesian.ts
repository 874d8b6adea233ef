import { checkNonNegative, checkOneOf, checkPositiveInteger, InvalidArgumentError } from '../../../engine/core/index.js';
import { expectedImprovement, GaussianProcess, normalScores, type KernelKind } from './gaussian-process.js';
import { AskTellOptimizer, checkKnownOptions, latinHypercube, reflectUnit, uniformPoint, type CommonOptimizerOptions } from './optimizer.js';

/** Options of {@link BayesianOptimizer}. */
export interface BayesianOptions extends CommonOptimizerOptions {
  /** Size of the initial Latin hypercube design (default max(5, 2 d + 1), at most the budget). */
  readonly initialPoints?: number;
  /** Points per batch after the initial design (default 1); a batch is filled by the kriging believer. */
  readonly batchSize?: number;
  /** Covariance function (default 'matern52'). */
  readonly kernel?: KernelKind;
  /** Candidate length scales for the marginal-likelihood grid (unit-cube units). */
  readonly lengthScales?: readonly number[];
  /** Candidate noise variances (relative to the standardised signal) for the grid. */
  readonly noises?: readonly number[];
  /** Random candidates scored by expected improvement per pick (default 1000). */
  readonly candidates?: number;
  /** Gaussian perturbation steps refining the best candidate (default 40). */
  readonly refineSteps?: number;
  /** Exploration margin of the expected improvement, in standardised output units (default 0.01). */
  readonly xi?: number;
  /**
   * What the process models: 'none' (default) the fitness values themselves; 'rank' their normal scores (robust to
   * scale and outliers, at the price of ignoring how much better a point is).
   */
  readonly outputTransform?: OutputTransform;
}

/** How fitness values are transformed before the process is fitted (monotone, so the best stays the best). */
export type OutputTransform = 'rank' | 'none';

const KNOWN = ['initialPoints', 'batchSize', 'kernel', 'lengthScales', 'noises', 'candidates', 'refineSteps', 'xi', 'outputTransform'] as const;
const DEFAULT_LENGTH_SCALES = [0.03, 0.06, 0.1, 0.15, 0.25, 0.4, 0.7, 1.2, 2];
const DEFAULT_NOISES = [1e-6, 1e-4, 1e-2, 1e-1];

function checkPositiveList(values: readonly number[], name: string): number[] {
  if (!Array.isArray(values) || values.length === 0) throw new InvalidArgumentError(`invalid '${name}': expected a non-empty array of positive numbers, was ${JSON.stringify(values)}`);
  return values.map((v, i) => {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`invalid '${name}[${i}]': not a positive number, was ${String(v)}`);
    return v;
  });
}

/** One step of the model-based phase, kept in the summary. */
export interface BayesianIteration {
  readonly evaluations: number;
  readonly lengthScale: number;
  readonly noise: number;
  readonly logMarginalLikelihood: number;
  /** Expected improvement of each point picked for the batch (standardised output units). */
  readonly expectedImprovement: number[];
}

/**
 * Bayesian optimization: a Gaussian process (Matern 5/2 or RBF, isotropic, unit signal variance on
 * standardised outputs, optionally fitted to the normal scores of the fitness ranks) whose length scale and noise are chosen by maximum marginal likelihood over
 * a small grid, and expected improvement maximised over random candidates (uniform points plus
 * perturbations of the best observed points) followed by a local refinement of the best candidate
 * with a shrinking gaussian step.
 *
 * The first batch is a seeded Latin hypercube. Each later batch of `batchSize` points is picked one
 * at a time, each pick added to the model with its predicted mean as a pretend observation (the
 * "kriging believer") so that one batch spreads out. Failed trials are given the worst finite
 * fitness seen so far, which steers the search away from them without distorting the scale; while
 * nothing has succeeded, points are drawn uniformly. The search runs until the budget is spent.
 */
export class BayesianOptimizer extends AskTellOptimizer {
  readonly method = 'bayes';
  private readonly initialPoints: number;
  private readonly batchSize: number;
  private readonly kernel: KernelKind;
  private readonly lengthScales: number[];
  private readonly noises: number[];
  private readonly candidates: number;
  private readonly refineSteps: number;
  private readonly xi: number;
  private readonly outputTransform: OutputTransform;
  private readonly xs: number[][] = [];
  /** Fitness per observed point; -Infinity for failures. */
  private readonly fs: number[] = [];
  private readonly iterations: BayesianIteration[] = [];

  constructor(options: BayesianOptions) {
    super(options);
    checkKnownOptions('bayes', options, KNOWN);
    const d = options.dimensions;
    this.initialPoints = Math.min(checkPositiveInteger(options.initialPoints ?? Math.max(5, 2 * d + 1), 'initialPoints'), options.budget);
    this.batchSize = checkPositiveInteger(options.batchSize ?? 1, 'batchSize');
    this.kernel = checkOneOf(options.kernel ?? 'matern52', ['matern52', 'rbf'], 'kernel');
    this.lengthScales = checkPositiveList(options.lengthScales ?? DEFAULT_LENGTH_SCALES, 'lengthScales');
    this.noises = checkPositiveList(options.noises ?? DEFAULT_NOISES, 'noises');
    this.candidates = checkPositiveInteger(options.candidates ?? 1000, 'candidates');
    this.refineSteps = checkNonNegative(options.refineSteps ?? 40, 'refineSteps');
    this.xi = checkNonNegative(options.xi ?? 0.01, 'xi');
    this.outputTransform = checkOneOf(options.outputTransform ?? 'none', ['rank', 'none'], 'outputTransform');
  }

  protected propose(): number[][] {
    if (this.xs.length === 0) return latinHypercube(this.initialPoints, this.d, this.rng);
    const n = Math.min(this.batchSize, this.remaining());
    const finite = this.fs.filter((f) => f !== Number.NEGATIVE_INFINITY);
    if (finite.length === 0) return Array.from({ length: n }, () => uniformPoint(this.d, this.rng));
    const worst = Math.min(...finite);
    const xs = this.xs.map((x) => x.slice());
    const imputed = this.fs.map((f) => (f === Number.NEGATIVE_INFINITY ? worst : f));
    const ys = this.outputTransform === 'rank' ? normalScores(imputed) : imputed;
    const gp0 = GaussianProcess.fitBest(this.kernel, xs, ys, this.lengthScales, this.noises);
    if (gp0 === null) return Array.from({ length: n }, () => uniformPoint(this.d, this.rng));
    const best = Math.max(...ys);
    const batch: number[][] = [];
    const eis: number[] = [];
    let gp: GaussianProcess = gp0;
    for (let b = 0; b < n; b++) {
      const { x, ei } = this.maximiseEi(gp, xs, ys, best);
      batch.push(x);
      eis.push(ei / gp.outputScale);
      if (b + 1 < n) {
        xs.push(x);
        ys.push(gp.predict(x).mean);
        // Same hyperparameters for the pretend points: they carry no information about them.
        gp = GaussianProcess.fit(this.kernel, gp0.hyper, xs, ys) ?? gp;
      }
    }
    this.iterations.push({
      evaluations: this.evaluations,
      lengthScale: gp0.hyper.lengthScale,
      noise: gp0.hyper.noise,
      logMarginalLikelihood: gp0.logMarginalLikelihood,
      expectedImprovement: eis,
    });
    return batch;
  }

  private maximiseEi(gp: GaussianProcess, xs: readonly number[][], ys: readonly number[], best: number): { x: number[]; ei: number } {
    const xiUnits = this.xi * gp.outputScale;
    const score = (x: readonly number[]): number => {
      const p = gp.predict(x);
      return expectedImprovement(p.mean, p.std, best, xiUnits);
    };
    // Perturbations of the best observed points make the candidate set dense where it matters.
    const order = ys.map((y, i) => ({ y, i })).sort((a, b) => (b.y === a.y ? a.i - b.i : b.y - a.y));
    const anchors = order.slice(0, Math.min(5, order.length)).map((e) => xs[e.i]!);
    const localCount = Math.floor(this.candidates / 2);
    let bestX: number[] = anchors[0]!.slice();
    let bestEi = score(bestX);
    for (let c = 0; c < this.candidates; c++) {
      let x: number[];
      if (c < localCount) {
        const a = anchors[c % anchors.length]!;
        const scale = c % 2 === 0 ? 0.02 : 0.1;
        x = a.map((v) => reflectUnit(v + scale * this.rng.normal()));
      } else {
        x = uniformPoint(this.d, this.rng);
      }
      const ei = score(x);
      if (ei > bestEi) {
        bestEi = ei;
        bestX = x;
      }
    }
    let radius = 0.05;
    for (let s = 0; s < this.refineSteps; s++) {
      const x = bestX.map((v) => reflectUnit(v + radius * this.rng.normal()));
      const ei = score(x);
      if (ei > bestEi) {
        bestEi = ei;
        bestX = x;
      } else {
        radius = Math.max(radius * 0.85, 1e-4);
      }
    }
    return { x: bestX, ei: bestEi };
  }

  protected absorb(batch: readonly number[][], fitness: readonly number[]): void {
    for (let i = 0; i < batch.length; i++) {
      this.xs.push(batch[i]!.slice());
      this.fs.push(fitness[i]!);
    }
  }

  protected details(): Record<string, unknown> {
    const last = this.iterations[this.iterations.length - 1];
    return {
      kernel: this.kernel,
      initialPoints: this.initialPoints,
      batchSize: this.batchSize,
      lengthScale: last?.lengthScale ?? null,
      noise: last?.noise ?? null,
      iterations: this.iterations.slice(),
      outputTransform: this.outputTransform,
      settings: { candidates: this.candidates, refineSteps: this.refineSteps, xi: this.xi, lengthScales: this.lengthScales, noises: this.noises },
    };
  }
}
