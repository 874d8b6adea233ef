import quadprog from 'quadprog';

/**
 * Solves the optimizer's program with the quadprog package (Goldfarb-Idnani, an R port): the
 * fallback when the dedicated active-set solver does not converge. quadprog needs 1-indexed arrays,
 * mutates them and needs a strictly positive-definite matrix, so `ridge` is added to Q's diagonal
 * (the caller reports it). Returns the solution, or the solver's message when it fails.
 */
export function solveWithQuadprog(
  n: number,
  q: Float64Array,
  c: Float64Array,
  upper: number,
  ridge: number,
): { weights: number[] } | { message: string } {
  const dmat: number[][] = [[]];
  const dvec: number[] = [0];
  const amat: number[][] = [[]];
  const constraints = 2 * n + 1;
  const bvec: number[] = [0, 1];
  for (let i = 1; i <= n; i++) {
    const row: number[] = [0];
    for (let j = 1; j <= n; j++) row.push(q[(i - 1) * n + (j - 1)]! + (i === j ? ridge : 0));
    dmat.push(row);
    dvec.push(c[i - 1]!);
    // Columns: 1 = budget (equality), 2..n+1 = x_k >= 0, n+2..2n+1 = -x_k >= -upper.
    const a: number[] = new Array<number>(constraints + 1).fill(0);
    a[1] = 1;
    a[1 + i] = 1;
    a[1 + n + i] = -1;
    amat.push(a);
  }
  for (let k = 0; k < n; k++) bvec.push(0);
  for (let k = 0; k < n; k++) bvec.push(-upper);
  const result = quadprog.solveQP(dmat, dvec, amat, bvec, 1);
  if (result.message !== '' || result.solution === undefined) return { message: result.message || 'no solution returned' };
  const weights = result.solution.slice(1, n + 1);
  if (weights.length !== n || weights.some((w) => !Number.isFinite(w))) return { message: 'non-finite solution' };
  return { weights };
}
