import { InvalidArgumentError } from '../core/index.js';

/** Settings of {@link nelderMead}. */
export interface NelderMeadOptions {
  /** The initial simplex: x0 plus `step[i]` along each axis i (default 0.1 for every axis, or 0.05 |x0[i]| when larger). */
  readonly step?: ArrayLike<number>;
  /** Stops when every vertex's value is within fTol (absolute) plus fTol * |best| of the best (default 1e-12). */
  readonly fTol?: number;
  /** ... and every vertex is within xTol of the best along every axis (default 1e-10). */
  readonly xTol?: number;
  /** The most objective evaluations (default 200 * dimension^2 + 1000). */
  readonly maxEvaluations?: number;
}

/** What {@link nelderMead} found. */
export interface NelderMeadResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly evaluations: number;
  /** True when the tolerances stopped it, false when the evaluation budget did. */
  readonly converged: boolean;
}

/**
 * Minimizes `f` over R^n by the Nelder-Mead simplex method (reflection 1, expansion 2, contraction 1/2,
 * shrink 1/2; Lagarias et al. 1998), deterministic: ties keep the earlier vertex. A non-finite value
 * counts as +Infinity, so an objective can refuse a point by returning NaN or Infinity. Constraints
 * belong in a reparameterization of `x` (an unconstrained coordinate mapped onto the feasible set).
 */
export function nelderMead(f: (x: Float64Array) => number, x0: ArrayLike<number>, options: NelderMeadOptions = {}): NelderMeadResult {
  const n = x0.length;
  if (n < 1) throw new InvalidArgumentError('nelderMead: x0 is empty');
  const fTol = options.fTol ?? 1e-12;
  const xTol = options.xTol ?? 1e-10;
  const maxEvaluations = options.maxEvaluations ?? 200 * n * n + 1000;
  let evaluations = 0;
  const value = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  // Vertices as rows; `order` keeps vertex indices sorted by value (best first).
  const vertices: Float64Array[] = [];
  const values = new Float64Array(n + 1);
  for (let v = 0; v <= n; v++) {
    const x = Float64Array.from(x0);
    if (!x.every(Number.isFinite)) throw new InvalidArgumentError('nelderMead: x0 is not finite');
    if (v > 0) {
      const i = v - 1;
      const given = options.step?.[i];
      x[i] = x[i]! + (given ?? Math.max(0.1, 0.05 * Math.abs(x[i]!)));
    }
    vertices.push(x);
    values[v] = value(x);
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const sort = (): void => {
    order.sort((a, b) => values[a]! - values[b]! || a - b);
  };
  const centroid = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  const along = (out: Float64Array, worst: Float64Array, t: number): void => {
    for (let i = 0; i < n; i++) out[i] = centroid[i]! + t * (centroid[i]! - worst[i]!);
  };
  let converged = false;
  sort();
  while (evaluations < maxEvaluations) {
    const best = order[0]!;
    const worst = order[n]!;
    let spreadF = 0;
    let spreadX = 0;
    for (let k = 1; k <= n; k++) {
      const v = order[k]!;
      spreadF = Math.max(spreadF, Math.abs(values[v]! - values[best]!));
      for (let i = 0; i < n; i++) spreadX = Math.max(spreadX, Math.abs(vertices[v]![i]! - vertices[best]![i]!));
    }
    if (Number.isFinite(values[best]!) && spreadF <= fTol + fTol * Math.abs(values[best]!) && spreadX <= xTol) {
      converged = true;
      break;
    }
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const x = vertices[order[k]!]!;
      for (let i = 0; i < n; i++) centroid[i] = centroid[i]! + x[i]! / n;
    }
    const xw = vertices[worst]!;
    along(xr, xw, 1);
    const fr = value(xr);
    const fBest = values[best]!;
    const fSecondWorst = values[order[n - 1]!]!;
    const fWorst = values[worst]!;
    if (fr < fBest) {
      along(xe, xw, 2);
      const fe = value(xe);
      if (fe < fr) accept(worst, xe, fe);
      else accept(worst, xr, fr);
    } else if (fr < fSecondWorst) {
      accept(worst, xr, fr);
    } else {
      // Outside contraction when the reflection beats the worst, inside contraction otherwise.
      const outside = fr < fWorst;
      along(xc, xw, outside ? 0.5 : -0.5);
      const fc = value(xc);
      if (outside ? fc <= fr : fc < fWorst) {
        accept(worst, xc, fc);
      } else {
        const xb = vertices[best]!;
        for (let k = 1; k <= n; k++) {
          const v = order[k]!;
          const x = vertices[v]!;
          for (let i = 0; i < n; i++) x[i] = xb[i]! + 0.5 * (x[i]! - xb[i]!);
          values[v] = value(x);
        }
      }
    }
    sort();
  }
  const best = order[0]!;
  return { x: Float64Array.from(vertices[best]!), value: values[best]!, evaluations, converged };

  function accept(v: number, x: Float64Array, fx: number): void {
    vertices[v]!.set(x);
    values[v] = fx;
  }
}
