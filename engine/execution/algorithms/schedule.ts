import { InvalidArgumentError } from '../../core/index.js';

/** One slice of a parent order: `qty` units to send at `ts`. */
export interface Slice {
  readonly ts: number;
  readonly qty: number;
}

/**
 * Returns `qty` split in proportion to `weights` (non-negative, not all zero). With `integral`, every
 * part is a whole number and they still sum to `qty` (largest-remainder rounding: each part gets the
 * floor of its share, then the parts with the largest remainders get one more, ties to the earlier
 * part); otherwise the parts are the exact shares, the last one taking the rounding residue.
 */
export function splitQuantity(qty: number, weights: readonly number[], integral: boolean): number[] {
  if (!(qty > 0) || !Number.isFinite(qty)) throw new InvalidArgumentError(`invalid 'qty': not a positive finite number, was ${qty}`);
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new InvalidArgumentError(`invalid 'weights': not a non-negative finite number, was ${w}`);
    total += w;
  }
  if (!(total > 0)) throw new InvalidArgumentError("invalid 'weights': all zero");
  if (!integral) {
    const out = weights.map((w) => (qty * w) / total);
    let sum = 0;
    for (let j = 0; j < out.length - 1; j++) sum += out[j]!;
    out[out.length - 1] = qty - sum;
    return out;
  }
  const shares = weights.map((w) => (qty * w) / total);
  const out = shares.map((s) => Math.floor(s + 1e-9));
  let left = qty - out.reduce((a, b) => a + b, 0);
  const order = shares.map((s, j) => ({ j, r: s - out[j]! })).sort((a, b) => b.r - a.r || a.j - b.j);
  for (let k = 0; left > 0 && k < order.length; k++, left--) out[order[k]!.j]! += 1;
  return out;
}

function slices(t0: number, qtys: readonly number[], offsets: readonly number[]): Slice[] {
  const out: Slice[] = [];
  for (let j = 0; j < qtys.length; j++) if (qtys[j]! > 0) out.push({ ts: t0 + offsets[j]!, qty: qtys[j]! });
  return out;
}

/** Returns the even offsets 0, D/n, 2D/n, ... (n of them), rounded to whole microseconds. */
function evenOffsets(durationUs: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, j) => Math.round((j * durationUs) / parts));
}

/** TWAP: `parts` equal slices at t0 + j x duration / parts, j = 0..parts-1 (zero-size slices dropped). */
export function twapSchedule(t0: number, qty: number, durationUs: number, parts: number, integral: boolean): Slice[] {
  return slices(t0, splitQuantity(qty, new Array<number>(parts).fill(1), integral), evenOffsets(durationUs, parts));
}

/** VWAP: like TWAP, but slice j is sized by `weights[j]` (equal weights when they are all zero). */
export function vwapSchedule(t0: number, qty: number, durationUs: number, weights: readonly number[], integral: boolean): Slice[] {
  const parts = weights.length;
  const w = weights.some((x) => x > 0) ? weights : new Array<number>(parts).fill(1);
  return slices(t0, splitQuantity(qty, w, integral), evenOffsets(durationUs, parts));
}

/**
 * Smart split: one slice at t0 when `notional` (qty x price x multiplier) is at most `threshold`;
 * otherwise min(maxParts, ceil(notional / threshold)) equal slices, `delayUs` apart.
 */
export function smartSchedule(t0: number, qty: number, notional: number, threshold: number, maxParts: number, delayUs: number, integral: boolean): Slice[] {
  const parts = notional > threshold ? Math.min(maxParts, Math.ceil(notional / threshold)) : 1;
  return slices(t0, splitQuantity(qty, new Array<number>(parts).fill(1), integral), Array.from({ length: parts }, (_, j) => j * delayUs));
}

/** DCA: `parts` equal slices every `intervalUs`, the first at t0. */
export function dcaSchedule(t0: number, qty: number, intervalUs: number, parts: number, integral: boolean): Slice[] {
  return slices(t0, splitQuantity(qty, new Array<number>(parts).fill(1), integral), Array.from({ length: parts }, (_, j) => j * intervalUs));
}

/**
 * Returns the implementation shortfall of a fill against the arrival mid, in basis points, positive
 * when the execution cost money: buys (side +1) that paid more than the arrival mid, sells (side -1)
 * that received less. NaN without a fill or a positive arrival price.
 */
export function implementationShortfallBps(side: 1 | -1, arrivalMid: number, averageFill: number): number {
  if (!(arrivalMid > 0) || !(averageFill > 0)) return Number.NaN;
  return (side * (averageFill - arrivalMid) * 10_000) / arrivalMid;
}
