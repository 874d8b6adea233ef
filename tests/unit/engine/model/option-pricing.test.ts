import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../engine/core/index.js';
import {
  blackScholes,
  impliedVolatility,
  normalCdf,
  optionPriceBounds,
  type OptionRight,
} from '../../../../engine/model/option-pricing.js';

/** Reference values from CPython's math.erfc: 0.5 * erfc(-x / sqrt(2)). */
const CDF_REFERENCE: readonly [number, number][] = [
  [-30, 4.906713927148764e-198],
  [-10, 7.619853024160593e-24],
  [-5, 2.866515718791946e-7],
  [-3.2, 0.0006871379379158485],
  [-1.5, 0.06680720126885809],
  [-0.4, 0.3445782583896758],
  [0, 0.5],
  [0.3, 0.6179114221889526],
  [0.47, 0.6808224912174441],
  [1, 0.8413447460685429],
  [2.5, 0.9937903346742238],
  [4.2, 0.9999866542509841],
  [8, 0.9999999999999993],
];

const right = fc.constantFrom<OptionRight>('call', 'put');
const market = fc.record({
  spot: fc.double({ min: 10, max: 500, noNaN: true }),
  moneyness: fc.double({ min: 0.6, max: 1.6, noNaN: true }),
  rate: fc.double({ min: -0.01, max: 0.1, noNaN: true }),
  dividendYield: fc.double({ min: 0, max: 0.06, noNaN: true }),
  volatility: fc.double({ min: 0.05, max: 1.2, noNaN: true }),
  time: fc.double({ min: 0.02, max: 3, noNaN: true }),
  right,
});

describe('normalCdf', () => {
  it.each(CDF_REFERENCE)('matches the reference value at %d to 1e-14 relative', (x, expected) => {
    expect(Math.abs(normalCdf(x) - expected) / expected).toBeLessThan(1e-14);
  });

  it('is symmetric: N(x) + N(-x) = 1', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 15);
      }),
    );
  });
});

describe('blackScholes', () => {
  it("gives Hull's textbook values: S=42, K=40, r=10%, sigma=20%, T=0.5 -> call 4.76, put 0.81", () => {
    const common = { spot: 42, strike: 40, rate: 0.1, volatility: 0.2, time: 0.5 };
    const call = blackScholes({ ...common, right: 'call' });
    const put = blackScholes({ ...common, right: 'put' });
    expect(call.price).toBeCloseTo(4.76, 2);
    expect(put.price).toBeCloseTo(0.81, 2);
    // Hull gives d1 = 0.7693, d2 = 0.6278, so delta = N(0.7693) = 0.7791.
    expect(call.delta).toBeCloseTo(0.7791, 4);
    expect(put.delta).toBeCloseTo(0.7791 - 1, 4);
  });

  it("gives Hull's dividend-yield example: S=50, K=50, r=10%, q=3%, sigma=25%, T=0.25 call theta sign and vega", () => {
    const v = blackScholes({ spot: 50, strike: 50, rate: 0.1, volatility: 0.25, time: 0.25, right: 'call', dividendYield: 0.03 });
    // d1 = (0 + (0.1 - 0.03 + 0.03125) * 0.25) / 0.125 = 0.2025
    const d1 = 0.2025;
    expect(v.delta).toBeCloseTo(Math.exp(-0.03 * 0.25) * normalCdf(d1), 12);
    expect(v.vega).toBeCloseTo(50 * Math.exp(-0.03 * 0.25) * (Math.exp(-0.5 * d1 * d1) / Math.sqrt(2 * Math.PI)) * 0.5, 12);
    expect(v.theta).toBeLessThan(0);
  });

  it('satisfies put-call parity with dividends: C - P = S e^-qT - K e^-rT', () => {
    fc.assert(
      fc.property(market, (m) => {
        const args = { spot: m.spot, strike: m.spot * m.moneyness, rate: m.rate, volatility: m.volatility, time: m.time, dividendYield: m.dividendYield };
        const c = blackScholes({ ...args, right: 'call' });
        const p = blackScholes({ ...args, right: 'put' });
        const forward = m.spot * Math.exp(-m.dividendYield * m.time) - args.strike * Math.exp(-m.rate * m.time);
        expect(Math.abs(c.price - p.price - forward)).toBeLessThan(1e-10 * m.spot);
        expect(c.delta - p.delta).toBeCloseTo(Math.exp(-m.dividendYield * m.time), 12);
      }),
    );
  });

  it('has Greeks that agree with central finite differences of the price', () => {
    fc.assert(
      fc.property(market, (m) => {
        const base = { spot: m.spot, strike: m.spot * m.moneyness, rate: m.rate, volatility: m.volatility, time: m.time, right: m.right, dividendYield: m.dividendYield };
        const price = (over: Partial<typeof base>): number => blackScholes({ ...base, ...over }).price;
        const g = blackScholes(base);
        const hs = 1e-4 * m.spot;
        const delta = (price({ spot: m.spot + hs }) - price({ spot: m.spot - hs })) / (2 * hs);
        const gamma = (price({ spot: m.spot + hs }) - 2 * g.price + price({ spot: m.spot - hs })) / (hs * hs);
        const hv = 1e-5;
        const vega = (price({ volatility: m.volatility + hv }) - price({ volatility: m.volatility - hv })) / (2 * hv);
        const hr = 1e-6;
        const rho = (price({ rate: m.rate + hr }) - price({ rate: m.rate - hr })) / (2 * hr);
        const ht = 1e-6;
        const theta = -(price({ time: m.time + ht }) - price({ time: m.time - ht })) / (2 * ht);
        const near = (a: number, b: number, scale: number) => expect(Math.abs(a - b)).toBeLessThan(1e-5 * scale);
        near(g.delta, delta, 1);
        near(g.gamma, gamma, Math.max(1, g.gamma) * 100);
        near(g.vega, vega, m.spot);
        near(g.rho, rho, m.spot);
        near(g.theta, theta, m.spot);
      }),
    );
  });

  it('gives discounted intrinsic value and zero gamma/vega at zero time', () => {
    const v = blackScholes({ spot: 110, strike: 100, rate: 0.05, volatility: 0.3, time: 0, right: 'call' });
    expect(v).toEqual({ price: 10, delta: 1, gamma: 0, vega: 0, theta: 0.05 * -100, rho: 0 });
    expect(blackScholes({ spot: 110, strike: 100, rate: 0.05, volatility: 0.3, time: 0, right: 'put' }).price).toBe(0);
  });

  it('rejects a non-positive spot, naming it and the value', () => {
    expect(() => blackScholes({ spot: -1, strike: 40, rate: 0.1, volatility: 0.2, time: 0.5, right: 'call' })).toThrow(
      "invalid 'spot': not positive, was -1",
    );
  });

  it('rejects an unknown right', () => {
    expect(() => blackScholes({ spot: 1, strike: 1, rate: 0, volatility: 0.2, time: 1, right: 'straddle' as OptionRight })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('impliedVolatility', () => {
  it('inverts the price across strikes and expiries: IV(price(sigma)) = sigma', () => {
    fc.assert(
      fc.property(market, (m) => {
        const args = { spot: m.spot, strike: m.spot * m.moneyness, rate: m.rate, time: m.time, right: m.right, dividendYield: m.dividendYield };
        const v = blackScholes({ ...args, volatility: m.volatility });
        const bounds = optionPriceBounds(args.spot, args.strike, args.rate, args.time, args.right, args.dividendYield);
        // Where the time value is below float resolution the volatility is not identifiable from the price.
        fc.pre(v.price - bounds.lower > 1e-9 * m.spot && v.vega > 1e-6 * m.spot);
        const iv = impliedVolatility({ ...args, price: v.price });
        expect(Math.abs(iv - m.volatility)).toBeLessThan(1e-7);
      }),
      { numRuns: 500 },
    );
  });

  it('recovers 20% from the Hull call price', () => {
    const price = blackScholes({ spot: 42, strike: 40, rate: 0.1, volatility: 0.2, time: 0.5, right: 'call' }).price;
    expect(impliedVolatility({ price, spot: 42, strike: 40, rate: 0.1, time: 0.5, right: 'call' })).toBeCloseTo(0.2, 12);
  });

  it('returns zero for a price exactly at the lower bound', () => {
    const lower = 42 - 40 * Math.exp(-0.1 * 0.5);
    expect(impliedVolatility({ price: lower, spot: 42, strike: 40, rate: 0.1, time: 0.5, right: 'call' })).toBe(0);
  });

  it('rejects a call price below the lower bound, naming the price and the bounds', () => {
    const call = () => impliedVolatility({ price: 1, spot: 42, strike: 40, rate: 0.1, time: 0.5, right: 'call' });
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(/invalid 'price': outside the no-arbitrage bounds \[3\.95\d*, 42\) of a call .* was 1$/);
  });

  it('rejects a put price at or above the discounted strike', () => {
    const upper = 40 * Math.exp(-0.1 * 0.5);
    expect(() => impliedVolatility({ price: upper, spot: 42, strike: 40, rate: 0.1, time: 0.5, right: 'put' })).toThrow(
      /outside the no-arbitrage bounds \[0, 38\.04\d*\) of a put/,
    );
  });

  it('rejects a negative or NaN price', () => {
    expect(() => impliedVolatility({ price: -0.5, spot: 42, strike: 40, rate: 0.1, time: 0.5, right: 'put' })).toThrow(/was -0\.5/);
    expect(() => impliedVolatility({ price: Number.NaN, spot: 42, strike: 40, rate: 0.1, time: 0.5, right: 'put' })).toThrow(
      "invalid 'price': not a finite number, was NaN",
    );
  });
});
