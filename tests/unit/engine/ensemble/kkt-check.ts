/**
 * An independent KKT check for the optimizer's program, written for the tests (it shares no code
 * with engine/ensemble): for min (1/2) w'Qw - c'w s.t. sum(w) = 1, 0 <= w <= u with
 * Q = lambda Sigma + 2 eta I and c = mu + 2 eta w_prev, the multipliers are recovered from the
 * active set (nu from the free weights; z_lower = g - nu at w = 0, z_upper = nu - g at w = u) and
 * the four conditions are measured.
 */
export interface KktReport {
  primal: number;
  stationarity: number;
  dualSign: number;
  complementarity: number;
}

export function kktReport(
  mu: readonly number[],
  sigma: readonly (readonly number[])[],
  lambda: number,
  eta: number,
  wPrev: readonly number[],
  wMax: number,
  w: readonly number[],
): KktReport {
  const n = mu.length;
  const u = Math.min(1, wMax);
  const active = 1e-10;
  const g = mu.map((_, i) => {
    let s = 2 * eta * w[i]! - mu[i]! - 2 * eta * wPrev[i]!;
    for (let j = 0; j < n; j++) s += lambda * sigma[i]![j]! * w[j]!;
    return s;
  });
  const sum = w.reduce((a, b) => a + b, 0);
  let primal = Math.abs(sum - 1);
  for (const x of w) primal = Math.max(primal, -x, x - u);
  const free = w.map((x, i) => (x > active && x < u - active ? i : -1)).filter((i) => i >= 0);
  let nu: number;
  if (free.length > 0) {
    nu = free.reduce((a, i) => a + g[i]!, 0) / free.length;
  } else {
    const lows = w.map((x, i) => (x >= u - active ? g[i]! : -Infinity));
    const highs = w.map((x, i) => (x <= active ? g[i]! : Infinity));
    const lo = Math.max(...lows);
    const hi = Math.min(...highs);
    nu = Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : Number.isFinite(lo) ? lo : hi;
  }
  let stationarity = 0;
  let dualSign = 0;
  let complementarity = 0;
  for (let i = 0; i < n; i++) {
    const x = w[i]!;
    const zLower = x <= active ? g[i]! - nu : 0;
    const zUpper = x >= u - active && !(x <= active) ? nu - g[i]! : 0;
    // Stationarity: g - nu - zLower + zUpper = 0.
    stationarity = Math.max(stationarity, Math.abs(g[i]! - nu - zLower + zUpper));
    dualSign = Math.max(dualSign, -zLower, -zUpper);
    complementarity = Math.max(complementarity, Math.abs(zLower * x), Math.abs(zUpper * (u - x)));
  }
  return { primal, stationarity, dualSign, complementarity };
}

/** Returns the largest of the four measures. */
export function kktWorst(r: KktReport): number {
  return Math.max(r.primal, r.stationarity, r.dualSign, r.complementarity);
}
