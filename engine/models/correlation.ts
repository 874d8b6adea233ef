import { InvalidArgumentError } from '../core/index.js';

/** The fraction of its peak below which a running sum of squares is recomputed exactly. */
const COLLAPSE = 1 / 1024;

/**
 * Pearson correlation of two streams over their last `window` pairs, O(1) amortized per update and no
 * allocation after construction. The means and co-moments follow the sliding-window (Welford) updates
 *   mean' = mean + (new - old) / w,  C' = C + (a_new - a_old) (b_new - mean_b') + (b_new - b_old) (a_old - mean_a)
 * and are recomputed exactly (two-pass) each time the ring wraps and when a sum of squares collapses
 * below 1/1024 of its peak, which bounds their drift on long series (as RollingStd).
 * `value` is NaN while warming up and when either window is constant; it is clamped to [-1, 1].
 */
export class RollingCorrelation {
  /** The number of pairs the correlation is computed over. */
  readonly window: number;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private pos = 0;
  private seen = 0;
  private meanA = 0;
  private meanB = 0;
  private caa = 0;
  private cbb = 0;
  private cab = 0;
  private peakA = 0;
  private peakB = 0;
  private current = Number.NaN;

  constructor(window: number) {
    if (!Number.isInteger(window) || window < 2) {
      throw new InvalidArgumentError(`RollingCorrelation: invalid 'window': expected an integer >= 2, was ${window}`);
    }
    this.window = window;
    this.a = new Float64Array(window);
    this.b = new Float64Array(window);
  }

  /** Returns the latest correlation (NaN while warming up or when a window is constant). */
  get value(): number {
    return this.current;
  }

  /** Returns whether the window is full. */
  get ready(): boolean {
    return this.seen >= this.window;
  }

  /** Adds one pair and returns the correlation of the last `window` pairs. */
  update(a: number, b: number): number {
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      throw new InvalidArgumentError(`RollingCorrelation: update values must be finite, were ${a}, ${b}`);
    }
    const w = this.window;
    const pos = this.pos;
    const oldA = this.a[pos]!;
    const oldB = this.b[pos]!;
    this.a[pos] = a;
    this.b[pos] = b;
    this.pos = pos + 1 === w ? 0 : pos + 1;
    const seen = ++this.seen;
    if (seen < w) return Number.NaN;
    if (seen === w || this.pos === 0) {
      this.refresh();
    } else {
      const da = a - oldA;
      const db = b - oldB;
      const meanA = this.meanA + da / w;
      const meanB = this.meanB + db / w;
      this.caa += da * (a - meanA + oldA - this.meanA);
      this.cbb += db * (b - meanB + oldB - this.meanB);
      this.cab += da * (b - meanB) + db * (oldA - this.meanA);
      this.meanA = meanA;
      this.meanB = meanB;
      if (this.caa > this.peakA) this.peakA = this.caa;
      if (this.cbb > this.peakB) this.peakB = this.cbb;
      if (this.caa < this.peakA * COLLAPSE || this.cbb < this.peakB * COLLAPSE) this.refresh();
    }
    const caa = this.caa;
    const cbb = this.cbb;
    let r = caa > 0 && cbb > 0 ? this.cab / Math.sqrt(caa * cbb) : Number.NaN;
    if (r > 1) r = 1;
    else if (r < -1) r = -1;
    this.current = r;
    return r;
  }

  /** Recomputes the means and co-moments of the full window exactly, oldest pair first. */
  private refresh(): void {
    const w = this.window;
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < w; i++) {
      sa += this.a[i]!;
      sb += this.b[i]!;
    }
    const ma = sa / w;
    const mb = sb / w;
    let caa = 0;
    let cbb = 0;
    let cab = 0;
    for (let k = 0, i = this.pos; k < w; k++, i = i + 1 === w ? 0 : i + 1) {
      const da = this.a[i]! - ma;
      const db = this.b[i]! - mb;
      caa += da * da;
      cbb += db * db;
      cab += da * db;
    }
    this.meanA = ma;
    this.meanB = mb;
    this.caa = caa;
    this.cbb = cbb;
    this.cab = cab;
    this.peakA = caa;
    this.peakB = cbb;
  }

  /** Forgets every pair. */
  reset(): void {
    this.a.fill(0);
    this.b.fill(0);
    this.pos = 0;
    this.seen = 0;
    this.meanA = this.meanB = this.caa = this.cbb = this.cab = this.peakA = this.peakB = 0;
    this.current = Number.NaN;
  }
}

/**
 * Returns the Pearson correlation of `a` and `b` over each trailing `window` (out[i] covers
 * i - window + 1 .. i): NaN for the first window - 1 entries and where either window is constant.
 * Computed with {@link RollingCorrelation}.
 */
export function rollingCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, window: number): Float64Array {
  if (a.length !== b.length) throw new InvalidArgumentError(`rollingCorrelation: a and b differ in length (${a.length} and ${b.length})`);
  const rc = new RollingCorrelation(window);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = rc.update(a[i] as number, b[i] as number);
  return out;
}
