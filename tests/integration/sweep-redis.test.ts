import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_TRIAL_MODULE } from '../../cli/compose/sweep-trial.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { parseFitness, parseSearchSpace, runSweep } from '../../sim/research/index.js';
import type { SweepOutcome } from '../../sim/research/index.js';
import { REPO, runCli } from '../support/cli.js';
import { freePort, redisServerAvailable, startRedisServer } from '../support/redis.js';

/**
 * Distributed mode: a redis-server on loopback (a free port, no persistence), a `tapedeck worker`
 * child process, and `tapedeck sweep --queue`: the trial table and combinedHash equal a local W = 1 run.
 */

const available = redisServerAvailable('sweep-redis');

async function waitForOutput(getText: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(getText())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}: ${getText()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function kill(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    child.once('exit', () => res());
    child.kill(signal);
  });
}

describe.skipIf(!available)('sweep through a Redis queue', () => {
  const FAST = 'strategies.0.params.fast';
  const SLOW = 'strategies.0.params.slow';
  const space = { parameters: { [FAST]: { type: 'int', min: 5, max: 15, step: 5 }, [SLOW]: { type: 'int', min: 10, max: 30, step: 10 } } };
  let dir: string;
  let scenarioFile: string;
  let spaceFile: string;
  let url: string;
  let redis: ChildProcess | null = null;
  let worker: ChildProcess | null = null;
  let workerLog = '';
  let local: SweepOutcome;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tapedeck-redis-'));
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = await startRedisServer(port);

    await generateDataset({ seed: 11, symbols: ['AAA'], days: 300, kinds: ['bars'], out: join(dir, 'daily') });
    scenarioFile = join(dir, 'scenario.json');
    spaceFile = join(dir, 'space.json');
    await writeFile(
      scenarioFile,
      JSON.stringify({
        name: 'sweep-redis',
        seed: 1,
        initialCash: 100000,
        data: { bars: join(dir, 'daily') },
        strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
        venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
      }),
    );
    await writeFile(spaceFile, JSON.stringify(space));
    local = await runSweep({
      scenario: JSON.parse(await readFile(scenarioFile, 'utf8')) as unknown,
      space: parseSearchSpace(space),
      method: 'grid',
      seed: 1,
      fitness: parseFitness('sharpe'),
      storeFile: join(dir, 'local', 'trials.duckdb'),
      workers: 1,
      runnerModule: SWEEP_TRIAL_MODULE,
    });

    worker = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'cli/main.ts'), 'worker', '--queue', url, '--concurrency', '2'], {
      cwd: REPO,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    worker.stderr!.on('data', (b: Buffer) => {
      workerLog += b.toString();
    });
    await waitForOutput(() => workerLog, /worker: listening on/, 60_000);
  }, 300_000);

  afterAll(async () => {
    await kill(worker, 'SIGTERM');
    await kill(redis, 'SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('gives the same trials and combinedHash as the local pool', async () => {
    const out = join(dir, 'queued');
    const r = runCli(['sweep', scenarioFile, '--space', spaceFile, '--queue', url, '--out', out, '--quiet']);
    expect(r.stderr, `worker log:\n${workerLog}`).toBe('');
    expect(r.code).toBe(0);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8'));
    expect(sweep.combinedHash).toBe(local.combinedHash);
    expect(sweep.trials.map((t: { key: string; runHash: string | null; status: string }) => [t.key, t.runHash, t.status])).toEqual(
      local.trials.map((t) => [t.key, t.status === 'ok' ? t.runHash : null, t.status]),
    );
    expect(sweep.failedCount).toBe(2);
    // The worker ran the trials (9 of them, each logged once).
    expect(workerLog.match(/ trial [0-9a-f]{16} (ok|failed)/g)).toHaveLength(9);

    // The local sweep.json of the same sweep is the same file.
    const localOut = join(dir, 'local-cli');
    expect(runCli(['sweep', scenarioFile, '--space', spaceFile, '--workers', '1', '--out', localOut, '--quiet']).code).toBe(0);
    expect(await readFile(join(out, 'sweep.json'), 'utf8')).toBe(await readFile(join(localOut, 'sweep.json'), 'utf8'));
  }, 300_000);

  it('resumes a queued sweep from its store without sending trials again', async () => {
    const out = join(dir, 'queued');
    const before = workerLog.length;
    const r = runCli(['sweep', scenarioFile, '--space', spaceFile, '--queue', url, '--out', out, '--quiet']);
    expect(r.stderr, `worker log:\n${workerLog}`).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('9 from the store, 0 run now');
    expect(workerLog.slice(before)).not.toMatch(/ trial [0-9a-f]{16}/);
  }, 300_000);
});
