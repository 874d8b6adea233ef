import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BollingerBands, RollingMax, RollingMin, RollingStd, Sma, ZScore } from '../../../../engine/indicators/index.js';
import { catalogue } from './catalogue.js';

/**
 * Properties of the streaming indicators. Tolerances: the SMA and the rolling deviation agree with
 * the naive window formulas within 1e-9 relative to the window's magnitude (max |x| in the window;
 * for the deviation, 1e-9 relative to the deviation itself, with deviations below 1e-6 of the
 * magnitude compared at 1e-15 of the magnitude, where even the naive two-pass formula has no more
 * digits to give).
 */

// The compensated rolling sum (Sma, RollingStd) is exact to about eps^2 of the largest value that has
// passed through the window, so agreement with the naive formulas within 1e-9 of the current
// window's magnitude holds while the series' dynamic range stays below ~1e20: here values are 0 or
// have magnitudes in 1e-6..1e6.
const moderate = fc
  .double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
  .filter((x) => x === 0 || Math.abs(x) >= 1e-6);

/** Bars around a random walk: high >= max(open, close) and low <= min(open, close). */
const bars = fc
  .array(fc.tuple(fc.double({ min: -0.05, max: 0.05, noNaN: true }), fc.double({ min: 0, max: 0.03, noNaN: true }), fc.double({ min: 0, max: 0.03, noNaN: true })), {
    minLength: 1,
    maxLength: 120,
  })
  .map((steps) => {
    let price = 100;
    return steps.map(([move, up, down]) => {
      const open = price;
      price = price * (1 + move);
      return [Math.max(open, price) * (1 + up), Math.min(open, price) * (1 - down), price] as const;
    });
  });

const windowOf = (xs: readonly number[], end: number, n: number): number[] => xs.slice(end - n + 1, end + 1);
const magnitude = (w: readonly number[]): number => w.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const naiveMean = (w: readonly number[]): number => w.reduce((s, x) => s + x, 0) / w.length;
const naiveSd = (w: readonly number[], sample: boolean): number => {
  const m = naiveMean(w);
  const ss = w.reduce((s, x) => s + (x - m) * (x - m), 0);
  return Math.sqrt(ss / (sample ? w.length - 1 : w.length));
};
const sdClose = (actual: number, naive: number, scale: number): boolean =>
  Math.abs(actual - naive) <= 1e-9 * Math.max(naive, 1e-6 * scale);

describe('indicator properties', () => {
  it('SMA equals the naive mean of its window', () => {
    fc.assert(
      fc.property(fc.array(moderate, { minLength: 1, maxLength: 150 }), fc.integer({ min: 1, max: 40 }), (xs, n) => {
        const sma = new Sma(n);
        xs.forEach((x, i) => {
          const got = sma.update(x);
          if (i < n - 1) return expect(got).toBeNaN();
          const w = windowOf(xs, i, n);
          expect(Math.abs(got - naiveMean(w))).toBeLessThanOrEqual(1e-9 * magnitude(w));
        });
      }),
    );
  });

  it('rolling standard deviation equals the naive two-pass formula, sample and population', () => {
    fc.assert(
      fc.property(fc.array(moderate, { minLength: 1, maxLength: 150 }), fc.integer({ min: 2, max: 40 }), fc.boolean(), (xs, n, sample) => {
        const sd = new RollingStd(n, { sample });
        xs.forEach((x, i) => {
          const got = sd.update(x);
          if (i < n - 1) return expect(got).toBeNaN();
          const w = windowOf(xs, i, n);
          const naive = naiveSd(w, sample);
          if (!sdClose(got, naive, magnitude(w))) expect.fail(`sd ${got} vs naive ${naive} at ${i}`);
        });
      }),
    );
  });

  it('rolling standard deviation recovers its precision when an outlier leaves the window', () => {
    // Prices 100 +/- 0.001 with one bad tick at 1e5: while it is inside, the sum of squares is ~1e10;
    // once it has left, the deviation is ~1e-3 again, 13 orders of magnitude of variance below.
    const n = 40;
    const xs = Array.from({ length: 200 }, (_, i) => (i === 50 ? 1e5 : 100 + 0.001 * Math.sin(i * 1.3)));
    const sd = new RollingStd(n);
    xs.forEach((x, i) => {
      const got = sd.update(x);
      if (i < n - 1) return;
      const naive = naiveSd(windowOf(xs, i, n), true);
      if (!(Math.abs(got - naive) <= 1e-9 * naive)) expect.fail(`sd ${got} vs naive ${naive} at ${i}`);
    });
  });

  it('z-score is the distance from the window mean in window deviations', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 1, maxLength: 100 }), fc.integer({ min: 2, max: 20 }), (xs, n) => {
        const z = new ZScore(n);
        xs.forEach((x, i) => {
          const got = z.update(x);
          if (i < n - 1) return expect(got).toBeNaN();
          const w = windowOf(xs, i, n);
          const sd = naiveSd(w, true);
          if (sd < 1e-6 * magnitude(w)) return; // ill-conditioned: both sides are rounding noise
          expect(got).toBeCloseTo((x - naiveMean(w)) / sd, 6);
        });
      }),
    );
  });

  it('rolling max and min equal the naive extremes of the window', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 150 }), fc.integer({ min: 1, max: 30 }), (xs, n) => {
        const hi = new RollingMax(n);
        const lo = new RollingMin(n);
        xs.forEach((x, i) => {
          const h = hi.update(x);
          const l = lo.update(x);
          if (i < n - 1) return expect([h, l].every(Number.isNaN)).toBe(true);
          const w = windowOf(xs, i, n);
          expect([h, l]).toEqual([Math.max(...w), Math.min(...w)]);
        });
      }),
    );
  });

  it('Bollinger bands are symmetric around the SMA, bit for bit on the middle band', () => {
    fc.assert(
      fc.property(fc.array(moderate, { maxLength: 150 }), fc.integer({ min: 2, max: 30 }), (xs, n) => {
        const bb = new BollingerBands({ period: n, k: 2 });
        const sma = new Sma(n);
        for (const x of xs) {
          bb.update(x);
          expect(Object.is(bb.middle, sma.update(x))).toBe(true);
          if (bb.ready) expect(bb.upper - bb.middle).toBeCloseTo(bb.middle - bb.lower, 6);
        }
      }),
    );
  });

  for (const entry of catalogue) {
    it(`${entry.name}: reset() gives the same bits as a fresh instance`, () => {
      fc.assert(
        fc.property(bars, bars, (first, second) => {
          const used = entry.make();
          for (const [h, l, c] of first) entry.step(used, h, l, c);
          used.reset();
          const fresh = entry.make();
          expect(used.count).toBe(0);
          expect(used.ready).toBe(false);
          for (const [h, l, c] of second) {
            const a = entry.step(used, h, l, c);
            const b = entry.step(fresh, h, l, c);
            if (!a.every((v, k) => Object.is(v, b[k]))) expect.fail(`${a.join()} != ${b.join()}`);
          }
          expect(used.count).toBe(fresh.count);
        }),
      );
    });

    it(`${entry.name}: is NaN for exactly warmUp updates, then ready and finite`, () => {
      fc.assert(
        fc.property(bars, (bs) => {
          const ind = entry.make();
          bs.forEach(([h, l, c], i) => {
            const [primary] = entry.step(ind, h, l, c);
            expect(ind.count).toBe(i + 1);
            if (i < ind.warmUp) {
              expect(primary).toBeNaN();
              expect(ind.ready).toBe(false);
            } else {
              expect(Number.isFinite(primary)).toBe(true);
              expect(ind.ready).toBe(true);
              expect(Object.is(ind.value, primary)).toBe(true);
            }
          });
        }),
      );
    });

    it(`${entry.name}: keeps the same fields and buffer sizes however long it runs`, () => {
      const ind = entry.make();
      const shape = (o: object): string =>
        JSON.stringify(o, (_k, v: unknown) => (ArrayBuffer.isView(v) ? `typed[${(v as Float64Array).length}]` : typeof v === 'number' ? 0 : v));
      const before = shape(ind);
      let price = 100;
      for (let i = 0; i < 20_000; i++) {
        price *= 1 + 0.01 * Math.sin(i * 0.7) * Math.cos(i * 0.13);
        entry.step(ind, price * 1.01, price * 0.99, price);
      }
      expect(shape(ind)).toBe(before);
      expect(before).not.toBe('{}');
    });
  }
});

describe('numerical drift over a million updates', () => {
  /** A deterministic pseudo-random walk (xorshift), so the test needs no RNG plumbing. */
  function* walk(steps: number, start: number, scale: number, spikeEvery: number): Generator<number> {
    let s = 0x9e3779b9 | 0;
    let price = start;
    for (let i = 0; i < steps; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      price += ((s >>> 0) / 2 ** 32 - 0.5) * scale;
      yield spikeEvery > 0 && i % spikeEvery === 0 ? price + 1e9 : price;
    }
  }

  const cases = [
    { name: 'a random walk around 100', start: 100, scale: 1, spikeEvery: 0 },
    { name: 'a walk around 1e6 with tiny moves', start: 1e6, scale: 1e-3, spikeEvery: 0 },
    { name: 'a walk around 0 with 1e9 spikes every 5000 steps', start: 0, scale: 1, spikeEvery: 5000 },
  ];

  for (const c of cases) {
    it(`SMA and rolling deviation stay within 1e-9 of the naive window formulas on ${c.name}`, () => {
      const n = 50;
      const sma = new Sma(n);
      const sd = new RollingStd(n);
      const ring: number[] = new Array<number>(n).fill(0);
      let i = 0;
      let checked = 0;
      for (const x of walk(1_000_000, c.start, c.scale, c.spikeEvery)) {
        const m = sma.update(x);
        const d = sd.update(x);
        ring[i % n] = x;
        i++;
        // Check at a prime stride (never in phase with the window) and at the very end.
        if (i >= n && (i % 9973 === 0 || i === 1_000_000)) {
          const w = ring.slice();
          expect(Math.abs(m - naiveMean(w))).toBeLessThanOrEqual(1e-9 * magnitude(w));
          if (!sdClose(d, naiveSd(w, true), magnitude(w))) expect.fail(`sd ${d} vs ${naiveSd(w, true)} at ${i}`);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('gives the same bits on a rerun', () => {
    const run = (): number[] => {
      const sma = new Sma(20);
      const sd = new RollingStd(20);
      const out: number[] = [];
      for (const x of walk(100_000, 100, 1, 0)) out.push(sma.update(x) + sd.update(x));
      return out;
    };
    const a = run();
    const b = run();
    expect(a.every((v, k) => Object.is(v, b[k]))).toBe(true);
  });
});
