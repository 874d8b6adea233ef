import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QualityTimeline } from '../../../../../engine/ensemble/adaptive/quality-timeline.js';

describe('QualityTimeline', () => {
  it('hand case: one bucket per sample until full, then pairs merge and the step doubles', () => {
    const t = new QualityTimeline(['a', 'b'], 4);
    t.record(0, 0.5, true);
    t.sample(10);
    t.record(0, 0.3, false);
    t.record(1, 0.9, true);
    t.sample(20);
    t.sample(30);
    t.record(1, 0.7, true);
    t.sample(40);
    expect(t.entries()).toEqual([
      { startTs: 10, endTs: 10, byStrategy: { a: { signals: 1, passed: 1, meanQuality: 0.5 } } },
      { startTs: 20, endTs: 20, byStrategy: { a: { signals: 1, passed: 0, meanQuality: 0.3 }, b: { signals: 1, passed: 1, meanQuality: 0.9 } } },
      { startTs: 30, endTs: 30, byStrategy: {} },
      { startTs: 40, endTs: 40, byStrategy: { b: { signals: 1, passed: 1, meanQuality: 0.7 } } },
    ]);
    t.record(0, 0.1, false);
    t.sample(50); // full: merge to [10-20], [30-40], then a new bucket of step 2
    const e = t.entries();
    expect(e.map((b) => [b.startTs, b.endTs])).toEqual([
      [10, 20],
      [30, 40],
      [50, 50],
    ]);
    expect(e[0]!.byStrategy.a).toEqual({ signals: 2, passed: 1, meanQuality: 0.4 });
    expect(e[0]!.byStrategy.b).toEqual({ signals: 1, passed: 1, meanQuality: 0.9 });
    t.sample(60);
    expect(t.entries().map((b) => [b.startTs, b.endTs])).toEqual([
      [10, 20],
      [30, 40],
      [50, 60],
    ]);
  });

  it('property: bounded bucket count, contiguous in time, every signal counted once, equal sample counts but the last', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { maxLength: 4 }), { minLength: 1, maxLength: 400 }), fc.constantFrom(2, 4, 8, 16), (samples, max) => {
        const t = new QualityTimeline(['x', 'y', 'z'], max);
        let signals = 0;
        let passed = 0;
        samples.forEach((recs, s) => {
          for (const [k, q, p] of recs) {
            t.record(k, q, p);
            signals++;
            if (p) passed++;
          }
          t.sample(s * 10);
        });
        const e = t.entries();
        expect(e.length).toBeLessThanOrEqual(max);
        expect(e[0]!.startTs).toBe(0);
        expect(e[e.length - 1]!.endTs).toBe((samples.length - 1) * 10);
        const sizes = e.map((b) => (b.endTs - b.startTs) / 10 + 1);
        for (let j = 1; j < e.length; j++) expect(e[j]!.startTs).toBe(e[j - 1]!.endTs + 10);
        for (let j = 1; j < sizes.length - 1; j++) expect(sizes[j]).toBe(sizes[0]);
        expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(sizes[0]!);
        const all = e.flatMap((b) => Object.values(b.byStrategy));
        expect(all.reduce((s, v) => s + v.signals, 0)).toBe(signals);
        expect(all.reduce((s, v) => s + v.passed, 0)).toBe(passed);
      }),
    );
  });
});
