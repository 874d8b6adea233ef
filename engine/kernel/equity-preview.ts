import { InvariantError } from '../core/errors.js';

/**
 * The equity curve as a report draws it: every sample while the run has at most `maxBuckets`, else a
 * min/max-preserving downsample of at most 4 x `maxBuckets` samples, built as the samples arrive in memory
 * that does not grow with the tape (every sample is in the run's equity.parquet).
 *
 * The samples are cut into buckets of `stride` consecutive samples; each bucket keeps its first, last,
 * lowest-equity and highest-equity samples (ties: the earliest). When `maxBuckets` buckets are full,
 * neighbours merge pairwise and the stride doubles, so the kept samples never exceed 4 x maxBuckets and
 * the deepest trough and highest peak are always among them. Deterministic: the same samples give the
 * same preview, whether pushed one by one during a run or from arrays after it.
 */

/** Columns of a sample, in slot order. */
export const PREVIEW_COLUMNS = ['index', 'ts', 'equity', 'cash', 'drawdown', 'grossExposure', 'marginInUse', 'buyingPower'] as const;
/** Values of a full sample (every column but `index`). */
const FULL_WIDTH = PREVIEW_COLUMNS.length - 1;
const FIRST = 0;
const LOW = 1;
const HIGH = 2;
const LAST = 3;
const EQUITY = 2;
/** A bucket's slots in the order a sample found in two of them is kept by (its first). */
const SLOTS = [FIRST, LOW, HIGH, LAST] as const;

/** Buckets kept before they merge: every sample of a run of up to this many is in its preview. */
export const PREVIEW_BUCKETS = 2500;

/** The preview's samples as columns, in sample order; `index` is each sample's position in the full curve. */
export type EquityPreviewColumns = { readonly [K in (typeof PREVIEW_COLUMNS)[number]]: Float64Array } & { readonly length: number };

export class EquityPreview {
  /** Values per slot: the sample's index, then its `width` values. */
  private readonly c: number;
  /** Closed buckets: 4 slots of `c` values each. */
  private readonly buckets: Float64Array;
  private closed = 0;
  /** The open bucket. */
  private readonly open: Float64Array;
  private inOpen = 0;
  private stride = 1;
  private count = 0;

  /**
   * `width`: values per sample, the first PREVIEW_COLUMNS after `index`: all 7, or 2 (ts and a value),
   * as a plotted series keeps them (see {@link series}), which spares it the writes of five zeros per point.
   */
  constructor(
    private readonly maxBuckets = PREVIEW_BUCKETS,
    width = FULL_WIDTH,
  ) {
    if (width !== 2 && width !== FULL_WIDTH) throw new InvariantError(`equity preview: width ${width} is not 2 or ${FULL_WIDTH}`);
    this.c = width + 1;
    this.buckets = new Float64Array(maxBuckets * 4 * this.c);
    this.open = new Float64Array(4 * this.c);
    this.row = new Float64Array(width);
  }

  /** Samples pushed so far. */
  get samples(): number {
    return this.count;
  }

  /** Adds the next sample (its index is the count of samples before it; a narrower preview keeps its first values). */
  push(ts: number, equity: number, cash: number, drawdown: number, grossExposure: number, marginInUse: number, buyingPower: number): void {
    const r = this.row;
    r[0] = ts;
    r[1] = equity;
    if (r.length === FULL_WIDTH) {
      r[2] = cash;
      r[3] = drawdown;
      r[4] = grossExposure;
      r[5] = marginInUse;
      r[6] = buyingPower;
    }
    this.pushRow(r);
  }

  /**
   * {@link push} with the sample in `sample[0..width-1]` (ts, equity, cash, drawdown, grossExposure,
   * marginInUse, buyingPower, as many as the width): the per-sample path of a run, which passes no
   * number to a call V8 may not inline (each would be a boxed allocation).
   */
  pushRow(sample: Float64Array): void {
    const o = this.open;
    const C = this.c;
    const index = this.count++;
    const equity = sample[1]!;
    if (this.inOpen === 0) {
      writeSlot(o, FIRST * C, index, sample, C);
      o.copyWithin(LOW * C, 0, C);
      o.copyWithin(HIGH * C, 0, C);
    } else {
      // A NaN (a gap in a plotted series; an equity is never NaN) is never the lowest or highest, and a number replaces it there.
      const low = o[LOW * C + EQUITY]!;
      const high = o[HIGH * C + EQUITY]!;
      if (equity < low || (low !== low && equity === equity)) writeSlot(o, LOW * C, index, sample, C);
      if (equity > high || (high !== high && equity === equity)) writeSlot(o, HIGH * C, index, sample, C);
    }
    writeSlot(o, LAST * C, index, sample, C);
    if (++this.inOpen === this.stride) this.closeOpen();
  }

  /**
   * {@link pushRow} of samples `from .. to - 1` given as columns: `cols[c]` holds value c of every sample
   * (ts, equity, ... as many as the width). Same preview as pushing them one by one, in a loop that
   * scans each bucket's part for its lowest and highest equity and writes each slot once: the way a
   * caller that stages its samples (a plotted series, see plots.ts) files them.
   */
  pushColumns(cols: readonly Float64Array[], from: number, to: number): void {
    const o = this.open;
    const C = this.c;
    const eq = cols[1]!;
    let i = from;
    while (i < to) {
      const end = Math.min(to, i + this.stride - this.inOpen);
      const index0 = this.count - i;
      // The bucket's low and high so far as sample positions in `cols` (-1: still the one in its slot).
      let low = -1;
      let high = -1;
      let lowEq = o[LOW * C + EQUITY]!;
      let highEq = o[HIGH * C + EQUITY]!;
      let j = i;
      if (this.inOpen === 0) {
        writeColumnsSlot(o, FIRST * C, index0 + j, cols, j, C);
        low = high = j;
        lowEq = highEq = eq[j]!;
        j++;
      }
      // As in pushRow: a NaN is never the lowest or highest, and a number replaces it there. The bucket's
      // low and high are both NaN (every sample so far a gap) or both numbers, low <= high: while NaN,
      // the first number takes both; then a number below the low is not above the high, and a NaN
      // fails both comparisons, so one compare decides most samples.
      for (; j < end && lowEq !== lowEq; j++) {
        const e = eq[j]!;
        if (e === e) {
          low = high = j;
          lowEq = highEq = e;
        }
      }
      for (; j < end; j++) {
        const e = eq[j]!;
        if (e < lowEq) {
          low = j;
          lowEq = e;
        } else if (e > highEq) {
          high = j;
          highEq = e;
        }
      }
      if (low >= 0) writeColumnsSlot(o, LOW * C, index0 + low, cols, low, C);
      if (high >= 0) writeColumnsSlot(o, HIGH * C, index0 + high, cols, high, C);
      writeColumnsSlot(o, LAST * C, index0 + end - 1, cols, end - 1, C);
      this.count += end - i;
      this.inOpen += end - i;
      i = end;
      if (this.inOpen === this.stride) this.closeOpen();
    }
  }

  /** The sample {@link push} passes on to pushRow, reused. */
  private readonly row: Float64Array;

  private closeOpen(): void {
    if (this.closed === this.maxBuckets) this.compact();
    this.buckets.set(this.open, this.closed * 4 * this.c);
    this.closed++;
    this.inOpen = 0;
  }

  /** Merges neighbouring buckets pairwise and doubles the stride. */
  private compact(): void {
    const b = this.buckets;
    const C = this.c;
    const half = this.closed >>> 1;
    for (let k = 0; k < half; k++) {
      const a = 2 * k * 4 * C;
      const z = (2 * k + 1) * 4 * C;
      const out = k * 4 * C;
      // first: a's; low/high: the lower/higher of the two (ties: a's, the earlier); last: z's
      const al = b[a + LOW * C + EQUITY]!;
      const zl = b[z + LOW * C + EQUITY]!;
      const ah = b[a + HIGH * C + EQUITY]!;
      const zh = b[z + HIGH * C + EQUITY]!;
      const low = zl < al || (al !== al && zl === zl) ? z : a;
      const high = zh > ah || (ah !== ah && zh === zh) ? z : a;
      // Slot by slot in this order (out <= a < z: a later slot is never overwritten before it is read);
      // a slot is a few values, which a loop moves at a fraction of a copyWithin call's cost.
      moveSlot(b, out + LOW * C, low + LOW * C, C);
      moveSlot(b, out + HIGH * C, high + HIGH * C, C);
      moveSlot(b, out + LAST * C, z + LAST * C, C);
      moveSlot(b, out + FIRST * C, a + FIRST * C, C);
    }
    if (this.closed % 2 === 1) b.copyWithin(half * 4 * C, (this.closed - 1) * 4 * C, this.closed * 4 * C);
    this.closed = half + (this.closed % 2);
    this.stride *= 2;
  }

  /** The kept samples, in sample order (a full-width preview). */
  columns(): EquityPreviewColumns {
    if (this.c !== FULL_WIDTH + 1) throw new InvariantError(`equity preview: columns() of a preview of width ${this.c - 1}; use series()`);
    return this.pickedColumns() as unknown as EquityPreviewColumns;
  }

  /** The kept samples' first two values (a plotted series' time and value), in sample order. */
  series(): { readonly ts: Float64Array; readonly values: Float64Array } {
    const c = this.pickedColumns();
    return { ts: c.ts!, values: c.equity! };
  }

  /** The kept samples as columns named by PREVIEW_COLUMNS (as many as the width), with `length`. */
  private pickedColumns(): Record<string, Float64Array> & { length: number } {
    const C = this.c;
    // Counted first, then copied straight into the columns: no list of every kept value, no array per bucket.
    let n = 0;
    for (let k = 0; k < this.closed; k++) n += this.keptSlots(this.buckets, k * 4 * C);
    if (this.inOpen > 0) n += this.keptSlots(this.open, 0);
    const cols = PREVIEW_COLUMNS.slice(0, C).map(() => new Float64Array(n));
    let i = 0;
    const copy = (src: Float64Array, base: number): void => {
      const m = this.keptSlots(src, base);
      for (let q = 0; q < m; q++) {
        const at = this.slots[q]!;
        for (let c = 0; c < C; c++) cols[c]![i] = src[at + c]!;
        i++;
      }
    };
    for (let k = 0; k < this.closed; k++) copy(this.buckets, k * 4 * C);
    if (this.inOpen > 0) copy(this.open, 0);
    const out: Record<string, Float64Array> = {};
    PREVIEW_COLUMNS.slice(0, C).forEach((name, c) => {
      out[name] = cols[c]!;
    });
    return { ...out, length: n } as Record<string, Float64Array> & { length: number };
  }

  /** The offsets of {@link keptSlots}' answer. */
  private readonly slots = new Int32Array(4);

  /**
   * Puts the offsets of the distinct samples of the bucket at `base` of `src` (its first, low, high and last
   * slots; a sample in two slots once, by its first slot) into `this.slots` in sample order; returns how many.
   */
  private keptSlots(src: Float64Array, base: number): number {
    const C = this.c;
    const slots = this.slots;
    let m = 0;
    // Indexed, not for...of: while the code is cold (most of a short run), for...of makes an iterator per call.
    for (let k = 0; k < SLOTS.length; k++) {
      const at = base + SLOTS[k]! * C;
      const index = src[at]!;
      let seen = false;
      for (let q = 0; q < m && !seen; q++) seen = src[slots[q]!] === index;
      if (seen) continue;
      let j = m++;
      for (; j > 0 && src[slots[j - 1]!]! > index; j--) slots[j] = slots[j - 1]!;
      slots[j] = at;
    }
    return m;
  }
}

/** Moves the C values of the slot at `from` of `b` to `to`. */
function moveSlot(b: Float64Array, to: number, from: number, C: number): void {
  for (let c = 0; c < C; c++) b[to + c] = b[from + c]!;
}

/** Writes sample `index` (its values in `sample[0..C-2]`, in PREVIEW_COLUMNS order after `index`) at offset `p` of bucket `o` (slots of C values). */
function writeSlot(o: Float64Array, p: number, index: number, sample: Float64Array, C: number): void {
  o[p] = index;
  for (let c = 1; c < C; c++) o[p + c] = sample[c - 1]!;
}

/** Writes sample `index` (its values at row `row` of `cols`, in PREVIEW_COLUMNS order after `index`) at offset `p` of bucket `o`. */
function writeColumnsSlot(o: Float64Array, p: number, index: number, cols: readonly Float64Array[], row: number, C: number): void {
  o[p] = index;
  for (let c = 1; c < C; c++) o[p + c] = cols[c - 1]![row]!;
}
