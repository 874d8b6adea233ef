import { randomStream, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, type RandomStream } from '../../engine/core/index.js';
import type { OhlcvColumns } from '../../engine/model/index.js';
import { SESSION_OPEN_US, STEP_US, STEPS_PER_SESSION, tradingDays } from './calendar.js';
import type { BarInterval, SyntheticMarketConfig } from './config.js';
import { choleskyFactor, oneFactorCorrelation } from './correlation.js';
import { symbolProfile, type SymbolProfile } from './profiles.js';

/**
 * Correlated multi-asset price paths with a hidden Markov market regime, GARCH(1,1)-like volatility
 * clustering, Poisson jumps and cross-asset correlation through a Cholesky factor. The path moves in
 * 15-second steps inside the 09:30-16:00 session plus one overnight gap per night; bars at any
 * interval are aggregated from these steps, so their high and low are the true extremes of the path.
 */

/** A hidden market regime: drift, volatility, jump and volume multipliers. */
export interface Regime {
  readonly name: string;
  /** Annual drift. */
  readonly drift: number;
  readonly volatilityMultiplier: number;
  readonly jumpMultiplier: number;
  /** Mean jump size (log return); negative in the volatile regime, where crashes live. */
  readonly jumpMean: number;
  readonly volumeMultiplier: number;
}

export const REGIMES: readonly Regime[] = [
  { name: 'calm-trend', drift: 0.18, volatilityMultiplier: 0.75, jumpMultiplier: 0.5, jumpMean: 0.0, volumeMultiplier: 0.85 },
  { name: 'ranging', drift: 0.0, volatilityMultiplier: 1.0, jumpMultiplier: 1.0, jumpMean: -0.005, volumeMultiplier: 1.0 },
  { name: 'volatile', drift: -0.3, volatilityMultiplier: 1.9, jumpMultiplier: 3.0, jumpMean: -0.02, volumeMultiplier: 1.6 },
];

/** Daily regime transition probabilities (rows: from, columns: to); persistent regimes lasting weeks to months. */
export const REGIME_TRANSITIONS: readonly (readonly number[])[] = [
  [0.985, 0.012, 0.003],
  [0.015, 0.978, 0.007],
  [0.02, 0.04, 0.94],
];

/** GARCH(1,1) on the daily variance multiplier h: h' = (1 - a - b) + a * eps^2 + b * h, unconditional mean 1. */
const GARCH_ALPHA = 0.08;
const GARCH_BETA = 0.9;
const H_MIN = 0.2;
const H_MAX = 6;
/** Share of the daily variance that falls overnight (the gap between sessions). */
const OVERNIGHT_VARIANCE_SHARE = 0.15;
const TRADING_DAYS_PER_YEAR = 252;
const JUMP_SD = 0.03;
const MEAN_ABS_NORMAL = Math.sqrt(2 / Math.PI);

/** Bar columns of one symbol, prices on the 0.01 tick grid. */
export interface BarColumns extends OhlcvColumns {
  /** Bar open time, microseconds. */
  readonly ts: Float64Array;
}

/** The full-resolution path of one session, kept for symbols that carry intraday data. */
export interface IntradaySession {
  /** UTC midnight of the trading day. */
  readonly day: number;
  /** Path value at the session open and after each step (STEPS_PER_SESSION + 1 points). */
  readonly points: Float64Array;
  /** Share of the session's trading activity in each step (sums to 1); higher near open and close and on big moves. */
  readonly activity: Float64Array;
  /** Standard deviation of the log return of each step. */
  readonly stepSd: Float64Array;
}

export interface SymbolPath {
  readonly profile: SymbolProfile;
  readonly bars: BarColumns;
  /** Unrounded session close per trading day. */
  readonly dailyClose: Float64Array;
  /** Annualized conditional volatility forecast for the next session, per trading day. */
  readonly closeVolatility: Float64Array;
  readonly intraday: IntradaySession[];
}

export interface MarketPaths {
  /** UTC midnights of the trading days. */
  readonly days: Float64Array;
  /** Regime index (into REGIMES) per trading day. */
  readonly regimes: Int8Array;
  readonly symbols: readonly SymbolPath[];
}

/** Returns the bar length in path steps and the bar length in microseconds. */
export function barLayout(interval: BarInterval): { stepsPerBar: number; barsPerDay: number; barUs: number } {
  switch (interval) {
    case '1m':
      return { stepsPerBar: US_PER_MINUTE / STEP_US, barsPerDay: STEPS_PER_SESSION / (US_PER_MINUTE / STEP_US), barUs: US_PER_MINUTE };
    case '1h':
      return { stepsPerBar: US_PER_HOUR / STEP_US, barsPerDay: Math.ceil(STEPS_PER_SESSION / (US_PER_HOUR / STEP_US)), barUs: US_PER_HOUR };
    case '1d':
      return { stepsPerBar: STEPS_PER_SESSION, barsPerDay: 1, barUs: US_PER_DAY };
  }
}

/** Returns U-shaped weights over the session steps (summing to 1): `base + amp * (2x - 1)^2`. */
function uShape(base: number, amp: number): Float64Array {
  const w = new Float64Array(STEPS_PER_SESSION);
  let sum = 0;
  for (let i = 0; i < STEPS_PER_SESSION; i++) {
    const x = (2 * (i + 0.5)) / STEPS_PER_SESSION - 1;
    w[i] = base + amp * x * x;
    sum += w[i]!;
  }
  for (let i = 0; i < STEPS_PER_SESSION; i++) w[i]! /= sum;
  return w;
}

function nextRegime(current: number, rng: RandomStream): number {
  const row = REGIME_TRANSITIONS[current]!;
  const u = rng.next();
  let acc = 0;
  for (let j = 0; j < row.length; j++) {
    acc += row[j]!;
    if (u < acc) return j;
  }
  return row.length - 1;
}

const roundTick = (x: number): number => Math.max(0.01, Math.round(x * 100) / 100);

/**
 * Simulates the paths of all symbols of `config`. Streams: 'regime' (the market regime),
 * 'path' (the correlated innovations, all symbols in order), 'jumps/<symbol>' and 'volume/<symbol>'.
 * The result does not depend on the requested kinds.
 */
export function simulateMarket(config: SyntheticMarketConfig): MarketPaths {
  const { seed, symbols, interval } = config;
  const n = symbols.length;
  const profiles = symbols.map((s) => symbolProfile(seed, s));
  const chol = choleskyFactor(config.correlation ?? oneFactorCorrelation(profiles));
  const days = tradingDays(config.start, config.days);
  const nDays = days.length;
  const regimes = new Int8Array(nDays);
  const regimeRng = randomStream(seed, 'synthetic', 'regime');
  const pathRng = randomStream(seed, 'synthetic', 'path');
  const jumpRng = symbols.map((s) => randomStream(seed, 'synthetic', `jumps/${s}`));
  const volumeRng = symbols.map((s) => randomStream(seed, 'synthetic', `volume/${s}`));

  const { stepsPerBar, barsPerDay } = barLayout(interval);
  const nBars = nDays * barsPerDay;
  const out = profiles.map((profile) => ({
    profile,
    bars: {
      ts: new Float64Array(nBars),
      open: new Float64Array(nBars),
      high: new Float64Array(nBars),
      low: new Float64Array(nBars),
      close: new Float64Array(nBars),
      volume: new Float64Array(nBars),
    },
    dailyClose: new Float64Array(nDays),
    closeVolatility: new Float64Array(nDays),
    intraday: [] as IntradaySession[],
  }));
  const keepIntraday = symbols.map((s) => config.intraday.symbols.includes(s));
  const firstIntradayDay = nDays - config.intraday.days;

  const varianceWeights = uShape(0.7, 1.6);
  const stepSdFactor = varianceWeights.map((w) => Math.sqrt((1 - OVERNIGHT_VARIANCE_SHARE) * w));
  const volumeWeights = uShape(0.6, 2.4);
  const price = Float64Array.from(profiles, (p) => p.startPrice);
  const h = new Float64Array(n).fill(1);
  const prevClose = Float64Array.from(price);
  const eps = new Float64Array(n);
  const z = new Float64Array(n);
  const sigmaDay = new Float64Array(n);
  const driftStep = new Float64Array(n);
  const dayVolume = new Float64Array(n);
  const barHigh = new Float64Array(n);
  const barLow = new Float64Array(n);
  const barOpen = new Float64Array(n);
  const barVolume = new Float64Array(n);
  const jumps = new Float64Array(n * STEPS_PER_SESSION);
  const sessions: (IntradaySession | null)[] = new Array<IntradaySession | null>(n).fill(null);

  const correlate = (): void => {
    for (let s = 0; s < n; s++) eps[s] = pathRng.normal();
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = 0; k <= i; k++) acc += chol[i * n + k]! * eps[k]!;
      z[i] = acc;
    }
  };

  let regime = 1;
  for (let d = 0; d < nDays; d++) {
    if (d > 0) regime = nextRegime(regime, regimeRng);
    regimes[d] = regime;
    const reg = REGIMES[regime]!;
    jumps.fill(0);
    for (let s = 0; s < n; s++) {
      const p = profiles[s]!;
      sigmaDay[s] = (p.volatility * reg.volatilityMultiplier * Math.sqrt(h[s]!)) / Math.sqrt(TRADING_DAYS_PER_YEAR);
      driftStep[s] = (reg.drift + p.drift) / TRADING_DAYS_PER_YEAR / (STEPS_PER_SESSION + 1);
      const count = jumpRng[s]!.poisson((p.jumpsPerYear * reg.jumpMultiplier) / TRADING_DAYS_PER_YEAR);
      for (let j = 0; j < count; j++) {
        const at = jumpRng[s]!.int(0, STEPS_PER_SESSION - 1);
        jumps[s * STEPS_PER_SESSION + at]! += reg.jumpMean + JUMP_SD * Math.sqrt(reg.volatilityMultiplier) * jumpRng[s]!.normal();
      }
      dayVolume[s] = p.dailyVolume * reg.volumeMultiplier * Math.sqrt(h[s]!) * Math.exp(0.25 * volumeRng[s]!.normal() - 0.03125);
    }
    // Overnight gap (none before the first session: it opens at the start price).
    if (d > 0) {
      correlate();
      for (let s = 0; s < n; s++) {
        const sd = sigmaDay[s]! * Math.sqrt(OVERNIGHT_VARIANCE_SHARE);
        price[s]! *= Math.exp(driftStep[s]! - 0.5 * sd * sd + sd * z[s]!);
      }
    }
    const open = days[d]! + SESSION_OPEN_US;
    for (let s = 0; s < n; s++) {
      if (keepIntraday[s] && d >= firstIntradayDay) {
        const session: IntradaySession = {
          day: days[d]!,
          points: new Float64Array(STEPS_PER_SESSION + 1),
          activity: new Float64Array(STEPS_PER_SESSION),
          stepSd: new Float64Array(STEPS_PER_SESSION),
        };
        session.points[0] = price[s]!;
        sessions[s] = session;
        out[s]!.intraday.push(session);
      } else {
        sessions[s] = null;
      }
    }
    let bar = d * barsPerDay;
    for (let i = 0; i < STEPS_PER_SESSION; i++) {
      const barStart = i % stepsPerBar === 0;
      if (barStart) {
        for (let s = 0; s < n; s++) {
          barOpen[s] = price[s]!;
          barHigh[s] = price[s]!;
          barLow[s] = price[s]!;
          barVolume[s] = 0;
        }
      }
      correlate();
      const sdFactor = stepSdFactor[i]!;
      for (let s = 0; s < n; s++) {
        const sd = sigmaDay[s]! * sdFactor;
        const jump = jumps[s * STEPS_PER_SESSION + i]!;
        const p = price[s]! * Math.exp(driftStep[s]! - 0.5 * sd * sd + sd * z[s]! + jump);
        price[s] = p;
        if (p > barHigh[s]!) barHigh[s] = p;
        if (p < barLow[s]!) barLow[s] = p;
        // Volume follows the intraday U-shape and rises with the size of the move (and with jumps).
        const activity = volumeWeights[i]! * (0.45 + (0.55 * Math.abs(z[s]!)) / MEAN_ABS_NORMAL) * (1 + 30 * Math.abs(jump));
        barVolume[s]! += dayVolume[s]! * activity;
        const session = sessions[s];
        if (session) {
          session.points[i + 1] = p;
          session.activity[i] = activity;
          session.stepSd[i] = sd;
        }
      }
      if (i % stepsPerBar === stepsPerBar - 1 || i === STEPS_PER_SESSION - 1) {
        const ts = interval === '1d' ? days[d]! : open + (i - (i % stepsPerBar)) * STEP_US;
        for (let s = 0; s < n; s++) {
          const b = out[s]!.bars;
          b.ts[bar] = ts;
          b.open[bar] = roundTick(barOpen[s]!);
          b.high[bar] = roundTick(barHigh[s]!);
          b.low[bar] = roundTick(barLow[s]!);
          b.close[bar] = roundTick(price[s]!);
          b.volume[bar] = Math.round(barVolume[s]!);
        }
        bar++;
      }
    }
    for (let s = 0; s < n; s++) {
      const session = sessions[s];
      if (session) {
        let sum = 0;
        for (let i = 0; i < STEPS_PER_SESSION; i++) sum += session.activity[i]!;
        for (let i = 0; i < STEPS_PER_SESSION; i++) session.activity[i]! /= sum;
      }
      const p = profiles[s]!;
      const baseSd = (p.volatility * reg.volatilityMultiplier) / Math.sqrt(TRADING_DAYS_PER_YEAR);
      const r = Math.log(price[s]! / prevClose[s]!);
      const e2 = Math.min(25, (r * r) / (baseSd * baseSd));
      h[s] = Math.min(H_MAX, Math.max(H_MIN, 1 - GARCH_ALPHA - GARCH_BETA + GARCH_ALPHA * e2 + GARCH_BETA * h[s]!));
      prevClose[s] = price[s]!;
      out[s]!.dailyClose[d] = price[s]!;
      out[s]!.closeVolatility[d] = p.volatility * reg.volatilityMultiplier * Math.sqrt(h[s]!);
    }
  }
  return { days, regimes, symbols: out };
}
