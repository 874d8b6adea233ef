import { describe, expect, it } from 'vitest';
import { Float64Table, RESERVE_FROM } from '../../../../engine/core/columns.js';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { EquityPreview } from '../../../../engine/kernel/equity-preview.js';
import { DeferredText } from '../../../../engine/model/index.js';
import type { AuditEntry, Signal } from '../../../../engine/model/index.js';
import { EquitySample } from '../../../../engine/ports/recorder.js';
import { CurveTable, EQUITY_SINK_COLUMNS, RunRecorder } from '../../../../sim/backtest/run-recorder.js';
import type { EquitySink } from '../../../../sim/backtest/run-recorder.js';

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

describe("RunRecorder's curve as a result holds it (curveColumns)", () => {
  it('makes the cash on its first read and keeps it, the implied buying power the same array, every column as curveColumn gives it', () => {
    const r = new RunRecorder();
    r.onEquity(sample(10, 100, 100, 0, 0, 100));
    r.onEquity(sample(20, 101, 100, 1, 0, 100));
    r.onEquity(sample(20, 102, -0, 2, 0, -0)); // same ts: replaces, cash -0
    r.onEquity(sample(30, 99, 40, 59, 0, 40));
    r.onEquity(sample(40, 98, 40, 58, 0, 40));
    const c = r.curveColumns();
    expect(Object.keys(c)).toEqual(['ts', 'equity', 'cash', 'grossExposure', 'marginInUse', 'buyingPower']);
    const cash = c.cash;
    expect(c.cash).toBe(cash);
    expect(c.buyingPower).toBe(cash);
    expect(Array.from(cash)).toEqual([100, -0, 40, 40]);
    expect(Object.is(cash[1], -0)).toBe(true);
    expect([c.ts, c.equity, c.cash, c.grossExposure, c.marginInUse, c.buyingPower].map((a) => Array.from(a))).toEqual(columns(r));
  });

  it('keeps no cash column in the curve: a long curve grown into its reserve is three columns, ts, equity and gross exposure', () => {
    // On this machine a curve's fresh pages are what it costs most (bench/RESULTS.md); the cash, which moves
    // only at fills, is kept where it changes and made whole when read.
    const r = new RunRecorder();
    const n = 20_000;
    const s = sample(0, 100, 100, 0, 0, 100);
    for (let i = 0; i < n; i++) {
      s[EquitySample.ts] = i;
      s[EquitySample.equity] = 100 + i;
      s[EquitySample.cash] = i < 15_000 ? 100 : 50;
      s[EquitySample.buyingPower] = s[EquitySample.cash]!;
      r.onEquity(s);
    }
    const c = r.curveColumns();
    expect(c.ts.buffer.byteLength).toBe(3 * (1 << 22) * 8);
    expect(c.grossExposure.buffer).toBe(c.ts.buffer);
    expect(c.cash.length).toBe(n);
    expect([c.cash[0], c.cash[14_999], c.cash[15_000], c.cash[n - 1]]).toEqual([100, 100, 50, 50]);
  });

  it('makes an implied marginInUse (zeros) on its first read and keeps it', () => {
    // A run's metrics and runHash never read it: made at the run's end, it was 8 B a sample of an array
    // (16 MB for a 2 M-bar run) that V8 counts as external memory, which starts its collections.
    const r = new RunRecorder();
    r.onEquity(sample(10, 100, 100, 0, 0, 100));
    r.onEquity(sample(20, 100, 90, 10, 0, 90));
    const c = r.curveColumns();
    expect(typeof Object.getOwnPropertyDescriptor(c, 'marginInUse')?.get).toBe('function');
    const m = c.marginInUse;
    expect(c.marginInUse).toBe(m);
    expect(Array.from(m).map((x) => Object.is(x, 0))).toEqual([true, true]);
    // A margin kept is the recorder's column, as before.
    r.onEquity(sample(30, 100, 90, 10, 5, 85));
    expect(Array.from(r.curveColumns().marginInUse)).toEqual([0, 0, 5]);
  });

  it('keeps the cash of a result made before a reset', () => {
    const r = new RunRecorder();
    r.onEquity(sample(10, 100, 100, 0, 0, 100));
    r.onEquity(sample(20, 100, 90, 10, 0, 90));
    const c = r.curveColumns();
    r.reset();
    r.onEquity(sample(10, 100, 7, 0, 0, 7));
    r.onEquity(sample(20, 100, 8, 0, 0, 8));
    expect(Array.from(c.cash)).toEqual([100, 90]);
  });
});

describe('RunRecorder streamed to a sink', () => {
  it("hands the sink every committed sample with its drawdown, and keeps the preview of those samples pushed one by one", () => {
    const got: number[][] = EQUITY_SINK_COLUMNS.map(() => []);
    const sink: EquitySink = {
      append(batch, n) {
        EQUITY_SINK_COLUMNS.forEach((c, k) => got[k]!.push(...batch[c].subarray(0, n)));
      },
      wantsFlush: false,
      flush: async () => undefined,
      curve: () => ({ length: got[0]!.length, scan: () => undefined }),
    };
    const r = new RunRecorder(100, sink);
    // Several sink batches (4,096 samples each), samples at a time already sampled replacing it, flat and NaN-free equity.
    const expected: number[][] = [];
    let peak = Number.NaN;
    for (let i = 0; i < 10_000; i++) {
      const e = 100 + Math.sin(i / 50) * 10 + (i % 7);
      if (i % 9 === 4) r.onEquity(sample(i * 10, e - 3, 1, 2, 0, 1)); // replaced by the next
      r.onEquity(sample(i * 10, e, 50 + (i % 3), i % 4 === 0 ? 0 : e / 2, i % 5, 50 - (i % 5)));
      if (i === 0 || e > peak) peak = e;
      expected.push([i * 10, e, 50 + (i % 3), 1 - e / peak, i % 4 === 0 ? 0 : e / 2, i % 5, 50 - (i % 5)]);
    }
    const streamed = r.finishStream()!;
    expect(streamed.rows).toBe(10_000);
    expect(got.map((c) => c.length)).toEqual(EQUITY_SINK_COLUMNS.map(() => 10_000));
    expect(expected.map((row, i) => EQUITY_SINK_COLUMNS.map((_, k) => got[k]![i]))).toEqual(expected);
    const one = new EquityPreview();
    for (const row of expected) one.pushRow(Float64Array.from(row));
    expect(streamed.preview.samples).toBe(10_000);
    expect(streamed.preview.columns()).toEqual(one.columns());
  });
});

describe('RunRecorder with an expected sample count (ReplayConfig.expectedSamples)', () => {
  /** Pushes n samples, a margined position from sample 10 on (the margin columns start there). */
  function record(r: RunRecorder, n: number): void {
    for (let i = 0; i < n; i++) r.onEquity(sample(i, 1000 + i, 500, i < 10 ? 0 : 50, i < 10 ? 0 : 25, i < 10 ? 500 : 950));
  }
  const bytes = (r: RunRecorder, field: number): number => r.curveColumn(field).buffer.byteLength;

  it('allocates the in-memory curve and its margin columns at that many rows once: a 20,000-sample run reserves nothing', () => {
    const n = 20_000;
    const hinted = new RunRecorder(undefined, null, n);
    record(hinted, n);
    expect(hinted.equityCount).toBe(n);
    // ts, equity and gross exposure: one buffer of three blocks of n rows; marginInUse and buyingPower: n rows each.
    expect(bytes(hinted, EquitySample.ts)).toBe(3 * n * 8);
    expect(bytes(hinted, EquitySample.marginInUse)).toBeLessThanOrEqual(2 * n * 8 * 2);
    // Without it the curve passes RESERVE_FROM rows and jumps to its reserve (2^22 rows a column), the margin columns too.
    const plain = new RunRecorder();
    record(plain, n);
    expect(bytes(plain, EquitySample.ts)).toBe(3 * (1 << 22) * 8);
    expect(bytes(plain, EquitySample.marginInUse)).toBeGreaterThanOrEqual(2 * (1 << 22) * 8);
    // The same columns either way.
    for (const f of [0, 1, 2, 3, 4, 5]) expect(Array.from(hinted.curveColumn(f))).toEqual(Array.from(plain.curveColumn(f)));
  });

  it('grows past a count that was too small as without one (to the reserve past RESERVE_FROM rows), and keeps every sample', () => {
    const r = new RunRecorder(undefined, null, RESERVE_FROM);
    record(r, RESERVE_FROM + 5);
    expect(r.equityCount).toBe(RESERVE_FROM + 5);
    expect(bytes(r, EquitySample.ts)).toBe(3 * (1 << 22) * 8);
    expect(Array.from(r.curveColumn(EquitySample.ts).subarray(RESERVE_FROM - 2))).toEqual([RESERVE_FROM - 2, RESERVE_FROM - 1, RESERVE_FROM, RESERVE_FROM + 1, RESERVE_FROM + 2, RESERVE_FROM + 3, RESERVE_FROM + 4]);
  });
});

describe('CurveTable', () => {
  const show = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

  it('keeps ts, equity and gross exposure of every sample pushed (-0 included, a +0 gross exposure unwritten), in one buffer once grown, over rows of a cleared table too', () => {
    const reserve = 4 * RESERVE_FROM;
    const t = new CurveTable(undefined, reserve);
    for (const n of [100, RESERVE_FROM + 3]) {
      t.clear();
      for (let i = 0; i < n; i++) {
        // The cash (index 2) and the margin columns are not the table's.
        const s = sample(i, i === 5 ? -0 : n + i, 1000 + i, i === 4 ? -0 : i % 3 === 0 ? 0 : -i, 7, 8);
        t.pushSample(s);
        if (i === 9) {
          s[EquitySample.equity] = 7;
          t.setRow(i, s); // overwritten
        }
      }
      expect(t.length).toBe(n);
      const expected = (c: number, i: number): number => (c === 0 ? i : c === 1 ? (i === 5 ? -0 : i === 9 ? 7 : n + i) : i === 4 ? -0 : i % 3 === 0 ? 0 : -i);
      for (const c of [EquitySample.ts, EquitySample.equity, EquitySample.grossExposure]) {
        expect(Array.from(t.view(c)).map(show)).toEqual(Array.from({ length: n }, (_, i) => show(expected(c === EquitySample.grossExposure ? 3 : c, i))));
      }
      expect(() => t.view(EquitySample.cash)).toThrow();
    }
    // Grown into the reserve: its three columns of `reserve` rows in one buffer.
    expect(t.view(EquitySample.ts).buffer.byteLength).toBe(3 * reserve * 8);
    expect(t.view(EquitySample.grossExposure).buffer).toBe(t.view(EquitySample.ts).buffer);
    expect(t.view(EquitySample.equity).buffer).toBe(t.view(EquitySample.ts).buffer);
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

describe('RunRecorder signals and deferred audit entries past their first growth', () => {
  class Text extends DeferredText {
    constructor(private readonly s: string) {
      super();
    }
    protected make(): string {
      return this.s;
    }
  }

  it('lists 900 signals and 900 deferred entries as recorded, through their arrays\' growth and after a reset', () => {
    const rec = new RunRecorder();
    const pass = (n: number, salt: number) => {
      const signals: Signal[] = [];
      const audit: AuditEntry[] = [];
      for (let i = 0; i < n; i++) {
        const k = i + salt;
        const base = { ts: 1000 * k + 0.5, strategyId: `s${k % 3}` as StrategyId, symbol: (k % 5 === 0 ? 'BBB' : 'AAA') as Symbol_, direction: ((k % 3) - 1) as -1 | 0 | 1, strength: k / 9, confidence: 1 - k / 1e4 };
        const s: Signal = k % 4 === 0 ? { ...base, reason: `r${k % 6}` } : k % 7 === 0 ? { ...base, metadata: { filter: 'pass', z: k } } : base;
        signals.push(s);
        rec.onSignal(s);
        if (k % 2 === 0) {
          const e = { ts: k, kind: 'risk.denied', message: `m${k}`, orderId: `O-${k + 1}` };
          audit.push(e);
          rec.onAudit(e);
        }
        const orderId = k % 9 === 0 ? `X-${k}` : `O-${k + 1}`;
        const strategyId = k % 11 === 0 ? undefined : `s${k % 2}`;
        rec.onDeferredAudit({ ts: k + 0.25, kind: 'account.denied', message: '', orderId, symbol: k % 3 === 0 ? 'BBB' : 'AAA', strategyId }, new Text(`d${k}`));
        audit.push({ ts: k + 0.25, kind: 'account.denied', message: `d${k}`, orderId, symbol: k % 3 === 0 ? 'BBB' : 'AAA', strategyId });
      }
      expect(rec.signals).toEqual(signals);
      expect(rec.signals.map((s) => Object.keys(s))).toEqual(signals.map((s) => Object.keys(s)));
      expect(rec.audit).toEqual(audit);
    };
    pass(900, 0);
    rec.reset();
    pass(300, 5);
  });
});
