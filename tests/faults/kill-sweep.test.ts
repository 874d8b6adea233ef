import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * kill -9 at random points (fixed seed, TAPEDECK_FAULT_SEED) of a sweep and of a walk-forward: the
 * output is either absent or complete (never a half-written sweep.json / walkforward.json), and
 * rerunning the same command resumes to the combinedHash of an uninterrupted run.
 */

const SEED = Number(process.env['TAPEDECK_FAULT_SEED'] ?? 9);
let dir: string;
let scenario: string;
let space: string;

/** A small deterministic generator for the kill points. */
function points(seed: number, n: number, min: number, max: number): number[] {
  let x = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return min + (x / 2 ** 32) * (max - min);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-kill-'));
  await generateDataset({ seed: 12, symbols: ['AAA'], days: 30, interval: '1m', kinds: ['bars'], out: join(dir, 'minute') });
  scenario = join(dir, 'scenario.json');
  space = join(dir, 'space.json');
  await writeFile(
    scenario,
    JSON.stringify({
      name: 'kill',
      seed: 1,
      initialCash: 100000,
      data: { bars: join(dir, 'minute') },
      strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 60, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
      venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
    }),
  );
  await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'int', min: 5, max: 40 }, 'strategies.0.params.slow': { type: 'int', min: 50, max: 200 } } }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the CLI and kills it with SIGKILL `afterMs` after the first progress line; resolves once it is gone. */
async function killAt(args: readonly string[], afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), ...args], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const until = Date.now() + 240_000;
  while (stderr === '' && child.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, afterMs));
  child.kill('SIGKILL');
  await exited;
}

/** The output file is absent or a whole JSON document (never half written). */
async function absentOrWhole(file: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text !== null) expect(() => JSON.parse(text), file).not.toThrow();
}

describe('kill -9 at random points', () => {
  it('a sweep killed at random points resumes to the combinedHash of an uninterrupted one', async () => {
    const args = (out: string) => ['sweep', scenario, '--space', space, '--method', 'random', '--trials', '10', '--seed', '5', '--workers', '2', '--out', out];
    const clean = runCli([...args(join(dir, 'sweep-clean')), '--quiet']);
    expect(clean.code, clean.stderr).toBe(0);
    const cleanHash = JSON.parse(await readFile(join(dir, 'sweep-clean', 'sweep.json'), 'utf8')).combinedHash;
    const out = join(dir, 'sweep-killed');
    for (const ms of points(SEED, 3, 0, 3000)) {
      await killAt(args(out), ms);
      await absentOrWhole(join(out, 'sweep.json'));
    }
    const again = runCli([...args(out), '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')).combinedHash).toBe(cleanHash);
  }, 600_000);

  it('a walk-forward killed at random points resumes to the combinedHash of an uninterrupted one', async () => {
    const args = (out: string) => ['walkforward', scenario, '--space', space, '--method', 'random', '--trials', '4', '--train', '14d', '--test', '7d', '--seed', '5', '--workers', '2', '--out', out];
    const clean = runCli([...args(join(dir, 'wf-clean')), '--quiet']);
    expect(clean.code, clean.stderr).toBe(0);
    const cleanHash = JSON.parse(await readFile(join(dir, 'wf-clean', 'walkforward.json'), 'utf8')).combinedHash;
    const out = join(dir, 'wf-killed');
    for (const ms of points(SEED + 1, 3, 0, 4000)) {
      await killAt(args(out), ms);
      await absentOrWhole(join(out, 'walkforward.json'));
    }
    const again = runCli([...args(out), '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'walkforward.json'), 'utf8')).combinedHash).toBe(cleanHash);
  }, 600_000);
});
