/** An evaluated member of a population. */
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
