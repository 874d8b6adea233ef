import { US_PER_YEAR, type RandomStream } from '../../engine/core/index.js';
import { blackScholes, optionPriceBounds, type OptionRight } from '../../engine/model/option-pricing.js';
import { OPTION_RIGHT } from '../schema.js';
import { monthlyExpiriesAfter, SESSION_CLOSE_US } from './calendar.js';
import { GrowableF64, GrowableI8, type OptionColumns } from './columns.js';
import type { SymbolPath } from './price-paths.js';

/**
 * End-of-day option chains on one underlying, priced with Black-Scholes-Merton on a volatility
 * surface with a term structure and a smile.
 *
 * - Expiries: the next `expiries` monthly expiries (third Friday, 16:00) after each session close.
 * - Strikes: a "nice" step of about 2.5% of spot (0.5, 1, 2.5, 5, 10, 25, ...), `strikesPerSide`
 *   steps either side of the at-the-money strike.
 * - Flow: a daily put/call demand imbalance u (see {@link generateOptionFlow}) tilts volume towards
 *   puts (u > 0) or calls (u < 0) and, as demand pressure does, bids up the implied volatility of the
 *   side in demand: the smile's slope is -0.3 - 0.5 tanh(u / 0.4) (-0.3 at balanced flow; a call skew
 *   when call buying dominates).
 * - Volatility: at the money, the underlying's conditional volatility mean-reverts towards its
 *   long-run level with a 3-month time constant; across strikes, a skewed quadratic in standardized
 *   log-moneyness x = ln(K/F)/sqrt(T): iv = atm * (1 + slope x + 0.15 x^2), floored at half the ATM
 *   volatility.
 * - Quotes: theoretical value +/- (1 cent + 1.5% of value), on the cent grid, with the bid at or above
 *   the no-arbitrage lower bound and the ask below the upper bound; `last` is the theoretical value
 *   rounded into [bid, ask]. Volume peaks at the money and at short expiries; open interest accrues.
 * - `iv` and the Greeks are those of the theoretical value.
 */

const STRIKE_STEPS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500];
const RIGHTS: readonly OptionRight[] = ['call', 'put'];

/** Returns a listed-looking strike step of about 2.5% of `spot`. */
export function strikeStep(spot: number): number {
  const target = spot * 0.025;
  let bestStep = STRIKE_STEPS[0]!;
  for (const s of STRIKE_STEPS) if (Math.abs(Math.log(s / target)) < Math.abs(Math.log(bestStep / target))) bestStep = s;
  return bestStep;
}

/** The smile's slope in standardized log-moneyness at balanced option flow (puts richer than calls). */
export const BASE_SMILE_SLOPE = -0.3;

/**
 * Returns the smile-adjusted implied volatility at strike `strike` for a forward `forward` and time
 * `time`; `slope` is the smile's slope in standardized log-moneyness (default {@link BASE_SMILE_SLOPE}).
 */
export function smileVolatility(atm: number, strike: number, forward: number, time: number, slope = BASE_SMILE_SLOPE): number {
  const x = Math.log(strike / forward) / Math.sqrt(time);
  return atm * Math.max(0.5, 1 + slope * x + 0.15 * x * x);
}

/** Returns the smile's slope under put/call demand imbalance `u` (0: balanced). */
export function flowSmileSlope(u: number): number {
  return BASE_SMILE_SLOPE - 0.5 * Math.tanh(u / 0.4);
}

/** Put/call volume ratio of balanced flow (puts trade a little more: hedging demand). */
export const BASE_PUT_CALL = 1.2;

/**
 * Returns the daily put/call demand imbalance of an underlying whose session closes are
 * `dailyClose`: u = 0.85 u' + 0.2 e - 4 r, an AR(1) in log put/call demand (stationary deviation
 * about 0.38, so flow regimes last about a week) plus a reaction to the session's log return r
 * (puts bought after falls, calls chased after rallies). Volume on day d is scaled by
 * exp(+u/2) for puts and exp(-u/2) for calls, so the put/call ratio is about 1.2 exp(u).
 */
export function generateOptionFlow(dailyClose: Float64Array, rng: RandomStream): Float64Array {
  const u = new Float64Array(dailyClose.length);
  let prev = 0;
  for (let d = 0; d < dailyClose.length; d++) {
    const r = d > 0 ? Math.log(dailyClose[d]! / dailyClose[d - 1]!) : 0;
    prev = 0.85 * prev + 0.2 * rng.normal() - 4 * r;
    u[d] = prev;
  }
  return u;
}

export interface OptionChainOptions {
  readonly expiries: number;
  readonly strikesPerSide: number;
  readonly rate: number;
}

/**
 * Returns the option chain rows of `path`'s underlying, one chain per session close; `flow` is the
 * daily put/call demand imbalance ({@link generateOptionFlow}).
 */
export function generateOptionChains(days: Float64Array, path: SymbolPath, options: OptionChainOptions, flow: Float64Array, rng: RandomStream): OptionColumns {
  const { expiries: nExp, strikesPerSide: m, rate } = options;
  const { profile, dailyClose, closeVolatility } = path;
  const q = profile.dividendYield;
  const capacity = days.length * nExp * (2 * m + 1) * 2;
  const ts = new GrowableF64(capacity);
  const expiry = new GrowableF64(capacity);
  const strikeCol = new GrowableF64(capacity);
  const right = new GrowableI8(capacity);
  const bid = new GrowableF64(capacity);
  const ask = new GrowableF64(capacity);
  const last = new GrowableF64(capacity);
  const volume = new GrowableF64(capacity);
  const openInterest = new GrowableF64(capacity);
  const iv = new GrowableF64(capacity);
  const delta = new GrowableF64(capacity);
  const gamma = new GrowableF64(capacity);
  const vega = new GrowableF64(capacity);
  const theta = new GrowableF64(capacity);
  const interest = new Map<string, number>();

  for (let d = 0; d < days.length; d++) {
    const now = days[d]! + SESSION_CLOSE_US;
    const spot = Math.round(dailyClose[d]! * 100) / 100;
    const step = strikeStep(spot);
    const atmStrike = Math.max(step, Math.round(spot / step) * step);
    const u = flow[d]!;
    const slope = flowSmileSlope(u);
    const putDemand = BASE_PUT_CALL * Math.exp(u / 2);
    const callDemand = Math.exp(-u / 2);
    for (const exp of monthlyExpiriesAfter(now, nExp)) {
      const time = (exp - now) / US_PER_YEAR;
      const atm = profile.volatility + (closeVolatility[d]! - profile.volatility) * Math.exp(-time / 0.25);
      const forward = spot * Math.exp((rate - q) * time);
      for (let k = -m; k <= m; k++) {
        const strike = Math.round((atmStrike + k * step) * 100) / 100;
        if (strike <= 0) continue;
        const vol = smileVolatility(atm, strike, forward, time, slope);
        for (const r of RIGHTS) {
          const v = blackScholes({ spot, strike, rate, volatility: vol, time, right: r, dividendYield: q });
          const bounds = optionPriceBounds(spot, strike, rate, time, r, q);
          const half = 0.01 + 0.015 * v.price;
          let bidCents = Math.max(0, Math.floor((v.price - half) * 100));
          let lowerCents = Math.ceil(bounds.lower * 100);
          if (lowerCents / 100 < bounds.lower) lowerCents++;
          if (bidCents < lowerCents) bidCents = lowerCents;
          let askCents = Math.max(bidCents + 1, Math.ceil((v.price + half) * 100));
          let upperCents = Math.floor(bounds.upper * 100);
          if (upperCents / 100 >= bounds.upper) upperCents--;
          if (askCents > upperCents) askCents = upperCents;
          const lastCents = Math.min(askCents, Math.max(bidCents, Math.round(v.price * 100)));
          // Activity peaks at the money and near expiry; the day's flow splits it between puts and calls.
          const z = Math.log(strike / forward) / (vol * Math.sqrt(time));
          const lambda = 400 * Math.exp(-0.5 * z * z) * (1 / (1 + 4 * time)) * (r === 'put' ? putDemand : callDemand);
          const vol_ = rng.poisson(lambda);
          const key = `${exp}|${strike}|${r}`;
          const prior = interest.get(key);
          const oi =
            prior === undefined
              ? Math.round(vol_ * rng.uniform(5, 20))
              : Math.max(0, prior + Math.round(vol_ * rng.uniform(-0.4, 0.6)));
          interest.set(key, oi);
          ts.push(now);
          expiry.push(exp);
          strikeCol.push(strike);
          right.push(OPTION_RIGHT[r]);
          bid.push(bidCents / 100);
          ask.push(askCents / 100);
          last.push(lastCents / 100);
          volume.push(vol_);
          openInterest.push(oi);
          iv.push(vol);
          delta.push(v.delta);
          gamma.push(v.gamma);
          vega.push(v.vega);
          theta.push(v.theta);
        }
      }
    }
    // Expired contracts leave the open-interest book.
    for (const key of [...interest.keys()]) if (Number(key.slice(0, key.indexOf('|'))) <= now) interest.delete(key);
  }
  const n = ts.length;
  return {
    ts: ts.finish(),
    underlying: new Array<string>(n).fill(profile.symbol),
    expiry: expiry.finish(),
    strike: strikeCol.finish(),
    right: right.finish(),
    bid: bid.finish(),
    ask: ask.finish(),
    last: last.finish(),
    volume: volume.finish(),
    openInterest: openInterest.finish(),
    iv: iv.finish(),
    delta: delta.finish(),
    gamma: gamma.finish(),
    vega: vega.finish(),
    theta: theta.finish(),
  };
}
