import { assertNever } from '../../engine/core/index.js';
import type { IntrabarPath } from './venue-config.js';

/**
 * The assumed price path inside one bar: four points (open, first extreme, second extreme, close)
 * joined by straight segments, so every price between two points trades on the way. A position on
 * the path is the price distance travelled from the open; it orders events inside the bar (which of
 * two orders filled first). Two candidate paths are kept (high first and low first) and reused for
 * every bar: nothing is allocated per bar.
 */
export class BarPath {
  /** open, high, low, close */
  readonly highFirst = new Float64Array(4);
  /** open, low, high, close */
  readonly lowFirst = new Float64Array(4);
  /** Segment index of the last hit found by {@link firstHit}. */
  hitSeg = 0;
  /** Total length (price distance) of the path last returned by {@link pathFor}. */
  private totalHigh = 0;
  private totalLow = 0;
  private nearestHighFirst = true;

  /** Loads a bar. */
  set(open: number, high: number, low: number, close: number): void {
    const a = this.highFirst;
    a[0] = open;
    a[1] = high;
    a[2] = low;
    a[3] = close;
    const b = this.lowFirst;
    b[0] = open;
    b[1] = low;
    b[2] = high;
    b[3] = close;
    this.totalHigh = high - open + (high - low) + Math.abs(close - low);
    this.totalLow = open - low + (high - low) + Math.abs(high - close);
    this.nearestHighFirst = high - open <= open - low;
  }

  /** Returns the path an order of sign `sign` (+1 buy, -1 sell) assumes under `kind`. */
  pathFor(kind: IntrabarPath, sign: 1 | -1): Float64Array {
    switch (kind) {
      case 'ohlc':
        return this.highFirst;
      case 'olhc':
        return this.lowFirst;
      case 'worst':
        return sign === 1 ? this.highFirst : this.lowFirst;
      case 'nearest':
        return this.nearestHighFirst ? this.highFirst : this.lowFirst;
      default:
        return assertNever(kind, 'intrabar path');
    }
  }

  /** Returns the length of `path` (its position at the close). */
  totalOf(path: Float64Array): number {
    return path === this.highFirst ? this.totalHigh : this.totalLow;
  }

  /**
   * Returns the position where the path, walked from `fromPrice` at position `fromPos` on segment
   * `fromSeg`, first reaches `level` (rising: price >= level, or > when `strict`; falling: <=, or <),
   * or -1 when it never does. Precondition: `fromPrice` itself does not satisfy the condition. Sets
   * {@link hitSeg}. The hit price is `level` itself: prices are continuous along a segment.
   */
  firstHit(path: Float64Array, fromSeg: number, fromPrice: number, fromPos: number, level: number, rising: boolean, strict: boolean): number {
    let p = fromPrice;
    let pos = fromPos;
    for (let k = fromSeg; k < 3; k++) {
      const q = path[k + 1]!;
      const hit = rising ? (strict ? q > level : q >= level) : strict ? q < level : q <= level;
      if (hit) {
        this.hitSeg = k;
        return pos + Math.abs(level - p);
      }
      pos += Math.abs(q - p);
      p = q;
    }
    return -1;
  }
}
