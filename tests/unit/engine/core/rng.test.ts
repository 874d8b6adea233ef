import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RandomStreams, randomStream } from '../../../../engine/core/index.js';

const draws = (n: number, next: () => number): number[] => Array.from({ length: n }, next);

describe('seeded random streams', () => {
  it('gives the same sequence for the same (seed, run key, component)', () => {
    const a = randomStream(7, 'run', 'slippage');
    const b = randomStream(7, 'run', 'slippage');
    expect(draws(100, () => a.next())).toEqual(draws(100, () => b.next()));
  });

  it('gives different sequences for another seed, run key or component', () => {
    const base = draws(20, () => randomStream(7, 'run', 'fills').next());
    const s1 = randomStream(8, 'run', 'fills');
    const s2 = randomStream(7, 'run2', 'fills');
    const s3 = randomStream(7, 'run', 'latency');
    expect(draws(20, () => s1.next())).not.toEqual(base);
    expect(draws(20, () => s2.next())).not.toEqual(base);
    expect(draws(20, () => s3.next())).not.toEqual(base);
  });

  it('adding a component does not shift another component\'s draws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 5 }), (seed, others) => {
        const alone = new RandomStreams(seed, 'k');
        const onlyFills = draws(50, () => alone.stream('fills').next());

        const crowded = new RandomStreams(seed, 'k');
        const interleaved: number[] = [];
        for (let i = 0; i < 50; i++) {
          for (const o of others) if (o !== 'fills') crowded.stream(o).next();
          interleaved.push(crowded.stream('fills').next());
        }
        expect(interleaved).toEqual(onlyFills);
      }),
    );
  });

  it('draws normals with mean ~0 and variance ~1 and ints inside their bounds', () => {
    const s = randomStream(1, 'stats', 'normal');
    const xs = draws(20000, () => s.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    for (let i = 0; i < 1000; i++) {
      const k = s.int(3, 5);
      expect(k >= 3 && k <= 5 && Number.isInteger(k)).toBe(true);
    }
  });

  it('rejects a non-integer seed naming the parameter', () => {
    expect(() => randomStream(1.5, 'r', 'c')).toThrow(/invalid 'seed': not a safe integer, was 1.5/);
  });
});
