import { InvalidArgumentError } from '../core/index.js';

/**
 * A dense row-major matrix of observations: `rows` observations (time) by `cols` variables
 * (assets or strategies). Estimators work on this flat layout because it keeps every inner loop on
 * one typed array.
 */
export interface RowMajorMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/**
 * Returns the observations of `x` (rows are observations) as a row-major Float64Array. Throws
 * InvalidArgumentError naming `name`, the row and the column when `x` is empty, ragged or holds a
 * non-finite value.
 */
export function toRowMajor(x: readonly (readonly number[])[], name = 'X'): RowMajorMatrix {
  const rows = x.length;
  if (rows === 0) throw new InvalidArgumentError(`invalid '${name}': no rows`);
  const cols = x[0]!.length;
  if (cols === 0) throw new InvalidArgumentError(`invalid '${name}': row 0 has no columns`);
  const data = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) {
    const row = x[t]!;
    if (row.length !== cols) {
      throw new InvalidArgumentError(`invalid '${name}': row ${t} has ${row.length} columns, row 0 has ${cols}`);
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v)) {
        throw new InvalidArgumentError(`invalid '${name}': row ${t}, column ${j} is not a finite number, was ${v}`);
      }
      data[t * cols + j] = v;
    }
  }
  return { rows, cols, data };
}

/** Returns the square row-major `n x n` matrix as nested arrays. */
export function toNested(data: Float64Array, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    // A plain loop: Array.from over a subarray goes through the iterator protocol, several times slower.
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(data[i * n + j]!);
    out.push(row);
  }
  return out;
}
