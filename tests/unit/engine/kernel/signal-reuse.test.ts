import { afterEach, describe, expect, it, vi } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { DirectRouter } from '../../../../engine/kernel/strategy-router.js';
import type { ExecutionEngine } from '../../../../engine/execution/index.js';
import type { Signal } from '../../../../engine/model/index.js';
import type { Portfolio } from '../../../../engine/portfolio/index.js';
import type { Recorder } from '../../../../engine/ports/recorder.js';
import type { Strategy } from '../../../../engine/strategies/context.js';
import { replay } from '../../../../sim/backtest/index.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { RunRecorder } from '../../../../sim/backtest/run-recorder.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { barFeed } from '../../../support/bar-feed.js';

const T0 = 1_700_006_400_000_000; // 2023-11-15T00:00:00Z

/** Emits a signal on every bar: with a reason on every third bar, a fractional strength and a -0 direction on some. */
function emitter(): Strategy {
  return {
    id: 'emit' as StrategyId,
    symbols: ['AAA' as Symbol_],
    onBar(ctx, b) {
      const k = b.count - 1;
      const direction = (k % 3 === 0 ? 1 : k % 3 === 1 ? -1 : k % 2 === 0 ? -0 : 0) as -1 | 0 | 1;
      if (k % 3 === 2) ctx.emitSignal('AAA', direction, 0.25 * (k % 4), 0.5, `bar ${k}`);
      else ctx.emitSignal('AAA', direction, k / 7);
    },
  };
}

/** The signal the engine gave for bar k, as a literal (keys in the engine's order). */
function expected(k: number): Signal {
  const ts = T0 + (k + 1) * US_PER_DAY; // the bar's close: the data time its strategy sees it at
  const direction = (k % 3 === 0 ? 1 : k % 3 === 1 ? -1 : k % 2 === 0 ? -0 : 0) as -1 | 0 | 1;
  const base = { ts, strategyId: 'emit' as StrategyId, symbol: 'AAA' as Symbol_, direction };
  return k % 3 === 2 ? { ...base, strength: 0.25 * (k % 4), confidence: 0.5, reason: `bar ${k}` } : { ...base, strength: k / 7, confidence: 1 };
}

async function run() {
  const config: ReplayConfig = {
    symbols: ['AAA'],
    initialCash: 10_000,
    barIntervalUs: US_PER_DAY,
    equityEveryUs: US_PER_DAY,
    lookback: 4,
    venue: { kind: 'l1', config: venueConfig({ barIntervalUs: US_PER_DAY }) },
    createStrategies: () => [emitter()],
    createRisk: null,
  };
  const bars = Array.from({ length: 40 }, (_, i) => ({ symbol: 0, ts: T0 + i * US_PER_DAY, open: 100, high: 101, low: 99, close: 100, volume: 1e6 }));
  return replay(config, { bars: barFeed(bars, US_PER_DAY) });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('signals passed to a recorder that keeps none', () => {
  it('are one object per shape, written again, each with the keys, key order and values of a new literal', async () => {
    const given: Signal[] = [];
    const seen: string[] = [];
    const onSignal = RunRecorder.prototype.onSignal;
    vi.spyOn(RunRecorder.prototype, 'onSignal').mockImplementation(function (this: RunRecorder, s: Signal) {
      given.push(s);
      seen.push(JSON.stringify(Object.entries(s).map(([k, v]) => [k, Object.is(v, -0) ? '-0' : v])));
      onSignal.call(this, s);
    });
    const r = await run();
    expect(given).toHaveLength(40);
    // Two objects: one without a reason, one with (fails while every signal is a new object).
    expect(new Set(given).size).toBe(2);
    const want = Array.from({ length: 40 }, (_, k) => expected(k));
    expect(seen).toEqual(want.map((s) => JSON.stringify(Object.entries(s).map(([k, v]) => [k, Object.is(v, -0) ? '-0' : v]))));
    // The run's result lists what each call carried, not the object's last state.
    expect(r.signals).toHaveLength(40);
    expect(r.signals.map((s) => Object.keys(s))).toEqual(want.map((s) => Object.keys(s)));
    expect(r.signals).toEqual(want);
    expect(r.signals.map((s) => Object.is(s.direction, -0))).toEqual(want.map((s) => Object.is(s.direction, -0)));
  });

  it('a DirectRouter keeps signals unless its recorder says it keeps none', () => {
    const base = { onOrderEvent() {}, onFill() {}, onSignal() {}, onAudit() {}, onEquity() {} } as Recorder;
    const direct = (recorder: Recorder) => new DirectRouter({} as ExecutionEngine, {} as Portfolio, recorder);
    expect(direct(base).keepsSignals).toBe(true);
    expect(direct({ ...base, keepsSignals: true }).keepsSignals).toBe(true);
    expect(direct({ ...base, keepsSignals: false }).keepsSignals).toBe(false);
    expect(direct(new RunRecorder()).keepsSignals).toBe(false);
  });
});
