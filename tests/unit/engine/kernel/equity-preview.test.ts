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
