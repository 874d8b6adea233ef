import { checkPeriod } from '../core/index.js';
import { notFinite, type ScalarIndicator } from './indicator.js';

/**
 * Rolling maximum or minimum over the last `period` values, as TTR::runMax / TTR::runMin.
 *
 * Keeps a monotonic deque of (value, position) pairs in two preallocated ring buffers: each input
 * is pushed once and popped at most once, so an update costs amortized O(1) (a single update may
 * pop up to `period` dominated entries). The minimum is the maximum of the negated inputs;
 * negation is exact, so no rounding is involved.
 *
 * Warm-up: `period - 1` updates return NaN.
 */
export class RollingExtreme implements ScalarIndicator {
  readonly period: number;
  readonly warmUp: number;
  private readonly sign: number;
  private readonly values: Float64Array;
  private readonly positions: Float64Array;
  private head = 0;
  private size = 0;
  private seen = 0;
  private current = Number.NaN;
  private readonly input = new Float64Array(1);

  /** `sign` 1 tracks the maximum, -1 the minimum. */
  constructor(period: number, sign: 1 | -1) {
    this.period = checkPeriod(period, 'period');
    this.warmUp = period - 1;
    this.sign = sign;
    this.values = new Float64Array(period);
    this.positions = new Float64Array(period);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.seen >= this.period;
  }

  get count(): number {
    return this.seen;
  }

  update(x: number): number {
    this.input[0] = x;
    this.stepAt(this.input, 0);
    return this.current;
  }

  /**
   * Consumes `column[row]`, the new value left in `value`: the arithmetic of {@link update}, taking a typed
   * array and a row so that no double crosses the call (DonchianChannel.updateFrom reads the bar's high and
   * low in place). @internal
   */
  stepAt(column: Float64Array, row: number): void {
    const x = column[row]!;
    if (x - x !== 0) notFinite('x', x);
    const n = this.period;
    const v = this.sign * x;
    const t = ++this.seen;
    // Expire the front first so that the push below always finds room (at most n live entries).
    if (this.size > 0 && this.positions[this.head]! <= t - n) {
      this.head = this.head + 1 === n ? 0 : this.head + 1;
      this.size--;
    }
    // Drop entries the new value dominates: they can never be the extreme again.
    let back = this.head + this.size - 1;
    if (back >= n) back -= n;
    while (this.size > 0 && this.values[back]! <= v) {
      this.size--;
      back = back === 0 ? n - 1 : back - 1;
    }
    let slot = this.head + this.size;
    if (slot >= n) slot -= n;
    this.values[slot] = v;
    this.positions[slot] = t;
    this.size++;
    if (t >= n) this.current = this.sign * this.values[this.head]!;
  }

  reset(): void {
    this.values.fill(0);
    this.positions.fill(0);
    this.head = 0;
    this.size = 0;
    this.seen = 0;
    this.current = Number.NaN;
  }
}

/** Rolling maximum of the last `period` values, as TTR::runMax. Warm-up: `period - 1`. */
export class RollingMax extends RollingExtreme {
  constructor(period: number) {
    super(period, 1);
  }
}

/** Rolling minimum of the last `period` values, as TTR::runMin. Warm-up: `period - 1`. */
export class RollingMin extends RollingExtreme {
  constructor(period: number) {
    super(period, -1);
  }
}
