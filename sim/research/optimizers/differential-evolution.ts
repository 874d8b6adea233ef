import { checkInRange, checkOneOf, checkPositive, checkPositiveInteger, InvalidArgumentError } from '../../../engine/core/index.js';
import { AskTellOptimizer, checkKnownOptions, clipUnit, latinHypercube, reflectUnit, type CommonOptimizerOptions } from './optimizer.js';
import { diversity, type Member, GenerationLog, type ConvergenceOptions } from './population.js';

/** What happens to a mutant coordinate outside [0, 1]. */
export type BoundsHandling = 'reflect' | 'clip';

/** Options of {@link DifferentialEvolution}. */
export interface DifferentialEvolutionOptions extends CommonOptimizerOptions, ConvergenceOptions {
  /** Members (default max(10, 10 d)), >= 4. */
  readonly populationSize?: number;
  /** Maximum generations, the initial one included (default: as many as the budget allows). */
  readonly generations?: number;
  /** Differential weight F in (0, 2] (default 0.8). */
  readonly differentialWeight?: number;
  /** Crossover probability CR in [0, 1] (default 0.9). */
  readonly crossoverRate?: number;
  /** 'reflect' (default) mirrors a coordinate back into [0, 1]; 'clip' clamps it to the face. */
  readonly bounds?: BoundsHandling;
}

const KNOWN = ['populationSize', 'generations', 'differentialWeight', 'crossoverRate', 'bounds', 'patience', 'tolerance', 'minDiversity'] as const;

/**
 * Differential evolution, DE/rand/1/bin (Storn and Price 1997). Generation 0 is a Latin hypercube;
 * then, for each target member i, a mutant v = x_r1 + F (x_r2 - x_r3) from three distinct other
 * members, brought back into the cube by reflection or clipping, is crossed binomially with x_i
 * (each coordinate from v with probability CR, one coordinate always); the trial replaces x_i when
 * its fitness is at least x_i's. A failed trial (-Infinity) never replaces a finite member.
 *
 * Stops with the budget or `generations`; converges when the best fitness stalls over `patience`
 * generations or the population's diversity falls below `minDiversity`.
 */
export class DifferentialEvolution extends AskTellOptimizer {
  private readonly log: GenerationLog;
  readonly method = 'de';
  private readonly populationSize: number;
  private readonly maxGenerations: number;
  private readonly f: number;
  private readonly cr: number;
  private readonly bounds: BoundsHandling;
  private population: Member[] = [];
  /** Index in the population of each trial in flight. */
  private targets: number[] = [];
  private replacements = 0;

  constructor(options: DifferentialEvolutionOptions) {
    super(options);
    checkKnownOptions('de', options, KNOWN);
    this.populationSize = checkPositiveInteger(options.populationSize ?? Math.max(10, 10 * options.dimensions), 'populationSize');
    if (this.populationSize < 4) throw new InvalidArgumentError(`invalid 'populationSize': below 4 (DE/rand/1 needs three others), was ${this.populationSize}`);
    this.maxGenerations = options.generations === undefined ? Number.POSITIVE_INFINITY : checkPositiveInteger(options.generations, 'generations');
    this.f = checkPositive(options.differentialWeight ?? 0.8, 'differentialWeight');
    if (this.f > 2) throw new InvalidArgumentError(`invalid 'differentialWeight': above 2, was ${this.f}`);
    this.cr = checkInRange(options.crossoverRate ?? 0.9, 0, 1, 'crossoverRate');
    this.bounds = checkOneOf(options.bounds ?? 'reflect', ['reflect', 'clip'], 'bounds');
    this.log = new GenerationLog(options);
  }

  protected propose(): number[][] | null {
    if (this.log.converged || this.log.generations >= this.maxGenerations) return null;
    if (this.population.length === 0) return latinHypercube(this.populationSize, this.d, this.rng);
    const n = Math.min(this.populationSize, this.remaining());
    const batch: number[][] = [];
    this.targets = [];
    for (let i = 0; i < n; i++) {
      batch.push(this.trial(i));
      this.targets.push(i);
    }
    return batch;
  }

  private pickOther(exclude: readonly number[]): number {
    for (;;) {
      const r = this.rng.int(0, this.populationSize - 1);
      if (!exclude.includes(r)) return r;
    }
  }

  private trial(i: number): number[] {
    const r1 = this.pickOther([i]);
    const r2 = this.pickOther([i, r1]);
    const r3 = this.pickOther([i, r1, r2]);
    const a = this.population[r1]!.x;
    const b = this.population[r2]!.x;
    const c = this.population[r3]!.x;
    const target = this.population[i]!.x;
    const jRand = this.rng.int(0, this.d - 1);
    const u = new Array<number>(this.d);
    for (let j = 0; j < this.d; j++) {
      if (this.rng.next() < this.cr || j === jRand) {
        const v = a[j]! + this.f * (b[j]! - c[j]!);
        u[j] = this.bounds === 'reflect' ? reflectUnit(v) : clipUnit(v);
      } else {
        u[j] = target[j]!;
      }
    }
    return u;
  }

  protected absorb(batch: readonly number[][], fitness: readonly number[]): void {
    if (this.population.length === 0) {
      this.population = batch.map((x, i) => ({ x: x.slice(), fitness: fitness[i]! }));
    } else {
      // Selection after the whole generation: every trial was built from the same parents.
      for (let k = 0; k < batch.length; k++) {
        const i = this.targets[k]!;
        const f = fitness[k]!;
        if (f >= this.population[i]!.fitness) {
          this.population[i] = { x: batch[k]!.slice(), fitness: f };
          this.replacements++;
        }
      }
    }
    this.log.record(this.population, this.evaluations);
  }

  protected details(): Record<string, unknown> {
    return {
      populationSize: this.populationSize,
      ...this.log.summary(),
      replacements: this.replacements,
      settings: {
        differentialWeight: this.f,
        crossoverRate: this.cr,
        bounds: this.bounds,
        ...this.log.settings(),
      },
    };
  }
}
