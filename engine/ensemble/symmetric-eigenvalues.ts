/**
 * Eigenvalues of a real symmetric matrix: Householder reduction to tridiagonal form followed by the
 * implicit QL algorithm (the EISPACK tred2/tql2 pair, as in JAMA). The eigenvector accumulation of
 * tql2 is skipped because callers here need only the spectrum (positive semi-definiteness and the
 * condition number); that keeps a 20 x 20 matrix in the low microseconds.
 */

/** Scratch buffers reused across calls of the same size. */
class EigenWorkspace {
  readonly v: Float64Array;
  readonly d: Float64Array;
  readonly e: Float64Array;
  constructor(readonly n: number) {
    this.v = new Float64Array(n * n);
    this.d = new Float64Array(n);
    this.e = new Float64Array(n);
  }
}

let workspace = new EigenWorkspace(0);

/**
 * Returns the eigenvalues of the symmetric `n x n` row-major matrix `a`, in ascending order, in
 * `out` (a new Float64Array when omitted). Only the lower triangle is read. A non-finite entry
 * gives NaN eigenvalues.
 */
export function symmetricEigenvalues(a: Float64Array, n: number, out?: Float64Array): Float64Array {
  const result = out ?? new Float64Array(n);
  if (n === 0) return result;
  if (n === 1) {
    result[0] = a[0]!;
    return result;
  }
  if (workspace.n !== n) workspace = new EigenWorkspace(n);
  const { v, d, e } = workspace;
  // Scaling by the largest entry keeps tiny (even subnormal) matrices away from underflow in the
  // rotations; the eigenvalues scale back exactly by the same factor.
  let maxAbs = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) maxAbs = Math.max(maxAbs, Math.abs(a[i * n + j]!));
  if (maxAbs === 0 || !Number.isFinite(maxAbs)) {
    result.fill(maxAbs === 0 ? 0 : Number.NaN, 0, n);
    return result;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    const x = a[i * n + j]! / maxAbs;
    v[i * n + j] = x;
    v[j * n + i] = x;
  }
  tred2(n, v, d, e);
  tql2(n, d, e);
  d.sort();
  for (let i = 0; i < n; i++) result[i] = d[i]! * maxAbs;
  return result;
}

function tred2(n: number, v: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j]!;
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[j * n + i] = f;
        g = e[j]! + v[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j]! * d[k]!;
          e[k] = e[k]! + v[k * n + j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[k * n + j] = v[k * n + j]! - (f * e[k]! + g * d[k]!);
        d[j] = v[(i - 1) * n + j]!;
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulating the transformations also restores the tridiagonal's diagonal into d.
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1]! * v[k * n + j]!;
        for (let k = 0; k <= i; k++) v[k * n + j] = v[k * n + j]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j]!;
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function tql2(n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  // The negligibility test uses the norm of the whole tridiagonal matrix rather than JAMA's running
  // maximum: with a zero leading diagonal the running maximum can be a lone subnormal off-diagonal
  // entry, which never tests negligible and overflows the shift.
  let tst1 = 0;
  for (let i = 0; i < n; i++) tst1 = Math.max(tst1, Math.abs(d[i]!) + Math.abs(e[i]!));
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let guard = 0;
      do {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        // QL converges in a handful of sweeps; the guard only stops a NaN from spinning forever.
      } while (Math.abs(e[l]!) > eps * tst1 && ++guard < 100);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
