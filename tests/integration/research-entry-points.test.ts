import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEtaAndWrite } from '../../cli/actions/lambda-eta.js';
import { portfolioAndWrite } from '../../cli/actions/portfolio.js';
import type { PortfolioCommandOptions } from '../../cli/actions/portfolio.js';
import { sweepAndWrite } from '../../cli/actions/sweep.js';
import type { SweepCommandOptions } from '../../cli/actions/sweep.js';
import { walkForwardAndWrite } from '../../cli/actions/walkforward.js';
import type { WalkForwardCommandOptions } from '../../cli/actions/walkforward.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runCli } from '../support/cli.js';

/**
 * The research entry points of issue 16 through the CLI: the space file's optimizer block (tapedeck
 * sweep, walkforward), the automatic parameter update of the walk-forward (--improvement-threshold,
 * --min-observations) and the greedy portfolio search (tapedeck portfolio). Every accepted setting
 * changes the result; a misapplied one is refused with one line, exit 2, nothing written.
 */

let dir: string;
let scenario: string;
let multi: string;
let space: string;
let gaSpace: string;
let n = 0;
const out = () => join(dir, `out-${n++}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-research-entry-'));
  await generateDataset({ seed: 3, symbols: ['AAA', 'BBB', 'CCC'], days: 250, kinds: ['bars'], out: join(dir, 'daily') });
  scenario = join(dir, 'scenario.json');
  await writeFile(
    scenario,
    JSON.stringify({ name: 'entry', seed: 1, data: { bars: join(dir, 'daily'), symbols: ['AAA'] }, strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 30 } }] }),
  );
  multi = join(dir, 'multi.json');
  await writeFile(
    multi,
    JSON.stringify({
      name: 'multi',
      seed: 1,
      data: { bars: join(dir, 'daily'), symbols: ['AAA', 'BBB', 'CCC'] },
      strategies: [
        { id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 30 } },
        { id: 'rsi', type: 'rsi_reversion', params: { period: 14 } },
        { id: 'ema', type: 'ema_cross', params: { fast: 5, slow: 20 } },
      ],
    }),
  );
  const parameters = { 'strategies.0.params.fast': { type: 'int', min: 4, max: 20 }, 'strategies.0.params.slow': { type: 'int', min: 25, max: 60 } };
  space = join(dir, 'space.json');
  await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'int', min: 5, max: 15, step: 5 }, 'strategies.0.params.slow': { type: 'int', min: 30, max: 40, step: 10 } } }));
  gaSpace = join(dir, 'ga-space.json');
  await writeFile(gaSpace, JSON.stringify({ parameters, optimizer: { populationSize: 6, mutationRate: 0.5 } }));
  await writeFile(join(dir, 'ga-default.json'), JSON.stringify({ parameters }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sweepOpts = (o: Partial<SweepCommandOptions>): SweepCommandOptions => ({ space, out: out(), method: 'grid', set: [], fitness: 'sharpe', pboBlocks: 4, workers: 2, quiet: true, ...o });
const wfOpts = (o: Partial<WalkForwardCommandOptions>): WalkForwardCommandOptions => ({ space, out: out(), train: '90d', test: '60d', method: 'grid', set: [], fitness: 'sharpe', workers: 2, quiet: true, ...o });
const pfOpts = (o: Partial<PortfolioCommandOptions>): PortfolioCommandOptions => ({ out: out(), maxPositions: '1,2,3', over: 'strategies', maxPositionsPath: 'risk.maxOpenPositions', fitness: 'sharpe', workers: 2, set: [], quiet: true, ...o });

describe('the optimizer block of a space file', () => {
  it('reaches the ga search: other trials than the defaults, and the best trial reproduces its runHash', async () => {
    const tuned = await sweepAndWrite(scenario, sweepOpts({ space: gaSpace, method: 'ga', trials: 18 }));
    const plain = await sweepAndWrite(scenario, sweepOpts({ space: join(dir, 'ga-default.json'), method: 'ga', trials: 18 }));
    expect(tuned.sweep.space.optimizer).toEqual({ populationSize: 6, mutationRate: 0.5 });
    expect((tuned.outcome.optimizer as { populationSize: number }).populationSize).toBe(6);
    expect(tuned.outcome.trials.map((t) => t.key)).not.toEqual(plain.outcome.trials.map((t) => t.key));
    expect(tuned.sweep.combinedHash).not.toBe(plain.sweep.combinedHash);
    const best = tuned.sweep.best!;
    const r = runCli(['run', scenario, ...Object.entries(best.params).flatMap(([p, v]) => ['--set', `${p}=${String(v)}`]), '--seed', String(best.seed), '--out', out(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).runHash).toBe(best.runHash);
  }, 180_000);

  it('a setting of the wrong method is refused on the command line: exit 2, one line naming optimizer.<setting>, nothing written', () => {
    const dest = out();
    const r = runCli(['sweep', scenario, '--space', gaSpace, '--method', 'mcmc', '--trials', '10', '--out', dest]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tapedeck: optimizer.populationSize: applies to --method ga or de, not mcmc (in ${gaSpace})\n`);
    expect(existsSync(dest)).toBe(false);
    const w = runCli(['walkforward', scenario, '--space', gaSpace, '--train', '90d', '--test', '60d', '--out', dest]);
    expect(w.code).toBe(2);
    expect(w.stderr).toBe(`tapedeck: optimizer.populationSize: the grid method takes no optimizer settings; populationSize applies to --method ga or de (in ${gaSpace})\n`);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('walkforward --improvement-threshold / --min-observations', () => {
  it('records each fold’s decision; a threshold no re-optimization can beat keeps the first fold’s parameters', async () => {
    // totalReturn is defined for every run (a flat run's Sharpe is not), so every comparison has two numbers.
    const plain = await walkForwardAndWrite(scenario, wfOpts({ fitness: 'totalReturn' }));
    const loose = await walkForwardAndWrite(scenario, wfOpts({ fitness: 'totalReturn', improvementThreshold: 0 }));
    const strict = await walkForwardAndWrite(scenario, wfOpts({ fitness: 'totalReturn', improvementThreshold: 1e9 }));
    expect(plain.doc.autoUpdate).toBeNull();
    expect(loose.doc.autoUpdate).toEqual({ improvementThreshold: 0, minObservations: 1 });
    expect(strict.doc.folds.length).toBeGreaterThanOrEqual(2);
    expect(strict.doc.folds[0]!.update).toMatchObject({ adopted: true, incumbent: null });
    for (const f of strict.doc.folds.slice(1)) {
      expect(f.params).toEqual(strict.doc.folds[0]!.params);
      expect(f.update!.incumbent!.params).toEqual(strict.doc.folds[0]!.params);
    }
    // The plain walk-forward re-chose in some fold: the strict rule kept the old parameters there.
    expect(plain.doc.folds.some((f, i) => JSON.stringify(f.params) !== JSON.stringify(strict.doc.folds[i]!.params))).toBe(true);
    expect(strict.doc.combinedHash).not.toBe(loose.doc.combinedHash);
    const json = JSON.parse(await readFile(strict.outFile, 'utf8'));
    expect(json.folds[1].update.reason).toMatch(/the incumbent stays$|the re-optimization chose the incumbent again/);
  }, 240_000);

  it('min observations above every train window skips every fold', async () => {
    const r = await walkForwardAndWrite(scenario, wfOpts({ minObservations: 10_000 }));
    for (const f of r.doc.folds) expect(f.outOfSample).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/observations, fewer than the 10000 required/) });
  }, 240_000);

  it('refuses a threshold with one fold, and a negative one (exit 2)', () => {
    const one = runCli(['walkforward', scenario, '--space', space, '--train', '200d', '--test', '100d', '--improvement-threshold', '0.05', '--out', out()]);
    expect(one.code).toBe(2);
    expect(one.stderr).toBe('tapedeck: --improvement-threshold: the data gives one fold, so there are never parameters in force to beat; it needs at least two folds (shorter --train/--test)\n');
    const neg = runCli(['walkforward', scenario, '--space', space, '--train', '90d', '--test', '60d', '--improvement-threshold', '-1', '--out', out()]);
    expect(neg.code).toBe(2);
    expect(neg.stderr).toBe('tapedeck: --improvement-threshold: not a non-negative number, was -1\n');
  });
});

describe('tapedeck portfolio (greedy search)', () => {
  it('adds strategies while the fitness improves, picks the max positions, and the result reproduces its runHash', async () => {
    const r = await portfolioAndWrite(multi, pfOpts({}));
    const doc = r.doc;
    expect(doc.candidates).toEqual(['sma', 'rsi', 'ema']);
    // Round 1 tries each strategy alone at the largest max positions.
    expect(doc.steps.filter((s) => s.round === 1).map((s) => s.subset)).toEqual([['sma'], ['rsi'], ['ema']]);
    const round1 = doc.steps.filter((s) => s.round === 1);
    const best1 = round1.reduce((a, b) => (b.fitness! > a.fitness! ? b : a));
    expect(best1.chosen).toBe(true);
    expect(doc.result!.subset[0]).toBe(best1.candidate);
    expect(doc.steps.filter((s) => s.phase === 'max-positions').map((s) => s.maxPositions)).toEqual([1, 2, 3]);
    const json = JSON.parse(await readFile(r.outFile, 'utf8'));
    expect(json).toEqual(JSON.parse(JSON.stringify(doc)));
    const cmd = doc.result!.reproduce;
    const args = [...cmd.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
    const run = runCli([...args, '--out', out(), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).runHash).toBe(doc.result!.runHash);
  }, 240_000);

  it('each setting changes the result: --min-improvement, --max-subset, --max-positions, --over symbols', async () => {
    const base = (await portfolioAndWrite(multi, pfOpts({}))).doc;
    const strict = (await portfolioAndWrite(multi, pfOpts({ minImprovement: 1e6 }))).doc;
    expect(strict.result!.subset).toHaveLength(1);
    expect(strict.steps).not.toEqual(base.steps);
    const small = (await portfolioAndWrite(multi, pfOpts({ maxSubset: 1 }))).doc;
    expect(small.result!.subset).toHaveLength(1);
    expect(small.steps.some((s) => s.round === 2)).toBe(false);
    const caps = (await portfolioAndWrite(multi, pfOpts({ maxPositions: '1' }))).doc;
    expect(caps.steps.every((s) => s.maxPositions === 1)).toBe(true);
    expect(caps.steps.map((s) => s.fitness)).not.toEqual(base.steps.filter((s) => s.phase === 'add').map((s) => s.fitness));
    const symbols = (await portfolioAndWrite(multi, pfOpts({ over: 'symbols' }))).doc;
    expect(symbols.candidates).toEqual(['AAA', 'BBB', 'CCC']);
    expect(symbols.result!.reproduce).toContain(`--set 'data.symbols=[`);
  }, 300_000);

  it('refuses misapplied settings with one line, exit 2, nothing written', () => {
    const dest = out();
    const cases: [string[], string][] = [
      [['--max-positions', '0,2'], '--max-positions: expected positive integers separated by commas, was "0,2"'],
      [['--max-positions', '2', '--max-subset', '3'], '--max-subset: 3 is every candidate, which the search allows anyway; give fewer or leave it out'],
      [['--max-positions', '2', '--over', 'weights'], "--over: expected 'strategies' or 'symbols', was \"weights\""],
    ];
    for (const [flags, message] of cases) {
      const r = runCli(['portfolio', 'search', multi, ...flags, '--out', dest]);
      expect(r.code, message).toBe(2);
      expect(r.stderr).toBe(`tapedeck: ${message}\n`);
    }
    const path = runCli(['portfolio', 'search', multi, '--max-positions', '2', '--max-positions-path', 'risk.nope', '--out', dest]);
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/^tapedeck: --max-positions-path risk\.nope=2: risk\.nope: unknown risk limit/);
    const ensemble = runCli(['portfolio', 'search', multi, '--set', 'ensemble={"mode":"allocation","weighting":{"kind":"optimizer"}}', '--max-positions', '2', '--out', dest]);
    expect(ensemble.code).toBe(2);
    expect(ensemble.stderr).toMatch(/^tapedeck: --over strategies: the search starts from one strategy, and the scenario with only sma is refused: ensemble\.weighting\.regime: the optimizer caps each of the 1 strategies' weights/);
    const one = runCli(['portfolio', 'search', scenario, '--max-positions', '2', '--out', dest]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/^tapedeck: --over strategies: the scenario has 1 strategy, nothing to choose between/);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('walkforward --lambda-eta (seed 000’s nested lambda/eta walk-forward)', () => {
  const le = (o: Partial<WalkForwardCommandOptions>) =>
    lambdaEtaAndWrite(multi, { out: out(), train: '120d', test: '60d', innerTrain: '60d', innerTest: '30d', wMax: 0.8, method: 'grid', set: [], fitness: 'sharpe', workers: 2, quiet: true, ...o });

  it('runs each strategy alone, walks the outer folds and writes lambda-eta.json; each setting changes the folds', async () => {
    const a = await le({});
    expect(a.doc.strategies.map((s) => s.id)).toEqual(['sma', 'rsi', 'ema']);
    for (const s of a.doc.strategies) expect(s.observations).toBe(a.doc.windows.rows);
    expect(a.doc.folds.length).toBeGreaterThanOrEqual(2);
    for (const f of a.doc.folds) {
      expect(f.grid).toHaveLength(25);
      expect(f.weights.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
      expect(Math.max(...f.weights)).toBeLessThanOrEqual(0.8 + 1e-9);
      expect(f.test.start).toBe(f.train.end);
    }
    expect(JSON.parse(await readFile(a.outFile, 'utf8')).folds).toEqual(JSON.parse(JSON.stringify(a.doc.folds)));
    expect((await le({})).doc.folds).toEqual(a.doc.folds);
    const grid = await le({ lambdas: '1,2', etas: '0.5' });
    expect(grid.doc.folds.map((f) => [f.lambda, f.eta])).not.toEqual(a.doc.folds.map((f) => [f.lambda, f.eta]));
    const cost = await le({ cost: 0.05 });
    expect(cost.doc.oosEquity).not.toEqual(a.doc.oosEquity);
    const anchored = await le({ anchored: true });
    expect(anchored.doc.folds.map((f) => f.train.start)).toEqual(a.doc.folds.map(() => 0));
    const cap = await le({ wMax: 0.4 });
    expect(cap.doc.folds.map((f) => f.weights)).not.toEqual(a.doc.folds.map((f) => f.weights));
  }, 300_000);

  it('refuses what would change nothing or does not apply: exit 2, one line', () => {
    const base = ['walkforward', multi, '--lambda-eta', '--train', '120d', '--test', '60d', '--inner-train', '60d', '--inner-test', '30d', '--out', out()];
    const eq = runCli(base);
    expect(eq.code).toBe(2);
    expect(eq.stderr).toBe('tapedeck: --w-max: with 3 strategies a cap of 0.333333 (the default) per weight forces equal weights (0.333333 each), so lambda and eta would change nothing; give a cap above 1/3\n');
    const space = runCli([...base, '--w-max', '0.8', '--space', 'x.json']);
    expect(space.code).toBe(2);
    expect(space.stderr).toMatch(/^tapedeck: --space: applies to a walk-forward over the --space parameters, not to --lambda-eta/);
    const stray = runCli(['walkforward', multi, '--space', 'x.json', '--train', '120d', '--test', '60d', '--etas', '0.1', '--out', out()]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toBe('tapedeck: --etas: applies to --lambda-eta only\n');
  });
});
