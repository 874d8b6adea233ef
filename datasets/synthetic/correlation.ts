import { InvalidArgumentError } from '../../engine/core/index.js';
import type { SymbolProfile } from './profiles.js';

/** Returns the one-factor correlation matrix: 1 on the diagonal, b_i * b_j elsewhere (always positive definite for |b| < 1). */
export function oneFactorCorrelation(profiles: readonly SymbolProfile[]): number[][] {
  return profiles.map((a, i) => profiles.map((b, j) => (i === j ? 1 : a.marketLoading * b.marketLoading)));
}

/**
 * Returns the lower-triangular Cholesky factor L (row-major, n*n) with L L' = `matrix`; throws
 * InvalidArgumentError when the matrix is not positive definite.
 */
export function choleskyFactor(matrix: readonly (readonly number[])[]): Float64Array {
  const n = matrix.length;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 1e-12)) {
          throw new InvalidArgumentError(`invalid 'correlation': not positive definite (pivot ${i} is ${sum})`);
        }
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  return l;
}
