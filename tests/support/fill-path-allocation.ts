import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * What the fill path's allocation tests read (tests/unit/sim/venue/fill-allocation.test.ts,
 * tests/unit/engine/execution/fill-boxes.test.ts): a 200k-bar sma_cross replay in a cash account (~11k fills,
 * the short half of each reversal denied), run three times first so that the fill path is optimized, then
 * sampled once by V8's heap profiler (every 1 KiB, objects collected by either GC included), in a child
 * process. The bytes are each function's self size, by the source file it is in.
 */

const REPO = resolve(import.meta.dirname, '../..');

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
const denied = r.orders.filter((o) => o.status === 'denied').length;
const bytes = {};
const walk = (n) => {
  const key = n.callFrame.url + ' ' + n.callFrame.functionName;
  bytes[key] = (bytes[key] ?? 0) + n.selfSize;
  n.children.forEach(walk);
};
walk(profile.head);
console.log(JSON.stringify({ fills, denied, bytes }));
`;

/** A sampled trading run: its fills and denied orders, and what the named functions allocated a fill. */
export interface FillPathAllocation {
  readonly fills: number;
  readonly denied: number;
  /** Bytes a fill allocated by the functions named `functions` in source files whose path contains `file`. */
  perFill(file: string, functions: readonly string[]): number;
}

/** Runs the child (see above) and returns its sample; throws with the child's stderr if it fails. */
export function sampleFillPathAllocation(): FillPathAllocation {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '', TAPEDECK_REPO: REPO },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the allocation child exited ${r.status}: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { fills: number; denied: number; bytes: Record<string, number> };
  return {
    fills: out.fills,
    denied: out.denied,
    perFill(file, functions) {
      let sum = 0;
      for (const [key, size] of Object.entries(out.bytes)) {
        const space = key.lastIndexOf(' ');
        if (key.slice(0, space).includes(file) && functions.includes(key.slice(space + 1))) sum += size;
      }
      return sum / out.fills;
    },
  };
}
