import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_TRIAL_MODULE } from '../../cli/compose/sweep-trial.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { gridPoints, parseFitness, parseSearchSpace, randomPoints, runSweep, trialKey } from '../../sim/research/index.js';
import type { SweepOutcome } from '../../sim/research/index.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * Sweeps end to end: the same trial table and combinedHash for W = 1, 2 and 4 and across reruns,
 * failed trials kept, resume after kill -9 and after Ctrl-C with exactly the expected trials.
 */

const FAST = 'strategies.0.params.fast';
const SLOW = 'strategies.0.params.slow';

let dir: string;
let smallScenario: string;
let heavyScenario: string;
let gridSpaceFile: string;
let randomSpaceFile: string;

function scenarioDoc(bars: string, name: string) {
  return {
    name,
    seed: 1,
    initialCash: 100000,
    data: { bars },
    strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
  };
}

const gridSpace = { parameters: { [FAST]: { type: 'int', min: 5, max: 15, step: 5 }, [SLOW]: { type: 'int', min: 10, max: 30, step: 10 } } };
const randomSpace = { parameters: { [FAST]: { type: 'int', min: 5, max: 40 }, [SLOW]: { type: 'int', min: 50, max: 200 } } };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-sweep-'));
  await generateDataset({ seed: 11, symbols: ['AAA'], days: 300, kinds: ['bars'], out: join(dir, 'daily') });
  await generateDataset({ seed: 12, symbols: ['AAA', 'BBB'], days: 20, interval: '1m', kinds: ['bars'], out: join(dir, 'minute') });
  smallScenario = join(dir, 'small.json');
  heavyScenario = join(dir, 'heavy.json');
  gridSpaceFile = join(dir, 'grid-space.json');
  randomSpaceFile = join(dir, 'random-space.json');
  await writeFile(smallScenario, JSON.stringify(scenarioDoc(join(dir, 'daily'), 'sweep-small')));
  await writeFile(heavyScenario, JSON.stringify(scenarioDoc(join(dir, 'minute'), 'sweep-heavy')));
  await writeFile(gridSpaceFile, JSON.stringify(gridSpace));
  await writeFile(randomSpaceFile, JSON.stringify(randomSpace));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function gridSweep(workers: number, out: string): Promise<SweepOutcome> {
  const scenario = JSON.parse(await readFile(smallScenario, 'utf8')) as unknown;
  return runSweep({
    scenario,
    space: parseSearchSpace(gridSpace),
    method: 'grid',
    seed: 1,
    fitness: parseFitness('sharpe'),
    storeFile: join(dir, out, 'trials.duckdb'),
    fresh: true,
    workers,
    runnerModule: SWEEP_TRIAL_MODULE,
  });
}

/** The parts of a trial that must match across runs (returns compared separately). */
const comparable = (o: SweepOutcome) => o.trials.map((t) => ({ ...t, returns: t.status === 'ok' ? [...t.returns] : null }));

describe('sweep determinism', () => {
  let w1: SweepOutcome;

  beforeAll(async () => {
    w1 = await gridSweep(1, 'w1');
  }, 180_000);

  it('runs every grid point once and keeps the trials the strategy rejects as failed', () => {
    const expected = gridPoints(parseSearchSpace(gridSpace)).map(trialKey).sort();
    expect(w1.trials.map((t) => t.key)).toEqual(expected);
    const failed = w1.trials.filter((t) => t.status === 'failed');
    expect(failed.map((t) => [t.params[FAST], t.params[SLOW]]).sort()).toEqual([
      [10, 10],
      [15, 10],
    ]);
    for (const t of failed) expect(t.status === 'failed' && t.error).toMatch(/strategies\[0\]\.params\.fast: not smaller than 'slow'/);
    expect(w1.trials.filter((t) => t.status === 'ok')).toHaveLength(7);
    expect(w1.best).not.toBeNull();
  });

  it('gives the same trials and combinedHash with 2 and 4 workers and on a rerun', async () => {
    const w2 = await gridSweep(2, 'w2');
    const w4 = await gridSweep(4, 'w4');
    const again = await gridSweep(1, 'w1-again');
    for (const o of [w2, w4, again]) {
      expect(o.combinedHash).toBe(w1.combinedHash);
      expect(comparable(o)).toEqual(comparable(w1));
    }
  }, 300_000);

  it('gives a trial the runHash of `tapedeck run` with its params and seed', () => {
    const best = w1.best!;
    const out = join(dir, 'reproduce');
    const r = runCli(['run', smallScenario, '--set', `${FAST}=${best.params[FAST]}`, '--set', `${SLOW}=${best.params[SLOW]}`, '--seed', String(best.seed), '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).runHash).toBe(best.runHash);
  }, 120_000);

  it('writes sweep.json through the CLI with the same combinedHash, DSR and PBO', async () => {
    const out = join(dir, 'cli-grid');
    const r = runCli(['sweep', smallScenario, '--space', gridSpaceFile, '--workers', '2', '--out', out, '--quiet', '--pbo-blocks', '4']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`combinedHash  ${w1.combinedHash}`);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8'));
    expect(sweep.combinedHash).toBe(w1.combinedHash);
    expect(sweep.trialCount).toBe(9);
    expect(sweep.failedCount).toBe(2);
    expect(sweep.trials.map((t: { key: string }) => t.key)).toEqual(w1.trials.map((t) => t.key));
    expect(sweep.best.key).toBe(w1.best!.key);
    expect(sweep.deflatedSharpe.kind).toBe('value');
    expect(sweep.deflatedSharpe.trials).toBe(9); // failed trials counted
    expect(sweep.pbo.kind).toBe('value');
    expect(sweep.pbo.configurations).toBe(7);
    expect(sweep.pbo.splits).toBe(6); // C(4, 2)
    // A rerun resumes everything from the store and writes the same file.
    const before = await readFile(join(out, 'sweep.json'), 'utf8');
    const again = runCli(['sweep', smallScenario, '--space', gridSpaceFile, '--workers', '2', '--out', out, '--quiet', '--pbo-blocks', '4']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('9 from the store, 0 run now');
    expect(await readFile(join(out, 'sweep.json'), 'utf8')).toBe(before);
  }, 240_000);
});

describe('sweep errors', () => {
  it('names a space path that does not address a scenario field, before any trial runs', async () => {
    const bad = join(dir, 'bad-space.json');
    await writeFile(bad, JSON.stringify({ parameters: { 'strategies.0.params.fsat': { type: 'int', min: 1, max: 3 } } }));
    const out = join(dir, 'bad-out');
    const r = runCli(['sweep', smallScenario, '--space', bad, '--out', out, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/parameters\["strategies\.0\.params\.fsat"\]: does not address a field/);
    await expect(stat(out)).rejects.toThrow();
  }, 120_000);

  it('refuses to resume with a different sweep configuration unless --fresh', async () => {
    const out = join(dir, 'cli-grid-2');
    expect(runCli(['sweep', smallScenario, '--space', gridSpaceFile, '--workers', '1', '--out', out, '--quiet']).code).toBe(0);
    const other = runCli(['sweep', smallScenario, '--space', gridSpaceFile, '--workers', '1', '--out', out, '--quiet', '--seed', '2']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/holds the trials of a different sweep.*--fresh/);
    expect(runCli(['sweep', smallScenario, '--space', gridSpaceFile, '--workers', '1', '--out', out, '--quiet', '--seed', '2', '--fresh']).code).toBe(0);
  }, 240_000);

  it('reports optimizer methods without a random budget as usage errors', () => {
    const r = runCli(['sweep', smallScenario, '--space', gridSpaceFile, '--out', join(dir, 'x'), '--method', 'random']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--trials: the random method needs a number of trials');
  }, 60_000);
});

/** Spawns the CLI; resolves the child and a function returning the stderr seen so far. */
function spawnCli(args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), ...args], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

/** Waits until the progress output shows at least `min` finished trials (and fewer than `total`). */
async function waitForProgress(stderr: () => string, min: number, total: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const seen = [...stderr().matchAll(new RegExp(`(\\d+)/${total}\\b`, 'g'))].map((m) => Number(m[1]));
    const last = seen.at(-1) ?? 0;
    if (last >= min && last < total) return last;
    if (last >= total) throw new Error(`the sweep finished before it could be interrupted: ${stderr()}`);
    if (Date.now() > until) throw new Error(`no progress to ${min}/${total} within ${timeoutMs} ms: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function storedKeys(file: string): Promise<string[]> {
  const db = await DuckDBInstance.create(file);
  const conn = await db.connect();
  const rows = await (await conn.run('SELECT key FROM trials ORDER BY key')).getRowsJS();
  conn.closeSync();
  db.closeSync();
  return rows.map((r) => r[0] as string);
}

describe('sweep interruption', () => {
  const TRIALS = 24;
  const args = (out: string) => ['sweep', heavyScenario, '--space', randomSpaceFile, '--method', 'random', '--trials', String(TRIALS), '--seed', '3', '--workers', '1', '--out', out];
  let clean: SweepOutcome;
  let expectedKeys: string[];

  beforeAll(async () => {
    const scenario = JSON.parse(await readFile(heavyScenario, 'utf8')) as unknown;
    const space = parseSearchSpace(randomSpace);
    expectedKeys = randomPoints(space, TRIALS, 3).map(trialKey).sort();
    clean = await runSweep({ scenario, space, method: 'random', trials: TRIALS, seed: 3, fitness: parseFitness('sharpe'), storeFile: join(dir, 'clean', 'trials.duckdb'), workers: 2, runnerModule: SWEEP_TRIAL_MODULE });
  }, 300_000);

  it('resumes after kill -9 with exactly the expected trials, none twice', async () => {
    const out = join(dir, 'killed');
    const run = spawnCli(args(out));
    await waitForProgress(run.stderr, 2, TRIALS, 240_000);
    run.child.kill('SIGKILL');
    await run.exited;
    const partial = await storedKeys(join(out, 'trials.duckdb'));
    expect(partial.length).toBeGreaterThanOrEqual(1);
    expect(partial.length).toBeLessThan(TRIALS);
    for (const k of partial) expect(expectedKeys).toContain(k);
    await expect(stat(join(out, 'sweep.json'))).rejects.toThrow();

    const again = runCli([...args(out), '--quiet']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${partial.length} from the store, ${TRIALS - partial.length} run now`);
    const keys = await storedKeys(join(out, 'trials.duckdb'));
    expect(keys).toEqual(expectedKeys);
    expect(new Set(keys).size).toBe(keys.length);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8'));
    expect(sweep.trials.map((t: { key: string }) => t.key)).toEqual(expectedKeys);
    expect(sweep.combinedHash).toBe(clean.combinedHash);
  }, 600_000);

  it('stops on Ctrl-C with exit code 130, keeps the finished trials and resumes', async () => {
    const out = join(dir, 'sigint');
    const run = spawnCli(args(out));
    await waitForProgress(run.stderr, 1, TRIALS, 240_000);
    run.child.kill('SIGINT');
    const code = await run.exited;
    expect(code).toBe(130);
    expect(run.stderr()).toMatch(/tapedeck: interrupted: \d+ trials? kept in .*trials\.duckdb; run the same command again to resume/);
    await expect(stat(join(out, 'sweep.json'))).rejects.toThrow();
    const partial = await storedKeys(join(out, 'trials.duckdb'));
    expect(partial.length).toBeLessThan(TRIALS);
    const again = runCli([...args(out), '--quiet']);
    expect(again.code).toBe(0);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8'));
    expect(sweep.combinedHash).toBe(clean.combinedHash);
    expect(await storedKeys(join(out, 'trials.duckdb'))).toEqual(expectedKeys);
  }, 600_000);
});
