/**
 * A dense primal active-set solver for the quadratic program of the ensemble optimizer:
 *
 *   minimise (1/2) x'Qx - c'x   subject to   sum(x) = 1,   0 <= x_i <= u,
 *
 * with Q symmetric positive definite (positive semi-definite is handled by a ridge, reported).
 * The structure (one equality, simple bounds) makes each iteration cheap: the working set is the
 * set of variables pinned at a bound; on the free set F the equality-constrained minimiser is
 *   x_F = Q_FF^{-1} (b_F + nu 1),  b_F = c_F - Q_FW x_W,  nu = (r - 1'Q_FF^{-1} b_F) / (1'Q_FF^{-1} 1)
 * (one Cholesky factorisation, two triangular solves), where r = 1 - sum(x_W) and nu is the
 * multiplier of the budget constraint. Then either a step toward x_F stops at the first bound it
 * meets (that variable joins the working set), or, at the subproblem's minimiser, the bound with the
 * most negative multiplier leaves the working set; when no multiplier is negative the KKT conditions
 * hold and x is optimal. Deterministic (fixed iteration order, lowest index wins ties) and
 * allocation-free after the first solve of a given size.
 */

/** How a solve ended. 'singular' means Q_FF could not be factorised even with the largest ridge. */
export type BoxQpStatus = 'optimal' | 'max_iterations' | 'singular';

/** The outcome of one solve; the solution itself is written into the caller's `out` array. */
export interface BoxQpOutcome {
  readonly status: BoxQpStatus;
  /** Active-set iterations used (factorisations), over all ridge attempts. */
  readonly iterations: number;
  /** The ridge added to Q's diagonal to make it numerically positive definite (0 when none was needed). */
  readonly ridge: number;
  /** The multiplier nu of the budget constraint sum(x) = 1 at the solution. */
  readonly budgetMultiplier: number;
}

const FREE = 0;
const AT_LOWER = 1;
const AT_UPPER = 2;

/** Relative ridges tried, in order, when Q (restricted to the free set) is not numerically positive definite. */
const RIDGES = [0, 1e-12, 1e-10, 1e-8] as const;

/**
 * A reusable solver: buffers grow to the largest size seen and are reused, so repeated solves (the
 * rebalancing loop, resampling) allocate nothing but the small outcome object.
 */
export class SimplexBoxQpSolver {
  private capacity = 0;
  private x = new Float64Array(0);
  private state = new Int8Array(0);
  private free = new Int32Array(0);
  private chol = new Float64Array(0);
  private rhs = new Float64Array(0);
  private solA = new Float64Array(0);
  private solE = new Float64Array(0);
  private grad = new Float64Array(0);

  private ensureCapacity(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    this.x = new Float64Array(n);
    this.state = new Int8Array(n);
    this.free = new Int32Array(n);
    this.chol = new Float64Array(n * n);
    this.rhs = new Float64Array(n);
    this.solA = new Float64Array(n);
    this.solE = new Float64Array(n);
    this.grad = new Float64Array(n);
  }

  /**
   * Solves the program for the `n x n` row-major `q`, the linear term `c` and the upper bound
   * `upper`, writing the solution into `out`. The caller guarantees n * upper >= 1 (feasibility)
   * and finite inputs; `maxIterations` bounds each attempt (default 10 n + 100).
   */
  solve(n: number, q: Float64Array, c: Float64Array, upper: number, out: Float64Array, maxIterations = 10 * n + 100): BoxQpOutcome {
    this.ensureCapacity(n);
    let maxDiag = 0;
    let maxC = 0;
    for (let i = 0; i < n; i++) {
      maxDiag = Math.max(maxDiag, q[i * n + i]!);
      maxC = Math.max(maxC, Math.abs(c[i]!));
    }
    const diagScale = maxDiag > 0 ? maxDiag : 1;
    const dualTolerance = 1e-13 * (maxDiag + maxC) + Number.MIN_VALUE;
    let iterations = 0;
    for (const relativeRidge of RIDGES) {
      const ridge = relativeRidge * diagScale;
      const result = this.attempt(n, q, c, upper, ridge, diagScale, dualTolerance, maxIterations);
      iterations += result.iterations;
      if (result.status !== 'singular') {
        out.set(this.x.subarray(0, n));
        return { status: result.status, iterations, ridge, budgetMultiplier: result.nu };
      }
    }
    return { status: 'singular', iterations, ridge: RIDGES[RIDGES.length - 1]! * diagScale, budgetMultiplier: Number.NaN };
  }

  private attempt(
    n: number,
    q: Float64Array,
    c: Float64Array,
    upper: number,
    ridge: number,
    diagScale: number,
    dualTolerance: number,
    maxIterations: number,
  ): { status: BoxQpStatus; iterations: number; nu: number } {
    const { x, state, free, rhs, solA, solE, grad } = this;
    // Equal weights are feasible whenever the problem is (n * upper >= 1).
    const start = 1 / n;
    const startAtUpper = start >= upper;
    for (let i = 0; i < n; i++) {
      x[i] = startAtUpper ? upper : start;
      state[i] = startAtUpper ? AT_UPPER : FREE;
    }
    const pivotFloor = 1e-13 * diagScale;
    let nu = 0;
    for (let iteration = 1; iteration <= maxIterations; iteration++) {
      let m = 0;
      let fixedSum = 0;
      for (let i = 0; i < n; i++) {
        if (state[i] === FREE) free[m++] = i;
        else fixedSum += x[i]!;
      }
      if (m > 0) {
        for (let a = 0; a < m; a++) {
          const i = free[a]!;
          let b = c[i]!;
          for (let j = 0; j < n; j++) if (state[j] === AT_UPPER) b -= q[i * n + j]! * upper;
          rhs[a] = b;
        }
        if (!this.factorise(m, q, n, ridge, pivotFloor)) return { status: 'singular', iterations: iteration, nu };
        this.cholSolve(m, rhs, solA);
        solE.fill(1, 0, m);
        this.cholSolve(m, solE, solE);
        let sumA = 0;
        let sumE = 0;
        for (let a = 0; a < m; a++) {
          sumA += solA[a]!;
          sumE += solE[a]!;
        }
        nu = (1 - fixedSum - sumA) / sumE;
        // solA now holds the subproblem minimiser; find the longest feasible step toward it.
        let alpha = 1;
        let blocking = -1;
        let blockingSide = FREE;
        let maxStep = 0;
        for (let a = 0; a < m; a++) {
          const i = free[a]!;
          const target = solA[a]! + nu * solE[a]!;
          solA[a] = target;
          const p = target - x[i]!;
          maxStep = Math.max(maxStep, Math.abs(p));
          if (p < 0) {
            const t = -x[i]! / p;
            if (t < alpha) {
              alpha = t;
              blocking = i;
              blockingSide = AT_LOWER;
            }
          } else if (p > 0) {
            const t = (upper - x[i]!) / p;
            if (t < alpha) {
              alpha = t;
              blocking = i;
              blockingSide = AT_UPPER;
            }
          }
        }
        if (maxStep > 1e-13 && blocking >= 0) {
          for (let a = 0; a < m; a++) {
            const i = free[a]!;
            x[i] = x[i]! + alpha * (solA[a]! - x[i]!);
          }
          x[blocking] = blockingSide === AT_LOWER ? 0 : upper;
          state[blocking] = blockingSide;
          continue;
        }
        // Full step: x_F becomes the subproblem minimiser (clipped against rounding), so the
        // multipliers can be checked at once without another factorisation.
        for (let a = 0; a < m; a++) {
          const i = free[a]!;
          x[i] = Math.min(upper, Math.max(0, solA[a]!));
        }
      }
      // x minimises the objective on the working set: check the multipliers of the pinned bounds.
      for (let i = 0; i < n; i++) {
        let g = ridge * x[i]! - c[i]!;
        const row = i * n;
        for (let j = 0; j < n; j++) g += q[row + j]! * x[j]!;
        grad[i] = g;
      }
      if (m === 0) {
        // Every variable is pinned: nu may be any value in [max g over upper, min g over lower].
        let low = -Infinity;
        let high = Infinity;
        for (let i = 0; i < n; i++) {
          if (state[i] === AT_UPPER) low = Math.max(low, grad[i]!);
          else high = Math.min(high, grad[i]!);
        }
        nu = Number.isFinite(low) ? (Number.isFinite(high) ? Math.min(high, low) : low) : high;
      }
      let worst = -dualTolerance;
      let release = -1;
      for (let i = 0; i < n; i++) {
        const s = state[i];
        if (s === FREE) continue;
        const multiplier = s === AT_LOWER ? grad[i]! - nu : nu - grad[i]!;
        if (multiplier < worst) {
          worst = multiplier;
          release = i;
        }
      }
      if (release < 0) return this.finish(n, upper, iteration, nu);
      state[release] = FREE;
    }
    return { status: 'max_iterations', iterations: maxIterations, nu };
  }

  /** Restores sum(x) = 1 exactly against rounding by adjusting the free variable with the most room. */
  private finish(n: number, upper: number, iterations: number, nu: number): { status: BoxQpStatus; iterations: number; nu: number } {
    const { x, state } = this;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i]!;
    const residual = 1 - sum;
    if (residual !== 0) {
      let best = -1;
      let room = -1;
      for (let i = 0; i < n; i++) {
        if (state[i] !== FREE) continue;
        const r = residual > 0 ? upper - x[i]! : x[i]!;
        if (r > room) {
          room = r;
          best = i;
        }
      }
      if (best >= 0 && room >= Math.abs(residual)) x[best] = x[best]! + residual;
    }
    return { status: 'optimal', iterations, nu };
  }

  /** Cholesky-factorises Q_FF + ridge I into the lower triangle of `chol` (stride m); false when a pivot is not positive enough. */
  private factorise(m: number, q: Float64Array, n: number, ridge: number, pivotFloor: number): boolean {
    const { chol, free } = this;
    for (let a = 0; a < m; a++) {
      const ia = free[a]! * n;
      for (let b = 0; b <= a; b++) {
        let s = q[ia + free[b]!]!;
        if (a === b) s += ridge;
        const ra = a * m;
        const rb = b * m;
        for (let k = 0; k < b; k++) s -= chol[ra + k]! * chol[rb + k]!;
        if (a === b) {
          if (!(s > pivotFloor)) return false;
          chol[ra + a] = Math.sqrt(s);
        } else {
          chol[ra + b] = s / chol[rb + b]!;
        }
      }
    }
    return true;
  }

  /** Solves (L L') y = rhs for the current factor; `y` may alias `rhs`. */
  private cholSolve(m: number, rhs: Float64Array, y: Float64Array): void {
    const { chol } = this;
    for (let a = 0; a < m; a++) {
      let s = rhs[a]!;
      const ra = a * m;
      for (let k = 0; k < a; k++) s -= chol[ra + k]! * y[k]!;
      y[a] = s / chol[ra + a]!;
    }
    for (let a = m - 1; a >= 0; a--) {
      let s = y[a]!;
      for (let k = a + 1; k < m; k++) s -= chol[k * m + a]! * y[k]!;
      y[a] = s / chol[a * m + a]!;
    }
  }
}
