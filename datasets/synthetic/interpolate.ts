import type { RandomStream } from '../../engine/core/index.js';

/**
 * Returns a price between path points `a` and `b` at fraction `f` of the step, with bridge-like noise
 * of a quarter of the move, clamped to [min(a, b), max(a, b)] so that anything priced from it stays
 * inside the bar holding that step.
 */
export function priceWithinStep(a: number, b: number, f: number, rng: RandomStream): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  const x = a + f * (b - a) + 0.25 * (hi - lo) * rng.normal();
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Fills `out[0..k)` with k sorted offsets in [0, span) (integer microseconds), strictly increasing,
 * for k Poisson arrivals inside one path step.
 */
export function sortedOffsets(k: number, span: number, rng: RandomStream, out: Float64Array): void {
  for (let j = 0; j < k; j++) out[j] = Math.floor(rng.next() * span);
  // Insertion sort: k is a handful per step.
  for (let j = 1; j < k; j++) {
    const v = out[j]!;
    let m = j - 1;
    while (m >= 0 && out[m]! > v) {
      out[m + 1] = out[m]!;
      m--;
    }
    out[m + 1] = v;
  }
  for (let j = 1; j < k; j++) if (out[j]! <= out[j - 1]!) out[j] = out[j - 1]! + 1;
}
