/** An evaluated member of a population. */
import { checkNonNegative, checkPositiveInteger } from '../../../engine/core/index.js';

export interface Member {
  readonly x: number[];
  /** Fitness; -Infinity for a failed trial. */
  readonly fitness: number;
}

/** Returns the members sorted best first; ties keep their original order (a stable sort), so ranking is deterministic. */
export function rankMembers(members: readonly Member[]): Member[] {
  return members
    .map((m, i) => ({ m, i }))
    .sort((a, b) => (b.m.fitness === a.m.fitness ? a.i - b.i : b.m.fitness > a.m.fitness ? 1 : -1))
    .map((e) => e.m);
}

/** Returns the best member (the first of the best on ties), or undefined for an empty population. */
export function bestMember(members: readonly Member[]): Member | undefined {
  let best: Member | undefined;
  for (const m of members) if (best === undefined || m.fitness > best.fitness) best = m;
  return best;
}

/**
 * Returns the population's diversity: the mean over dimensions of the per-dimension standard
 * deviation of the members' coordinates (0 when every member sits on the same point).
 */
export function diversity(members: readonly Member[]): number {
  const n = members.length;
  if (n < 2) return 0;
  const d = members[0]!.x.length;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (const m of members) mean += m.x[j]!;
    mean /= n;
    let ss = 0;
    for (const m of members) ss += (m.x[j]! - mean) ** 2;
    total += Math.sqrt(ss / n);
  }
  return total / d;
}

/** Returns the mean of the finite fitness values, or null when there is none. */
export function meanFinite(members: readonly Member[]): number | null {
  let sum = 0;
  let count = 0;
  for (const m of members) {
    if (Number.isFinite(m.fitness)) {
      sum += m.fitness;
      count++;
    }
  }
  return count === 0 ? null : sum / count;
}

/** Per-generation record kept in summaries. */
export interface GenerationRecord {
  readonly generation: number;
  /** Best fitness in the population after the generation (null when every member failed). */
  readonly best: number | null;
  /** Mean finite fitness of the population (null when every member failed). */
  readonly mean: number | null;
  readonly diversity: number;
  /** Points evaluated so far. */
  readonly evaluations: number;
}

/**
 * Returns true when the best fitness improved by at most `tolerance` over the last `patience`
 * generations (`bests` oldest first). A run of failed generations (-Infinity) counts as no progress.
 */
export function stalled(bests: readonly number[], patience: number, tolerance: number): boolean {
  if (bests.length <= patience) return false;
  const now = bests[bests.length - 1]!;
  const then = bests[bests.length - 1 - patience]!;
  if (now === Number.NEGATIVE_INFINITY) return true;
  return now - then <= tolerance;
}

/** Convergence settings shared by the population optimizers. */
export interface ConvergenceOptions {
  /** Generations without an improvement above `tolerance` after which the search has converged (default 20). */
  readonly patience?: number;
  /** Smallest improvement of the best fitness that counts as progress (default 1e-9). */
  readonly tolerance?: number;
  /** Population diversity (mean per-dimension std) below which the search has converged (default 1e-6). */
  readonly minDiversity?: number;
}

/**
 * The per-generation record of a population optimizer (GA, DE) and its convergence test: after each
 * generation `record` logs best, mean and diversity, and marks the search converged when the best
 * fitness stalled for `patience` generations or the population collapsed below `minDiversity`.
 */
export class GenerationLog {
  readonly patience: number;
  readonly tolerance: number;
  readonly minDiversity: number;
  readonly history: GenerationRecord[] = [];
  private readonly bests: number[] = [];
  converged = false;
  convergence: 'stalled' | 'diversity' | null = null;

  constructor(options: ConvergenceOptions) {
    this.patience = checkPositiveInteger(options.patience ?? 20, 'patience');
    this.tolerance = checkNonNegative(options.tolerance ?? 1e-9, 'tolerance');
    this.minDiversity = checkNonNegative(options.minDiversity ?? 1e-6, 'minDiversity');
  }

  /** Generations recorded so far. */
  get generations(): number {
    return this.history.length;
  }

  /** Records the population after a generation and updates the convergence state. */
  record(population: readonly Member[], evaluations: number): void {
    const best = bestMember(population)!.fitness;
    const div = diversity(population);
    this.bests.push(best);
    this.history.push({
      generation: this.history.length,
      best: Number.isFinite(best) ? best : null,
      mean: meanFinite(population),
      diversity: div,
      evaluations,
    });
    if (stalled(this.bests, this.patience, this.tolerance)) {
      this.converged = true;
      this.convergence = 'stalled';
    } else if (div < this.minDiversity) {
      this.converged = true;
      this.convergence = 'diversity';
    }
  }

  /** The summary fields every population optimizer reports. */
  summary(): { generations: number; bestPerGeneration: (number | null)[]; history: GenerationRecord[]; converged: boolean; convergence: 'stalled' | 'diversity' | null } {
    return {
      generations: this.history.length,
      bestPerGeneration: this.history.map((g) => g.best),
      history: this.history.slice(),
      converged: this.converged,
      convergence: this.convergence,
    };
  }

  /** The convergence settings, for summaries. */
  settings(): { patience: number; tolerance: number; minDiversity: number } {
    return { patience: this.patience, tolerance: this.tolerance, minDiversity: this.minDiversity };
  }
}
