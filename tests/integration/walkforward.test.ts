import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * tapedeck walkforward end to end on a synthetic daily dataset: folds over the whole dataset,
 * walkforward.json with per-fold parameters, IS/OOS metrics, the stitched curve and a combinedHash
 * that does not depend on the number of workers; flag errors name the flag and write nothing.
 */

let dir: string;
let scenario: string;
let space: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-wf-cli-'));
  await generateDataset({ seed: 11, symbols: ['AAA'], days: 300, kinds: ['bars'], out: join(dir, 'daily') });
  scenario = join(dir, 'scenario.json');
  space = join(dir, 'space.json');
  await writeFile(
    scenario,
    JSON.stringify({
      name: 'wf-cli',
      seed: 1,
      initialCash: 100000,
      data: { bars: join(dir, 'daily') },
      strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
      venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
    }),
  );
  await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'int', min: 5, max: 10, step: 5 }, 'strategies.0.params.slow': { type: 'int', min: 20, max: 30, step: 10 } } }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck walkforward', () => {
  it('writes walkforward.json with folds, parameters, IS/OOS metrics and a stitched curve; W = 1 and W = 2 agree', async () => {
    const one = runCli(['walkforward', scenario, '--space', space, '--train', '180d', '--test', '60d', '--workers', '1', '--out', join(dir, 'w1')]);
    expect(one.stderr).toContain('fold 1/3');
    expect(one.code, one.stderr).toBe(0);
    const two = runCli(['walkforward', scenario, '--space', space, '--train', '180d', '--test', '60d', '--workers', '2', '--out', join(dir, 'w2'), '--quiet']);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stderr).toBe('');
    const a = JSON.parse(await readFile(join(dir, 'w1', 'walkforward.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(dir, 'w2', 'walkforward.json'), 'utf8'));
    expect(a.schemaVersion).toBe(1);
    expect([a.generator, a.kind]).toEqual(['tapedeck', 'walkforward']);
    expect(a.folds).toHaveLength(3);
    expect(b.combinedHash).toBe(a.combinedHash);
    expect(b.folds).toEqual(a.folds);
    for (const f of a.folds) {
      expect(Object.keys(f.params)).toEqual(['strategies.0.params.fast', 'strategies.0.params.slow']);
      expect(f.sweep.trials).toBe(4);
      expect(f.outOfSample.status).toBe('ok');
      expect(typeof f.inSample.metrics.totalReturn).toBe('number');
      expect(f.test.start).toBe(f.train.end);
    }
    expect(a.stitched.equity.length).toBe(1 + a.folds.reduce((s: number, f: { outOfSample: { returns: number[] } }) => s + f.outOfSample.returns.length, 0));
    expect(one.stdout).toContain(`combinedHash  ${a.combinedHash}`);
  }, 180_000);
  it('anchored with a purge: every train window starts at the data start and ends 5 days before its test', async () => {
    const r = runCli(['walkforward', scenario, '--space', space, '--train', '200d', '--test', '100d', '--anchored', '--purge', '5d', '--workers', '1', '--quiet', '--out', join(dir, 'anch')]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(await readFile(join(dir, 'anch', 'walkforward.json'), 'utf8'));
    const first = doc.folds[0].train.start;
    for (const f of doc.folds) {
      expect(f.train.start).toBe(first);
      expect(f.test.start - f.train.end).toBe(5 * 86_400_000_000);
    }
  }, 180_000);
  it.each([
    [['--train', 'ninety'], '--train'],
    [['--train', '90d', '--test', '0d'], '--test'],
    [['--train', '90d', '--test', '30d', '--purge', '90d'], '--purge'],
    [['--train', '9000d', '--test', '30d'], '--train/--test'],
    [['--train', '90d', '--test', '30d', '--method', 'ga'], '--trials'],
  ])('rejects %j with an error naming %s and writes nothing', async (flags, flag) => {
    const out = join(dir, `bad-${flag.replace(/\W/g, '')}`);
    const args = ['walkforward', scenario, '--space', space, '--out', out, ...flags];
    if (!flags.includes('--test')) args.push('--test', '30d');
    const r = runCli(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(flag);
    await expect(stat(join(out, 'walkforward.json'))).rejects.toThrow();
  }, 60_000);

  // A terminal is needed to see the bars: util-linux's `script` gives the command one (Debian's bsdutils).
  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal, shows a trial bar per fold that ends at 100% before the fold line; off one, only the fold lines', () => {
    const cmd = [process.execPath, '--import', 'tsx', 'cli/main.ts', 'walkforward', scenario, '--space', space, '--train', '180d', '--test', '60d', '--out', join(dir, 'tty')].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('/usr/bin/script', ['-qec', cmd, '/dev/null'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
    expect(r.status, r.stdout).toBe(0);
    const screen = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    for (const fold of [1, 2, 3]) {
      const bar = screen.indexOf(`fold ${fold} [========================] 100% | 4/4 trials`);
      expect(bar, screen).toBeGreaterThan(screen.indexOf(`fold ${fold}/3:`));
      expect(screen.indexOf(`fold ${fold}: 4/4 trials`)).toBeGreaterThan(bar);
    }
    const plain = runCli(['walkforward', scenario, '--space', space, '--train', '180d', '--test', '60d', '--out', join(dir, 'plain')]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('[');
    expect(plain.stderr.trim().split('\n')).toHaveLength(6);
  });
});
