import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_TRIAL_MODULE } from '../../cli/compose/sweep-trial.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { parseFitness, parseSearchSpace, runSweep } from '../../sim/research/index.js';
import { REPO } from '../support/cli.js';
import { freePort, REDIS_SERVER, redisServerAvailable } from '../support/redis.js';

/**
 * Redis going away in the middle of a queued sweep with a worker attached, then coming back on the
 * same port. What the code does (by design): the coordinator and the worker each end with one line
 * saying the connection was lost (exit 1), the finished trials stay in the sweep's trial store, and
 * once the server is back, rerunning the same command (with a worker) resumes to the combinedHash of
 * a local, uninterrupted sweep. A worker stopped by SIGTERM exits 143.
 */

const available = redisServerAvailable('faults/redis');

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function start(cmd: string, args: readonly string[]): Proc {
  const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => {
    text += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    text += b.toString();
  });
  return { child, out: () => text, exited: new Promise((res) => child.on('exit', (code) => res(code))) };
}

const cli = (...args: string[]): Proc => start(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), ...args]);

async function waitFor(p: Proc, pattern: RegExp, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(p.out())) {
    if (p.child.exitCode !== null) throw new Error(`exited (${p.child.exitCode}) before ${pattern}: ${p.out()}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}: ${p.out()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stop(p: Proc | null, signal: NodeJS.Signals): Promise<void> {
  if (p === null || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  await p.exited;
}

describe.skipIf(!available)('Redis going away mid-sweep and coming back', () => {
  let dir: string;
  let port: number;
  let scenario: string;
  let space: string;
  let localHash: string;
  const procs: Proc[] = [];
  const redisServer = (): Proc => {
    const p = start(REDIS_SERVER, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1']);
    procs.push(p);
    return p;
  };
  const spaceDoc = { parameters: { 'strategies.0.params.fast': { type: 'int', min: 5, max: 30, step: 5 }, 'strategies.0.params.slow': { type: 'int', min: 60, max: 90, step: 10 } } };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tapedeck-redis-fault-'));
    port = await freePort();
    await generateDataset({ seed: 12, symbols: ['AAA'], days: 20, interval: '1m', kinds: ['bars'], out: join(dir, 'minute') });
    scenario = join(dir, 'scenario.json');
    space = join(dir, 'space.json');
    const doc = {
      name: 'redis-fault',
      seed: 1,
      initialCash: 100000,
      data: { bars: join(dir, 'minute') },
      strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 60, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
      venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
    };
    await writeFile(scenario, JSON.stringify(doc));
    await writeFile(space, JSON.stringify(spaceDoc));
    const local = await runSweep({ scenario: doc, space: parseSearchSpace(spaceDoc), method: 'grid', seed: 1, fitness: parseFitness('sharpe'), storeFile: join(dir, 'local', 'trials.duckdb'), workers: 2, runnerModule: SWEEP_TRIAL_MODULE });
    localHash = local.combinedHash;
  }, 300_000);

  afterAll(async () => {
    for (const p of procs) await stop(p, 'SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('the sweep and the worker end with one line each, and a rerun resumes to the same combinedHash', async () => {
    const url = `redis://127.0.0.1:${port}`;
    const out = join(dir, 'queued');
    let redis = redisServer();
    await waitFor(redis, /Ready to accept connections/, 30_000);
    let worker = cli('worker', '--queue', url, '--concurrency', '1');
    procs.push(worker);
    await waitFor(worker, /worker: listening on/, 120_000);
    const sweep = cli('sweep', scenario, '--space', space, '--queue', url, '--out', out, '--quiet');
    procs.push(sweep);
    await waitFor(worker, /trial \w+ (ok|failed)/, 240_000);

    await stop(redis, 'SIGKILL');
    const sweepCode = await sweep.exited;
    expect(sweepCode, sweep.out()).toBe(1);
    expect(sweep.out().trim().split('\n'), sweep.out()).toHaveLength(1);
    expect(sweep.out()).toContain(`lost the connection to ${url}`);
    expect(sweep.out()).toContain('run the same command again');
    expect(await worker.exited, worker.out()).toBe(1);
    expect(worker.out()).toContain(`lost the connection to ${url}`);
    expect(worker.out()).not.toMatch(/\n\s+at /);

    redis = redisServer();
    await waitFor(redis, /Ready to accept connections/, 30_000);
    worker = cli('worker', '--queue', url, '--concurrency', '2');
    procs.push(worker);
    await waitFor(worker, /worker: listening on/, 120_000);
    const again = cli('sweep', scenario, '--space', space, '--queue', url, '--out', out, '--quiet');
    procs.push(again);
    expect(await again.exited, again.out()).toBe(0);
    expect(again.out()).toMatch(/\d+ from the store/);
    const doc = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8'));
    expect(doc.combinedHash).toBe(localHash);

    worker.child.kill('SIGTERM');
    expect(await worker.exited, worker.out()).toBe(143);
    expect(worker.out()).toContain('worker: stopped');
  }, 600_000);
});
