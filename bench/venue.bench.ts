/**
 * Simulated venue throughput: `onBar` over a long one-symbol minute-bar tape with no working order
 * (the counter-check fast path) and with 10 working limit orders that never fill (every bar walks the
 * intrabar path for each of them). Bars are generated deterministically into typed arrays before timing.
 */
import { orderId, US_PER_MINUTE } from '../engine/core/index.js';
import { Order } from '../engine/model/index.js';
import { SimulatedVenue, venueConfig } from '../sim/venue/index.js';
import { measure } from './harness.js';
import type { ThroughputResult } from './harness.js';

const N = 2_000_000;

function tape(): { ts: Float64Array; o: Float64Array; h: Float64Array; l: Float64Array; c: Float64Array; v: Float64Array } {
  const ts = new Float64Array(N);
  const o = new Float64Array(N);
  const h = new Float64Array(N);
  const l = new Float64Array(N);
  const c = new Float64Array(N);
  const v = new Float64Array(N);
  let seed = 12345;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  let price = 100;
  for (let i = 0; i < N; i++) {
    const open = price;
    const close = Math.min(150, Math.max(50, open * (1 + (next() - 0.5) * 0.004)));
    ts[i] = 1_700_000_000_000_000 + i * US_PER_MINUTE;
    o[i] = open;
    c[i] = close;
    h[i] = Math.max(open, close) * (1 + next() * 0.001);
    l[i] = Math.min(open, close) * (1 - next() * 0.001);
    v[i] = 1000 + Math.floor(next() * 1000);
    price = close;
  }
  return { ts, o, h, l, c, v };
}

export default async function run(): Promise<ThroughputResult[]> {
  const t = tape();
  const venue = new SimulatedVenue(venueConfig({ barIntervalUs: US_PER_MINUTE }), { onOrderEvent: () => {} }, ['AAA']);
  const replay = (): void => {
    for (let i = 0; i < N; i++) venue.onBar(0, t.ts[i]!, t.o[i]!, t.h[i]!, t.l[i]!, t.c[i]!, t.v[i]!);
  };
  const withOrders = (count: number) => (): void => {
    venue.reset();
    for (let k = 0; k < count; k++) {
      // Buy limits far below the tape's range (50..150): they stay working for the whole run.
      const side = k % 2 === 0 ? 'buy' : 'sell';
      const req = { symbol: 'AAA', side, qty: 10, type: 'limit', limitPrice: side === 'buy' ? 10 + k : 1000 + k } as const;
      venue.submit(new Order(orderId(`B-${k}`), req, 0), 0);
    }
  };
  // `cpuTime` asks the harness for a rate per CPU-second too (the machine is shared); passed through a
  // variable so the file also compiles against a harness without that option.
  const idle = { setup: withOrders(0), runs: 5, cpuTime: true };
  const resting = { setup: withOrders(10), runs: 5, cpuTime: true, note: 'resting far from the price: a range test per order per bar' };
  return [
    await measure('venue onBar, 0 working orders', 'bars/s', N, replay, idle),
    await measure('venue onBar, 10 working limit orders', 'bars/s', N, replay, resting),
  ];
}
