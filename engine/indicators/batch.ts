import { InvalidArgumentError } from '../core/index.js';
import { Adx } from './adx.js';
import { Atr } from './atr.js';
import { BollingerBands, type BollingerBandsOptions } from './bollinger-bands.js';
import { DonchianChannel } from './donchian-channel.js';
import { Ema, type EmaOptions } from './ema.js';
import { Ibs } from './ibs.js';
import { Macd, type MacdOptions } from './macd.js';
import { RollingMax, RollingMin } from './rolling-extreme.js';
import { RollingStd, type RollingStdOptions } from './rolling-std.js';
import { Rsi } from './rsi.js';
import { Sma } from './sma.js';
import { ZScore } from './z-score.js';

/**
 * Batch forms of the streaming indicators, for research scripts: each takes whole series (a
 * Float64Array or a number[]) and returns Float64Arrays of the same length, NaN during warm-up.
 *
 * Every function feeds the matching streaming class one value at a time and copies out what it
 * returns, so a batch value and the value a strategy sees on the same bar are the same bits (a test
 * holds them to that). Inputs are checked as the classes check them, but the error names the
 * series and the index (`invalid 'close[12]': not a finite number, was NaN`); series of unequal
 * length are refused.
 */

/** A series of numbers: a typed array or a plain array. */
export type Series = ArrayLike<number>;

/** The MACD line, its signal line and their difference (see {@link Macd}). */
export interface MacdSeries {
  readonly macd: Float64Array;
  readonly signal: Float64Array;
  readonly histogram: Float64Array;
}

/** The ADX with the directional indicators (see {@link Adx}). */
export interface AdxSeries {
  readonly adx: Float64Array;
  readonly plusDI: Float64Array;
  readonly minusDI: Float64Array;
  readonly dx: Float64Array;
}

/** The Bollinger bands and %B (see {@link BollingerBands}). */
export interface BollingerSeries {
  readonly lower: Float64Array;
  readonly middle: Float64Array;
  readonly upper: Float64Array;
  readonly percentB: Float64Array;
}

/** The Donchian channel (see {@link DonchianChannel}). */
export interface DonchianSeries {
  readonly upper: Float64Array;
  readonly middle: Float64Array;
  readonly lower: Float64Array;
}

/** Simple moving average of `x` over `period` values (see {@link Sma}); NaN for the first `period - 1`. */
export function sma(x: Series, period: number): Float64Array {
  return scalar(x, 'x', new Sma(period));
}

/** Exponential moving average of `x` (see {@link Ema}); NaN for the first `period - 1`. */
export function ema(x: Series, period: number, options?: EmaOptions): Float64Array {
  return scalar(x, 'x', new Ema(period, options));
}

/** Relative strength index of `x` (see {@link Rsi}); NaN for the first `period`. Default period 14. */
export function rsi(x: Series, period = 14): Float64Array {
  return scalar(x, 'x', new Rsi(period));
}

/**
 * MACD of `x` (see {@link Macd}; defaults 12/26/9, price-difference line): the line is NaN for the
 * first `slow - 1` values, the signal and histogram for the first `slow + signal - 2`.
 */
export function macd(x: Series, options?: MacdOptions): MacdSeries {
  const m = new Macd(options);
  const n = lengthOf(x, 'x');
  const line = new Float64Array(n);
  const signal = new Float64Array(n);
  const histogram = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    line[i] = m.update(finite(x, 'x', i));
    signal[i] = m.signal;
    histogram[i] = m.histogram;
  }
  return { macd: line, signal, histogram };
}

/** Average true range (see {@link Atr}); NaN for the first `period`. Default period 14. */
export function atr(high: Series, low: Series, close: Series, period = 14): Float64Array {
  const a = new Atr(period);
  const n = sameLength({ high, low, close });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = a.update(finite(high, 'high', i), finite(low, 'low', i), finite(close, 'close', i));
  return out;
}

/**
 * Average directional index with +DI, -DI and DX (see {@link Adx}): the ADX is NaN for the first
 * `2 * period - 1` values, the others for the first `period`. Default period 14.
 */
export function adx(high: Series, low: Series, close: Series, period = 14): AdxSeries {
  const a = new Adx(period);
  const n = sameLength({ high, low, close });
  const out = { adx: new Float64Array(n), plusDI: new Float64Array(n), minusDI: new Float64Array(n), dx: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.adx[i] = a.update(finite(high, 'high', i), finite(low, 'low', i), finite(close, 'close', i));
    out.plusDI[i] = a.plusDI;
    out.minusDI[i] = a.minusDI;
    out.dx[i] = a.dx;
  }
  return out;
}

/** Bollinger bands of `x` (see {@link BollingerBands}; defaults period 20, k 2); NaN for the first `period - 1`. */
export function bollinger(x: Series, options?: BollingerBandsOptions): BollingerSeries {
  const b = new BollingerBands(options);
  const n = lengthOf(x, 'x');
  const out = { lower: new Float64Array(n), middle: new Float64Array(n), upper: new Float64Array(n), percentB: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.middle[i] = b.update(finite(x, 'x', i));
    out.lower[i] = b.lower;
    out.upper[i] = b.upper;
    out.percentB[i] = b.percentB;
  }
  return out;
}

/** Rolling standard deviation of `x` (see {@link RollingStd}; sample by default); NaN for the first `period - 1`. */
export function rollingStd(x: Series, period: number, options?: RollingStdOptions): Float64Array {
  return scalar(x, 'x', new RollingStd(period, options));
}

/** Rolling z-score of `x` (see {@link ZScore}); NaN for the first `period - 1`. */
export function zScore(x: Series, period: number, options?: RollingStdOptions): Float64Array {
  return scalar(x, 'x', new ZScore(period, options));
}

/** Highest of the last `period` values of `x`, the current one included (see {@link RollingMax}). */
export function rollingMax(x: Series, period: number): Float64Array {
  return scalar(x, 'x', new RollingMax(period));
}

/** Lowest of the last `period` values of `x`, the current one included (see {@link RollingMin}). */
export function rollingMin(x: Series, period: number): Float64Array {
  return scalar(x, 'x', new RollingMin(period));
}

/**
 * Donchian channel (see {@link DonchianChannel}): highest high, lowest low and their mean over the
 * last `period` bars, the current one included; NaN for the first `period - 1`. Default period 10.
 */
export function donchian(high: Series, low: Series, period = 10): DonchianSeries {
  const d = new DonchianChannel(period);
  const n = sameLength({ high, low });
  const out = { upper: new Float64Array(n), middle: new Float64Array(n), lower: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.middle[i] = d.update(finite(high, 'high', i), finite(low, 'low', i));
    out.upper[i] = d.upper;
    out.lower[i] = d.lower;
  }
  return out;
}

/** Internal bar strength of each bar (see {@link Ibs}); no warm-up, 0.5 on a bar with high == low. */
export function ibs(high: Series, low: Series, close: Series): Float64Array {
  const b = new Ibs();
  const n = sameLength({ high, low, close });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = b.update(finite(high, 'high', i), finite(low, 'low', i), finite(close, 'close', i));
  return out;
}

function scalar(x: Series, name: string, indicator: { update(x: number): number }): Float64Array {
  const n = lengthOf(x, name);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = indicator.update(finite(x, name, i));
  return out;
}

/** Returns `xs[i]`, or throws naming the series and index when it is not a finite number. */
function finite(xs: Series, name: string, i: number): number {
  const v = xs[i];
  if (typeof v !== 'number' || v - v !== 0) {
    throw new InvalidArgumentError(`invalid '${name}[${i}]': not a finite number, was ${typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v))}`);
  }
  return v;
}

function lengthOf(xs: Series, name: string): number {
  if (xs === null || typeof xs !== 'object' || typeof xs.length !== 'number') {
    throw new InvalidArgumentError(`invalid '${name}': expected a Float64Array or an array of numbers, was ${xs === null ? 'null' : typeof xs}`);
  }
  return xs.length;
}

/** Returns the common length of the named series, or throws naming the two that differ. */
function sameLength(series: Readonly<Record<string, Series>>): number {
  let first: string | undefined;
  let n = 0;
  for (const [name, xs] of Object.entries(series)) {
    const len = lengthOf(xs, name);
    if (first === undefined) {
      first = name;
      n = len;
    } else if (len !== n) {
      throw new InvalidArgumentError(`invalid '${name}': length ${len} differs from '${first}' (${n})`);
    }
  }
  return n;
}
