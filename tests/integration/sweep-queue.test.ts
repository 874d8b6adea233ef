import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runCli } from '../support/cli.js';
import { freePort, redisServerAvailable, startRedisServer } from '../support/redis.js';

/**
 * `--queue` checks its server before anything starts: a database the server does not have ends
 * `sweep --queue` and `worker --queue` with one line naming the URL (exit 1), never a silent fall
 * back to database 0; the worker says "listening" only once connected and on its database.
 */

const available = redisServerAvailable('sweep-queue');

describe.skipIf(!available)('--queue database and connection checks', () => {
  let dir: string;
  let scenario: string;
  let space: string;
  let port: number;
  let redis: ChildProcess | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tapedeck-queue-db-'));
    port = await freePort();
    // 16 databases (0-15), the default
    redis = await startRedisServer(port, ['--databases', '16']);
    await generateDataset({ seed: 11, symbols: ['AAA'], days: 60, kinds: ['bars'], out: join(dir, 'daily') });
    scenario = join(dir, 'scenario.json');
    space = join(dir, 'space.json');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'queue-db',
        seed: 1,
        initialCash: 100000,
        data: { bars: join(dir, 'daily') },
        strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 5, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
        venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
      }),
    );
    await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'int', min: 5, max: 10, step: 5 } } }));
  }, 120_000);

  afterAll(async () => {
    if (redis && redis.exitCode === null) {
      await new Promise<void>((res) => {
        redis!.once('exit', () => res());
        redis!.kill('SIGKILL');
      });
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('D11: sweep --queue with a database the server does not have fails with one line naming the URL (exit 1)', async () => {
    const url = `redis://127.0.0.1:${port}/99`;
    const r = runCli(['sweep', scenario, '--space', space, '--queue', url, '--out', join(dir, 'sweep99'), '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(url);
    expect(r.stderr).toMatch(/database 99/);
    expect(r.stderr).toMatch(/out of range/i);
    await expect(stat(join(dir, 'sweep99', 'sweep.json'))).rejects.toThrow();
  }, 120_000);

  it('D11: worker --queue with a database the server does not have fails with one line naming the URL (exit 1)', () => {
    const url = `redis://127.0.0.1:${port}/99`;
    const r = runCli(['worker', '--queue', url]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(url);
    expect(r.stderr).toMatch(/database 99/);
  }, 120_000);

  it('D19: worker prints "listening" only once connected: a failure shows no success line first', async () => {
    const closed = await freePort();
    const r = runCli(['worker', '--queue', `redis://127.0.0.1:${closed}`]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain('listening');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`redis://127.0.0.1:${closed}`);
    const bad = runCli(['worker', '--queue', `redis://127.0.0.1:${port}/99`]);
    expect(bad.stderr).not.toContain('listening');
  }, 120_000);
});
