import { beforeAll, describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import { blackScholes, impliedVolatility, optionPriceBounds } from '../../../../engine/model/option-pricing.js';
import { flowSmileSlope, generateMarket, generateOptionFlow, monthlyExpiriesAfter, smileVolatility, strikeStep, type OptionColumns } from '../../../../datasets/synthetic/index.js';
import { randomStream } from '../../../../engine/core/index.js';

describe('option chains', () => {
  let o: OptionColumns;
  let closes: Map<number, number>;
  const rate = 0.04;
  beforeAll(() => {
    const m = generateMarket({ seed: 3, symbols: ['AAA', 'BBB'], days: 60, kinds: ['bars', 'options'], options: { underlying: 'BBB', rate } });
    const t = m.tables.find((x) => x.kind === 'options')!;
    expect(t.symbol).toBe('BBB');
    o = t.columns as unknown as OptionColumns;
    const bars = m.tables.find((x) => x.kind === 'bars' && x.symbol === 'BBB')!.columns as unknown as { ts: Float64Array; close: Float64Array };
    closes = new Map(Array.from(bars.ts, (ts, i) => [ts, bars.close[i]!] as [number, number]));
  });
  const profileYield = (): number => generateMarket({ seed: 3, symbols: ['AAA', 'BBB'], days: 1, kinds: ['bars'] }).paths.symbols[1]!.profile.dividendYield;

  it('lists 4 expiries x 15 strikes x call/put each session close', () => {
    expect(o.ts.length).toBe(60 * 4 * 15 * 2);
    expect(new Set(o.underlying)).toEqual(new Set(['BBB']));
    const first = o.ts[0]!;
    const expiries = new Set<number>();
    for (let i = 0; i < o.ts.length && o.ts[i] === first; i++) expiries.add(o.expiry[i]!);
    expect([...expiries]).toEqual(monthlyExpiriesAfter(first, 4));
  });

  it('has bid <= last <= ask and every price inside the no-arbitrage bounds', () => {
    const q = profileYield();
    for (let i = 0; i < o.ts.length; i++) {
      const spot = closes.get(o.ts[i]! - (o.ts[i]! % US_PER_DAY))!;
      const time = (o.expiry[i]! - o.ts[i]!) / (365.25 * US_PER_DAY);
      expect(time).toBeGreaterThan(0);
      const right = o.right[i] === 1 ? 'call' : 'put';
      const { lower, upper } = optionPriceBounds(spot, o.strike[i]!, rate, time, right, q);
      for (const price of [o.bid[i]!, o.last[i]!, o.ask[i]!]) {
        expect(price).toBeGreaterThanOrEqual(lower);
        expect(price).toBeLessThan(upper);
      }
      expect(o.bid[i]!).toBeLessThanOrEqual(o.last[i]!);
      expect(o.last[i]!).toBeLessThanOrEqual(o.ask[i]!);
      expect(o.bid[i]!).toBeLessThan(o.ask[i]!);
      expect(o.volume[i]!).toBeGreaterThanOrEqual(0);
      expect(o.openInterest[i]!).toBeGreaterThanOrEqual(0);
    }
  });

  it('carries iv and Greeks that are those of Black-Scholes-Merton at the quoted theoretical value', () => {
    const q = profileYield();
    for (let i = 0; i < o.ts.length; i += 37) {
      const spot = closes.get(o.ts[i]! - (o.ts[i]! % US_PER_DAY))!;
      const time = (o.expiry[i]! - o.ts[i]!) / (365.25 * US_PER_DAY);
      const right = o.right[i] === 1 ? 'call' : 'put';
      const v = blackScholes({ spot, strike: o.strike[i]!, rate, volatility: o.iv[i]!, time, right, dividendYield: q });
      expect(o.delta[i]).toBeCloseTo(v.delta, 12);
      expect(o.gamma[i]).toBeCloseTo(v.gamma, 12);
      expect(o.vega[i]).toBeCloseTo(v.vega, 10);
      expect(o.theta[i]).toBeCloseTo(v.theta, 10);
      expect(Math.abs(o.last[i]! - v.price)).toBeLessThanOrEqual(0.005 + 1e-12 + Math.max(0, o.bid[i]! - v.price));
      if (v.vega > 0.01 && v.price > 0.05) {
        const iv = impliedVolatility({ price: v.price, spot, strike: o.strike[i]!, rate, time, right, dividendYield: q });
        expect(iv).toBeCloseTo(o.iv[i]!, 8);
      }
    }
  });

  it('has a skewed smile: out-of-the-money puts carry a higher iv than at-the-money options', () => {
    const atm = smileVolatility(0.3, 100, 100, 0.25);
    expect(atm).toBe(0.3);
    expect(smileVolatility(0.3, 80, 100, 0.25)).toBeGreaterThan(atm);
    expect(smileVolatility(0.3, 80, 100, 0.25)).toBeGreaterThan(smileVolatility(0.3, 120, 100, 0.25));
    // In the generated chain: for the first expiry of the first day, iv falls from the lowest strike to the ATM strike.
    const first = o.ts[0]!;
    const e = o.expiry[0]!;
    const calls = [];
    for (let i = 0; i < o.ts.length && o.ts[i] === first; i++) if (o.expiry[i] === e && o.right[i] === 1) calls.push([o.strike[i]!, o.iv[i]!] as const);
    expect(calls.length).toBe(15);
    expect(calls[0]![1]).toBeGreaterThan(calls[7]![1]);
  });

  it('picks listed-looking strike steps of about 2.5% of spot', () => {
    expect(strikeStep(42)).toBe(1);
    expect(strikeStep(100)).toBe(2.5);
    expect(strikeStep(230)).toBe(5);
    expect(strikeStep(15)).toBe(0.5);
  });

  it('lists the third Friday of each month at 16:00 as the monthly expiry', () => {
    const jan2 = Date.UTC(2024, 0, 2) * 1000;
    const [a, b] = monthlyExpiriesAfter(jan2, 2);
    expect(new Date(a! / 1000).toISOString()).toBe('2024-01-19T16:00:00.000Z');
    expect(new Date(b! / 1000).toISOString()).toBe('2024-02-16T16:00:00.000Z');
    // On expiry day after the close, the next month is the front expiry.
    expect(new Date(monthlyExpiriesAfter(a!, 1)[0]! / 1000).toISOString()).toBe('2024-02-16T16:00:00.000Z');
  });

  it('varies the put/call flow in regimes: daily put/call volume ratios well below 0.7 and above 1.3, a call skew on call-heavy days', () => {
    const m = generateMarket({ seed: 42, symbols: ['AAA'], days: 250, kinds: ['options'] });
    const c = m.tables[0]!.columns as unknown as OptionColumns;
    const days = new Map<number, { put: number; call: number }>();
    for (let i = 0; i < c.ts.length; i++) {
      const d = days.get(c.ts[i]!) ?? { put: 0, call: 0 };
      if (c.right[i] === 1) d.call += c.volume[i]!;
      else d.put += c.volume[i]!;
      days.set(c.ts[i]!, d);
    }
    const ratios = [...days.values()].map((d) => d.put / d.call);
    expect(ratios.filter((r) => r < 0.7).length).toBeGreaterThan(10);
    expect(ratios.filter((r) => r > 1.3).length).toBeGreaterThan(10);
    // Balanced flow keeps the put skew; call buying tilts the smile towards calls.
    expect(flowSmileSlope(0)).toBe(-0.3);
    expect(flowSmileSlope(-0.6)).toBeGreaterThan(0);
    expect(smileVolatility(0.3, 120, 100, 0.25, flowSmileSlope(-0.6))).toBeGreaterThan(smileVolatility(0.3, 80, 100, 0.25, flowSmileSlope(-0.6)));
  });

  it('draws the flow from its own seeded stream: same seed, same flow; puts are bought after a fall', () => {
    const closes = Float64Array.from([100, 100, 100, 90, 90]);
    const a = generateOptionFlow(closes, randomStream(1, 'synthetic', 'options-flow/AAA'));
    const b = generateOptionFlow(closes, randomStream(1, 'synthetic', 'options-flow/AAA'));
    expect(Array.from(a)).toEqual(Array.from(b));
    const flat = generateOptionFlow(Float64Array.from([100, 100, 100, 100, 100]), randomStream(1, 'synthetic', 'options-flow/AAA'));
    expect(a[3]! - flat[3]!).toBeCloseTo(-4 * Math.log(0.9), 12);
  });
});
