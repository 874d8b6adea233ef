import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderId, strategyId } from '../../../../engine/core/index.js';
import { Order } from '../../../../engine/model/index.js';
import type { Fill, OrderEvent, OrderRequest } from '../../../../engine/model/index.js';
import { SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';
import type { VenueConfigInput } from '../../../../sim/venue/index.js';
import { after, barTs, DAY } from './venue-harness.js';

interface BarSpec {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const barArb: fc.Arbitrary<BarSpec> = fc
  .record({
    open: fc.integer({ min: 50, max: 150 }),
    up: fc.integer({ min: 0, max: 10 }),
    down: fc.integer({ min: 0, max: 10 }),
    closeAt: fc.double({ min: 0, max: 1, noNaN: true }),
    volume: fc.integer({ min: 0, max: 500 }),
  })
  .map(({ open, up, down, closeAt, volume }) => {
    const high = open + up;
    const low = open - down;
    return { open, high, low, close: low + (high - low) * closeAt, volume };
  });

const orderArb = fc.record({
  side: fc.constantFrom('buy' as const, 'sell' as const),
  qty: fc.integer({ min: 1, max: 200 }),
  type: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const, 'stop_limit' as const),
  p1: fc.integer({ min: 40, max: 160 }),
  p2: fc.integer({ min: 40, max: 160 }),
  timeInForce: fc.constantFrom('GTC' as const, 'DAY' as const, 'IOC' as const, 'FOK' as const),
  reduceOnly: fc.boolean(),
  cancelAfterBars: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
});

const configArb: fc.Arbitrary<VenueConfigInput> = fc.record({
  intrabarPath: fc.constantFrom('ohlc' as const, 'olhc' as const, 'worst' as const, 'nearest' as const),
  limitFill: fc.constantFrom('touch' as const, 'through' as const),
  marketFill: fc.constantFrom('next_open' as const, 'close' as const),
  slippage: fc.constantFrom({ kind: 'none' as const }, { kind: 'volume_share' as const, share: 0.25 }),
  lotSize: fc.constant(1),
});

const scenarioArb = fc.record({
  config: configArb,
  bars: fc.array(barArb, { minLength: 2, maxLength: 25 }),
  // orders submitted after bar i
  orders: fc.array(fc.tuple(fc.nat(24), orderArb), { maxLength: 20 }),
});

describe('SimulatedVenue properties', () => {
  it('fills stay inside the bar range, never exceed the order quantity, keep the order state machine legal, and the position is the sum of signed fills', () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, bars, orders }) => {
        const events: OrderEvent[] = [];
        const venue = new SimulatedVenue(venueConfig({ barIntervalUs: DAY, ...config }), { onOrderEvent: (e) => events.push(e) }, ['AAA']);
        const engineOrders = new Map<string, Order>();
        const cancelAt = new Map<number, string[]>();
        const apply = (e: OrderEvent): void => {
          const o = engineOrders.get(e.orderId)!;
          switch (e.kind) {
            case 'OrderAccepted':
              o.transition('accepted', e.ts);
              break;
            case 'OrderRejected':
              o.transition('rejected', e.ts, e.reason);
              break;
            case 'OrderFilled':
              o.applyFill(e.fill.qty, e.fill.price, e.ts);
              break;
            case 'OrderCancelled':
              o.transition('cancelled', e.ts, e.reason);
              break;
            case 'OrderExpired':
              o.transition('expired', e.ts, e.reason);
              break;
            case 'OrderTriggered':
              o.triggered = true;
              break;
            default:
              throw new Error(`unexpected ${e.kind}`);
          }
        };
        const fills: { fill: Fill; bar: BarSpec }[] = [];
        let seen = 0;
        /** Applies new events; `bar` is the bar the venue saw last (fills at the close happen on submit). */
        const drain = (bar: BarSpec, i: number): void => {
          for (; seen < events.length; seen++) {
            const e = events[seen]!;
            apply(e); // throws on an illegal transition or an over-fill
            if (e.kind === 'OrderFilled') {
              fills.push({ fill: e.fill, bar });
              expect([barTs(i), barTs(i) + DAY]).toContain(e.fill.ts);
              expect(e.fill.price).toBeGreaterThanOrEqual(bar.low - 1e-9);
              expect(e.fill.price).toBeLessThanOrEqual(bar.high + 1e-9);
            }
          }
        };
        let n = 0;
        for (let i = 0; i < bars.length; i++) {
          const b = bars[i]!;
          venue.onBar(0, barTs(i), b.open, b.high, b.low, b.close, b.volume);
          drain(b, i);
          for (const id of cancelAt.get(i) ?? []) venue.cancel(id as never, after(i));
          drain(b, i);
          for (const [at, spec] of orders) {
            if (at !== i) continue;
            const lo = Math.min(spec.p1, spec.p2);
            const hi = Math.max(spec.p1, spec.p2);
            const req: OrderRequest = {
              symbol: 'AAA',
              side: spec.side,
              qty: spec.qty,
              type: spec.type,
              timeInForce: spec.type === 'stop' || spec.type === 'stop_limit' ? 'GTC' : spec.timeInForce,
              reduceOnly: spec.reduceOnly,
              ...(spec.type === 'limit' ? { limitPrice: spec.p1 } : {}),
              ...(spec.type === 'stop' ? { stopPrice: spec.p1 } : {}),
              ...(spec.type === 'stop_limit' ? { stopPrice: spec.side === 'buy' ? lo : hi, limitPrice: spec.side === 'buy' ? hi : lo } : {}),
            };
            const o = new Order(orderId(`O-${++n}`), req, after(i), strategyId('S'));
            engineOrders.set(o.id, o);
            o.transition('submitted', after(i));
            venue.submit(o, after(i));
            drain(b, i);
            if (spec.cancelAfterBars !== null) {
              const k = i + spec.cancelAfterBars;
              cancelAt.set(k, [...(cancelAt.get(k) ?? []), o.id]);
            }
          }
        }
        let signed = 0;
        const filledByOrder = new Map<string, number>();
        for (const { fill } of fills) {
          signed += fill.side === 'buy' ? fill.qty : -fill.qty;
          filledByOrder.set(fill.orderId, (filledByOrder.get(fill.orderId) ?? 0) + fill.qty);
        }
        for (const [id, q] of filledByOrder) expect(q).toBeLessThanOrEqual(engineOrders.get(id)!.qty);
        expect(venue.position(0)).toBe(signed);
      }),
      { numRuns: 300 },
    );
  });
});
