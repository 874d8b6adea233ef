import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoUs, US_PER_DAY, US_PER_YEAR } from '../../../../../engine/core/index.js';
import { parseFitness, parseSearchSpace } from '../../../../../sim/research/index.js';
import type { TrialExecutor, TrialMetrics, TrialResult, TrialTask } from '../../../../../sim/research/index.js';
import { annualizedReturn, runWalkForward, walkForwardWindows } from '../../../../../sim/research/walk-forward/index.js';

/**
 * runWalkForward over a fake executor: a "trial" on window [start, end) with parameter x earns
 * 0.001 x per day in train windows before 2024-03-01 and -0.0005 x per day afterwards, and its
 * Sharpe is -(x - 3)^2 + (days / 1000), so every fold chooses x = 3 (the only thing the train data
 * says) whatever comes next.
 */

const START = parseIsoUs('2024-01-01');
const BREAK = parseIsoUs('2024-03-01');

function metrics(sharpe: number, observations: number): TrialMetrics {
  return { finalEquity: 1, totalReturn: 0, sharpe, sortino: null, maxDrawdown: 0, tradeCount: 1, winRate: null, profitFactor: null, cagr: null, observations, periodSharpe: null, skewness: null, kurtosis: null };
}

function fakeResult(task: TrialTask): TrialResult {
  const doc = task.scenario as { data: { start: string; end: string } };
  const start = parseIsoUs(doc.data.start);
  const end = parseIsoUs(doc.data.end);
  const x = task.params['x'] as number;
  if (x >= 5) return { status: 'failed', key: task.key, params: task.params, seed: task.seed, error: 'x >= 5 always fails' };
  const days = Math.round((end - start) / US_PER_DAY);
  const returns = Float64Array.from({ length: days }, (_, i) => (start + i * US_PER_DAY < BREAK ? 0.001 * x : -0.0005 * x));
  return { status: 'ok', key: task.key, params: task.params, seed: task.seed, metrics: metrics(-((x - 3) ** 2) + days / 1000, days), runHash: `h-${x}-${start}-${end}`, returns };
}

function fakeExecutor(reverse: boolean): TrialExecutor & { calls: number } {
  return {
    description: 'fake',
    calls: 0,
    async run(tasks, onResult) {
      this.calls += tasks.length;
      // Completion order must not matter: optionally report in reverse.
      for (const t of reverse ? [...tasks].reverse() : tasks) await onResult(fakeResult(t));
    },
    async close() {},
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-wf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const space = parseSearchSpace({ parameters: { x: { type: 'int', min: 1, max: 5 } } });
const scenario = { name: 'fake', data: { bars: 'nowhere' } };
const folds = walkForwardWindows({ start: START, end: START + 120 * US_PER_DAY, train: 30 * US_PER_DAY, test: 30 * US_PER_DAY });

describe('runWalkForward', () => {
  it('chooses on the train window, runs the choice on the test window and stitches the out-of-sample curve', async () => {
    const r = await runWalkForward({ scenario, space, method: 'grid', seed: 1, fitness: parseFitness('sharpe'), folds, executor: fakeExecutor(false), storeDir: join(dir, 'a'), fresh: true });
    expect(r.folds).toHaveLength(3);
    for (const f of r.folds) {
      expect(f.params).toEqual({ x: 3 });
      expect(f.sweep).toMatchObject({ trials: 5, failed: 1 });
      expect(f.outOfSample.status).toBe('ok');
    }
    // Test windows: 2024-01-31..03-01 (30 days at +0.003), 03-01..03-31 and 03-31..04-30 (-0.0015 a day).
    const expected = [1];
    for (let d = 0; d < 90; d++) expected.push(expected.at(-1)! * (1 + (d < 30 ? 0.003 : -0.0015)));
    expect(r.stitched.equity).toHaveLength(91);
    r.stitched.equity.forEach((e, i) => expect(e).toBeCloseTo(expected[i]!, 12));
    expect(r.stitched.foldOffsets).toEqual([0, 30, 60]);
    // IS annualized returns: every train window before the break earns 0.003 a day.
    const is0 = 1.003 ** 30;
    expect(r.folds[0]!.inSample!.annualizedReturn).toBeCloseTo(is0 ** (US_PER_YEAR / (30 * US_PER_DAY)) - 1, 9);
    expect(r.folds[0]!.efficiency).toBeCloseTo(1, 12);
    expect(r.folds[2]!.efficiency).toBeNull(); // its train window (03-01..03-31) lost money: no ratio
    expect(r.oosAnnualizedReturn).toBeCloseTo(annualizedReturn(r.stitched.equity.slice(1).map((e, i) => e / r.stitched.equity[i]! - 1), 90 * US_PER_DAY)!, 12);
  });
  it('gives the same folds and combinedHash whatever order results come back in, and resumes from the fold stores', async () => {
    const base = { scenario, space, method: 'grid' as const, seed: 1, fitness: parseFitness('sharpe'), folds };
    const a = await runWalkForward({ ...base, executor: fakeExecutor(false), storeDir: join(dir, 'b'), fresh: true });
    const b = await runWalkForward({ ...base, executor: fakeExecutor(true), storeDir: join(dir, 'c'), fresh: true });
    expect(b.combinedHash).toBe(a.combinedHash);
    expect(b.folds).toEqual(a.folds);
    const again = fakeExecutor(false);
    const c = await runWalkForward({ ...base, executor: again, storeDir: join(dir, 'b') });
    expect(c.combinedHash).toBe(a.combinedHash);
    // Only the three test runs ran again; every train trial came from the stores.
    expect(again.calls).toBe(3);
  });
  it('skips the test run of a fold whose train trials all failed', async () => {
    const failing = parseSearchSpace({ parameters: { x: { type: 'int', min: 5, max: 6 } } });
    const r = await runWalkForward({ scenario, space: failing, method: 'grid', seed: 1, fitness: parseFitness('sharpe'), folds: folds.slice(0, 1), executor: fakeExecutor(false), storeDir: join(dir, 'd'), fresh: true });
    expect(r.folds[0]!.outOfSample).toEqual({ status: 'skipped', reason: 'no train trial had a finite fitness' });
    expect(r.stitched.equity).toEqual([1]);
    expect(r.efficiency).toBeNull();
  });
});

describe('annualizedReturn', () => {
  it('compounds and annualizes over the given duration', () => {
    expect(annualizedReturn([0.1, 0.1], US_PER_YEAR)).toBeCloseTo(0.21, 15);
    expect(annualizedReturn([0.21], US_PER_YEAR / 2)).toBeCloseTo(1.21 ** 2 - 1, 12);
    expect(annualizedReturn([], US_PER_YEAR)).toBeNull();
    expect(annualizedReturn([-1], US_PER_YEAR)).toBe(-1);
  });
});

describe('runWalkForward with warmStart', () => {
  /** The fake trial of the first suite, measured from measureFromUs when the task sets it; records every task. */
  function recordingExecutor(): TrialExecutor & { tasks: TrialTask[] } {
    return {
      description: 'fake',
      tasks: [],
      async run(tasks, onResult) {
        for (const t of tasks) {
          this.tasks.push(t);
          const r = fakeResult(t);
          if (r.status === 'ok' && t.measureFromUs !== undefined) {
            const skip = Math.round((t.measureFromUs - parseIsoUs((t.scenario as { data: { start: string } }).data.start)) / US_PER_DAY);
            await onResult({ ...r, returns: r.returns.slice(skip) });
          } else {
            await onResult(r);
          }
        }
      },
      async close() {},
    };
  }
  const learner = { name: 'fake', data: { bars: 'nowhere' }, strategies: [{ type: 'sma_cross', params: {} }, { type: 'q_learning_selector', params: { seed: 3 } }] };
  const iso = (us: number): string => new Date(us / 1000).toISOString();
  type Doc = { data: { start: string; end: string }; strategies: { params: Record<string, unknown> }[] };

  it('trains each fold with trainUntil at the train end and replays train + test for the test run, measured from the test start', async () => {
    const executor = recordingExecutor();
    const r = await runWalkForward({ scenario: learner, space, method: 'grid', seed: 1, fitness: parseFitness('sharpe'), folds, executor, storeDir: join(dir, 'w1'), fresh: true, warmStart: true });
    expect(r.folds).toHaveLength(3);
    for (const f of r.folds) {
      expect(f.warmStart).toEqual({ replayFrom: f.train.start, replayFromIso: iso(f.train.start), trainUntil: f.test.start, trainUntilIso: iso(f.test.start), paths: ['strategies.1.params.trainUntil'] });
      const trainTasks = executor.tasks.filter((t) => t.measureFromUs === undefined && (t.scenario as Doc).data.start === iso(f.train.start) && (t.scenario as Doc).data.end === iso(f.train.end));
      expect(trainTasks).toHaveLength(5);
      for (const t of trainTasks) expect((t.scenario as Doc).strategies[1]!.params).toEqual({ seed: 3, trainUntil: iso(f.train.end) });
      const testTasks = executor.tasks.filter((t) => t.measureFromUs === f.test.start);
      expect(testTasks).toHaveLength(1);
      const test = testTasks[0]!;
      expect((test.scenario as Doc).data).toEqual({ bars: 'nowhere', start: iso(f.train.start), end: iso(f.test.end) });
      expect((test.scenario as Doc).strategies[1]!.params['trainUntil']).toBe(iso(f.train.end));
      expect((test.scenario as Doc).strategies[0]!.params).toEqual({});
      expect(test.seed).toBe(f.trialSeed);
      // Only the 30 test days are measured, not the 60 replayed ones.
      expect(f.outOfSample.status === 'ok' && f.outOfSample.returns.length).toBe(30);
    }
    expect(executor.tasks.filter((t) => t.measureFromUs === undefined && t.scenario === learner)).toEqual([]);
    expect(r.stitched.equity).toHaveLength(91);
  });
  it('stops training at the purged train end, and hashes differently from a cold walk-forward', async () => {
    const purged = walkForwardWindows({ start: START, end: START + 120 * US_PER_DAY, train: 30 * US_PER_DAY, test: 30 * US_PER_DAY, purge: 5 * US_PER_DAY });
    const base = { scenario: learner, space, method: 'grid' as const, seed: 1, fitness: parseFitness('sharpe'), folds: purged };
    const warm = await runWalkForward({ ...base, executor: recordingExecutor(), storeDir: join(dir, 'w2'), fresh: true, warmStart: true });
    for (const f of warm.folds) expect(f.warmStart!.trainUntil).toBe(f.test.start - 5 * US_PER_DAY);
    const cold = await runWalkForward({ ...base, executor: recordingExecutor(), storeDir: join(dir, 'w3'), fresh: true });
    expect(cold.folds[0]!.warmStart).toBeUndefined();
    expect(warm.combinedHash).not.toBe(cold.combinedHash);
  });
  it('sets the trainUntilPaths it is given instead of the registry’s', async () => {
    const executor = recordingExecutor();
    await runWalkForward({ scenario: learner, space, method: 'grid', seed: 1, fitness: parseFitness('sharpe'), folds: folds.slice(0, 1), executor, storeDir: join(dir, 'w4'), fresh: true, warmStart: true, trainUntilPaths: [['model', 'until']] });
    for (const t of executor.tasks) {
      expect((t.scenario as { model: { until: string } }).model.until).toBe(iso(folds[0]!.train.end));
      expect((t.scenario as Doc).strategies[1]!.params['trainUntil']).toBeUndefined();
    }
  });
});
