import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { validateWalkForwardJson } from '../../reports/research-schema.js';
import { runCli } from '../support/cli.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * `tapedeck walkforward --warm-start` end to end with scenarios/q-learning.json (the Q-learning
 * selector over sma_cross, rsi_reversion, long and flat) on a generated daily dataset: each fold's
 * test run replays its train window with trainUntil at the train end and is measured, rebased, on
 * the test window only; the result is the same for W = 1, W = 2 and a rerun; and the selector
 * carries what it learned into the test window.
 */

interface Fold {
  index: number;
  train: { start: number; end: number; startIso: string; endIso: string };
  test: { start: number; end: number; startIso: string; endIso: string };
  params: Record<string, number>;
  trialSeed: number;
  warmStart?: { replayFrom: number; replayFromIso: string; trainUntil: number; trainUntilIso: string; paths: string[] };
  outOfSample: { status: string; returns: number[]; runHash: string; metrics: { finalEquity: number; totalReturn: number; observations: number } };
}
interface Doc {
  warmStart?: boolean;
  combinedHash: string;
  folds: Fold[];
  stitched: { equity: number[]; foldOffsets: number[] };
}

const SCENARIO = 'scenarios/q-learning.json';
const SPACE = 'scenarios/q-learning.space.json';
let dir: string;
let data: string;
const read = async (out: string): Promise<Doc> => JSON.parse(await readFile(join(dir, out, 'walkforward.json'), 'utf8')) as Doc;
const walkForward = (out: string, ...extra: string[]) =>
  runCli(['walkforward', SCENARIO, '--space', SPACE, '--set', `data.bars=${data}`, '--train', '180d', '--test', '60d', '--quiet', '--out', join(dir, out), ...extra]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-wf-warm-'));
  data = join(dir, 'daily');
  await generateDataset({ seed: 21, symbols: ['AAA'], days: 300, kinds: ['bars'], out: data });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck walkforward --warm-start', () => {
  let warm: Doc;
  let cold: Doc;

  it('documents --warm-start in its help', () => {
    const r = runCli(['walkforward', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--warm-start');
    expect(r.stdout).toContain('trainUntil');
  });

  it('replays each train window with trainUntil at the test start; the result is the same for W = 1, W = 2 and a rerun', async () => {
    const one = walkForward('w1', '--warm-start', '--workers', '1');
    expect(one.code, one.stderr).toBe(0);
    const two = walkForward('w2', '--warm-start', '--workers', '2');
    expect(two.code, two.stderr).toBe(0);
    const again = walkForward('w2', '--warm-start', '--workers', '2', '--fresh');
    expect(again.code, again.stderr).toBe(0);
    warm = await read('w1');
    const b = await read('w2');
    expect(validateWalkForwardJson(warm)).toMatchObject({ ok: true });
    expect(warm.warmStart).toBe(true);
    expect(warm.folds.length).toBeGreaterThanOrEqual(3);
    expect(b.combinedHash).toBe(warm.combinedHash);
    expect(b.folds).toEqual(warm.folds);
    for (const f of warm.folds) {
      expect(f.warmStart).toEqual({ replayFrom: f.train.start, replayFromIso: f.train.startIso, trainUntil: f.test.start, trainUntilIso: f.test.startIso, paths: ['strategies.0.params.trainUntil'] });
      expect(f.outOfSample.status).toBe('ok');
    }
  }, 240_000);

  it('measures only the test window, rebased at the test start, and stitches those returns', async () => {
    const r = walkForward('cold', '--workers', '2', '--no-warmup');
    expect(r.code, r.stderr).toBe(0);
    cold = await read('cold');
    expect(cold.warmStart).toBe(false);
    expect(cold.folds.map((f) => f.test)).toEqual(warm.folds.map((f) => f.test));
    for (const [k, f] of warm.folds.entries()) {
      const oos = f.outOfSample;
      const growth = oos.returns.reduce((g, x) => g * (1 + x), 1);
      // Rebased: the test window starts at the initial cash, so final equity, total return and the returns agree.
      expect(oos.metrics.totalReturn).toBeCloseTo(oos.metrics.finalEquity / 100_000 - 1, 12);
      expect(oos.metrics.totalReturn).toBeCloseTo(growth - 1, 9);
      // One return per test bar: the cold run's test bars (one fewer return: its first sample is its base)
      // and not the replayed train bars.
      expect(oos.returns.length).toBe(cold.folds[k]!.outOfSample.returns.length + 1);
      expect(oos.metrics.observations).toBe(oos.returns.length);
    }
    let e = 1;
    const expected = [1];
    for (const f of warm.folds) for (const x of f.outOfSample.returns) expected.push((e *= 1 + x));
    expect(warm.stitched.equity).toEqual(expected);
  }, 240_000);

  it('carries what the selector learned into the test window: tapedeck run reproduces a fold, whose frozen policy picks by state', async () => {
    // Out-of-sample returns differ from a cold start's in some fold.
    expect(warm.folds.some((f, k) => JSON.stringify(f.outOfSample.returns.slice(1)) !== JSON.stringify(cold.folds[k]!.outOfSample.returns))).toBe(true);
    // Reproduce the last fold's warm test run with the overrides the walk-forward applied.
    const f = warm.folds.at(-1)!;
    const sets = [`data.bars=${data}`, `data.start=${f.warmStart!.replayFromIso}`, `data.end=${f.test.endIso}`, `strategies.0.params.trainUntil=${f.warmStart!.trainUntilIso}`, `seed=${f.trialSeed}`];
    for (const [path, value] of Object.entries(f.params)) sets.push(`${path}=${JSON.stringify(value)}`);
    const r = runCli(['run', SCENARIO, ...sets.flatMap((s) => ['--set', s]), '--out', join(dir, 'rerun')]);
    expect(r.code, r.stderr).toBe(0);
    const report = await readWholeReport(join(dir, 'rerun')) as { runHash: string; signals: { recorded: { ts: number; reason?: string }[] } };
    expect(report.runHash).toBe(f.outOfSample.runHash);
    // With the table frozen, an untrained (all-zero) table would always pick the first action; the
    // learned one switches between actions by state within the test window.
    const chosen = new Set(report.signals.recorded.filter((s) => s.ts >= f.test.start && s.reason?.startsWith('q-learning chose')).map((s) => s.reason));
    expect(chosen.size, [...chosen].join(', ')).toBeGreaterThan(1);
  }, 240_000);
});
