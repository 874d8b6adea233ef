import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CurveSpill } from '../../../../cli/compose/curve-spill.js';
import { computeRunHash, computeRunHashOfCurve, hashableFills, hashableOrders } from '../../../../sim/backtest/run-hash.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-curve-spill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every sample a scan of `spill` hands, as [ts, equity] pairs. */
function samples(spill: CurveSpill): [number, number][] {
  const out: [number, number][] = [];
  spill.scan((ts, equity, n) => {
    for (let i = 0; i < n; i++) out.push([ts[i]!, equity[i]!]);
  });
  return out;
}

describe('CurveSpill.scan', () => {
  it('reads into the same chunks scan after scan, and a scan within a scan into chunks of its own', () => {
    const spill = new CurveSpill(dir, 'out/equity.parquet');
    const n = (1 << 17) + 5; // two chunks
    const ts = Float64Array.from({ length: n }, (_, i) => i * 60);
    const equity = Float64Array.from({ length: n }, (_, i) => 1000 + i / 3);
    spill.append(ts, equity, n);
    const chunks = new Set<ArrayLike<number>>();
    spill.scan((t, e) => {
      chunks.add(t);
      chunks.add(e);
    });
    spill.scan((t, e) => {
      chunks.add(t);
      chunks.add(e);
    });
    expect(chunks.size).toBe(2);
    const inner: [number, number][][] = [];
    const outer: [number, number][] = [];
    spill.scan((t, e, m) => {
      inner.push(samples(spill));
      for (let i = 0; i < m; i++) outer.push([t[i]!, e[i]!]);
    });
    const whole = Array.from(ts, (v, i): [number, number] => [v, equity[i]!]);
    expect(outer).toEqual(whole);
    for (const got of inner) expect(got).toEqual(whole);
    spill.close();
  });
});

describe('CurveSpill.scanColumn', () => {
  it("hands one column's samples in order, and the runHash reads each column alone (the same hash as from the arrays)", async () => {
    const own = join(dir, 'by-column');
    await mkdir(own);
    const spill = new CurveSpill(own, 'out/equity.parquet');
    const n = (1 << 17) + 7; // two chunks
    const ts = Float64Array.from({ length: n }, (_, i) => 1e15 + i * 60e6);
    const equity = Float64Array.from({ length: n }, (_, i) => 1000 + Math.sin(i) / 3);
    spill.append(ts, equity, n);
    for (const [column, whole] of [['ts', ts], ['equity', equity]] as const) {
      const got: number[] = [];
      spill.scanColumn(column, (values, m) => {
        for (let i = 0; i < m; i++) got.push(values[i]!);
      });
      expect(got).toEqual(Array.from(whole));
    }
    const scan = vi.spyOn(spill, 'scan');
    const hash = computeRunHashOfCurve(hashableFills([]), hashableOrders([]), spill);
    expect(scan).not.toHaveBeenCalled();
    expect(hash).toBe(computeRunHash(hashableFills([]), hashableOrders([]), ts, equity, n));
    spill.close();
  });
});
