import { Adx } from '../../indicators/adx.js';
import type { RegimeName } from '../regime-table.js';

/**
 * Classifies the market into the seed-000 regimes from every symbol's bars: the mean ADX(period)
 * and the mean per-period volatility of close-to-close returns over `window` bars, against the
 * mean of that volatility so far. Volatile when the volatility is above `volatileRatio` times its
 * running mean; else trending when the ADX is at least `trendAdx`; ranging when it is below
 * `rangeAdx`; mixed otherwise (and while warming up).
 */
export interface RegimeClassifierConfig {
  readonly adxPeriod: number;
  readonly window: number;
  readonly trendAdx: number;
  readonly rangeAdx: number;
  readonly volatileRatio: number;
}

export const REGIME_CLASSIFIER_DEFAULTS: RegimeClassifierConfig = Object.freeze({ adxPeriod: 14, window: 20, trendAdx: 25, rangeAdx: 20, volatileRatio: 1.5 });

export class RegimeClassifier {
  private readonly adx: Adx[];
  private readonly returns: Float64Array[];
  private readonly lastClose: Float64Array;
  private readonly count: Int32Array;
  /** Trend of each symbol: sign of close - close `window` bars ago. */
  private readonly closes: Float64Array[];
  private volSum = 0;
  private volCount = 0;

  constructor(
    readonly symbolCount: number,
    readonly config: RegimeClassifierConfig = REGIME_CLASSIFIER_DEFAULTS,
  ) {
    this.adx = Array.from({ length: symbolCount }, () => new Adx(config.adxPeriod));
    this.returns = Array.from({ length: symbolCount }, () => new Float64Array(config.window));
    this.closes = Array.from({ length: symbolCount }, () => new Float64Array(config.window + 1));
    this.lastClose = new Float64Array(symbolCount).fill(Number.NaN);
    this.count = new Int32Array(symbolCount);
  }

  /** Feeds one bar of a symbol. */
  onBar(i: number, high: number, low: number, close: number): void {
    this.adx[i]!.update(high, low, close);
    const prev = this.lastClose[i]!;
    const c = this.count[i]!;
    if (prev === prev && prev > 0) this.returns[i]![c % this.config.window] = close / prev - 1;
    this.closes[i]![c % (this.config.window + 1)] = close;
    this.lastClose[i] = close;
    this.count[i] = c + 1;
  }

  /** Mean ADX over the symbols whose ADX is ready (NaN when none is). */
  meanAdx(): number {
    let s = 0;
    let n = 0;
    for (const a of this.adx) if (a.ready) {
      s += a.value;
      n++;
    }
    return n > 0 ? s / n : Number.NaN;
  }

  /** Mean per-period volatility over the symbols with a full window (NaN when none has). */
  meanVolatility(): number {
    const w = this.config.window;
    let s = 0;
    let n = 0;
    for (let i = 0; i < this.symbolCount; i++) {
      if (this.count[i]! <= w) continue;
      const r = this.returns[i]!;
      let m = 0;
      for (let k = 0; k < w; k++) m += r[k]!;
      m /= w;
      let v = 0;
      for (let k = 0; k < w; k++) v += (r[k]! - m) ** 2;
      s += Math.sqrt(v / (w - 1));
      n++;
    }
    return n > 0 ? s / n : Number.NaN;
  }

  /** Sign of the symbol's move over the window (0 while warming up). */
  trend(i: number): -1 | 0 | 1 {
    const w = this.config.window;
    const c = this.count[i]!;
    if (c <= w) return 0;
    const last = this.closes[i]![(c - 1) % (w + 1)]!;
    const first = this.closes[i]![c % (w + 1)]!;
    return last > first ? 1 : last < first ? -1 : 0;
  }

  /** Classifies now; call once per bar timestamp (it updates the running mean of the volatility). */
  classify(): RegimeName {
    const vol = this.meanVolatility();
    const adx = this.meanAdx();
    if (vol === vol) {
      this.volSum += vol;
      this.volCount++;
      if (this.volCount > this.config.window && vol > this.config.volatileRatio * (this.volSum / this.volCount)) return 'volatile';
    }
    if (!(adx === adx)) return 'mixed';
    if (adx >= this.config.trendAdx) return 'trending';
    if (adx < this.config.rangeAdx) return 'ranging';
    return 'mixed';
  }
}
