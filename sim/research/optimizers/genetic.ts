import { checkInRange, checkNonNegative, checkOneOf, checkPositive, checkPositiveInteger, InvalidArgumentError } from '../../../engine/core/index.js';
import { AskTellOptimizer, checkKnownOptions, clipUnit, latinHypercube, type CommonOptimizerOptions } from './optimizer.js';
import { diversity, rankMembers, type Member, GenerationLog, type ConvergenceOptions } from './population.js';

/** How two parents make a child. */
export type CrossoverKind = 'blend' | 'uniform';

/** Options of {@link GeneticOptimizer} (defaults from seed 001's `ga` block where it has one). */
export interface GeneticOptions extends CommonOptimizerOptions, ConvergenceOptions {
  /** Members per generation (default 20). */
  readonly populationSize?: number;
  /** Maximum generations, the initial one included (default: as many as the budget allows). */
  readonly generations?: number;
  /** Members drawn per tournament (default 3). */
  readonly tournamentSize?: number;
  /** Probability that a child is a crossover of two parents rather than a copy of one (default 0.7). */
  readonly crossoverRate?: number;
  /** 'blend' (BLX-alpha, default) or 'uniform' (each gene from either parent). */
  readonly crossover?: CrossoverKind;
  /** BLX alpha: how far past the parents' interval a blended gene may land (default 0.5). */
  readonly blendAlpha?: number;
  /** Probability that each gene of a child is mutated (default 0.1). */
  readonly mutationRate?: number;
  /** Standard deviation of the gaussian mutation in unit space, clipped into [0, 1] (default 0.1). */
  readonly mutationScale?: number;
  /** Members copied unchanged into the next generation (default 10% of the population, at least 1). */
  readonly elitism?: number;
}

const KNOWN = [
  'populationSize', 'generations', 'tournamentSize', 'crossoverRate', 'crossover', 'blendAlpha', 'mutationRate',
  'mutationScale', 'elitism', 'patience', 'tolerance', 'minDiversity',
] as const;

/**
 * A genetic algorithm over [0, 1]^d. Generation 0 is a Latin hypercube. Each later generation keeps
 * the `elitism` best members unchanged (they are not re-evaluated) and fills the rest with children:
 * two parents picked by tournament, crossed over with probability `crossoverRate`, then each gene
 * mutated with probability `mutationRate` by a gaussian step clipped into the cube.
 *
 * The search stops when the budget or `generations` is used up, or converges when the best fitness
 * has not improved by more than `tolerance` over `patience` generations or the population's
 * diversity falls below `minDiversity`. Failed trials (-Infinity) lose every tournament they meet a
 * finite member in and are never elites unless the whole population failed.
 */
export class GeneticOptimizer extends AskTellOptimizer {
  private readonly log: GenerationLog;
  readonly method = 'ga';
  private readonly populationSize: number;
  private readonly maxGenerations: number;
  private readonly tournamentSize: number;
  private readonly crossoverRate: number;
  private readonly crossoverKind: CrossoverKind;
  private readonly blendAlpha: number;
  private readonly mutationRate: number;
  private readonly mutationScale: number;
  private readonly elitism: number;
  private population: Member[] = [];

  constructor(options: GeneticOptions) {
    super(options);
    checkKnownOptions('ga', options, KNOWN);
    this.populationSize = checkPositiveInteger(options.populationSize ?? 20, 'populationSize');
    if (this.populationSize < 2) throw new InvalidArgumentError(`invalid 'populationSize': below 2, was ${this.populationSize}`);
    this.maxGenerations = options.generations === undefined ? Number.POSITIVE_INFINITY : checkPositiveInteger(options.generations, 'generations');
    this.tournamentSize = checkPositiveInteger(options.tournamentSize ?? 3, 'tournamentSize');
    this.crossoverRate = checkInRange(options.crossoverRate ?? 0.7, 0, 1, 'crossoverRate');
    this.crossoverKind = checkOneOf(options.crossover ?? 'blend', ['blend', 'uniform'], 'crossover');
    this.blendAlpha = checkNonNegative(options.blendAlpha ?? 0.5, 'blendAlpha');
    this.mutationRate = checkInRange(options.mutationRate ?? 0.1, 0, 1, 'mutationRate');
    this.mutationScale = checkPositive(options.mutationScale ?? 0.1, 'mutationScale');
    this.elitism = checkNonNegative(options.elitism ?? Math.max(1, Math.round(0.1 * this.populationSize)), 'elitism');
    if (!Number.isInteger(this.elitism) || this.elitism >= this.populationSize) {
      throw new InvalidArgumentError(`invalid 'elitism': not a whole number below populationSize (${this.populationSize}), was ${this.elitism}`);
    }
    this.log = new GenerationLog(options);
  }

  protected propose(): number[][] | null {
    if (this.log.converged || this.log.generations >= this.maxGenerations) return null;
    if (this.population.length === 0) return latinHypercube(this.populationSize, this.d, this.rng);
    const children = Math.min(this.populationSize - this.elitism, this.remaining());
    const batch: number[][] = [];
    for (let i = 0; i < children; i++) batch.push(this.child());
    return batch;
  }

  protected absorb(batch: readonly number[][], fitness: readonly number[]): void {
    const evaluated: Member[] = batch.map((x, i) => ({ x: x.slice(), fitness: fitness[i]! }));
    if (this.population.length === 0) {
      this.population = evaluated;
    } else {
      const ranked = rankMembers(this.population);
      const next = [...ranked.slice(0, this.elitism), ...evaluated];
      // A batch cut short by the budget is topped up with the previous generation's next best.
      for (let i = this.elitism; next.length < this.populationSize && i < ranked.length; i++) next.push(ranked[i]!);
      this.population = next;
    }
    this.log.record(this.population, this.evaluations);
  }

  private tournament(): Member {
    const pop = this.population;
    let best = pop[this.rng.int(0, pop.length - 1)]!;
    for (let k = 1; k < this.tournamentSize; k++) {
      const m = pop[this.rng.int(0, pop.length - 1)]!;
      if (m.fitness > best.fitness) best = m;
    }
    return best;
  }

  private child(): number[] {
    const a = this.tournament();
    const b = this.tournament();
    const x = a.x.slice();
    if (this.rng.next() < this.crossoverRate) {
      for (let j = 0; j < this.d; j++) {
        const p = a.x[j]!;
        const q = b.x[j]!;
        if (this.crossoverKind === 'uniform') {
          x[j] = this.rng.next() < 0.5 ? p : q;
        } else {
          const lo = Math.min(p, q);
          const span = Math.abs(p - q);
          x[j] = clipUnit(this.rng.uniform(lo - this.blendAlpha * span, lo + span + this.blendAlpha * span));
        }
      }
    }
    for (let j = 0; j < this.d; j++) {
      if (this.rng.next() < this.mutationRate) x[j] = clipUnit(x[j]! + this.mutationScale * this.rng.normal());
    }
    return x;
  }

  protected details(): Record<string, unknown> {
    return {
      populationSize: this.populationSize,
      ...this.log.summary(),
      settings: {
        tournamentSize: this.tournamentSize,
        crossoverRate: this.crossoverRate,
        crossover: this.crossoverKind,
        blendAlpha: this.blendAlpha,
        mutationRate: this.mutationRate,
        mutationScale: this.mutationScale,
        elitism: this.elitism,
        ...this.log.settings(),
      },
    };
  }
}
