import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../engine/core/index.js';
import { OPTIMIZER_SETTINGS_BY_METHOD, parseFitness, parseSearchSpace, planSweep, runSweep } from '../../../../sim/research/index.js';
import { runWalkForward, walkForwardWindows } from '../../../../sim/research/walk-forward/index.js';
import { parseIsoUs, US_PER_DAY } from '../../../../engine/core/index.js';
import type { SweepMethod, TrialExecutor, TrialMetrics, TrialResult, TrialTask } from '../../../../sim/research/index.js';

/**
 * The space file's `optimizer` block: every setting a method takes changes the trials that method
 * runs (same seed, same budget, one setting changed), and a setting that does not apply is refused
 * naming `optimizer.<setting>`. Trials run on a fake executor whose fitness is a smooth bowl with
 * its top at (0.3, 0.7), so the searches have something to find.
 */

function metrics(sharpe: number): TrialMetrics {
  return { finalEquity: 1, totalReturn: 0, sharpe, sortino: null, maxDrawdown: 0, tradeCount: 1, winRate: null, profitFactor: null, cagr: null, observations: 10, periodSharpe: null, skewness: null, kurtosis: null };
}

function fakeResult(task: TrialTask): TrialResult {
  const x = task.params['x'] as number;
  const y = task.params['y'] as number;
  return { status: 'ok', key: task.key, params: task.params, seed: task.seed, metrics: metrics(-((x - 0.3) ** 2) - (y - 0.7) ** 2), runHash: `h-${task.key}`, returns: new Float64Array(10) };
}

const executor: TrialExecutor = {
  description: 'fake',
  async run(tasks, onResult) {
    for (const t of tasks) await onResult(fakeResult(t));
  },
  async close() {},
};

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-optimizer-settings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PARAMETERS = { x: { type: 'float', min: 0, max: 1 }, y: { type: 'float', min: 0, max: 1 } };
const space = (optimizer?: Record<string, unknown>) => parseSearchSpace({ parameters: PARAMETERS, ...(optimizer ? { optimizer } : {}) }, 'space.json');

async function sweep(method: SweepMethod, trials: number, optimizer?: Record<string, unknown>) {
  const outcome = await runSweep({ scenario: { name: 'fake' }, space: space(optimizer), method, trials, seed: 7, fitness: parseFitness('sharpe'), storeFile: join(dir, `s${n++}.duckdb`), executor });
  return { keys: outcome.trials.map((t) => t.key).join(','), summary: outcome.optimizer as Record<string, unknown>, combinedHash: outcome.combinedHash };
}

/** Per method: the budget and, for every setting it takes, a value that differs from the default. */
const CASES: Record<'ga' | 'de' | 'mcmc' | 'bayes', { trials: number; values: Record<string, unknown> }> = {
  ga: {
    trials: 400,
    values: { populationSize: 10, generations: 3, tournamentSize: 6, crossoverRate: 0.2, crossover: 'uniform', blendAlpha: 0.1, mutationRate: 0.5, mutationScale: 0.3, elitism: 5, patience: 2, tolerance: 1, minDiversity: 0.5 },
  },
  de: { trials: 500, values: { populationSize: 8, generations: 3, differentialWeight: 0.3, crossoverRate: 0.2, bounds: 'clip', patience: 2, tolerance: 1, minDiversity: 0.5 } },
  mcmc: { trials: 240, values: { temperature: 0.01, chains: 2, step: 0.3, adaptStep: false, targetAcceptance: 0.6, burnIn: 30, thin: 3 } },
  bayes: { trials: 12, values: { initialPoints: 8, batchSize: 3, kernel: 'rbf', lengthScales: [0.5], noises: [0.5], candidates: 50, refineSteps: 0, xi: 2, outputTransform: 'rank' } },
};

describe('the optimizer block of a space file', () => {
  it('has a test value for every setting of every method', () => {
    for (const [method, names] of Object.entries(OPTIMIZER_SETTINGS_BY_METHOD)) {
      expect(Object.keys(CASES[method as keyof typeof CASES].values).sort()).toEqual([...names].sort());
    }
  });

  for (const [method, { trials, values }] of Object.entries(CASES) as [keyof typeof CASES, (typeof CASES)[keyof typeof CASES]][]) {
    it(`changes the ${method} search with each of its settings (same seed and budget)`, async () => {
      const base = await sweep(method, trials);
      expect(await sweep(method, trials)).toEqual(base);
      for (const [name, value] of Object.entries(values)) {
        const changed = await sweep(method, trials, { [name]: value });
        // thin keeps every k-th state as a posterior sample: the trials are the same, the samples are not.
        if (name === 'thin') {
          expect(changed.keys, name).toBe(base.keys);
          expect(changed.summary['samples'], name).not.toEqual(base.summary['samples']);
          expect((changed.summary['samples'] as unknown[]).length, name).toBeLessThan((base.summary['samples'] as unknown[]).length);
        } else {
          expect(changed.keys, `${method} ${name}=${JSON.stringify(value)}`).not.toBe(base.keys);
        }
      }
    }, 60_000);
  }

  it('reaches every fold of a walk-forward: each fold sweep runs other trials', async () => {
    const start = parseIsoUs('2024-01-01');
    const folds = walkForwardWindows({ start, end: start + 90 * US_PER_DAY, train: 30 * US_PER_DAY, test: 30 * US_PER_DAY });
    const wf = (optimizer?: Record<string, unknown>) =>
      runWalkForward({ scenario: { name: 'fake' }, space: space(optimizer), method: 'ga', trials: 60, seed: 7, fitness: parseFitness('sharpe'), folds, executor, storeDir: join(dir, `wf${n++}`), fresh: true });
    const plain = await wf();
    const tuned = await wf({ populationSize: 10, mutationRate: 0.5 });
    expect(tuned.folds).toHaveLength(plain.folds.length);
    tuned.folds.forEach((f, i) => expect(f.sweep.combinedHash).not.toBe(plain.folds[i]!.sweep.combinedHash));
  });

  it('passes the settings to the optimizer (its summary echoes them)', async () => {
    const r = await sweep('ga', 100, { populationSize: 10, mutationRate: 0.4 });
    expect(r.summary['populationSize']).toBe(10);
    expect((r.summary['settings'] as Record<string, unknown>)['mutationRate']).toBe(0.4);
  });
});

describe('settings that do not apply are refused, naming optimizer.<setting> and the file', () => {
  const refusal = (method: SweepMethod, trials: number | undefined, optimizer: Record<string, unknown>): string => {
    try {
      planSweep({ space: space(optimizer), method, ...(trials !== undefined ? { trials } : {}), seed: 1, spaceFile: 'space.json' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('not refused');
  };

  it('a setting of another method', () => {
    expect(refusal('ga', 100, { burnIn: 10 })).toBe('optimizer.burnIn: applies to --method mcmc, not ga (in space.json)');
    expect(refusal('mcmc', 100, { crossoverRate: 0.5 })).toBe('optimizer.crossoverRate: applies to --method ga or de, not mcmc (in space.json)');
  });

  it('any setting with grid or random', () => {
    expect(refusal('random', 10, { xi: 1 })).toBe('optimizer.xi: the random method takes no optimizer settings; xi applies to --method bayes (in space.json)');
  });

  it('a value the optimizer refuses', () => {
    expect(refusal('ga', 100, { populationSize: 10, elitism: 10 })).toBe('optimizer.elitism: not a whole number below populationSize (10), was 10 (in space.json)');
    expect(refusal('de', 100, { populationSize: 3 })).toMatch(/^optimizer\.populationSize: .*3 \(in space\.json\)$/);
  });

  it('settings that could not change the search with this budget', () => {
    expect(refusal('ga', 40, { populationSize: 40 })).toBe('optimizer.populationSize: a population of 40 uses the whole budget of 40 trials on its first generation, so the search never evolves; give fewer members or more --trials (in space.json)');
    expect(refusal('ga', 50, { generations: 3 })).toBe('optimizer.generations: 3 generations of 20 need 56 evaluations, no fewer than the budget of 50 trials, so the limit never stops the search; give fewer generations or more --trials (in space.json)');
    expect(refusal('ga', 100, { crossover: 'uniform', blendAlpha: 0.2 })).toBe("optimizer.blendAlpha: sets the width of blend crossover, and crossover is 'uniform' (in space.json)");
    expect(refusal('mcmc', 240, { adaptStep: false, targetAcceptance: 0.5 })).toBe('optimizer.targetAcceptance: is what the step adaptation aims at, and adaptStep is false (in space.json)');
    expect(refusal('mcmc', 100, { targetAcceptance: 0.5 })).toMatch(/^optimizer\.targetAcceptance: the step adapts every 10 burn-in proposals per chain, and burn-in is 4 proposals per chain/);
    expect(refusal('mcmc', 100, { burnIn: 30 })).toBe('optimizer.burnIn: larger than the 24 proposals each of the 4 chains gets from 100 trials, so every proposal is burn-in and no sample is kept (in space.json)');
    expect(refusal('de', 200, { tolerance: 0.1 })).toBe('optimizer.tolerance: the search stalls when its best has not improved over 20 generations (patience), and 200 trials give at most 10 generations of 20; give a smaller patience or more --trials (in space.json)');
    expect(refusal('bayes', 5, { xi: 1 })).toBe('optimizer.xi: the initial design of 5 points uses the whole budget of 5 trials, so the model never picks a point (in space.json)');
    expect(refusal('bayes', 5, { initialPoints: 6 })).toBe('optimizer.initialPoints: more than the budget of 5 trials (in space.json)');
  });

  it('an unknown setting or a wrong type when the space is read', () => {
    expect(() => space({ populationSize: 10, mutation: 0.1 })).toThrow("optimizer.mutation: unknown key 'mutation' (in space.json)");
    expect(() => space({ populationSize: 2.5 })).toThrow('optimizer.populationSize: not a positive integer (in space.json)');
    expect(() => space({ crossover: 'one-point' })).toThrow(/^optimizer\.crossover: /);
  });

  it('a space without the block keeps its identity (no optimizer key)', () => {
    expect(Object.keys(space())).toEqual(['parameters', 'constraints']);
  });
});
