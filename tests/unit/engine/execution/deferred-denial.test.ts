import { afterEach, describe, expect, it, vi } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import type { AuditEntry, DeferredText } from '../../../../engine/model/index.js';
import type { Strategy } from '../../../../engine/strategies/context.js';
import { replay } from '../../../../sim/backtest/index.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { RunRecorder } from '../../../../sim/backtest/run-recorder.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { barFeed } from '../../../support/bar-feed.js';

const T0 = 1_700_006_400_000_000; // 2023-11-15T00:00:00Z

/** Long 10 on even bars, short 10 on odd ones: the cash account denies every short sale (a deferred denial). */
function flipper(): Strategy {
  return {
    id: 'flip' as StrategyId,
    symbols: ['AAA' as Symbol_],
    onBar(ctx, b) {
      ctx.setTarget('AAA', (b.count - 1) % 2 === 0 ? 10 : -10);
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('deferred account denials', () => {
  it('reach the recorder as one entry written again, and the audit trail lists each as its own entry', async () => {
    const given: AuditEntry[] = [];
    const seen: string[] = [];
    const onDeferredAudit = RunRecorder.prototype.onDeferredAudit;
    vi.spyOn(RunRecorder.prototype, 'onDeferredAudit').mockImplementation(function (this: RunRecorder, e: AuditEntry, m: DeferredText) {
      given.push(e);
      seen.push(JSON.stringify([e.ts, e.kind, e.message, e.orderId, e.symbol, e.strategyId ?? null]));
      onDeferredAudit.call(this, e, m);
    });
    const config: ReplayConfig = {
      symbols: ['AAA'],
      initialCash: 100_000,
      barIntervalUs: US_PER_DAY,
      equityEveryUs: US_PER_DAY,
      lookback: 4,
      venue: { kind: 'l1', config: venueConfig({ barIntervalUs: US_PER_DAY }) },
      createStrategies: () => [flipper()],
      createRisk: null,
    };
    const bars = Array.from({ length: 30 }, (_, i) => ({ symbol: 0, ts: T0 + i * US_PER_DAY, open: 100 + i, high: 101 + i, low: 99 + i, close: 100 + i, volume: 1e6 }));
    const r = await replay(config, { bars: barFeed(bars, US_PER_DAY) });
    expect(given.length).toBeGreaterThan(5);
    // One object (fails while every denial makes its own entry).
    expect(new Set(given).size).toBe(1);
    // What each call carried: the denied orders, in order.
    const denied = r.orders.filter((o) => o.status === 'denied' && o.reason !== null && o.reason.startsWith('short sale'));
    expect(denied.length).toBe(given.length);
    const trail = r.audit.filter((e) => e.kind === 'account.denied');
    expect(trail.map((e) => e.orderId)).toEqual(denied.map((o) => o.id));
    expect(trail.map((e) => e.message)).toEqual(denied.map((o) => o.reason));
    expect(trail.map((e) => [e.symbol, e.strategyId])).toEqual(denied.map(() => ['AAA', 'flip']));
    expect(new Set(trail.map((e) => e.ts)).size).toBe(trail.length);
    expect(trail.map((e) => e.ts)).toEqual(seen.map((s) => JSON.parse(s)[0]));
    expect(seen.map((s) => JSON.parse(s)[3])).toEqual(denied.map((o) => o.id));
  });
});
