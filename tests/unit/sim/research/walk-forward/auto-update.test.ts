import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoUs, US_PER_DAY } from '../../../../../engine/core/index.js';
import { parseFitness, parseSearchSpace } from '../../../../../sim/research/index.js';
import type { TrialExecutor, TrialMetrics, TrialResult, TrialTask } from '../../../../../sim/research/index.js';
import { decideUpdate, runWalkForward, walkForwardWindows } from '../../../../../sim/research/walk-forward/index.js';

/**
 * Seed 001's automatic parameter update in runWalkForward, over a fake executor. A trial with
 * parameter x on a window [start, end) has one observation per day and Sharpe 10 - (x - c)^2, where
 * c is the number of 30-day blocks from 2024-01-01 to the window's end: anchored train windows of
 * 30, 60, 90 days put the optimum at x = 1, 2, 3, and the previous fold's x scores 9 where the new
 * optimum scores 10: a relative gain of 1/9 = 0.111 over the incumbent.
 */

const START = parseIsoUs('2024-01-01');

function metrics(sharpe: number, observations: number): TrialMetrics {
  return { finalEquity: 1, totalReturn: 0, sharpe, sortino: null, maxDrawdown: 0, tradeCount: 1, winRate: null, profitFactor: null, cagr: null, observations, periodSharpe: null, skewness: null, kurtosis: null };
}

function fakeResult(task: TrialTask): TrialResult {
  const doc = task.scenario as { data: { start: string; end: string } };
  const start = parseIsoUs(doc.data.start);
  const end = parseIsoUs(doc.data.end);
  const x = task.params['x'] as number;
  const days = Math.round((end - start) / US_PER_DAY);
  const c = Math.round((end - START) / (30 * US_PER_DAY));
  const returns = Float64Array.from({ length: days }, () => 0.001 * x);
  return { status: 'ok', key: task.key, params: task.params, seed: task.seed, metrics: metrics(10 - (x - c) ** 2, days), runHash: `h-${x}-${start}-${end}-${task.seed}`, returns };
}

function recordingExecutor(): TrialExecutor & { tasks: TrialTask[] } {
  return {
    description: 'fake',
    tasks: [],
    async run(tasks, onResult) {
      for (const t of tasks) {
        this.tasks.push(t);
        await onResult(fakeResult(t));
      }
    },
    async close() {},
  };
}

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-wf-auto-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const space = parseSearchSpace({ parameters: { x: { type: 'int', min: 1, max: 6 } } });
const scenario = { name: 'fake', data: { bars: 'nowhere' } };
// Anchored: train 30, 60, 90 days; tests of 30 days after each.
const folds = walkForwardWindows({ start: START, end: START + 120 * US_PER_DAY, train: 30 * US_PER_DAY, test: 30 * US_PER_DAY, anchored: true });

const run = (autoUpdate?: { improvementThreshold: number; minObservations: number }, executor = recordingExecutor()) =>
  runWalkForward({ scenario, space, method: 'grid', seed: 1, fitness: parseFitness('sharpe'), folds, executor, storeDir: join(dir, `s${n++}`), fresh: true, ...(autoUpdate ? { autoUpdate } : {}) });

describe('runWalkForward with autoUpdate (seed 001: improvement_threshold, min_observations)', () => {
  it('without the rule, every fold adopts its re-optimized parameters and has no update record', async () => {
    const r = await run();
    expect(r.folds.map((f) => f.params)).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    expect(r.folds.every((f) => f.update === undefined)).toBe(true);
  });

  it('adopts new parameters that beat the incumbent by more than the threshold (gain 1 on |9|: 0.111 > 0.05)', async () => {
    const plain = await run();
    const r = await run({ improvementThreshold: 0.05, minObservations: 1 });
    expect(r.folds.map((f) => f.params)).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    expect(r.folds.map((f) => f.update!.adopted)).toEqual([true, true, true]);
    expect(r.folds[0]!.update!.incumbent).toBeNull();
    expect(r.folds[1]!.update!.incumbent).toMatchObject({ params: { x: 1 }, fitness: 9 });
    expect(r.folds[1]!.update!.candidate).toMatchObject({ params: { x: 2 }, fitness: 10, observations: 60 });
    // Same choices, same test runs; the record of the rule is part of the identity.
    expect(r.folds.map((f) => f.outOfSample)).toEqual(plain.folds.map((f) => f.outOfSample));
    expect(r.combinedHash).not.toBe(plain.combinedHash);
  });

  it('keeps the incumbent when the gain is not above the threshold (0.111 <= 0.2): it runs the test window', async () => {
    const r = await run({ improvementThreshold: 0.2, minObservations: 1 });
    expect(r.folds.map((f) => f.params)).toEqual([{ x: 1 }, { x: 1 }, { x: 3 }]);
    expect(r.folds.map((f) => f.update!.adopted)).toEqual([true, false, true]);
    expect(r.folds[1]!.update!.reason).toBe("fitness 10.0000 vs the incumbent's 9.00000 (gain 1.00000, needed more than 1.80000: threshold 0.2 x |incumbent|); the incumbent stays");
    expect(r.folds[1]!.inSample!.fitness).toBe(9);
    // Fold 2: the incumbent x = 1 scores 10 - (1 - 3)^2 = 6 on the 90-day train window; 10 beats it by 4 > 1.2.
    expect(r.folds[2]!.update!.incumbent!.fitness).toBe(6);
    expect(r.folds[2]!.inSample!.fitness).toBe(10);
    const strict = await run({ improvementThreshold: 0.7, minObservations: 1 });
    expect(strict.folds.map((f) => f.params)).toEqual([{ x: 1 }, { x: 1 }, { x: 1 }]);
    const base = await run({ improvementThreshold: 0.05, minObservations: 1 });
    expect(r.combinedHash).not.toBe(base.combinedHash);
    expect(r.folds[1]!.outOfSample).not.toEqual(base.folds[1]!.outOfSample);
  });

  it('needs min observations: a 30-day first train window is skipped below 45, and the 60-day one then adopts', async () => {
    const r = await run({ improvementThreshold: 0.05, minObservations: 45 });
    expect(r.folds[0]!.outOfSample).toEqual({ status: 'skipped', reason: 'the best train trial has 30 observations, fewer than the 45 required (min observations); no parameters in force yet' });
    expect(r.folds.map((f) => f.params)).toEqual([null, { x: 2 }, { x: 3 }]);
    const kept = await run({ improvementThreshold: 0.05, minObservations: 75 });
    // 75: fold 1 (60 days) is skipped too; fold 2 (90 days) adopts.
    expect(kept.folds.map((f) => f.params)).toEqual([null, null, { x: 3 }]);
  });

  it('runs the incumbent on the train window only when the fold sweep did not try it', async () => {
    const task = (x: number, end: number): TrialTask => ({ key: `k${x}`, scenario: { data: { start: '2024-01-01T00:00:00.000Z', end: new Date((START + end * US_PER_DAY) / 1000).toISOString() } }, params: { x }, seed: 5 });
    const scored = (x: number, end: number) => {
      const r = fakeResult(task(x, end)) as TrialResult & { status: 'ok' };
      return { ...r, fitness: r.metrics.sharpe! };
    };
    const best = scored(3, 90);
    const runs: [unknown, string][] = [];
    const runIncumbent = async (params: Record<string, unknown>, key: string): Promise<TrialResult> => {
      runs.push([params, key]);
      return scored(1, 90);
    };
    const auto = { improvementThreshold: 0.5, minObservations: 1 };
    // Not among the fold's trials: run once; its fitness 6 on this window decides (gain 4 > 0.5 x 6).
    const a = await decideUpdate(auto, best, { params: { x: 1 }, key: 'k1' }, [best], runIncumbent, parseFitness('sharpe'));
    expect(runs).toEqual([[{ x: 1 }, 'k1']]);
    expect(a.update).toMatchObject({ adopted: true, incumbent: { trialKey: 'k1', fitness: 6 } });
    // Among them: taken from the sweep, not run again.
    const b = await decideUpdate({ ...auto, improvementThreshold: 1 }, best, { params: { x: 1 }, key: 'k1' }, [scored(1, 90), best], runIncumbent, parseFitness('sharpe'));
    expect(runs).toHaveLength(1);
    expect(b.update.adopted).toBe(false);
    expect(b.chosen!.key).toBe('k1');
  });

  it('refuses a negative threshold or a min observations below 1', async () => {
    await expect(run({ improvementThreshold: -0.1, minObservations: 1 })).rejects.toThrow("invalid 'autoUpdate.improvementThreshold': not a non-negative number, was -0.1");
    await expect(run({ improvementThreshold: 0, minObservations: 0 })).rejects.toThrow("invalid 'autoUpdate.minObservations': not a positive integer, was 0");
  });
});
