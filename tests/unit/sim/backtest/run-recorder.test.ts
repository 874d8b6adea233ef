import { describe, expect, it } from 'vitest';
import { Float64Table } from '../../../../engine/core/columns.js';
import { EquitySample } from '../../../../engine/ports/recorder.js';
import { RunRecorder } from '../../../../sim/backtest/run-recorder.js';

/** One sample in EquitySample order: ts, equity, cash, grossExposure, marginInUse, buyingPower. */
function sample(ts: number, equity: number, cash: number, gross: number, margin: number, bp: number): Float64Array {
  const s = new Float64Array(EquitySample.size);
  s[EquitySample.ts] = ts;
  s[EquitySample.equity] = equity;
  s[EquitySample.cash] = cash;
  s[EquitySample.grossExposure] = gross;
  s[EquitySample.marginInUse] = margin;
  s[EquitySample.buyingPower] = bp;
  s[EquitySample.decisionTs] = 999; // never recorded
  return s;
}

function columns(r: RunRecorder): number[][] {
  return [0, 1, 2, 3, 4, 5].map((k) => Array.from(r.curveColumn(k)));
}

describe('RunRecorder equity curve in memory', () => {
  it('keeps every column of every sample, a sample at the same time replacing the last', () => {
    const r = new RunRecorder();
    r.onEquity(sample(10, 100, 100, 0, 0, 100));
    r.onEquity(sample(20, 101, 50, 51, 0, 50));
    r.onEquity(sample(20, 102, 40, 62, 0, 40)); // same ts: replaces
    r.onEquity(sample(30, 99, 40, 59, 0, 40));
    expect(r.equityCount).toBe(3);
    expect(columns(r)).toEqual([
      [10, 20, 30],
      [100, 102, 99],
      [100, 40, 40],
      [0, 62, 59],
      [0, 0, 0],
      [100, 40, 40],
    ]);
  });

  it('records margin and buying power from the first sample that differs from zero margin and cash, the earlier ones filled in', () => {
    const r = new RunRecorder();
    r.onEquity(sample(10, 100, 100, 0, 0, 100));
    r.onEquity(sample(20, 100, 90, 10, 0, 90));
    r.onEquity(sample(30, 101, 80, 21, 5, 384)); // a margined position
    r.onEquity(sample(40, 102, 80, 22, 0, 80)); // back to none: still recorded as given
    expect(columns(r).slice(4)).toEqual([
      [0, 0, 5, 0],
      [100, 90, 384, 80],
    ]);
  });

  it('starts recording when the replacing sample of the last time is the first with a margin', () => {
    const r = new RunRecorder();
    r.onEquity(sample(10, 100, 100, 0, 0, 100));
    r.onEquity(sample(20, 100, 90, 10, 0, 90));
    r.onEquity(sample(20, 100, 90, 10, 7, 70));
    expect(columns(r).slice(4)).toEqual([
      [0, 7],
      [100, 70],
    ]);
  });

  it('keeps a -0 margin and a buying power of another sign of zero to the bit', () => {
    const r = new RunRecorder();
    r.onEquity(sample(10, 0, 0, 0, -0, 0));
    r.onEquity(sample(20, 0, -0, 0, 0, 0));
    const margin = r.curveColumn(EquitySample.marginInUse);
    const bp = r.curveColumn(EquitySample.buyingPower);
    expect(Object.is(margin[0], -0)).toBe(true);
    expect(Object.is(margin[1], 0)).toBe(true);
    expect(Object.is(bp[1], 0)).toBe(true);
    expect(Object.is(r.curveColumn(EquitySample.cash)[1], -0)).toBe(true);
  });
});

describe('Float64Table', () => {
  it('appends and overwrites rows from a typed array at an offset, growing past its capacity', () => {
    const t = new Float64Table(2, 1);
    const src = new Float64Array([9, 1, 2, 9]);
    for (let i = 0; i < 5; i++) {
      src[1] = i;
      src[2] = 10 * i;
      t.pushRow(src, 1);
    }
    src[1] = -1;
    src[2] = -2;
    t.setRow(2, src, 1);
    expect(t.length).toBe(5);
    expect(Array.from(t.view(0))).toEqual([0, 1, -1, 3, 4]);
    expect(Array.from(t.view(1))).toEqual([0, 10, -2, 30, 40]);
    expect(t.get(1, 4)).toBe(40);
    t.clear();
    expect(t.length).toBe(0);
  });
});
