import { describe, expect, it } from 'vitest';
import type { OrderId } from '../../../../engine/core/ids.js';
import { randomStream } from '../../../../engine/core/rng.js';
import { RegimeAdaptiveRouter, type StrategyRouter } from '../../../../engine/kernel/index.js';
import type { AuditEntry } from '../../../../engine/model/index.js';
import type { OrderRequest } from '../../../../engine/model/orders.js';
import type { Recorder } from '../../../../engine/ports/recorder.js';

/** An inner router that records what reaches it. */
function innerRouter(): StrategyRouter & { targets: number[]; orders: OrderRequest[] } {
  const targets: number[] = [];
  const orders: OrderRequest[] = [];
  return {
    deliversOrderEvents: true,
    targets,
    orders,
    position: () => 0,
    cash: () => 0,
    equity: () => 0,
    setTarget: (_k, _i, units) => void targets.push(units),
    signal: () => undefined,
    submitOrder: (_k, r) => {
      orders.push(r);
      return 'o' as unknown as OrderId;
    },
    cancelOrder: () => undefined,
    replaceOrder: () => undefined,
    openOrders: () => [],
  };
}

function recorder(): Recorder & { audit: AuditEntry[] } {
  const audit: AuditEntry[] = [];
  return { audit, onOrderEvent: () => undefined, onFill: () => undefined, onSignal: () => undefined, onAudit: (e) => void audit.push(e), onEquity: () => undefined };
}

/** Prices of AAA: 60 calm rising days, 60 falling volatile ones, 80 calm rising ones. */
function prices(): number[] {
  const rng = randomStream(4, 'router-test', 'prices');
  const p = [100];
  for (let t = 1; t < 200; t++) p.push(p[t - 1]! * Math.exp(t < 60 || t >= 120 ? 0.002 + 0.005 * rng.normal() : -0.01 + 0.03 * rng.normal()));
  return p;
}

describe('RegimeAdaptiveRouter', () => {
  const config = {
    detector: { states: 2, window: 100, refitEvery: 5, labels: ['bear', 'bull'], seed: 2 },
    symbolIndexes: [0],
    adapt: { bear: { size: 0.5, stop: 0.5 }, bull: { size: 1.5, stop: 2 } },
  };

  it('scales targets and protective stops by the regime it detects from the marks, and audits each change', () => {
    const inner = innerRouter();
    const rec = recorder();
    const router = new RegimeAdaptiveRouter(inner, config, ['AAA'], rec);
    let mark = Number.NaN;
    router.attach({ now: () => 0, schedule: () => undefined, cancel: () => undefined, lastQuote: () => null, mark: () => mark });
    const seen: (string | null)[] = [];
    const p = prices();
    for (let t = 0; t < p.length; t++) {
      mark = p[t]!;
      router.onEquity(t, 1e5);
      seen.push(router.regime);
      router.setTarget(0, 0, 101, t, undefined);
      router.submitOrder(0, { symbol: 'AAA', side: 'sell', qty: 10, type: 'stop', stopPrice: mark - 4, reduceOnly: true }, t);
      router.submitOrder(0, { symbol: 'AAA', side: 'sell', qty: 10, type: 'stop', stopPrice: mark - 4 }, t);
      router.submitOrder(0, { symbol: 'AAA', side: 'sell', qty: 10, type: 'limit', limitPrice: mark + 4, reduceOnly: true }, t);
      const m = seen[t] === 'bull' ? config.adapt.bull : seen[t] === 'bear' ? config.adapt.bear : { size: 1, stop: 1 };
      // whole targets stay whole: 101 x 1.5 = 151.5 -> 151, 101 x 0.5 = 50.5 -> 50
      expect(inner.targets[t]).toBe(Math.trunc(101 * m.size));
      const [protective, plain, limit] = inner.orders.slice(3 * t, 3 * t + 3);
      expect(protective!.stopPrice).toBeCloseTo(mark - 4 * m.stop, 10);
      expect(plain!.stopPrice).toBe(mark - 4); // not reduce-only: an entry, not a protective stop
      expect(limit!.limitPrice).toBe(mark + 4);
    }
    // The first fit reads returns 1..100, both regimes: labels from t = 100 on.
    expect(seen.slice(0, 100).every((r) => r === null)).toBe(true);
    expect(seen.slice(100, 120).filter((r) => r === 'bear').length).toBeGreaterThan(15);
    expect(seen.slice(130).every((r) => r === 'bull')).toBe(true);
    const changes = rec.audit.filter((e) => e.kind === 'regime.changed');
    expect(changes.map((e) => e.message.split(' (')[0])).toEqual(['regime none -> bear', 'regime bear -> bull']);
    expect(changes.map((e) => (e.details as { to: string }).to)).toEqual(
      seen.filter((r, t) => r !== null && r !== (t > 0 ? seen[t - 1] : null)),
    );
  });

  it('refuses multipliers for a label the detector does not have, naming it', () => {
    expect(() => new RegimeAdaptiveRouter(innerRouter(), { ...config, adapt: { sideways: { size: 2, stop: 1 } } }, ['AAA'], recorder())).toThrow(/regimes\.adapt\.sideways/);
  });
});
