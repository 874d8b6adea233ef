import { RegimeClassifier } from '../adaptive/regime-classifier.js';
import type { RegimeClassifierConfig } from '../adaptive/regime-classifier.js';

/**
 * What the ensemble's stages know of the market: every symbol's closes so far and the regime
 * classifier (trending, ranging, volatile or mixed, from the mean ADX and volatility of every symbol).
 */
export class EnsembleMarket {
  readonly closes: number[][];
  readonly classifier: RegimeClassifier;
  /** The regime of the last equity sample ('mixed' before the first). */
  regime = 'mixed';

  constructor(symbolCount: number, regimes: RegimeClassifierConfig) {
    this.closes = Array.from({ length: symbolCount }, () => []);
    this.classifier = new RegimeClassifier(symbolCount, regimes);
  }

  onBar(i: number, high: number, low: number, close: number): void {
    this.classifier.onBar(i, high, low, close);
    this.closes[i]!.push(close);
  }

  /** Classifies the regime (on every equity sample) and returns it. */
  classify(): string {
    this.regime = this.classifier.classify();
    return this.regime;
  }

  /** The last close of symbol i, undefined before its first bar. */
  lastClose(i: number): number | undefined {
    const c = this.closes[i]!;
    return c[c.length - 1];
  }

  /** Sample standard deviation of symbol i's last `lookback` close-to-close returns (0 with fewer than two). */
  volatility(i: number, lookback: number): number {
    const c = this.closes[i]!;
    const from = Math.max(1, c.length - lookback);
    const r: number[] = [];
    for (let t = from; t < c.length; t++) r.push(c[t]! / c[t - 1]! - 1);
    if (r.length < 2) return 0;
    const m = r.reduce((a, b) => a + b, 0) / r.length;
    return Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / (r.length - 1));
  }
}
