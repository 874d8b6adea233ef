import { availableParallelism } from 'node:os';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runCli } from '../support/cli.js';

/**
 * What `tapedeck sweep` and `tapedeck walkforward` refuse before any trial starts (grid size, worker
 * count, flags: usage errors, exit 2, one line naming the flag or the space) and how they end when
 * they produced nothing a user asked for (no trial, every trial failed, every fold skipped: exit 1).
 */

const FAST = 'strategies.0.params.fast';
const SLOW = 'strategies.0.params.slow';

let dir: string;
let scenario: string;
let okSpace: string;
let failingSpace: string;
let emptySpace: string;
let hugeSpace: string;
let tinyStepSpace: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-sweep-limits-'));
  await generateDataset({ seed: 11, symbols: ['AAA'], days: 300, kinds: ['bars'], out: join(dir, 'daily') });
  scenario = join(dir, 'scenario.json');
  await writeFile(
    scenario,
    JSON.stringify({
      name: 'limits',
      seed: 1,
      initialCash: 100000,
      data: { bars: join(dir, 'daily') },
      strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
      venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
    }),
  );
  const space = async (name: string, doc: unknown): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(doc));
    return file;
  };
  okSpace = await space('ok.json', { parameters: { [FAST]: { type: 'int', min: 5, max: 10, step: 5 }, [SLOW]: { type: 'int', min: 20, max: 30, step: 10 } } });
  // sma_cross rejects fast >= slow: every trial of this space fails.
  failingSpace = await space('failing.json', { parameters: { [FAST]: { type: 'int', min: 30, max: 40, step: 10 }, [SLOW]: { type: 'int', min: 10, max: 20, step: 10 } } });
  emptySpace = await space('empty.json', { parameters: { [FAST]: { type: 'int', min: 5, max: 10, step: 5 }, [SLOW]: { type: 'int', min: 20, max: 30, step: 10 } }, constraints: [`${FAST} > ${SLOW}`] });
  hugeSpace = await space('huge.json', {
    parameters: { [FAST]: { type: 'int', min: 1, max: 2000 }, [SLOW]: { type: 'int', min: 1, max: 2000 }, 'strategies.0.params.sizing.units': { type: 'int', min: 1, max: 1000 } },
  });
  tinyStepSpace = await space('tiny-step.json', { parameters: { 'initialCash': { type: 'float', min: 0, max: 1, step: 1e-12 } } });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sweep = (space: string, out: string, ...extra: string[]) => runCli(['sweep', scenario, '--space', space, '--out', join(dir, out), '--quiet', '--workers', '1', ...extra]);
const walkforward = (space: string, out: string, ...extra: string[]) =>
  runCli(['walkforward', scenario, '--space', space, '--train', '180d', '--test', '60d', '--out', join(dir, out), '--quiet', '--workers', '1', ...extra]);

/** Asserts a refusal: the exit code, one line on stderr, nothing on stdout. */
function refused(r: { code: number; stdout: string; stderr: string }, code: number): string {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('grid size (D7)', () => {
  it('D7: a grid of 4 billion points is refused before anything is allocated, naming its size, each axis and --max-trials', async () => {
    const line = refused(sweep(hugeSpace, 'huge'), 2);
    expect(line).toContain('4,000,000,000');
    expect(line).toContain(hugeSpace);
    expect(line).toContain(`${FAST}: 2,000`);
    expect(line).toContain('strategies.0.params.sizing.units: 1,000');
    expect(line).toContain('--max-trials');
    await expect(stat(join(dir, 'huge'))).rejects.toThrow();
    refused(walkforward(hugeSpace, 'huge-wf'), 2);
  }, 60_000);

  it('D7: an axis with a tiny step is refused when the space is read, naming the axis and its count (exit 1, a space-file error)', () => {
    const line = refused(sweep(tinyStepSpace, 'tiny'), 1);
    expect(line).toContain('parameters["initialCash"]');
    expect(line).toContain(tinyStepSpace);
  }, 60_000);

  it('D7: --max-trials lowers and raises the cap, for grids and for --trials of the other methods', () => {
    const low = refused(sweep(okSpace, 'cap-low', '--max-trials', '3'), 2);
    expect(low).toContain('has 4 points');
    expect(low).toContain('--max-trials');
    const trials = refused(sweep(okSpace, 'cap-trials', '--method', 'random', '--trials', '200000'), 2);
    expect(trials).toContain('--trials');
    expect(trials).toContain('--max-trials');
    refused(sweep(okSpace, 'cap-zero', '--max-trials', '0'), 2);
    const ok = sweep(okSpace, 'cap-ok', '--max-trials', '4');
    expect(ok.code, ok.stderr).toBe(0);
  }, 120_000);
});

describe('worker count (D9)', () => {
  it('D9: --workers 1000 is refused naming the limit and the CPU count, for sweep and walkforward', () => {
    const cpus = availableParallelism();
    for (const r of [sweep(okSpace, 'w1000', '--workers', '1000'), walkforward(okSpace, 'w1000-wf', '--workers', '1000')]) {
      const line = refused(r, 2);
      expect(line).toContain('--workers');
      expect(line).toContain(`at most ${4 * cpus}`);
      expect(line).toContain(`${cpus} CPU`);
    }
  }, 60_000);
});

describe('nothing produced (D12)', () => {
  it('D12: a space whose constraints exclude every grid point is refused before the sweep starts (exit 1, a space-file error)', async () => {
    const line = refused(sweep(emptySpace, 'empty'), 1);
    expect(line).toContain('no trial');
    expect(line).toContain(emptySpace);
    await expect(stat(join(dir, 'empty'))).rejects.toThrow();
  }, 60_000);

  it('D12: a sweep whose every trial failed exits 1 saying so with the first failure, and still writes sweep.json', async () => {
    const r = sweep(failingSpace, 'failing');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/every trial failed \(4 of 4\)/);
    expect(r.stderr).toContain('fast');
    const doc = JSON.parse(await readFile(join(dir, 'failing', 'sweep.json'), 'utf8'));
    expect(doc.failedCount).toBe(4);
  }, 120_000);

  it('D12: a walk-forward whose every fold was skipped exits 1 saying why, and still writes walkforward.json', async () => {
    const r = walkforward(failingSpace, 'failing-wf');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('every fold was skipped');
    expect(r.stderr).toContain('no train trial had a finite fitness');
    const doc = JSON.parse(await readFile(join(dir, 'failing-wf', 'walkforward.json'), 'utf8'));
    expect(doc.folds.every((f: { outOfSample: { status: string } }) => f.outOfSample.status === 'skipped')).toBe(true);
  }, 180_000);
});

describe('usage errors exit 2 naming the flag (D13)', () => {
  it('D13: a malformed --set is a usage error for run, sweep and walkforward', () => {
    for (const r of [runCli(['run', scenario, '--set', 'foo', '--out', join(dir, 'set-run')]), sweep(okSpace, 'set-sweep', '--set', 'foo'), walkforward(okSpace, 'set-wf', '--set', 'foo')]) {
      expect(refused(r, 2)).toContain('--set');
    }
  }, 60_000);

  it('D13: an out-of-range --seed is a usage error naming --seed, not the scenario file', () => {
    for (const seed of ['-1', '99999999999999999999']) {
      for (const r of [runCli(['run', scenario, '--seed', seed, '--out', join(dir, 'seed-run')]), sweep(okSpace, 'seed-sweep', '--seed', seed), walkforward(okSpace, 'seed-wf', '--seed', seed)]) {
        const line = refused(r, 2);
        expect(line).toContain('--seed');
        expect(line).not.toContain(scenario);
      }
    }
  }, 120_000);

  it('D13: --fitness bogus is a usage error for sweep and walkforward', () => {
    for (const r of [sweep(okSpace, 'fit', '--fitness', 'bogus'), walkforward(okSpace, 'fit-wf', '--fitness', 'bogus')]) {
      expect(refused(r, 2)).toContain('--fitness');
    }
  }, 60_000);

  it('D13: --queue with a bad port or database is a usage error for sweep and worker', () => {
    for (const url of ['redis://127.0.0.1:0', 'redis://127.0.0.1:6379/abc', 'redis://127.0.0.1:6379/-1', 'redis://:6379']) {
      expect(refused(sweep(okSpace, 'queue', '--queue', url), 2)).toContain('--queue');
      expect(refused(runCli(['worker', '--queue', url]), 2)).toContain('--queue');
    }
  }, 120_000);
});

describe('trial store errors (D14)', () => {
  it('D14: a corrupted trials.duckdb names the file and suggests --fresh (exit 1)', async () => {
    const out = join(dir, 'corrupt');
    const first = sweep(okSpace, 'corrupt');
    expect(first.code, first.stderr).toBe(0);
    const file = join(out, 'trials.duckdb');
    const bytes = await readFile(file);
    // Overwrite the middle of the file (past DuckDB's headers) with garbage: a checksum error on open or read.
    for (let i = 8192; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    await writeFile(file, bytes);
    const r = sweep(okSpace, 'corrupt');
    const line = refused(r, 1);
    expect(line).toContain(file);
    expect(line).toContain('--fresh');
  }, 120_000);
});
