import { describe, expect, it } from 'vitest';
import { EquityPreview } from '../../../../engine/kernel/equity-preview.js';
import { countArrayIterators } from '../../../support/array-iterators.js';

describe('EquityPreview: allocation while cold', () => {
  it("reads its kept samples out without an array iterator (a for...of makes one per bucket while the code is cold)", () => {
    const preview = new EquityPreview(50);
    for (let i = 0; i < 1000; i++) preview.push(1_000 + i, 100 + Math.sin(i / 7) * 10, 50, 0, 0, 0, 50);
    const { result: cols, made } = countArrayIterators(() => preview.columns());
    expect(made).toBe(0);
    // The same preview as before: first and last sample kept, in sample order.
    expect(cols.length).toBeGreaterThan(50);
    expect(cols.index[0]).toBe(0);
    expect(cols.index[cols.length - 1]).toBe(999);
    for (let i = 1; i < cols.length; i++) expect(cols.index[i]!).toBeGreaterThan(cols.index[i - 1]!);
  });
});

/**
 * The kept samples of a preview computed directly: the buckets' ranges as the preview cuts and merges them
 * (a bucket closes at `stride` samples; when `maxBuckets` are closed, neighbours merge pairwise and the
 * stride doubles), and in each range its first sample, its lowest and highest equity (the earliest of ties,
 * a NaN never, the first sample when all are NaN) and its last sample.
 */
function referenceKept(equity: Float64Array, maxBuckets: number): number[] {
  const ranges: [number, number][] = [];
  let stride = 1;
  let open = 0;
  for (let i = 0; i < equity.length; i++) {
    if (i + 1 - open !== stride) continue;
    if (ranges.length === maxBuckets) {
      const merged: [number, number][] = [];
      for (let k = 0; k + 1 < ranges.length; k += 2) merged.push([ranges[k]![0], ranges[k + 1]![1]]);
      if (ranges.length % 2 === 1) merged.push(ranges[ranges.length - 1]!);
      ranges.splice(0, ranges.length, ...merged);
      stride *= 2;
    }
    ranges.push([open, i + 1]);
    open = i + 1;
  }
  if (open < equity.length) ranges.push([open, equity.length]);
  const kept = new Set<number>();
  for (const [a, z] of ranges) {
    let low = a;
    let high = a;
    for (let i = a; i < z; i++) {
      const e = equity[i]!;
      const l = equity[low]!;
      const h = equity[high]!;
      if (e < l || (l !== l && e === e)) low = i;
      if (e > h || (h !== h && e === e)) high = i;
    }
    for (const i of [a, low, high, z - 1]) kept.add(i);
  }
  return [...kept].sort((x, y) => x - y);
}

describe('EquityPreview: the kept samples', () => {
  it('are each bucket range\'s first, lowest, highest and last sample, through merges (pushRow and pushColumns alike)', () => {
    for (const n of [7, 40, 41, 1_000, 20_000]) {
      const equity = Float64Array.from({ length: n }, (_, i) => {
        if (i % 97 === 0 || (i >= 5000 && i < 5300)) return Number.NaN;
        if (i % 89 === 0) return -0;
        return Math.round(Math.sin(i / 37) * 20) + (i % 13 === 0 ? 5 : 0) + i / 1000;
      });
      const ts = Float64Array.from({ length: n }, (_, i) => i);
      const want = referenceKept(equity, 40);
      const byRow = new EquityPreview(40, 2);
      const row = new Float64Array(2);
      for (let i = 0; i < n; i++) {
        row[0] = ts[i]!;
        row[1] = equity[i]!;
        byRow.pushRow(row);
      }
      const byColumns = new EquityPreview(40, 2);
      for (let i = 0; i < n; i += 333) byColumns.pushColumns([ts, equity], i, Math.min(n, i + 333));
      for (const p of [byRow, byColumns]) {
        const s = p.series();
        expect(Array.from(s.ts)).toEqual(want);
        expect(Array.from(s.values).map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(want.map((i) => (Object.is(equity[i], -0) ? '-0' : String(equity[i]))));
      }
    }
  });
});
