import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * What a trading run's fills allocate between the venue, the execution engine, the order, the account and
 * the portfolio, sampled by V8's heap profiler in a child process (a 200k-bar sma_cross replay, ~11k fills,
 * a cash account denying the short half of each reversal; run three times first so that the path is
 * optimized, then sampled once). A double passed to a call V8 does not inline, or returned from one, is a
 * new heap number: ExecutionEngine.apply passed each fill's quantity, price, commission and time to
 * Portfolio.applyFill and quantity, price and time to Order.applyFill, and Order.transition's time, stored
 * in a field declared bare (defined as undefined first, so kept tagged), was a new heap number at each
 * event (~95 bytes a fill in all). Now the figures go through rows of doubles both sides read, and the
 * field is a number field written in place. A loose bound: sampling and V8's inlining vary from process to
 * process, by a box a fill at most, never by the six.
 */

const REPO = resolve(import.meta.dirname, '../../../..');

const CHILD = `
import { Session } from 'node:inspector/promises';
const REPO = process.env.TAPEDECK_REPO;
const { US_PER_DAY } = await import(REPO + '/engine/core/index.ts');
const { createStrategy } = await import(REPO + '/engine/strategies/index.ts');
const { runBacktest } = await import(REPO + '/sim/backtest/index.ts');
const { venueConfig } = await import(REPO + '/sim/venue/index.ts');
const { makeTape } = await import(REPO + '/bench/tapes.ts');
const tape = makeTape(200_000, false);
async function* feed(b) { for (const x of b) yield x; }
const config = { symbols: ['AAA'], initialCash: 100_000, barIntervalUs: US_PER_DAY, equityEveryUs: 60_000_000, lookback: 64,
  venue: venueConfig({ barIntervalUs: US_PER_DAY, fees: { kind: 'fraction', rate: 0.002 } }),
  createStrategies: () => [createStrategy('sma_cross', 'sma', ['AAA'], { fast: 10, slow: 20, sizing: { kind: 'units', units: 100 } })], createRisk: null };
for (let i = 0; i < 3; i++) await runBacktest(config, { bars: feed(tape) });
const s = new Session();
s.connect();
await s.post('HeapProfiler.enable');
await s.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
const r = await runBacktest(config, { bars: feed(tape) });
const { profile } = await s.post('HeapProfiler.stopSampling');
const records = r.records ?? r;
const fills = records.fills.length;
const denied = r.orders.filter((o) => o.status === 'denied').length;
const sums = { apply: 0 };
const walk = (n) => {
  const f = n.callFrame.functionName;
  const url = n.callFrame.url;
  if (url.includes('/engine/execution/execution-engine') && (f === 'apply' || f === 'onOrderEvent')) sums.apply += n.selfSize;
  if (url.includes('/engine/model/orders') && (f === 'applyFill' || f === 'applyFillRow')) sums.apply += n.selfSize;
  if (url.includes('/engine/portfolio/portfolio') && (f === 'applyFill' || f === 'applyFillRow')) sums.apply += n.selfSize;
  n.children.forEach(walk);
};
walk(profile.head);
console.log(JSON.stringify({ fills, denied, apply: sums.apply / fills }));
`;

let sampled: { fills: number; denied: number; apply: number };

beforeAll(() => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '', TAPEDECK_REPO: REPO },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the allocation child exited ${r.status}: ${r.stderr}`);
  sampled = JSON.parse(r.stdout.trim().split('\n').pop()!);
}, 120_000);

describe('a trading run between venue, execution engine, order, account and portfolio', () => {
  it('fills orders and has the account deny some (the sample is of a run that trades and is denied)', () => {
    expect(sampled.fills).toBeGreaterThan(10_000);
    expect(sampled.denied).toBeGreaterThan(1_000);
  });

  it('allocates under 12 bytes a fill applying it to the order and the portfolio (no boxed fill figures or event times)', () => {
    expect(sampled.apply).toBeLessThan(12);
  });

});
