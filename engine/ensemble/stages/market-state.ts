import { InvalidArgumentError } from '../../core/index.js';
import { HmmRegimeDetector } from '../../models/hmm-regime.js';
import { RegimeClassifier } from '../adaptive/regime-classifier.js';
import type { RegimeClassifierConfig } from '../adaptive/regime-classifier.js';
import type { EnsembleHmmRegimes } from '../ensemble-config.js';
import type { RegimeName } from '../regime-table.js';

/** The table regime of each HMM state: given, or by default seed 003's bear / (sideways) / bull as table regimes. */
export function hmmRegimeLabels(hmm: EnsembleHmmRegimes): readonly RegimeName[] {
  if (hmm.labels !== undefined) {
    if (hmm.labels.length !== hmm.states) throw new InvalidArgumentError(`invalid 'ensemble.regimes.hmm.labels': ${hmm.labels.length} labels for ${hmm.states} states`);
    return hmm.labels;
  }
  const byVolatility = hmm.orderBy === 'volatility';
  if (hmm.states === 2) return byVolatility ? ['trending', 'volatile'] : ['volatile', 'trending'];
  if (hmm.states === 3) return byVolatility ? ['ranging', 'trending', 'volatile'] : ['volatile', 'ranging', 'trending'];
  throw new InvalidArgumentError(`invalid 'ensemble.regimes.hmm.labels': required with ${hmm.states} states (one regime per state, in ascending order of ${hmm.orderBy})`);
}

/**
 * What the ensemble's stages know of the market: every symbol's closes so far and the regime
 * classifier (trending, ranging, volatile or mixed, from the mean ADX and volatility of every symbol,
 * or, with `regimes.hmm`, from a Gaussian HMM on the mean log return of the symbols between samples).
 */
export class EnsembleMarket {
  readonly closes: number[][];
  readonly classifier: RegimeClassifier;
  /** The regime of the last equity sample ('mixed' before the first). */
  regime = 'mixed';

  /** The HMM regime source (null: the ADX/volatility classifier labels the regime). */
  readonly hmm: HmmRegimeDetector | null;
  /** Each symbol's close at the previous sample (NaN before), for the HMM's mean log return. */
  private readonly sampledClose: Float64Array;

  constructor(symbolCount: number, regimes: RegimeClassifierConfig & { readonly hmm?: EnsembleHmmRegimes | null }, seed = 0) {
    this.closes = Array.from({ length: symbolCount }, () => []);
    this.classifier = new RegimeClassifier(symbolCount, regimes);
    const h = regimes.hmm ?? null;
    this.hmm = h === null ? null : new HmmRegimeDetector({ ...h, labels: hmmRegimeLabels(h), seed });
    this.sampledClose = new Float64Array(symbolCount).fill(Number.NaN);
  }

  onBar(i: number, high: number, low: number, close: number): void {
    this.classifier.onBar(i, high, low, close);
    this.closes[i]!.push(close);
  }

  /** Classifies the regime (on every equity sample) and returns it. */
  classify(): string {
    const byAdx = this.classifier.classify();
    if (this.hmm === null) {
      this.regime = byAdx;
      return this.regime;
    }
    let sum = 0;
    let n = 0;
    for (let i = 0; i < this.closes.length; i++) {
      const c = this.lastClose(i);
      if (c === undefined) continue;
      const prev = this.sampledClose[i]!;
      if (prev > 0 && c > 0) {
        sum += Math.log(c / prev);
        n++;
      }
      this.sampledClose[i] = c;
    }
    if (n > 0) this.regime = this.hmm.update(sum / n) ?? 'mixed';
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
