import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * What a trading run's fills allocate on the venue's bar path and in Portfolio.applyFill, sampled by V8's
 * heap profiler in a child process (a 200k-bar sma_cross replay, ~11k fills, run three times first so that
 * the fill path is optimized, then sampled once). A double passed to a call V8 does not inline, returned
 * from one, or joined with a tagged value is a new heap number: the venue passed each bar with working
 * orders to processBar as six numbers and each fill's price, time and volume on to execute, and
 * Portfolio.applyFill joined its `commission` parameter with a double (cash) and passed a closed trade's
 * numbers to column pushes it did not inline. Each cost ~32 bytes a fill; now the numbers are read from the
 * bar columns and the order's plan where they are used. Loose bounds: sampling and V8's inlining vary
 * from process to process, by a few bytes a fill, never by 32.
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
const fills = (r.records ?? r).fills.length;
const VENUE = new Set(['onBarRow', 'processBar', 'planBar', 'plan', 'execute', 'executePlan', 'denyRest']);
let venue = 0;
let portfolio = 0;
const walk = (n) => {
  const f = n.callFrame.functionName;
  const url = n.callFrame.url;
  if (url.includes('/sim/venue/') && VENUE.has(f)) venue += n.selfSize;
  if (url.includes('/engine/portfolio/portfolio') && (f === 'applyFill' || f === 'applyFillRow')) portfolio += n.selfSize;
  n.children.forEach(walk);
};
walk(profile.head);
console.log(JSON.stringify({ fills, venue: venue / fills, portfolio: portfolio / fills }));
`;

let sampled: { fills: number; venue: number; portfolio: number };

beforeAll(() => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '', TAPEDECK_REPO: REPO },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the allocation child exited ${r.status}: ${r.stderr}`);
  sampled = JSON.parse(r.stdout.trim().split('\n').pop()!);
}, 120_000);

describe('a trading run fill path', () => {
  it('fills orders (the sample is of a run that trades)', () => {
    expect(sampled.fills).toBeGreaterThan(10_000);
  });

  it('allocates under 8 bytes a fill in the venue bar path (bar and fill numbers not passed as arguments)', () => {
    expect(sampled.venue).toBeLessThan(8);
  });

  it('allocates under 8 bytes a fill in Portfolio.applyFill (no boxed cash, no boxed trade numbers)', () => {
    expect(sampled.portfolio).toBeLessThan(8);
  });
});
