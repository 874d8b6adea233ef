import { describe, expect, it } from 'vitest';
import { Float64Column, Int32Column } from '../../../../engine/core/columns.js';

describe('Float64Column', () => {
  it('keeps every row across the first chunk and the chunks after it', () => {
    const c = new Float64Column();
    const n = 3 * 65_536 + 5; // three full chunks and five rows of a fourth
    for (let i = 0; i < n; i++) c.push(i * 0.5 - 7);
    expect(c.length).toBe(n);
    for (const i of [0, 1, 255, 256, 65_535, 65_536, 65_537, 131_071, 131_072, 196_607, 196_608, n - 1]) expect(c.get(i)).toBe(i * 0.5 - 7);
    const v = c.view();
    expect(v.length).toBe(n);
    let bad = -1;
    for (let i = 0; i < n && bad < 0; i++) if (v[i] !== i * 0.5 - 7) bad = i;
    expect(bad).toBe(-1);
  });

  it('sets a row in an earlier chunk and in the chunk being filled', () => {
    const c = new Float64Column();
    for (let i = 0; i < 70_000; i++) c.push(i);
    c.set(3, -1);
    c.set(65_540, -2);
    c.set(69_999, -3);
    expect([c.get(3), c.get(65_540), c.get(69_999), c.get(4)]).toEqual([-1, -2, -3, 4]);
    const v = c.view();
    expect([v[3], v[65_540], v[69_999], v[4]]).toEqual([-1, -2, -3, 4]);
  });

  it('views the storage while the column fits in one chunk, and starts again after clear', () => {
    const c = new Float64Column();
    for (let i = 0; i < 1000; i++) c.push(i);
    expect(Array.from(c.view().subarray(995))).toEqual([995, 996, 997, 998, 999]);
    for (let i = 0; i < 100_000; i++) c.push(i);
    c.clear();
    expect(c.length).toBe(0);
    expect(c.view().length).toBe(0);
    c.push(42);
    c.push(43);
    expect([c.length, c.get(0), c.get(1)]).toEqual([2, 42, 43]);
    expect(Array.from(c.view())).toEqual([42, 43]);
  });
});

describe('Int32Column', () => {
  it('doubles and keeps every row', () => {
    const c = new Int32Column();
    for (let i = 0; i < 1000; i++) c.push(i * 3);
    expect([c.length, c.get(0), c.get(257), c.get(999)]).toEqual([1000, 0, 771, 2997]);
  });
});
