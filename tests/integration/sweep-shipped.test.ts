import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { runCli } from '../support/cli.js';

/**
 * Issue 12, point 4: a sweep of every shipped scenario works, through the same run assembly as
 * `tapedeck run`, and the `reproduce` command printed for its best trial (run by a shell exactly as
 * printed) gives that trial's runHash. Before the one assembly, a sweep of ensemble.json dropped the
 * ensemble (the trial and `run` disagreed) and every trial of l2-demo.json failed.
 */

const REPO = resolve(import.meta.dirname, '../..');
let dir: string;
let daily: string;
let l2: string;
let options: string;
let futures: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-sweep-shipped-'));
  daily = join(dir, 'daily');
  l2 = join(dir, 'l2');
  options = join(dir, 'options');
  futures = join(dir, 'futures');
  await generateDataset({ out: daily, seed: 11, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 300, kinds: ['bars'] });
  await generateDataset({ out: l2, seed: 7, symbols: ['AAA'], days: 2, kinds: ['book', 'trades'], intraday: { days: 1, bookEventsPerDay: 3000, tradesPerDay: 1500 } });
  await generateDataset({ out: options, seed: 7, symbols: ['AAA'], days: 120, kinds: ['bars', 'options'] });
  await generateDataset({ out: futures, seed: 4, symbols: ['ES', 'NQ', 'RTY', 'YM', 'CL'], days: 300, kinds: ['bars'] });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each shipped scenario, the data it runs on here, and two points of one of its parameters. */
const CASES: readonly { scenario: string; data: () => string[]; parameter: string; values: readonly unknown[] }[] = [
  { scenario: 'demo.json', data: () => [`data.bars=${daily}`], parameter: 'strategies.0.params.fast', values: [5, 8] },
  { scenario: 'sma-cross.json', data: () => [`data.bars=${daily}`], parameter: 'strategies.0.params.slow', values: [20, 30] },
  { scenario: 'quickstart.json', data: () => [`data.bars=${daily}`], parameter: 'strategies.0.params.sizing.fraction', values: [0.5, 0.95] },
  // The sweep's own --set holds JSON with commas and quotes: the printed command must quote it for the shell.
  { scenario: 'ensemble.json', data: () => [`data.bars=${daily}`, 'strategies.6.params.sizing={"kind": "units", "units": 50}'], parameter: 'strategies.0.params.fast', values: [5, 8] },
  { scenario: 'l2-demo.json', data: () => [`data.book=${l2}`, `data.trades=${l2}`], parameter: 'strategies.0.params.imbalanceThreshold', values: [0.2, 0.3] },
  { scenario: 'options-demo.json', data: () => [`data.bars=${options}`, `data.options=${options}`], parameter: 'strategies.1.params.window', values: [10, 15] },
  // Its instruments file is relative to the scenario: the printed command must still find it.
  { scenario: 'futures.json', data: () => [`data.bars=${futures}`], parameter: 'strategies.0.params.entryThreshold', values: [0.2, 0.3] },
  // Each strategy trades its own account (books): the sweep measures their sum.
  { scenario: 'multi-alpha.json', data: () => [`data.bars=${futures}`], parameter: 'strategies.0.params.entryThreshold', values: [0.2, 0.3] },
  { scenario: 'q-learning.json', data: () => [`data.bars=${daily}`], parameter: 'strategies.0.params.alpha', values: [0.1, 0.2] },
];

describe('a sweep of every shipped scenario reproduces its best trial through the printed command', () => {
  for (const c of CASES) {
    it(`scenarios/${c.scenario}`, async () => {
      const space = join(dir, `${c.scenario}.space.json`);
      await writeFile(space, JSON.stringify({ parameters: { [c.parameter]: { type: 'categorical', values: c.values } } }));
      const out = join(dir, `sweep-${c.scenario}`);
      const sets = c.data().flatMap((s) => ['--set', s]);
      const r = runCli(['sweep', `scenarios/${c.scenario}`, '--space', space, '--out', out, '--workers', '1', '--quiet', ...sets]);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error') || l.includes('failed')).join('\n')).toBe('');
      expect(r.code).toBe(0);
      const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8'));
      expect(sweep.trialCount).toBe(2);
      expect(sweep.failedCount).toBe(0);
      const best = sweep.best;
      expect(best.runHash).toMatch(/^[0-9a-f]{64}$/);
      // Run the printed command as a user would paste it into a shell (tapedeck = this checkout's CLI).
      const command = String(best.reproduce).replace(/^tapedeck /, `node --import tsx ${JSON.stringify(join(REPO, 'cli/main.ts'))} `);
      const run = spawnSync('sh', ['-c', `${command} --json --out ${JSON.stringify(join(dir, `run-${c.scenario}`))}`], { cwd: REPO, encoding: 'utf8' });
      expect(run.stderr.split('\n').filter((l) => l.startsWith('error')).join('\n')).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout).runHash).toBe(best.runHash);
    }, 240_000);
  }
});
