import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SWEEP_TRIAL_MODULE } from '../cli/compose/sweep-trial.js';
import { generateDataset } from '../datasets/synthetic/index.js';
import { createLocalExecutor, parseFitness, parseSearchSpace, runSweep } from '../sim/research/index.js';
import type { ThroughputResult } from './harness.js';
import { median, timeWallAndCpu } from './harness.js';

/**
 * A 40-trial random sweep of the sma_cross parameters of a four-strategy scenario (sma_cross, ema_cross,
 * rsi_reversion, ibs) over eight symbols of daily bars (10 years, 2520 bars each) on 1 and on 2 worker
 * threads. Each sample's pool is created and warmed first (workers started, runner module
 * and data loaded), so the timing is the sweep itself: trials, result transfer and the trial store.
 * The two runs must give the same combinedHash (asserted and printed); the speed-up is the ratio of
 * the median wall-clock times. Samples alternate between the two pools. On a machine with more runnable
 * threads than cores the ratio is not a speed-up measure (two threads get two time slices): read it
 * with the load average recorded next to it. The CPU seconds (process, all threads) show the work is
 * the same on both pools.
 */

const TRIALS = 40;

/** Returns the CPU seconds of each thread of this process by thread id (Linux /proc; null elsewhere). */
function threadCpu(): Map<number, number> | null {
  try {
    const out = new Map<number, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, in clock ticks (100 per second)
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * Splits the CPU used between two threadCpu() readings: the main thread, the `workers` busiest other
 * threads (the pool's workers: every thread is named `node`, so they are told apart by the work they
 * did), and the rest together (V8's GC and compiler helpers, libuv's pool: DuckDB's commits).
 */
function perThread(before: Map<number, number>, after: Map<number, number>, workers: number): { main: number; workers: number[]; other: number } {
  const deltas: number[] = [];
  let main = 0;
  for (const [tid, t] of after) {
    const d = t - (before.get(tid) ?? 0);
    if (tid === process.pid) main = d;
    else deltas.push(d);
  }
  deltas.sort((a, b) => b - a);
  return { main, workers: deltas.slice(0, workers), other: deltas.slice(workers).reduce((s, d) => s + d, 0) };
}

const SAMPLES = 5;
const WARM_TRIALS = 8;

export default async function run(): Promise<ThroughputResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-bench-sweep-'));
  try {
    const data = join(dir, 'daily');
    await generateDataset({ seed: 5, symbols: ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'], days: 2520, kinds: ['bars'], out: data });
    const scenario = {
      name: 'bench-sweep',
      seed: 1,
      initialCash: 1000000,
      data: { bars: data },
      strategies: [
        { id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 60, mode: 'long_short', sizing: { kind: 'units', units: 100 } } },
        { id: 'ema', type: 'ema_cross', params: {} },
        { id: 'rsi', type: 'rsi_reversion', params: {} },
        { id: 'ibs', type: 'ibs', params: {} },
      ],
      venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
    };
    const space = parseSearchSpace({
      parameters: { 'strategies.0.params.fast': { type: 'int', min: 5, max: 40 }, 'strategies.0.params.slow': { type: 'int', min: 50, max: 200 } },
    });
    const fitness = parseFitness('sharpe');
    const seconds = new Map<number, number[]>([
      [1, []],
      [2, []],
    ]);
    const cpu = new Map<number, number[]>([
      [1, []],
      [2, []],
    ]);
    const split = new Map<number, { main: number; workers: number[]; other: number }[]>([
      [1, []],
      [2, []],
    ]);
    const hashes = new Map<number, string>();
    // Samples alternate between 1 and 2 workers, so a change in the machine's load hits both alike.
    // Each sample gets a pool of its own, created and warmed before the clock starts and destroyed
    // after: an idle pool left beside the measured one still collects its garbage in the background
    // (V8's memory reducer), on the cores the measured pool needs.
    for (let s = 0; s < SAMPLES; s++) {
      for (const workers of [1, 2]) {
        const executor = createLocalExecutor({ workers, runnerModule: SWEEP_TRIAL_MODULE });
        try {
          // Warm-up: every worker loads the runner and the data and runs trials until V8 has compiled
          // their hot code (WARM_TRIALS per worker; the first trials of a fresh worker run slower).
          const warm = Array.from({ length: WARM_TRIALS * workers }, (_, i) => ({ key: `warm-${i}`, scenario, params: { 'strategies.0.params.fast': 5 + (i % 30), 'strategies.0.params.slow': 60 + i }, seed: i }));
          await executor.run(warm, () => {});
          let hash = '';
          const before = threadCpu();
          const t = await timeWallAndCpu(async () => {
            const o = await runSweep({ scenario, space, method: 'random', trials: TRIALS, seed: 1, fitness, storeFile: join(dir, `w${workers}-${s}.duckdb`), fresh: true, executor });
            if (o.trials.length !== TRIALS || o.trials.some((x) => x.status !== 'ok')) throw new Error(`expected ${TRIALS} successful trials`);
            hash = o.combinedHash;
          });
          const after = threadCpu();
          if (before && after) split.get(workers)!.push(perThread(before, after, workers));
          seconds.get(workers)!.push(t.wall);
          cpu.get(workers)!.push(t.cpu);
          const previous = hashes.get(1) ?? hashes.get(workers);
          if (previous !== undefined && previous !== hash) throw new Error(`combinedHash differs: ${previous} vs ${hash} (${workers} workers)`);
          hashes.set(workers, hash);
        } finally {
          await executor.close();
        }
      }
    }
    if (hashes.get(1) !== hashes.get(2)) throw new Error(`combinedHash differs between 1 and 2 workers: ${hashes.get(1)} vs ${hashes.get(2)}`);
    const hash = hashes.get(1)!;
    const t1 = median(seconds.get(1)!);
    const t2 = median(seconds.get(2)!);
    const c1 = median(cpu.get(1)!);
    const c2 = median(cpu.get(2)!);
    // The per-thread split of the median sample (by wall time) of each pool.
    const breakdown = (workers: number): string => {
      const samples = split.get(workers)!;
      if (samples.length === 0) return '';
      const order = seconds.get(workers)!.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t);
      const m = samples[order[order.length >> 1]!.i]!;
      return `; main thread ${m.main.toFixed(2)} s, worker${workers === 1 ? '' : 's'} ${m.workers.map((w) => w.toFixed(2)).join(' + ')} s, other threads ${m.other.toFixed(2)} s`;
    };
    // Cores kept busy: CPU seconds per wall second. The ratio of the two is the speed-up counted in
    // cores (what a second core bought), beside the ratio of wall times (what a second worker bought).
    const busy1 = c1 / t1;
    const busy2 = c2 / t2;
    process.stderr.write(`sweep.bench: combinedHash ${hash} (1 and 2 workers); wall ${t1.toFixed(2)} s vs ${t2.toFixed(2)} s; CPU ${c1.toFixed(2)} s vs ${c2.toFixed(2)} s\n`);
    return [
      { name: `sweep ${TRIALS} trials, 1 worker`, unit: 'trials/s', median: TRIALS / t1, samples: SAMPLES, note: `wall ${t1.toFixed(2)} s, CPU ${c1.toFixed(2)} s (${busy1.toFixed(2)} cores busy)${breakdown(1)}; combinedHash ${hash.slice(0, 16)}` },
      { name: `sweep ${TRIALS} trials, 2 workers`, unit: 'trials/s', median: TRIALS / t2, samples: SAMPLES, note: `wall ${t2.toFixed(2)} s, CPU ${c2.toFixed(2)} s (${busy2.toFixed(2)} cores busy)${breakdown(2)}; same combinedHash` },
      { name: 'sweep speed-up, 2 vs 1 workers', unit: 'x', median: t1 / t2, samples: SAMPLES, note: `ratio of median wall-clock times (target >= 1.8); cores busy ${busy1.toFixed(2)} -> ${busy2.toFixed(2)}` },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
