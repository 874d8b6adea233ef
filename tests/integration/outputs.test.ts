import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeRunOutputs } from '../../cli/actions/run.js';
import { checkOutputDir } from '../../cli/output.js';
import { writeFileAtomic } from '../../datasets/atomic.js';
import { OUTPUT_MARKER } from '../../datasets/output-dir.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import type { RunReport } from '../../reports/index.js';
import { REPO, runCli } from '../support/cli.js';
import { sampleReport } from '../unit/reports/html/fixture.js';

/**
 * How run, demo, sweep, walk-forward, compare and report write their outputs: all files of a run appear
 * together or not at all, an output directory is new or carries Tapedeck's marker (only the files listed
 * there are replaced), a dataset directory or a directory of the user's files is refused, and `--out ''`
 * is a usage error everywhere.
 */

let dir: string;
let dataset: string;
let scenario: string;
let space: string;
const csv = resolve(REPO, 'tests/fixtures/csv/daily-ohlcv.csv');
const smaCross = resolve(REPO, 'scenarios/sma-cross.json');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-outputs-'));
  dataset = join(dir, 'daily');
  await generateDataset({ seed: 11, symbols: ['AAA'], days: 300, kinds: ['bars'], out: dataset });
  scenario = join(dir, 'scenario.json');
  space = join(dir, 'space.json');
  await writeFile(
    scenario,
    JSON.stringify({
      name: 'outputs',
      seed: 1,
      initialCash: 100000,
      data: { bars: dataset },
      strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
      venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
    }),
  );
  await writeFile(space, JSON.stringify({ parameters: { 'strategies.0.params.fast': { type: 'int', min: 5, max: 10, step: 5 }, 'strategies.0.params.slow': { type: 'int', min: 20, max: 30, step: 10 } } }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (out: string, ...more: string[]) => runCli(['run', smaCross, '--set', `data.bars=${csv}`, '--quiet', '--out', out, ...more]);

async function marker(d: string): Promise<{ generator: string; kind: string; files: string[] }> {
  return JSON.parse(await readFile(join(d, OUTPUT_MARKER), 'utf8'));
}

/** Names in `d` that are neither listed nor expected: staging leftovers and temporary siblings. */
async function leftovers(d: string): Promise<string[]> {
  return (await readdir(d)).filter((n) => n.startsWith('.') && n !== OUTPUT_MARKER);
}

/** A report whose equity is so large that ECharts cannot build an axis for it (it asserts with an empty message). */
/** A report the page cannot be rendered from (its trade list is not a list): rendering throws. */
function unrenderable(): RunReport {
  return { ...sampleReport(), trades: 7 } as unknown as RunReport;
}

/** What a run writes: report.json, report.html and its Parquet tables (sorted as the marker lists them). */
const RUN_FILES = ['audit.parquet', 'equity.parquet', 'fills.parquet', 'orders.parquet', 'report.html', 'report.json', 'signals.parquet', 'trades.parquet'];

describe('a run writes its outputs together', () => {
  it('D4: when report.html cannot be rendered, neither file is replaced and the error names report.html', async () => {
    const out = join(dir, 'd4-render');
    await writeRunOutputs(out, sampleReport());
    const before = { json: await readFile(join(out, 'report.json'), 'utf8'), html: await readFile(join(out, 'report.html'), 'utf8') };
    const err = await writeRunOutputs(out, unrenderable()).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).not.toBeNull();
    expect(err!.message.startsWith(`${join(out, 'report.html')}: `)).toBe(true);
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe(before.json);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toBe(before.html);
    expect(await leftovers(out)).toEqual([]);
  });

  it('D4: when report.html cannot be rendered into a new directory, the directory is not created', async () => {
    const out = join(dir, 'd4-new');
    await expect(writeRunOutputs(out, unrenderable())).rejects.toThrow(`${join(out, 'report.html')}: `);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((n) => n.includes('d4-new'))).toEqual([]);
  });

  it("D4: a rerun into its own output directory replaces report.json and report.html together and keeps the user's NOTES.txt", async () => {
    const out = join(dir, 'rerun');
    expect(run(out, '--seed', '1').code).toBe(0);
    await writeFile(join(out, 'NOTES.txt'), 'my notes\n');
    const r = run(out, '--seed', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.seed).toBe(2);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain(report.runHash);
    expect(await readFile(join(out, 'NOTES.txt'), 'utf8')).toBe('my notes\n');
    expect(await marker(out)).toEqual({ generator: 'tapedeck', kind: 'run', files: RUN_FILES });
    expect(await leftovers(out)).toEqual([]);
  });

  it('D14: a failed write names the file and the reason in words', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, 'x');
    await expect(writeFileAtomic(join(file, 'report.json'), '{}')).rejects.toThrow(`cannot write ${join(file, 'report.json')}: not a directory`);
  });
});

describe("--out ''", () => {
  const cwds: string[] = [];
  afterAll(async () => {
    for (const c of cwds) await rm(c, { recursive: true, force: true });
  });
  const commands: [string, () => string[]][] = [
    ['run', () => ['run', smaCross, '--set', `data.bars=${csv}`]],
    ['demo', () => ['demo']],
    ['sweep', () => ['sweep', scenario, '--space', space, '--workers', '1']],
    ['walkforward', () => ['walkforward', scenario, '--space', space, '--train', '180d', '--test', '60d', '--workers', '1']],
    ['train', () => ['train', scenario, '--model', 'logit', '--features', 'ibs']],
    ['compare', () => ['compare', join(dir, 'cmp-a'), join(dir, 'cmp-b')]],
    ['report', () => ['report', join(dir, 'cmp-a')]],
    ['data import', () => ['data', 'import', '--csv', csv, '--symbol', 'SPY']],
    ['data generate', () => ['data', 'generate', '--days', '5']],
  ];
  for (const [name, args] of commands) {
    it(`D18: ${name} refuses an empty or blank --out (exit 2, one line) and writes nothing in the current directory`, async () => {
      await writeRunOutputs(join(dir, 'cmp-a'), sampleReport());
      await writeRunOutputs(join(dir, 'cmp-b'), sampleReport());
      for (const value of ['', '  ']) {
        // An empty working directory inside the repository (the CLI child resolves tsx from there).
        await mkdir(join(REPO, '.vitest-tmp'), { recursive: true });
        const cwd = await mkdtemp(join(REPO, '.vitest-tmp', 'cwd-'));
        cwds.push(cwd);
        const r = runCli([...args(), '--out', value, ...(name === 'data import' ? [] : ['--quiet'])], { cwd });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/^tapedeck: --out: expected a (directory|file) name, was "( {2})?"\n$/);
        expect(await readdir(cwd)).toEqual([]);
      }
    });
  }
});

describe('the output-directory rule', () => {
  it('D1: run refuses a dataset directory as --out (exit 2, one line naming it) and changes nothing there', async () => {
    const before = (await readdir(dataset)).sort();
    const r = run(dataset);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tapedeck: --out ${dataset}: is a dataset directory (it has manifest.json); write run outputs to another directory\n`);
    expect((await readdir(dataset)).sort()).toEqual(before);
  });

  it('run refuses a directory of files Tapedeck did not write, naming it and three of them', async () => {
    const out = join(dir, 'users');
    await mkdir(out);
    for (const n of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) await writeFile(join(out, n), n);
    const r = run(out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tapedeck: --out ${out}: holds files Tapedeck did not write ("a.txt", "b.txt", "c.txt" and 1 more); choose a new or empty directory\n`);
    expect((await readdir(out)).sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);
  });

  it('run accepts an output directory written by an earlier Tapedeck (report.json with schemaVersion, no marker) and adds the marker', async () => {
    const out = join(dir, 'legacy');
    expect(run(out).code).toBe(0);
    // As a Tapedeck from before the marker left it: report.json and report.html only (the tables came later).
    await rm(join(out, OUTPUT_MARKER));
    for (const f of RUN_FILES.filter((n) => n.endsWith('.parquet'))) await rm(join(out, f));
    const r = run(out, '--seed', '5');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')).seed).toBe(5);
    expect((await marker(out)).files).toEqual(RUN_FILES);
  });

  it('a rerun without --export csv removes the CSVs of the earlier run (its own), and keeps the user\'s files', async () => {
    const out = join(dir, 'exports');
    expect(run(out, '--export', 'csv').code).toBe(0);
    expect(existsSync(join(out, 'fills.csv'))).toBe(true);
    expect((await marker(out)).files).toContain('fills.csv');
    await writeFile(join(out, 'NOTES.txt'), 'mine');
    const r = run(out);
    expect(r.code, r.stderr).toBe(0);
    for (const t of ['equity', 'fills', 'orders', 'trades', 'audit', 'signals']) expect(existsSync(join(out, `${t}.csv`)), t).toBe(false);
    expect((await marker(out)).files).toEqual(RUN_FILES);
    expect(await readFile(join(out, 'NOTES.txt'), 'utf8')).toBe('mine');
    expect(run(out, '--export', 'xlsx').code).toBe(2);
  });

  it('run refuses a directory whose report.json is not Tapedeck\'s', async () => {
    const out = join(dir, 'not-ours');
    await mkdir(out);
    await writeFile(join(out, 'report.json'), '{"quarter": "Q3"}');
    const r = run(out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds files Tapedeck did not write \("report\.json"\)/);
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe('{"quarter": "Q3"}');
  });

  it('run refuses to replace a report.html that the marker does not list', async () => {
    const out = join(dir, 'user-html');
    expect(run(out).code).toBe(0);
    await writeFile(join(out, OUTPUT_MARKER), JSON.stringify({ generator: 'tapedeck', kind: 'run', files: ['report.json'] }));
    await writeFile(join(out, 'report.html'), 'mine');
    const r = run(out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/report\.html.*not written by Tapedeck/);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toBe('mine');
  });

  it('D1: sweep refuses a dataset directory as --out before any trial runs', async () => {
    const before = (await readdir(dataset)).sort();
    const r = runCli(['sweep', scenario, '--space', space, '--workers', '1', '--quiet', '--out', dataset]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tapedeck: --out .*: is a dataset directory/);
    expect((await readdir(dataset)).sort()).toEqual(before);
  });

  it('sweep and walkforward list every file they write in the marker, and a rerun keeps a user file', async () => {
    const s = join(dir, 'sweep');
    expect(runCli(['sweep', scenario, '--space', space, '--workers', '1', '--quiet', '--out', s]).code).toBe(0);
    const sm = await marker(s);
    expect(sm.kind).toBe('sweep');
    for (const f of await readdir(s)) if (f !== OUTPUT_MARKER) expect(sm.files).toContain(f);
    expect(sm.files).toEqual(expect.arrayContaining(['sweep.html', 'sweep.json', 'trials.duckdb']));
    await writeFile(join(s, 'NOTES.txt'), 'keep');
    expect(runCli(['sweep', scenario, '--space', space, '--workers', '1', '--quiet', '--out', s, '--fresh']).code).toBe(0);
    expect(await readFile(join(s, 'NOTES.txt'), 'utf8')).toBe('keep');

    const w = join(dir, 'wf');
    const r = runCli(['walkforward', scenario, '--space', space, '--train', '180d', '--test', '60d', '--workers', '1', '--quiet', '--out', w]);
    expect(r.code, r.stderr).toBe(0);
    const wm = await marker(w);
    expect(wm.kind).toBe('walkforward');
    for (const f of await readdir(w)) if (f !== OUTPUT_MARKER) expect(wm.files).toContain(f);
    expect(wm.files).toEqual(expect.arrayContaining(['folds', 'walkforward.html', 'walkforward.json']));
  }, 120_000);

  it('compare overwrites its own page but refuses a file Tapedeck did not write and a dataset directory', async () => {
    await writeRunOutputs(join(dir, 'cmp-a'), sampleReport());
    await writeRunOutputs(join(dir, 'cmp-b'), sampleReport());
    const page = join(dir, 'cmp.html');
    const args = ['compare', join(dir, 'cmp-a'), join(dir, 'cmp-b'), '--quiet', '--out'];
    expect(runCli([...args, page]).code).toBe(0);
    expect(runCli([...args, page]).code).toBe(0);
    const mine = join(dir, 'mine.html');
    await writeFile(mine, '<p>my page</p>');
    const r = runCli([...args, mine]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tapedeck: --out ${mine}: exists and was not written by Tapedeck; choose another file\n`);
    expect(await readFile(mine, 'utf8')).toBe('<p>my page</p>');
    const inData = runCli([...args, join(dataset, 'cmp.html')]);
    expect(inData.code).toBe(2);
    expect(inData.stderr).toMatch(/is a dataset directory/);
    expect(existsSync(join(dataset, 'cmp.html'))).toBe(false);
  });

  it('report rebuilds the HTML of an earlier Tapedeck directory and records it in the marker, and refuses a directory of user files', async () => {
    const legacy = join(dir, 'report-legacy');
    await writeRunOutputs(legacy, sampleReport());
    await rm(join(legacy, OUTPUT_MARKER));
    await rm(join(legacy, 'report.html'));
    const r = runCli(['report', legacy, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(legacy, 'report.html'))).toBe(true);
    expect((await marker(legacy)).files).toEqual(['report.html', 'report.json']);

    const users = join(dir, 'report-users');
    await mkdir(users);
    await writeFile(join(users, 'report.json'), await readFile(join(legacy, 'report.json')));
    await writeFile(join(users, 'thesis.docx'), 'mine');
    const refused = runCli(['report', users]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds files Tapedeck did not write \("thesis\.docx"\).*--out/);
    expect(existsSync(join(users, 'report.html'))).toBe(false);
  });

  it('demo reruns into its own directory and keeps a user file there', async () => {
    const out = join(dir, 'demo');
    expect(runCli(['demo', '--quiet', '--out', out]).code).toBe(0);
    await writeFile(join(out, 'NOTES.txt'), 'demo notes');
    const again = runCli(['demo', '--quiet', '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(await readFile(join(out, 'NOTES.txt'), 'utf8')).toBe('demo notes');
    expect(await marker(out)).toEqual({ generator: 'tapedeck', kind: 'demo', files: RUN_FILES });
  }, 120_000);

  it('a sweep directory from an earlier Tapedeck (sweep.json by tapedeck, a DuckDB trials.duckdb, no marker) is accepted; a look-alike is not', async () => {
    const duck = Buffer.concat([Buffer.alloc(8), Buffer.from('DUCK'), Buffer.alloc(500)]);
    const old = join(dir, 'old-sweep');
    await mkdir(old);
    await writeFile(join(old, 'trials.duckdb'), duck);
    await writeFile(join(old, 'sweep.json'), JSON.stringify({ schemaVersion: 1, generator: 'tapedeck', kind: 'sweep' }));
    expect([...(await checkOutputDir(old, 'sweep')).owned].sort()).toEqual(['sweep.json', 'trials.duckdb']);
    const fake = join(dir, 'fake-sweep');
    await mkdir(fake);
    await writeFile(join(fake, 'trials.duckdb'), 'my own database');
    await expect(checkOutputDir(fake, 'sweep')).rejects.toThrow(/holds files Tapedeck did not write \("trials\.duckdb"\)/);
  });

  it('the staging directory of a killed Tapedeck is removed at the next write; one of a live process is left alone', async () => {
    const out = join(dir, 'stale');
    await writeRunOutputs(out, sampleReport());
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await mkdir(join(out, `.tapedeck-staging-${dead}-0123abcd`, 'new'), { recursive: true });
    await writeFile(join(out, `.report.json.tmp-${dead}-0123abcd`), '{');
    await mkdir(join(out, `.tapedeck-staging-${process.pid}-0123abcd`));
    await writeRunOutputs(out, sampleReport());
    expect(await leftovers(out)).toEqual([`.tapedeck-staging-${process.pid}-0123abcd`]);
    await rm(join(out, `.tapedeck-staging-${process.pid}-0123abcd`), { recursive: true });
  });
});
