import type { RandomStream } from '../../engine/core/index.js';
import type { BarColumns } from './price-paths.js';

/** Columns of a generated sentiment table (kind `sentiment`). */
export interface SentimentColumns {
  readonly ts: Float64Array;
  readonly score: Float64Array;
  readonly mentions: Float64Array;
}

/** Settings of {@link generateSentiment}. */
export interface SentimentOptions {
  /** Correlation of the latent score with the standardized future return, in [-1, 1]; 0: no information. */
  readonly correlation: number;
  /** Bars ahead the score looks: it carries information about the log return from this bar's close to the close `horizon` bars later. */
  readonly horizon: number;
  /** Mean mentions per row. */
  readonly mentions: number;
}

/**
 * Returns a sentiment series for one symbol's bars, one row per bar, stamped at the bar's close
 * (`ts + barUs`: known once the bar has closed, never before) and built to lead the price by a chosen
 * amount. With z the log return from bar t's close to bar t+h's close, standardized over the series,
 * the latent s = c z + sqrt(1 - c^2) e (e standard normal noise, c = `correlation`) and the score is
 * tanh(s / 2), in (-1, 1); so corr(score, z) is c times about 0.98 (tanh is nearly linear there), and
 * 0 when c is 0. The last h rows have no future in the data: their z is drawn as noise. Mentions are
 * Poisson with mean `mentions` x exp(|s| / 2) (strong opinions draw more posts). Two normals and a
 * Poisson draw per row, whatever the correlation, so the noise does not depend on the settings.
 */
export function generateSentiment(bars: BarColumns, barUs: number, options: SentimentOptions, rng: RandomStream): SentimentColumns {
  const n = bars.ts.length;
  const h = options.horizon;
  const c = options.correlation;
  const close = bars.close;
  const future = new Float64Array(n).fill(Number.NaN);
  let sum = 0;
  let sumSq = 0;
  let m = 0;
  for (let t = 0; t + h < n; t++) {
    const r = Math.log(close[t + h]! / close[t]!);
    future[t] = r;
    sum += r;
    sumSq += r * r;
    m++;
  }
  const mean = m > 0 ? sum / m : 0;
  const sd = m > 1 ? Math.sqrt(Math.max(0, sumSq / m - mean * mean)) : 0;
  const ts = new Float64Array(n);
  const score = new Float64Array(n);
  const mentions = new Float64Array(n);
  const noise = Math.sqrt(1 - c * c);
  for (let t = 0; t < n; t++) {
    const e = rng.normal();
    const fallback = rng.normal();
    const f = future[t]!;
    const z = f === f && sd > 0 ? (f - mean) / sd : fallback;
    const s = c * z + noise * e;
    ts[t] = bars.ts[t]! + barUs;
    score[t] = Math.tanh(s / 2);
    mentions[t] = rng.poisson(options.mentions * Math.exp(Math.abs(s) / 2));
  }
  return { ts, score, mentions };
}
