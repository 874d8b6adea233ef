import { describe, expect, it } from 'vitest';
import { CodedColumn, DEFAULT_RESERVE, Float64Column, Float64StepColumn, Float64Table, Int32Column, RESERVE_FROM, nextCapacity } from '../../../../engine/core/columns.js';
import { EquityPreview } from '../../../../engine/kernel/equity-preview.js';

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

describe('nextCapacity', () => {
  it('doubles below RESERVE_FROM rows, then jumps to the reserve once, then doubles again', () => {
    expect(nextCapacity(256, 1 << 22)).toBe(512);
    expect(nextCapacity(RESERVE_FROM / 2, 1 << 22)).toBe(RESERVE_FROM);
    expect(nextCapacity(RESERVE_FROM, 1 << 22)).toBe(1 << 22);
    expect(nextCapacity(1 << 22, 1 << 22)).toBe(1 << 23);
    // No reserve, or one no larger than a doubling: doubling.
    expect(nextCapacity(RESERVE_FROM, 0)).toBe(2 * RESERVE_FROM);
    expect(nextCapacity(RESERVE_FROM, 2 * RESERVE_FROM)).toBe(2 * RESERVE_FROM);
    // A column that names no reserve doubles.
    expect(nextCapacity(RESERVE_FROM, DEFAULT_RESERVE)).toBe(2 * RESERVE_FROM);
  });

  it('keeps every row of a table and a column that grow into their reserve and past it', () => {
    const reserve = 4 * RESERVE_FROM;
    const t = new Float64Table(2, undefined, reserve);
    const c = new Float64Column(undefined, reserve);
    const k = new Int32Column(reserve);
    const row = new Float64Array(2);
    const n = reserve + 3;
    for (let i = 0; i < n; i++) {
      row[0] = i;
      row[1] = -i;
      t.pushRow(row, 0);
      c.push(i / 4);
      k.push(i);
    }
    expect([t.length, c.length, k.length]).toEqual([n, n, n]);
    for (const i of [0, RESERVE_FROM - 1, RESERVE_FROM, RESERVE_FROM + 1, reserve - 1, reserve, n - 1]) {
      expect([t.get(0, i), t.get(1, i), c.get(i), k.get(i)]).toEqual([i, -i, i / 4, i]);
    }
    expect(t.view(1).length).toBe(n);
  });

  it("grows a table's columns together, in one allocation (one external backing store V8 is told of, not one a column), every row kept", () => {
    // A long in-memory curve grows its four columns to the reserve at once: as four 32 MiB buffers, each
    // past the first made V8 scavenge the young generation first (its "external memory pressure" rule),
    // and a trading run's young generation is full of live records: 3-4 scavenges a run, now 1-2.
    const reserve = 4 * RESERVE_FROM;
    const t = new Float64Table(3, undefined, reserve);
    const row = new Float64Array(3);
    const n = RESERVE_FROM + 5;
    for (let i = 0; i < n; i++) {
      row[0] = i;
      row[1] = i === 7 ? -0 : 0.5 * i;
      row[2] = -i;
      t.pushRow(row, 0);
    }
    const views = [t.view(0), t.view(1), t.view(2)];
    expect(views[1]!.buffer).toBe(views[0]!.buffer);
    expect(views[2]!.buffer).toBe(views[0]!.buffer);
    expect(views[0]!.buffer.byteLength).toBe(3 * reserve * 8);
    for (const i of [0, 7, RESERVE_FROM - 1, RESERVE_FROM, n - 1]) expect([t.get(0, i), t.get(1, i), t.get(2, i)]).toEqual([i, i === 7 ? -0 : 0.5 * i, -i]);
    expect(Object.is(views[1]![7], -0)).toBe(true);
    for (const v of views) expect(v.length).toBe(n);
  });

  it('reads back every row of a table pushed with zeros, -0 and NaN, also over rows of a cleared table and across its growth', () => {
    const t = new Float64Table(3, 4);
    const row = new Float64Array(3);
    const value = (i: number, c: number, round: number): number => (c === 0 ? i : (i + c + round) % 3 === 0 ? 0 : (i + c) % 5 === 0 ? -0 : (i + c) % 7 === 0 ? Number.NaN : round * 100 + i);
    // A first round of values, then zeros where it left other values (the table was cleared), on rows past the first round too.
    for (const [round, n] of [
      [1, 50],
      [2, 80],
    ] as const) {
      t.clear();
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < 3; c++) row[c] = value(i, c, round);
        t.pushRow(row, 0);
      }
      expect(t.length).toBe(n);
      for (let c = 0; c < 3; c++) expect(Array.from(t.view(c)).map(show)).toEqual(Array.from({ length: n }, (_, i) => show(value(i, c, round))));
    }
  });

  it('appends a range of an array as pushing its values one by one would, into the reserve and past it', () => {
    const reserve = 4 * RESERVE_FROM;
    const pushed = new Float64Column(64, reserve);
    const appended = new Float64Column(64, reserve);
    const src = Float64Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? -0 : i * 1.5 - 3));
    let total = 0;
    // Ranges of every size from empty to larger than the capacity at the time, at shifting offsets.
    for (let k = 0; total < reserve + 4000; k++) {
      const from = (k * 37) % 1000;
      const to = Math.min(src.length, from + ((k * k * 13) % 4000));
      for (let i = from; i < to; i++) pushed.push(src[i]!);
      appended.append(src, from, to);
      total += to - from;
    }
    expect(appended.length).toBe(pushed.length);
    const a = appended.view();
    const b = pushed.view();
    let bad = -1;
    for (let i = 0; i < a.length && bad < 0; i++) if (!Object.is(a[i], b[i])) bad = i;
    expect(bad).toBe(-1);
  });
});

describe('Float64StepColumn', () => {
  it('reads back every row put, to the bit (-0, NaN), the last row replaced, keeping only the rows where the value changes', () => {
    const c = new Float64StepColumn();
    const want: number[] = [];
    const put = (row: number, x: number): void => {
      c.put(row, x);
      want[row] = x;
    };
    for (let i = 0; i < 10; i++) put(i, 100); // one run
    put(10, 90);
    put(10, 80); // the same row again: replaced
    put(10, 80);
    put(11, 80);
    put(12, 0);
    put(13, -0); // another zero: a change
    put(14, -0);
    put(15, 0);
    put(16, Number.NaN);
    put(17, Number.NaN); // a NaN never equals: each its own run
    put(18, 5);
    put(18, 100); // replaced by the value of an earlier run
    put(19, 100);
    expect(c.runs).toBe(8);
    expect(Array.from(c.fill(20)).map(show)).toEqual(want.map(show));
    // Fewer rows than put; more rows (the last value goes on); none.
    expect(Array.from(c.fill(12)).map(show)).toEqual(want.slice(0, 12).map(show));
    expect(Array.from(c.fill(23)).map(show)).toEqual([...want, 100, 100, 100].map(show));
    expect(c.fill(0).length).toBe(0);
    // A fresh array each fill, and nothing kept after clear.
    expect(c.fill(20)).not.toBe(c.fill(20));
    c.clear();
    expect(c.runs).toBe(0);
    c.put(0, 0);
    expect(c.runs).toBe(1);
    expect(Array.from(c.fill(2)).map(show)).toEqual([show(0), show(0)]);
  });
});

describe('EquityPreview of width 2', () => {
  it('keeps the same samples, times and values as the full width given the same two values', () => {
    const full = new EquityPreview(50);
    const narrow = new EquityPreview(50, 2);
    const row = new Float64Array(2);
    for (let i = 0; i < 10_000; i++) {
      const v = i % 97 === 0 ? Number.NaN : Math.sin(i / 37) * 100 + (i % 13);
      full.push(1000 + i, v, 0, 0, 0, 0, 0);
      row[0] = 1000 + i;
      row[1] = v;
      narrow.pushRow(row);
    }
    const a = full.columns();
    const b = narrow.series();
    expect(a.length).toBeLessThanOrEqual(200);
    expect(Array.from(b.ts)).toEqual(Array.from(a.ts));
    expect(Array.from(b.values)).toEqual(Array.from(a.equity));
    expect(() => narrow.columns()).toThrow(/width 2/);
    expect(() => new EquityPreview(50, 3)).toThrow(/width 3/);
  });
});

/** A value as text that tells -0 from 0. */
const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

describe('EquityPreview.pushColumns', () => {
  it('keeps the same samples as pushRow one by one, whatever the batches (NaN gaps, plateaus, -0, strides that double)', () => {
    for (const width of [2, 7]) {
      const n = 20_000;
      const cols = Array.from({ length: width }, (_, c) =>
        Float64Array.from({ length: n }, (_, i) => {
          if (c === 0) return 1000 + i;
          if (c !== 1) return i * c;
          if (i % 97 === 0 || (i >= 5000 && i < 5300)) return Number.NaN;
          if (i % 89 === 0) return -0;
          return Math.round(Math.sin(i / 37) * 20) + (i % 13 === 0 ? 5 : 0);
        }),
      );
      const one = new EquityPreview(40, width);
      const row = new Float64Array(width);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < width; c++) row[c] = cols[c]![i]!;
        one.pushRow(row);
      }
      const batched = new EquityPreview(40, width);
      // Batches of 0, 1, a few, a stride's worth and several strides.
      for (let i = 0, k = 0; i < n; k++) {
        const to = Math.min(n, i + [0, 1, 3, 64, 1000, 7][k % 6]!);
        batched.pushColumns(cols, i, to);
        i = to;
      }
      expect(batched.samples).toBe(n);
      const a = width === 2 ? one.series() : one.columns();
      const b = width === 2 ? batched.series() : batched.columns();
      for (const key of Object.keys(a)) {
        const x = a[key as keyof typeof a];
        const y = b[key as keyof typeof b];
        if (typeof x === 'number') expect(y).toBe(x);
        else expect(Array.from(y as Float64Array).map(show)).toEqual(Array.from(x).map(show));
      }
      expect(Array.from(a.ts as Float64Array).length).toBeGreaterThan(40);
    }
  });
});

describe('CodedColumn', () => {
  it('gives back each row its value (objects by identity, null, values seen long before and never repeated), across set and clear', () => {
    const c = new CodedColumn<string | { k: number } | null>();
    const objects = [{ k: 1 }, { k: 2 }];
    // Constants interleaved with values that never repeat (more distinct values between two uses than it looks back over).
    const want: (string | { k: number } | null)[] = [];
    for (let i = 0; i < 200; i++) want.push(i % 3 === 0 ? 'AAA' : i % 3 === 1 ? `denied ${i}` : i % 7 === 0 ? null : objects[i % 2]!);
    for (const v of want) c.push(v);
    expect(c.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(c.get(i)).toBe(want[i]);
    c.set(5, 'AAA');
    c.set(6, objects[0]!);
    c.set(7, 'new one');
    want[5] = 'AAA';
    want[6] = objects[0]!;
    want[7] = 'new one';
    for (let i = 0; i < want.length; i++) expect(c.get(i)).toBe(want[i]);
    c.clear();
    expect(c.length).toBe(0);
    c.push(null);
    c.push('BBB');
    expect([c.get(0), c.get(1)]).toEqual([null, 'BBB']);
  });
});

describe('EquityPreview columns', () => {
  it('lists each kept sample once, in sample order, with the values pushed for it, the lowest and highest among them', () => {
    for (const [n, buckets] of [
      [7, 50],
      [10_000, 50],
      [12_345, 64],
    ] as const) {
      const p = new EquityPreview(buckets);
      // Plateaus (equal equities: a bucket's first is also its low or high) and swings.
      const equityAt = (i: number): number => Math.round(Math.sin(i / 29) * 20) + (i % 11 === 0 ? 5 : 0);
      let low = 0;
      let high = 0;
      for (let i = 0; i < n; i++) {
        p.push(1000 + i * 60, equityAt(i), i / 2, -i, i * 3, i * 4, i * 5);
        if (equityAt(i) < equityAt(low)) low = i;
        if (equityAt(i) > equityAt(high)) high = i;
      }
      const c = p.columns();
      expect(c.length).toBeLessThanOrEqual(4 * buckets);
      if (n <= buckets) expect(c.length).toBe(n);
      for (let k = 0; k < c.length; k++) {
        const i = c.index[k]!;
        if (k > 0) expect(i).toBeGreaterThan(c.index[k - 1]!);
        expect([c.ts[k], c.equity[k], c.cash[k], c.drawdown[k], c.grossExposure[k], c.marginInUse[k], c.buyingPower[k]]).toEqual([1000 + i * 60, equityAt(i), i / 2, -i, i * 3, i * 4, i * 5]);
      }
      expect(c.index[0]).toBe(0);
      expect(c.index[c.length - 1]).toBe(n - 1);
      expect(Array.from(c.index)).toContain(low);
      expect(Array.from(c.index)).toContain(high);
      expect(Object.keys(c)).toEqual(['index', 'ts', 'equity', 'cash', 'drawdown', 'grossExposure', 'marginInUse', 'buyingPower', 'length']);
    }
  });
});
