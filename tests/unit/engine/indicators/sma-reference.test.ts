import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sma } from '../../../../engine/indicators/index.js';

/**
 * The SMA as written at bd03773 (one function, the warm-up and the steady state on one path), kept
 * here as the reference for any rewrite of Sma.update, such as one that moves the warm-up out of line
 * to shrink its bytecode for V8's inliner (bench/RESULTS.md, s13-bar). Sma must give the same doubles
 * bit for bit (the golden fixtures and every run hash depend on them), whatever the input's
 * magnitudes and signs of zero, across resets and refused inputs.
 */
class ReferenceSma {
  private readonly window: Float64Array;
  private pos = 0;
  private seen = 0;
  private sum = 0;
  private compensation = 0;
  private current = Number.NaN;

  constructor(readonly period: number) {
    this.window = new Float64Array(period);
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.seen >= this.period;
  }

  get count(): number {
    return this.seen;
  }

  update(x: number): number {
    if (x - x !== 0) throw new Error(`not finite: ${String(x)}`);
    const pos = this.pos;
    const leaving = this.window[pos]!;
    this.window[pos] = x;
    this.pos = pos + 1 === this.period ? 0 : pos + 1;
    this.seen++;
    let s = this.sum;
    let t = s + x;
    let b = t - s;
    let c = this.compensation + (s - (t - b) + (x - b));
    if (this.seen > this.period) {
      s = t;
      t = s - leaving;
      b = t - s;
      c += s - (t - b) + (-leaving - b);
    }
    this.sum = t;
    this.compensation = c;
    this.current = this.seen >= this.period ? (t + c) / this.period : Number.NaN;
    return this.current;
  }

  reset(): void {
    this.window.fill(0);
    this.pos = 0;
    this.seen = 0;
    this.sum = 0;
    this.compensation = 0;
    this.current = Number.NaN;
  }
}

/** One step of a sequence: a value, a reset, or an input the SMA must refuse. */
type Step = { kind: 'x'; x: number } | { kind: 'reset' } | { kind: 'bad'; x: number };

// Any finite double (magnitudes from subnormal to 1e308, both zeros), and values near a price level
// (where the rounding errors the compensation recovers are typical).
const anyFinite = fc.double({ noNaN: true, noDefaultInfinity: true });
const nearPrice = fc.double({ min: 99, max: 101, noNaN: true });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: fc.oneof(anyFinite, nearPrice, fc.constantFrom(0, -0, 1e-300, -1e300, 0.1, 0.7)).map((x) => ({ kind: 'x' as const, x })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY).map((x) => ({ kind: 'bad' as const, x })) },
);

const same = (a: number, b: number): boolean => Object.is(a, b);

describe('Sma against its reference implementation (bit for bit)', () => {
  it('gives the same doubles, ready and count after every update, reset and refused input', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 30 }), (steps, n) => {
        const sma = new Sma(n);
        const ref = new ReferenceSma(n);
        for (const s of steps) {
          if (s.kind === 'reset') {
            sma.reset();
            ref.reset();
          } else if (s.kind === 'bad') {
            expect(() => sma.update(s.x)).toThrow(/not a finite number/);
            expect(() => ref.update(s.x)).toThrow();
          } else {
            const got = sma.update(s.x);
            const want = ref.update(s.x);
            if (!same(got, want)) expect(got).toBe(want);
          }
          if (!same(sma.value, ref.value)) expect(sma.value).toBe(ref.value);
          expect(sma.ready).toBe(ref.ready);
          expect(sma.count).toBe(ref.count);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same doubles over a long random walk (a million-step run, a period of 20)', () => {
    const sma = new Sma(20);
    const ref = new ReferenceSma(20);
    let price = 100;
    let state = 12345;
    let differ = 0;
    for (let i = 0; i < 1_000_000; i++) {
      state = (Math.imul(state, 1103515245) + 12345) | 0;
      price = Math.max(1, price * (1 + (((state >>> 0) % 1_000_000) / 1_000_000 - 0.5) * 0.04));
      if (!same(sma.update(price), ref.update(price))) differ++;
    }
    expect(differ).toBe(0);
  });
});
