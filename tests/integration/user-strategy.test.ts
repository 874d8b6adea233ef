import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { REPO } from '../support/cli.js';
import { buildDist } from '../support/dist.js';
import { freePort, redisServerAvailable, startRedisServer } from '../support/redis.js';
import { readWholeReport } from '../support/whole-report.js';

/**
 * Acceptance of issue 12's user strategies, as a user meets them: a project folder outside the
 * repository with `node_modules/tapedeck` (the checkout, built: what `npm install <checkout>` gives),
 * a strategy file importing only from 'tapedeck', a scenario naming it by path, and the installed
 * `tapedeck` bin (dist/cli/main.js): run, sweep on 1 and 2 worker threads, walk-forward, a queue
 * sweep with two workers on "another machine" (a folder without the strategy file: they run the
 * source the job carries), a one-line edit changing the runHash and not resuming old trials, and a
 * strategy that throws ending in one line.
 */

const BIN = join(REPO, 'dist', 'cli', 'main.js');

const STRATEGY = `import { defineStrategy, indicators } from 'tapedeck';

// Long while the close is above its simple moving average, flat below.
export default defineStrategy({
  name: 'above_sma',
  description: 'Long while the close is above SMA(period), flat below.',
  defaults: { period: 5, units: 10 },
  warmup: (p) => ({ bars: p.period, because: \`period=\${p.period}\` }),
  create: ({ symbols, params }) => {
    const sma = new Map(symbols.map((s) => [s, new indicators.Sma(params.period)]));
    return {
      onBar(ctx, bars) {
        const m = sma.get(bars.symbol)!.update(bars.close());
        if (Number.isNaN(m)) return;
        ctx.setTarget(bars.symbol, bars.close() > m ? params.units : 0);
      },
    };
  },
});
`;

const THROWS = `import { defineStrategy } from 'tapedeck';

export default defineStrategy({
  name: 'throws',
  description: 'Fails on its tenth bar.',
  defaults: {},
  create: () => ({
    onBar(_ctx, bars) {
      if (bars.count === 10) throw new RangeError('boom on bar ten');
    },
  }),
});
`;

const NAN_TARGET = `import { defineStrategy } from 'tapedeck';

export default defineStrategy({
  name: 'nan_target',
  description: 'Asks for a NaN position on its fifth bar.',
  defaults: {},
  create: () => ({
    onBar(ctx, bars) {
      if (bars.count === 5) ctx.setTarget(bars.symbol, 0 / 0);
    },
  }),
});
`;

let project: string;
let machine2: string;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the installed bin (what `npx tapedeck` runs) in the project folder. */
function tapedeck(args: readonly string[], cwd = project): Ran {
  const r = spawnSync(process.execPath, [join(cwd, 'node_modules', 'tapedeck', 'dist', 'cli', 'main.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function runHashOf(r: Ran): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { runHash: string }).runHash;
}

function combinedHashOf(r: Ran): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return /combinedHash\s+([0-9a-f]{64})/.exec(r.stdout)![1]!;
}

beforeAll(async () => {
  // The package as installed runs from its build output (the library and the bin's bundle).
  buildDist();
  expect(existsSync(BIN)).toBe(true);

  project = await mkdtemp(join(tmpdir(), 'tapedeck-user-'));
  expect(resolve(project).startsWith(REPO)).toBe(false);
  await mkdir(join(project, 'node_modules'), { recursive: true });
  await symlink(REPO, join(project, 'node_modules', 'tapedeck'), 'dir');
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'my-strategies', private: true, type: 'module', dependencies: { tapedeck: `file:${REPO}` } }, null, 2));
  await mkdir(join(project, 'strategies'));
  await writeFile(join(project, 'strategies', 'above-sma.ts'), STRATEGY);
  await writeFile(join(project, 'strategies', 'throws.ts'), THROWS);
  await writeFile(join(project, 'strategies', 'nan-target.ts'), NAN_TARGET);
  await generateDataset({ seed: 3, symbols: ['AAA'], days: 120, kinds: ['bars'], out: join(project, 'data') });
  const scenario = (type: string, params: Record<string, unknown> = {}) =>
    JSON.stringify({ name: 'user', seed: 1, initialCash: 100000, data: { bars: './data', symbols: ['AAA'] }, strategies: [{ type, params }], venue: { marketFill: 'next_open' } }, null, 2);
  await writeFile(join(project, 'scenario.json'), scenario('./strategies/above-sma.ts', { period: 6 }));
  await writeFile(join(project, 'throws.json'), scenario('./strategies/throws.ts'));
  await writeFile(join(project, 'nan.json'), scenario('./strategies/nan-target.ts'));
  await writeFile(join(project, 'bad-param.json'), scenario('./strategies/above-sma.ts', { perod: 6 }));
  await writeFile(join(project, 'missing.json'), scenario('./strategies/nope.ts'));
  await writeFile(join(project, 'space.json'), JSON.stringify({ parameters: { 'strategies.0.params.period': { type: 'int', min: 4, max: 8, step: 4 } } }));

  // Another machine: tapedeck installed, no strategy file.
  machine2 = await mkdtemp(join(tmpdir(), 'tapedeck-worker-'));
  await mkdir(join(machine2, 'node_modules'), { recursive: true });
  await symlink(REPO, join(machine2, 'node_modules', 'tapedeck'), 'dir');
}, 400_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
  if (machine2) await rm(machine2, { recursive: true, force: true });
});

describe('a user strategy module in a project outside the repository', () => {
  let runHash: string;
  let oneWorker: string;

  it('runs with `tapedeck run`: the same runHash twice, the module and its source hash in report.json', async () => {
    runHash = runHashOf(tapedeck(['run', 'scenario.json', '--json', '--out', 'out/run']));
    expect(runHashOf(tapedeck(['run', 'scenario.json', '--json']))).toBe(runHash);
    const report = await readWholeReport(join(project, 'out', 'run')) as { scenario: { strategies: { id: string; module?: { path: string; sourceHash: string } }[] }; fills: unknown[] };
    expect(report.scenario.strategies[0]!.id).toBe('above_sma');
    expect(report.scenario.strategies[0]!.module).toEqual({ path: join(project, 'strategies', 'above-sma.ts'), sourceHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(report.fills.length).toBeGreaterThan(4);
  }, 120_000);

  it('sweeps on 1 and 2 worker threads with the same combinedHash, and the printed reproduce command gives the best trial runHash', async () => {
    oneWorker = combinedHashOf(tapedeck(['sweep', 'scenario.json', '--space', 'space.json', '--workers', '1', '--out', 'out/s1', '--quiet']));
    expect(combinedHashOf(tapedeck(['sweep', 'scenario.json', '--space', 'space.json', '--workers', '2', '--out', 'out/s2', '--quiet']))).toBe(oneWorker);
    const sweep = JSON.parse(await readFile(join(project, 'out', 's1', 'sweep.json'), 'utf8')) as { failedCount: number; best: { key: string; reproduce: string }; trials: { key: string; runHash: string }[] };
    expect(sweep.failedCount).toBe(0);
    const args = sweep.best.reproduce.split(' ').slice(1);
    expect(runHashOf(tapedeck([...args, '--json']))).toBe(sweep.trials.find((t) => t.key === sweep.best.key)!.runHash);
  }, 240_000);

  it('walks forward', async () => {
    const r = tapedeck(['walkforward', 'scenario.json', '--space', 'space.json', '--train', '40d', '--test', '20d', '--workers', '1', '--out', 'out/wf', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const wf = JSON.parse(await readFile(join(project, 'out', 'wf', 'walkforward.json'), 'utf8')) as { folds: unknown[] };
    expect(wf.folds.length).toBeGreaterThan(1);
  }, 120_000);

  it.skipIf(!redisServerAvailable('user-strategy queue sweep'))(
    'sweeps through a Redis queue with two workers on a machine without the strategy file (they run the source the job carries)',
    async () => {
      const port = await freePort();
      const url = `redis://127.0.0.1:${port}`;
      const redis = await startRedisServer(port);
      const children: ChildProcess[] = [];
      try {
        // The sweep reads the module (its source goes into every job); the workers start only once
        // the trials are queued and the file is gone, so they cannot read it.
        let sweepOut = '';
        const sweep = spawn(process.execPath, [BIN, 'sweep', 'scenario.json', '--space', 'space.json', '--queue', url, '--out', 'out/queued', '--quiet'], { cwd: project, env: { ...process.env, NODE_OPTIONS: '' } });
        children.push(sweep);
        sweep.stdout!.on('data', (b: Buffer) => (sweepOut += b.toString()));
        sweep.stderr!.on('data', (b: Buffer) => (sweepOut += b.toString()));
        const done = new Promise<number>((res) => sweep.once('exit', (code) => res(code ?? -1)));
        const until = Date.now() + 60_000;
        for (;;) {
          const keys = spawnSync('redis-cli', ['-p', String(port), '--scan', '--pattern', 'bull:tapedeck-sweep-*:wait'], { encoding: 'utf8' }).stdout.trim();
          const queued = keys !== '' && keys.split('\n').some((k) => Number(spawnSync('redis-cli', ['-p', String(port), 'llen', k], { encoding: 'utf8' }).stdout.trim()) > 0);
          if (queued) break;
          expect(Date.now() < until, `no trial was queued: ${sweepOut}`).toBe(true);
          await new Promise((r) => setTimeout(r, 100));
        }
        await rename(join(project, 'strategies'), join(project, 'strategies-away'));
        let workerLog = '';
        for (let i = 0; i < 2; i++) {
          const w = spawn(process.execPath, [join(machine2, 'node_modules', 'tapedeck', 'dist', 'cli', 'main.js'), 'worker', '--queue', url, '--concurrency', '1'], { cwd: machine2, env: { ...process.env, NODE_OPTIONS: '' } });
          w.stderr!.on('data', (b: Buffer) => (workerLog += b.toString()));
          children.push(w);
        }
        const code = await done;
        await rename(join(project, 'strategies-away'), join(project, 'strategies'));
        expect(code, `${sweepOut}\nworkers:\n${workerLog}`).toBe(0);
        expect(/combinedHash\s+([0-9a-f]{64})/.exec(sweepOut)?.[1]).toBe(oneWorker);
        expect(workerLog.match(/ trial [0-9a-f]{16} ok/g)).toHaveLength(2);
        // The workers ran the shipped source from their content-addressed cache.
        const cached = await readdir(join(machine2, '.tapedeck', 'strategies'));
        expect(cached).toHaveLength(1);
        expect(await readFile(join(machine2, '.tapedeck', 'strategies', cached[0]!, 'above-sma.ts'), 'utf8')).toBe(STRATEGY);
      } finally {
        if (existsSync(join(project, 'strategies-away'))) await rename(join(project, 'strategies-away'), join(project, 'strategies'));
        for (const c of children) if (c.exitCode === null && c.signalCode === null) await new Promise<void>((res) => (c.once('exit', () => res()), c.kill('SIGTERM')));
        redis.kill('SIGKILL');
      }
    },
    300_000,
  );

  it('a one-line edit changes the runHash (same fills) and a sweep into the same output does not reuse the old trials', async () => {
    const before = await readWholeReport(join(project, 'out', 'run')) as { fills: unknown[] };
    await writeFile(join(project, 'strategies', 'above-sma.ts'), STRATEGY.replace('// Long while the close is above', '// Long when the close is above'));
    const edited = runHashOf(tapedeck(['run', 'scenario.json', '--json', '--out', 'out/run-edited']));
    expect(edited).not.toBe(runHash);
    const after = await readWholeReport(join(project, 'out', 'run-edited')) as { fills: unknown[] };
    expect(after.fills).toEqual(before.fills);

    const again = tapedeck(['sweep', 'scenario.json', '--space', 'space.json', '--workers', '1', '--out', 'out/s1', '--quiet']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^tapedeck: --out: .*trials\.duckdb holds the trials of a different sweep.*strategy module/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    const fresh = tapedeck(['sweep', 'scenario.json', '--space', 'space.json', '--workers', '1', '--out', 'out/s1', '--fresh', '--quiet']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('0 from the store, 2 run now');
    expect(combinedHashOf(fresh)).not.toBe(oneWorker);
  }, 240_000);

  it('a strategy that throws, or sets a NaN target, ends in one line naming the strategy, the module, the bar time and the user frame; nothing is written', () => {
    const t = tapedeck(['run', 'throws.json', '--out', 'out/throws']);
    expect(t.code).toBe(1);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    const module = join(project, 'strategies', 'throws.ts');
    expect(t.stderr).toContain(`strategy 'throws' (${module}) failed in onBar for the AAA bar at 2023-01-13T00:00:00.000Z: RangeError: boom on bar ten [${module}:9:`);
    expect(existsSync(join(project, 'out', 'throws'))).toBe(false);

    const n = tapedeck(['run', 'nan.json', '--out', 'out/nan']);
    expect(n.code).toBe(1);
    expect(n.stderr.trim().split('\n')).toHaveLength(1);
    const nanModule = join(project, 'strategies', 'nan-target.ts');
    expect(n.stderr).toContain(`strategy 'nan_target' (${nanModule}) failed in onBar for the AAA bar at 2023-01-06T00:00:00.000Z: invalid target 'units' for AAA: not a finite number, was NaN [${nanModule}:9:`);
    expect(existsSync(join(project, 'out', 'nan'))).toBe(false);
  }, 120_000);

  it('a bad parameter or a missing module ends in one line naming the parameter or the module and the scenario', () => {
    const p = tapedeck(['run', 'bad-param.json']);
    expect(p.code).toBe(1);
    expect(p.stderr).toBe(`tapedeck: strategies[0].params.perod: unknown (known: period, units) (in bad-param.json, strategy module ${join(project, 'strategies', 'above-sma.ts')})\n`);
    const m = tapedeck(['run', 'missing.json']);
    expect(m.code).toBe(1);
    expect(m.stderr).toBe(`tapedeck: strategies[0].type: strategy module ${join(project, 'strategies', 'nope.ts')}: no such file (in missing.json)\n`);
  }, 60_000);
});
