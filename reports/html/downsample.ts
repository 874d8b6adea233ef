import { InvalidArgumentError, checkInteger } from '../../engine/core/index.js';

/** Most points a line chart draws per series: enough for a 1200-pixel-wide chart, small enough to keep the file light. */
export const MAX_CHART_POINTS = 2000;

/**
 * Returns the indices of at most `threshold` points of the series (x[i], y[i]) chosen by
 * Largest-Triangle-Three-Buckets (Steinarsson, "Downsampling Time Series for Visual Representation",
 * 2013): the first and last points are kept; the points in between are cut into threshold - 2 buckets
 * of equal count, and from each bucket the point forming the largest triangle with the point kept
 * from the previous bucket and the mean of the next bucket is kept. Peaks and troughs survive, which
 * every-k-th sampling would drop. Series no longer than `threshold` come back whole. Indices are
 * strictly increasing; the choice depends on the data only, so it is deterministic.
 *
 * `meansX`: the buckets' x means ({@link lttbMeansX} of the same x and threshold), for series that share
 * their x: they depend on x only, and the same sums in the same order give the same choice.
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number = MAX_CHART_POINTS, meansX?: Float64Array): number[] {
  checkInteger(threshold, 'threshold');
  if (threshold < 3) throw new InvalidArgumentError(`invalid 'threshold': below 3, was ${threshold}`);
  const n = y.length;
  if (x.length !== n) throw new InvalidArgumentError(`invalid 'x': length ${x.length} differs from the length of 'y', ${n}`);
  if (n <= threshold) return Array.from({ length: n }, (_, i) => i);
  if (meansX !== undefined && meansX.length !== threshold - 2) throw new InvalidArgumentError(`invalid 'meansX': length ${meansX.length}, not ${threshold - 2} (threshold - 2)`);
  const out: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let b = 0; b < threshold - 2; b++) {
    // The mean of the next bucket (the last point for the last bucket) is the triangle's third vertex.
    const nextStart = Math.floor((b + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    if (nextStart >= n - 1 || nextEnd <= nextStart) {
      avgX = x[n - 1]!;
      avgY = y[n - 1]!;
    } else if (meansX !== undefined) {
      avgX = meansX[b]!;
      for (let j = nextStart; j < nextEnd; j++) avgY += y[j]!;
      avgY /= nextEnd - nextStart;
    } else {
      for (let j = nextStart; j < nextEnd; j++) {
        avgX += x[j]!;
        avgY += y[j]!;
      }
      avgX /= nextEnd - nextStart;
      avgY /= nextEnd - nextStart;
    }
    const start = Math.floor(b * every) + 1;
    const end = Math.min(Math.floor((b + 1) * every) + 1, n - 1);
    const ax = x[a]!;
    const ay = y[a]!;
    // The bucket's invariant factors, computed once (the same operations in the same order as inline): while
    // the code runs cold (a report's first series), each arithmetic result is an allocated heap number.
    const dx = ax - avgX;
    const dy = avgY - ay;
    let best = start;
    // |v| > bestArea, compared as v > bestArea || v < -bestArea (no Math.abs result per point; a NaN fails both).
    let bestArea = -1;
    let lowArea = 1;
    for (let j = start; j < end; j++) {
      const v = dx * (y[j]! - ay) - (ax - x[j]!) * dy;
      if (v > bestArea || v < lowArea) {
        bestArea = v < 0 ? -v : v;
        lowArea = -bestArea;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}

/**
 * The x means of {@link lttbIndices}' buckets (the x of each bucket's third vertex) for the series of x `x`,
 * computed as lttbIndices does; empty when the series is no longer than the threshold (it comes back whole).
 */
export function lttbMeansX(x: ArrayLike<number>, threshold: number = MAX_CHART_POINTS): Float64Array {
  checkInteger(threshold, 'threshold');
  if (threshold < 3) throw new InvalidArgumentError(`invalid 'threshold': below 3, was ${threshold}`);
  const n = x.length;
  if (n <= threshold) return new Float64Array(0);
  const means = new Float64Array(threshold - 2);
  const every = (n - 2) / (threshold - 2);
  for (let b = 0; b < threshold - 2; b++) {
    const nextStart = Math.floor((b + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * every) + 1, n);
    let avgX = 0;
    if (nextStart >= n - 1 || nextEnd <= nextStart) avgX = x[n - 1]!;
    else {
      for (let j = nextStart; j < nextEnd; j++) avgX += x[j]!;
      avgX /= nextEnd - nextStart;
    }
    means[b] = avgX;
  }
  return means;
}

/** Returns `[x[i], y[i]]` pairs of the LTTB-chosen points (see {@link lttbIndices}, and its `meansX`), the shape ECharts takes. */
export function downsamplePairs(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number = MAX_CHART_POINTS, meansX?: Float64Array): [number, number][] {
  return lttbIndices(x, y, threshold, meansX).map((i) => [x[i]!, y[i]!]);
}

/**
 * Returns every k-th element of `items` (k = ceil(length / max)) so that at most `max` remain, always
 * keeping the last; used for markers and table rows, where a visual shape does not need preserving.
 */
export function everyKth<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const k = Math.ceil(items.length / max);
  const out: T[] = [];
  for (let i = 0; i < items.length; i += k) out.push(items[i]!);
  if ((items.length - 1) % k !== 0) out[out.length - 1] = items[items.length - 1]!;
  return out;
}
