import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeSweep, sweepAndWrite } from '../../cli/actions/sweep.js';
import type { SweepCommandOptions } from '../../cli/actions/sweep.js';
import { walkForwardAndWrite } from '../../cli/actions/walkforward.js';
import { exitCodeFor } from '../../cli/errors.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { TapedeckError } from '../../engine/core/index.js';
import { parseSearchSpace, planSweep } from '../../sim/research/index.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * CLI flags obey the no-silent-settings rule: a --trials the space cannot give is refused (it used
 * to run fewer trials without a word: `--method random --trials 30` over the 19 points of
 * scenarios/sma-cross.space.json ran 19), and flags that would change nothing are refused (exit 2),
 * naming the flag. In process, but for one spawn that shows the exit code and the single line.
 */

const SMA_SPACE = join(REPO, 'scenarios/sma-cross.space.json');
let dir: string;
let scenario: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-sweep-flags-'));
  await generateDataset({ seed: 3, symbols: ['AAA'], days: 200, kinds: ['bars'], out: join(dir, 'daily') });
  scenario = join(dir, 'scenario.json');
  await writeFile(
    scenario,
    JSON.stringify({
      name: 'flags',
      data: { bars: join(dir, 'daily') },
      strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 20 } }],
    }),
  );
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opts = (o: Partial<SweepCommandOptions>): SweepCommandOptions => ({ space: SMA_SPACE, out: join(dir, `out-${Math.random().toString(36).slice(2)}`), method: 'grid', set: [], fitness: 'sharpe', pboBlocks: 4, workers: 1, quiet: true, ...o });

async function usageError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TapedeckError);
  expect(exitCodeFor(err)).toBe(2);
  return (err as Error).message;
}

describe('sweep --trials against the points of the space', () => {
  it('random --trials 30 over the 19 distinct points of sma-cross.space.json is refused, naming the count', async () => {
    const message = await usageError(sweepAndWrite(scenario, opts({ method: 'random', trials: 30 })));
    expect(message).toBe(`--trials: 30 trials asked, but ${SMA_SPACE} has only 19 distinct points that satisfy its constraints; ask for at most 19 (or run them all with --method grid)`);
  });

  it('random --trials 19 runs 19 distinct trials, the whole space (the same set as the grid)', async () => {
    const random = await sweepAndWrite(scenario, opts({ method: 'random', trials: 19 }));
    const grid = await sweepAndWrite(scenario, opts({}));
    expect(random.outcome.trials).toHaveLength(19);
    expect(random.outcome.trials.map((t) => t.key)).toEqual(grid.outcome.trials.map((t) => t.key));
  }, 120_000);

  it('every optimizer method is held to the same count, and its summary says when evaluations repeated points', async () => {
    for (const method of ['ga', 'de', 'mcmc', 'bayes'] as const) {
      expect(await usageError(sweepAndWrite(scenario, opts({ method, trials: 20 })))).toMatch(/^--trials: 20 trials asked, but .* has only 19 distinct points/);
    }
    const ga = await sweepAndWrite(scenario, opts({ method: 'ga', trials: 19 }));
    const evaluations = (ga.outcome.optimizer as { evaluations: number }).evaluations;
    const line = summarizeSweep(ga.sweep, ga.outcome, ga.outFile).split('\n').find((l) => l.startsWith('trials'))!;
    // 19 evaluations over 19 points: the genetic search proposes some points twice (seeded, so always the same count).
    expect(evaluations).toBe(19);
    expect(ga.outcome.trials.length).toBeLessThan(19);
    expect(line).toContain(`the ga method evaluated 19 points, ${19 - ga.outcome.trials.length} of them repeats or outside the constraints, which are not run again`);
  }, 120_000);

  it('a continuous space whose constraints random draws rarely meet is refused rather than run short', () => {
    const space = parseSearchSpace(
      { parameters: { 'strategies.0.params.a': { type: 'float', min: 0, max: 1 }, 'strategies.0.params.b': { type: 'float', min: 0, max: 1 } }, constraints: ['strategies.0.params.a < 0.002'] },
      'tight.json',
    );
    let err: unknown = null;
    try {
      planSweep({ space, method: 'random', trials: 50, seed: 1, spaceFile: 'tight.json' });
    } catch (e) {
      err = e;
    }
    expect(exitCodeFor(err)).toBe(2);
    expect((err as Error).message).toMatch(/^--trials: 50 trials asked, but only \d+ distinct points of tight\.json satisfied its constraints in 5,000 random draws; ask for at most \d+ or loosen the constraints$/);
  });

  it('on the command line: exit 2, one line on stderr, nothing written', () => {
    const out = join(dir, 'cli-out');
    const r = runCli(['sweep', scenario, '--space', SMA_SPACE, '--method', 'random', '--trials', '30', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tapedeck: --trials: 30 trials asked, but ${SMA_SPACE} has only 19 distinct points that satisfy its constraints; ask for at most 19 (or run them all with --method grid)\n`);
    expect(r.stdout).toBe('');
  });
});

describe('flags that would change nothing are refused', () => {
  it('sweep --workers with --queue (the trials run in worker processes)', async () => {
    expect(await usageError(sweepAndWrite(scenario, opts({ queue: 'redis://127.0.0.1:1', workers: 2 })))).toBe(
      '--workers: with --queue the trials run in `tapedeck worker` processes (set their --concurrency); remove --workers',
    );
  });

  it('walkforward --embargo above 0 (a walk-forward never trains after a test window)', async () => {
    const message = await usageError(
      walkForwardAndWrite(scenario, { space: SMA_SPACE, out: join(dir, 'wf'), train: '90d', test: '30d', embargo: '5d', method: 'grid', set: [], fitness: 'sharpe', quiet: true }),
    );
    expect(message).toBe('--embargo: a walk-forward never trains on data after a test window, so an embargo would change nothing; remove it (was "5d")');
  });
});
