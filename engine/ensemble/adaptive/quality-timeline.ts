/**
 * Signal quality over time (seed 002): what the predictive filter scored, per strategy, in at most
 * {@link MAX_QUALITY_BUCKETS} consecutive time buckets of equal sample counts, whatever the tape's length.
 * Each equity sample closes a sample; a bucket holds `step` samples. When the buckets fill, each pair
 * is merged and `step` doubles (so memory and the report stay flat in tape length and every bucket but
 * the last covers the same number of samples).
 */
export interface QualityBucket {
  /** Time of the bucket's first and last sample (microseconds). */
  readonly startTs: number;
  readonly endTs: number;
  /** Per strategy id: the signals scored in the bucket, how many passed, and their mean quality; strategies that scored none are absent. */
  readonly byStrategy: Readonly<Record<string, { readonly signals: number; readonly passed: number; readonly meanQuality: number }>>;
}

/** Most buckets a timeline keeps. */
export const MAX_QUALITY_BUCKETS = 256;

interface Bucket {
  startTs: number;
  endTs: number;
  samples: number;
  signals: Float64Array;
  passed: Float64Array;
  qualitySum: Float64Array;
}

export class QualityTimeline {
  private readonly buckets: Bucket[] = [];
  private step = 1;
  private readonly signals: Float64Array;
  private readonly passed: Float64Array;
  private readonly qualitySum: Float64Array;

  constructor(
    private readonly ids: readonly string[],
    private readonly maxBuckets: number = MAX_QUALITY_BUCKETS,
  ) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2 || maxBuckets % 2 !== 0) throw new RangeError(`invalid 'maxBuckets': not an even integer >= 2, was ${maxBuckets}`);
    this.signals = new Float64Array(ids.length);
    this.passed = new Float64Array(ids.length);
    this.qualitySum = new Float64Array(ids.length);
  }

  /** Records one scored signal of strategy `k`. */
  record(k: number, quality: number, pass: boolean): void {
    this.signals[k]! += 1;
    if (pass) this.passed[k]! += 1;
    this.qualitySum[k]! += quality;
  }

  /** Closes the sample at `ts`: the signals recorded since the last call belong to it. */
  sample(ts: number): void {
    let last = this.buckets[this.buckets.length - 1];
    if (last === undefined || last.samples >= this.step) {
      if (this.buckets.length === this.maxBuckets) {
        this.halve();
        last = this.buckets[this.buckets.length - 1]!;
      }
      if (last === undefined || last.samples >= this.step) {
        last = { startTs: ts, endTs: ts, samples: 0, signals: new Float64Array(this.ids.length), passed: new Float64Array(this.ids.length), qualitySum: new Float64Array(this.ids.length) };
        this.buckets.push(last);
      }
    }
    last.endTs = ts;
    last.samples++;
    for (let k = 0; k < this.ids.length; k++) {
      last.signals[k]! += this.signals[k]!;
      last.passed[k]! += this.passed[k]!;
      last.qualitySum[k]! += this.qualitySum[k]!;
    }
    this.signals.fill(0);
    this.passed.fill(0);
    this.qualitySum.fill(0);
  }

  /** Merges each pair of buckets and doubles the step. */
  private halve(): void {
    const merged: Bucket[] = [];
    for (let j = 0; j < this.buckets.length; j += 2) {
      const a = this.buckets[j]!;
      const b = this.buckets[j + 1];
      if (b === undefined) {
        merged.push(a);
        continue;
      }
      for (let k = 0; k < this.ids.length; k++) {
        a.signals[k]! += b.signals[k]!;
        a.passed[k]! += b.passed[k]!;
        a.qualitySum[k]! += b.qualitySum[k]!;
      }
      a.endTs = b.endTs;
      a.samples += b.samples;
      merged.push(a);
    }
    this.buckets.length = 0;
    this.buckets.push(...merged);
    this.step *= 2;
  }

  /** The buckets so far (the signals recorded after the last sample are not in them). */
  entries(): QualityBucket[] {
    return this.buckets.map((b) => {
      const byStrategy: Record<string, { signals: number; passed: number; meanQuality: number }> = {};
      for (let k = 0; k < this.ids.length; k++) {
        const n = b.signals[k]!;
        if (n > 0) byStrategy[this.ids[k]!] = { signals: n, passed: b.passed[k]!, meanQuality: b.qualitySum[k]! / n };
      }
      return { startTs: b.startTs, endTs: b.endTs, byStrategy };
    });
  }
}
