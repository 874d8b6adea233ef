import { checkFinite, checkNonNegative, checkOneOf, checkPositive, InvalidArgumentError } from '../core/index.js';

/**
 * Black-Scholes-Merton pricing of European options with a continuous dividend yield, its Greeks and
 * the implied volatility. Pure functions of their inputs: no state, no I/O.
 */

/** The right an option gives its holder. */
export type OptionRight = 'call' | 'put';

const RIGHTS: readonly OptionRight[] = ['call', 'put'];

/** Inputs of {@link blackScholes}. Rates, yields and volatility are annualized and continuously compounded. */
export interface BlackScholesInput {
  readonly spot: number;
  readonly strike: number;
  /** Risk-free rate, e.g. 0.05 for 5%. */
  readonly rate: number;
  /** Annualized volatility, e.g. 0.2 for 20%. */
  readonly volatility: number;
  /** Time to expiry in years. */
  readonly time: number;
  readonly right: OptionRight;
  /** Continuous dividend yield; 0 when omitted. */
  readonly dividendYield?: number;
}

/**
 * Price and Greeks. `vega` and `rho` are per 1.00 change of volatility and rate (divide by 100 for
 * "per vol point"); `theta` is the change of value per year of calendar time passing (negative for a
 * long option that loses time value).
 */
export interface OptionValuation {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
  readonly rho: number;
}

/** Inputs of {@link impliedVolatility}. */
export interface ImpliedVolatilityInput {
  readonly price: number;
  readonly spot: number;
  readonly strike: number;
  readonly rate: number;
  readonly time: number;
  readonly right: OptionRight;
  readonly dividendYield?: number;
}

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969),
// as in his CALERF routine: relative error below 1e-16 over the whole range.
const A0 = 3.1611237438705656;
const A1 = 113.864154151050156;
const A2 = 377.485237685302021;
const A3 = 3209.37758913846947;
const A4 = 0.185777706184603153;
const B0 = 23.6012909523441209;
const B1 = 244.024637934444173;
const B2 = 1282.61652607737228;
const B3 = 2844.23683343917062;
const C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
] as const;
const D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
  4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
] as const;
const P = [
  0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766,
  6.58749161529837803e-4, 0.0163153871373020978,
] as const;
const Q = [2.56852019228982242, 1.87295284992346725, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185] as const;
const ONE_OVER_SQRT_PI = 0.56418958354775628695;
const ONE_OVER_SQRT_2PI = 0.3989422804014326779;
const SQRT_2 = 1.4142135623730950488;

/** Returns exp(-y*y) without the cancellation error of squaring y in one step (Cody's split). */
function expMinusSquare(y: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq) * Math.exp(-del);
}

/** Returns the complementary error function erfc(x) (Cody's rational approximations). */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) {
    const ysq = y > 1.11e-16 ? y * y : 0;
    let xnum = A4 * ysq;
    let xden = ysq;
    xnum = (xnum + A0) * ysq;
    xden = (xden + B0) * ysq;
    xnum = (xnum + A1) * ysq;
    xden = (xden + B1) * ysq;
    xnum = (xnum + A2) * ysq;
    xden = (xden + B2) * ysq;
    return 1 - (x * (xnum + A3)) / (xden + B3);
  }
  let result: number;
  if (y <= 4) {
    let xnum = C[8] * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + C[i]!) * y;
      xden = (xden + D[i]!) * y;
    }
    result = ((xnum + C[7]) / (xden + D[7])) * expMinusSquare(y);
  } else if (y >= 26.543) {
    result = 0;
  } else {
    const ysq = 1 / (y * y);
    let xnum = P[5] * ysq;
    let xden = ysq;
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + P[i]!) * ysq;
      xden = (xden + Q[i]!) * ysq;
    }
    const r = (ysq * (xnum + P[4])) / (xden + Q[4]);
    result = ((ONE_OVER_SQRT_PI - r) / y) * expMinusSquare(y);
  }
  return x < 0 ? 2 - result : result;
}

/** Returns the standard normal cumulative distribution function, accurate in both tails. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / SQRT_2);
}

/** Returns the standard normal density. */
export function normalPdf(x: number): number {
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * x * x);
}

function checkCommon(spot: number, strike: number, rate: number, time: number, right: string, dividendYield: number): void {
  checkPositive(spot, 'spot');
  checkPositive(strike, 'strike');
  checkFinite(rate, 'rate');
  checkNonNegative(time, 'time');
  checkFinite(dividendYield, 'dividendYield');
  checkOneOf(right, RIGHTS, 'right');
}

/**
 * Returns the Black-Scholes-Merton price and Greeks of a European option. At zero time or zero
 * volatility the option is worth its discounted forward intrinsic value and gamma and vega are zero.
 */
export function blackScholes(input: BlackScholesInput): OptionValuation {
  const { spot, strike, rate, volatility, time, right } = input;
  const q = input.dividendYield ?? 0;
  checkCommon(spot, strike, rate, time, right, q);
  checkNonNegative(volatility, 'volatility');
  return valuation(spot, strike, rate, volatility, time, right === 'call', q);
}

function valuation(s: number, k: number, r: number, sigma: number, t: number, isCall: boolean, q: number): OptionValuation {
  const dq = Math.exp(-q * t);
  const dr = Math.exp(-r * t);
  const sd = sigma * Math.sqrt(t);
  if (sd === 0) {
    // Deterministic forward: the option is a forward contract when in the money, worthless otherwise.
    const fwdGap = s * dq - k * dr;
    const itm = isCall ? fwdGap > 0 : fwdGap < 0;
    if (!itm) return { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
    const sign = isCall ? 1 : -1;
    return {
      price: sign * fwdGap,
      delta: sign * dq,
      gamma: 0,
      vega: 0,
      theta: sign * (q * s * dq - r * k * dr),
      rho: sign * k * t * dr,
    };
  }
  const d1 = (Math.log(s / k) + (r - q + 0.5 * sigma * sigma) * t) / sd;
  const d2 = d1 - sd;
  const pdf1 = normalPdf(d1);
  const gamma = (dq * pdf1) / (s * sd);
  const vega = s * dq * pdf1 * Math.sqrt(t);
  const decay = -(s * dq * pdf1 * sigma) / (2 * Math.sqrt(t));
  if (isCall) {
    const n1 = normalCdf(d1);
    const n2 = normalCdf(d2);
    return {
      price: Math.max(0, s * dq * n1 - k * dr * n2),
      delta: dq * n1,
      gamma,
      vega,
      theta: decay - r * k * dr * n2 + q * s * dq * n1,
      rho: k * t * dr * n2,
    };
  }
  const m1 = normalCdf(-d1);
  const m2 = normalCdf(-d2);
  return {
    price: Math.max(0, k * dr * m2 - s * dq * m1),
    delta: -dq * m1,
    gamma,
    vega,
    theta: decay + r * k * dr * m2 - q * s * dq * m1,
    rho: -k * t * dr * m2,
  };
}

/** No-arbitrage bounds of a European option price: `lower <= price < upper`. */
export interface PriceBounds {
  readonly lower: number;
  readonly upper: number;
}

/**
 * Returns the no-arbitrage bounds of a European option: a call lies in
 * [max(S e^-qT - K e^-rT, 0), S e^-qT), a put in [max(K e^-rT - S e^-qT, 0), K e^-rT).
 */
export function optionPriceBounds(spot: number, strike: number, rate: number, time: number, right: OptionRight, dividendYield = 0): PriceBounds {
  checkCommon(spot, strike, rate, time, right, dividendYield);
  const fs = spot * Math.exp(-dividendYield * time);
  const fk = strike * Math.exp(-rate * time);
  return right === 'call' ? { lower: Math.max(fs - fk, 0), upper: fs } : { lower: Math.max(fk - fs, 0), upper: fk };
}

const MAX_VOL = 20;

/**
 * Returns the Black-Scholes-Merton implied volatility of a European option price: Newton's method on
 * the volatility, kept inside a bracket that bisection shrinks whenever a Newton step would leave it
 * or make too little progress. A price at the lower bound has zero implied volatility; a price below
 * the lower bound or at or above the upper bound throws an InvalidArgumentError naming the price and
 * the bounds.
 */
export function impliedVolatility(input: ImpliedVolatilityInput): number {
  const { price, spot, strike, rate, time, right } = input;
  const q = input.dividendYield ?? 0;
  checkFinite(price, 'price');
  const { lower, upper } = optionPriceBounds(spot, strike, rate, time, right, q);
  if (time === 0) {
    if (price === lower) return 0;
    throw new InvalidArgumentError(`invalid 'price': an expired option is worth its intrinsic value ${lower}, was ${price}`);
  }
  if (!(price >= lower && price < upper)) {
    throw new InvalidArgumentError(
      `invalid 'price': outside the no-arbitrage bounds [${lower}, ${upper}) of a ${right} (spot ${spot}, strike ${strike}, time ${time}), was ${price}`,
    );
  }
  if (price === lower) return 0;
  const isCall = right === 'call';
  const tol = 1e-13 * Math.max(1, price);

  let lo = 0;
  let hi = 1;
  while (valuation(spot, strike, rate, hi, time, isCall, q).price < price) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_VOL) {
      throw new InvalidArgumentError(
        `invalid 'price': implies a volatility above ${MAX_VOL} (bounds [${lower}, ${upper}) of a ${right}), was ${price}`,
      );
    }
  }
  // Start where the option's time value is most sensitive to volatility (Manaster-Koehler seed).
  const forwardMoneyness = Math.log((spot * Math.exp((rate - q) * time)) / strike);
  let sigma = Math.sqrt((2 * Math.abs(forwardMoneyness)) / time);
  if (!(sigma > lo && sigma < hi)) sigma = 0.5 * (lo + hi);
  if (sigma < 0.05) sigma = Math.min(0.2, 0.5 * (lo + hi));

  for (let iter = 0; iter < 200; iter++) {
    const v = valuation(spot, strike, rate, sigma, time, isCall, q);
    const diff = v.price - price;
    if (Math.abs(diff) <= tol) return sigma;
    if (diff > 0) hi = sigma;
    else lo = sigma;
    let next = v.vega > 0 ? sigma - diff / v.vega : Number.NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (hi - lo <= 1e-15 * Math.max(1, hi)) return next;
    sigma = next;
  }
  return sigma;
}
