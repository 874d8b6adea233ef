import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_TRIAL_MODULE } from '../../cli/compose/sweep-trial.js';
import { parseFitness, parseSearchSpace, runSweep } from '../../sim/research/index.js';
import { REPO } from '../support/cli.js';

/**
 * Ctrl-C and SIGTERM, sent for real to CLI child processes at several points: the process ends with
 * 130 (SIGINT) or 143 (SIGTERM), never 134 or a native stack (Napi::Error), leaves no
 * tapedeck-import-* directory in its TMPDIR (a test-owned directory), and an interrupted sweep
 * resumes to the combinedHash of an uninterrupted one.
 */

const FAST = 'strategies.0.params.fast';
const SLOW = 'strategies.0.params.slow';
const TRIALS = 12;

let dir: string;
let tmp: string;
let csv: string;
let scenario: string;
let spaceFile: string;
const space = { parameters: { [FAST]: { type: 'int', min: 5, max: 40 }, [SLOW]: { type: 'int', min: 50, max: 200 } } };
let cleanHash: string;

/** A deterministic minute-bar CSV: a data file given directly (sweep workers import it into temp dirs; `run` reads it in memory). */
function minuteCsv(rows: number): string {
  const lines = ['time,open,high,low,close,volume'];
  let price = 100;
  let x = 12345;
  const start = Date.UTC(2024, 0, 2, 14, 30);
  for (let i = 0; i < rows; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const step = (x / 2147483648 - 0.5) * 0.4;
    const open = price;
    price = Math.max(1, price + step);
    lines.push(`${new Date(start + i * 60_000).toISOString()},${open.toFixed(4)},${(Math.max(open, price) + 0.05).toFixed(4)},${(Math.min(open, price) - 0.05).toFixed(4)},${price.toFixed(4)},${1000 + (x % 500)}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-signals-'));
  tmp = join(dir, 'tmp');
  await mkdir(tmp);
  csv = join(dir, 'aaa.csv');
  await writeFile(csv, minuteCsv(40_000));
  scenario = join(dir, 'scenario.json');
  spaceFile = join(dir, 'space.json');
  const doc = {
    name: 'signals',
    seed: 1,
    initialCash: 100000,
    data: { bars: csv, symbols: ['AAA'], interval: '1m' },
    strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 60, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
    venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
  };
  await writeFile(scenario, JSON.stringify(doc));
  await writeFile(spaceFile, JSON.stringify(space));
  const clean = await runSweep({
    scenario: doc,
    space: parseSearchSpace(space),
    method: 'random',
    trials: TRIALS,
    seed: 3,
    fitness: parseFitness('sharpe'),
    storeFile: join(dir, 'clean', 'trials.duckdb'),
    workers: 2,
    runnerModule: SWEEP_TRIAL_MODULE,
  });
  cleanHash = clean.combinedHash;
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Spawns the CLI with TMPDIR pointing at the test's directory. */
function spawnCli(args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), ...args], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '', TMPDIR: tmp } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

async function waitFor(what: () => boolean, timeoutMs: number, text: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > until) throw new Error(`timed out: ${text()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const doneTrials = (stderr: string): number => Math.max(0, ...[...stderr.matchAll(new RegExp(`(\\d+)/${TRIALS}\\b`, 'g'))].map((m) => Number(m[1])));

/** Asserts a clean signal exit: the code, no native abort, no stack, no temp import directory left. */
async function expectCleanExit(run: ReturnType<typeof spawnCli>, signal: NodeJS.Signals): Promise<void> {
  const { code, signal: killedBy } = await run.exited;
  const text = run.stderr();
  expect(code, `${killedBy ?? ''} ${text}`).toBe(signal === 'SIGINT' ? 130 : 143);
  expect(text).not.toMatch(/Napi|Abort|core dumped|FATAL/i);
  expect(text).not.toMatch(/\n\s+at /);
  expect((await readdir(tmp)).filter((n) => n.startsWith('tapedeck-import-'))).toEqual([]);
}

const sweepArgs = (out: string) => ['sweep', scenario, '--space', spaceFile, '--method', 'random', '--trials', String(TRIALS), '--seed', '3', '--workers', '2', '--out', out];

describe('signals', () => {
  it('Ctrl-C: a sweep interrupted by SIGINT and SIGTERM at several points exits 130/143 cleanly and resumes to the same combinedHash', async () => {
    const out = join(dir, 'sweep');
    const points: { signal: NodeJS.Signals; when: (stderr: string) => boolean }[] = [
      // as soon as the sweep is under way (workers importing the CSV into their temp directories)
      { signal: 'SIGINT', when: (e) => /sweep/.test(e) },
      // with trials finished and others running
      { signal: 'SIGINT', when: (e) => doneTrials(e) >= 2 },
      { signal: 'SIGTERM', when: (e) => doneTrials(e) >= 1 },
    ];
    for (const p of points) {
      const run = spawnCli(sweepArgs(out));
      await waitFor(() => p.when(run.stderr()) || run.child.exitCode !== null, 240_000, run.stderr);
      if (run.child.exitCode !== null) break; // finished before the point: nothing left to interrupt
      run.child.kill(p.signal);
      await expectCleanExit(run, p.signal);
    }
    const again = spawnCli([...sweepArgs(out), '--quiet']);
    const { code } = await again.exited;
    expect(code, again.stderr()).toBe(0);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8'));
    expect(sweep.combinedHash).toBe(cleanHash);
  }, 900_000);

  it('Ctrl-C: run (its tables staged) and walkforward stop with 130/143 and no temp directory left', async () => {
    const run = spawnCli(['run', scenario, '--out', join(dir, 'run')]);
    // while the run stages its tables beside its output directory (a CSV this size is read in memory, not
    // imported into a temporary dataset; run prints nothing before its summary)
    const until = Date.now() + 240_000;
    while (!(await readdir(dir)).some((n) => n.startsWith('.run.tmp-'))) {
      if (run.child.exitCode !== null || Date.now() > until) throw new Error(`run never staged its tables: ${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    run.child.kill('SIGINT');
    await expectCleanExit(run, 'SIGINT');
    // nor the tables it staged beside its output directory
    expect((await readdir(dir)).filter((n) => n.startsWith('.run.tmp-'))).toEqual([]);

    const wf = spawnCli(['walkforward', scenario, '--space', spaceFile, '--method', 'random', '--trials', '4', '--train', '10d', '--test', '5d', '--workers', '2', '--out', join(dir, 'wf')]);
    await waitFor(() => /fold 1/.test(wf.stderr()) || wf.child.exitCode !== null, 240_000, wf.stderr);
    wf.child.kill('SIGTERM');
    await expectCleanExit(wf, 'SIGTERM');
  }, 600_000);

  it('Ctrl-C: data import stopped while its dataset is staged exits 130 and removes its staging directory', async () => {
    const parent = join(dir, 'datasets');
    await mkdir(parent, { recursive: true });
    const out = join(parent, 'ds');
    const imp = spawnCli(['data', 'import', '--csv', csv, '--kind', 'bars', '--symbol', 'AAA', '--out', out]);
    const staged = async (): Promise<string[]> => (await readdir(parent)).filter((n) => n.startsWith('.ds.staging-'));
    const until = Date.now() + 240_000;
    while ((await staged()).length === 0) {
      if (imp.child.exitCode !== null || Date.now() > until) throw new Error(`data import never staged its dataset: ${imp.stderr()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    imp.child.kill('SIGINT');
    await expectCleanExit(imp, 'SIGINT');
    // removed by the stopped process itself, not left for the next import to recover
    expect(await staged()).toEqual([]);
    expect(await readdir(parent)).toEqual([]);
  }, 300_000);
});
