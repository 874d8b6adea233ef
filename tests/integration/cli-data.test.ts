import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Runs `tapedeck data import|inspect|validate` from the sources and checks exit codes and output. */
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = resolve(ROOT, 'tests/fixtures/csv/daily-ohlcv.csv');
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-cli-data-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Each spawn starts tsx and the whole CLI (seconds on a busy 2-core machine). */
const SPAWNING = 240_000;

function tapedeck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'data', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tapedeck data import, inspect and validate', () => {
  it('imports a CSV, adds a second symbol, inspects and validates the dataset', async () => {
    const out = join(work, 'ds');
    const a = tapedeck('import', '--csv', FIXTURE, '--kind', 'bars', '--symbol', 'SPY', '--out', out);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^imported 300 bars rows for SPY \(2019-01-02T00:00:00.000Z \.\. /);
    const second = join(work, 'qqq.csv');
    await writeFile(second, 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,1000\n2024-01-03,10.5,12,10,11,2000\n');
    expect(tapedeck('import', '--csv', second, '--symbol', 'QQQ', '--out', out).status).toBe(0);

    const inspect = tapedeck('inspect', out);
    expect(inspect.status).toBe(0);
    expect(inspect.stdout).toMatch(/symbols\s+QQQ, SPY/);
    expect(inspect.stdout).toMatch(/bars\s+QQQ 2, SPY 300/);
    const json = tapedeck('inspect', out, '--json');
    expect(json.stdout).toBe(await readFile(join(out, 'manifest.json'), 'utf8'));

    const v = tapedeck('validate', out);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^OK .*: 2 files, 302 rows, kinds bars, symbols QQQ,SPY, contentHash [0-9a-f]{64}\n$/);
  }, SPAWNING);

  it('refuses to import a symbol again without --replace and leaves the dataset as it was', async () => {
    const out = join(work, 'ds2');
    expect(tapedeck('import', '--csv', FIXTURE, '--symbol', 'SPY', '--out', out).status).toBe(0);
    const before = await readFile(join(out, 'manifest.json'), 'utf8');
    const again = tapedeck('import', '--csv', FIXTURE, '--symbol', 'SPY', '--out', out);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^tapedeck: .*already has bars for SPY.*\n$/);
    expect(await readFile(join(out, 'manifest.json'), 'utf8')).toBe(before);
    expect(tapedeck('import', '--csv', FIXTURE, '--symbol', 'SPY', '--out', out, '--replace').status).toBe(0);
  }, SPAWNING);

  it('exits non-zero with one line naming file, row and column for bad data, and writes nothing', async () => {
    const bad = join(work, 'bad.csv');
    await writeFile(bad, ',Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,1000\n2024-01-03,10.5,9,10,11,2000\n');
    const out = join(work, 'never');
    const r = tapedeck('import', '--csv', bad, '--symbol', 'X', '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tapedeck: .*bad\.csv, row 2, column 'High': high 9 is below low 10 \(rows are 1-based data rows in file order, header not counted\)\n$/);
    expect(r.stdout).toBe('');
    expect((await readdir(work)).filter((n) => n.includes('never'))).toEqual([]);
  }, SPAWNING);

  it('reports a tampered dataset from validate with a non-zero exit', async () => {
    const out = join(work, 'ds3');
    expect(tapedeck('import', '--csv', FIXTURE, '--symbol', 'SPY', '--out', out).status).toBe(0);
    await writeFile(join(out, 'bars', 'SPY.parquet'), 'not parquet');
    const r = tapedeck('validate', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tapedeck: .*SPY\.parquet: unreadable Parquet file/);
    const missing = tapedeck('inspect', join(work, 'nowhere'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no manifest\.json: not a Tapedeck dataset directory/);
  }, SPAWNING);

  it('rejects bad usage with exit code 2', () => {
    const both = tapedeck('import', '--csv', 'a.csv', '--parquet', 'b.parquet', '--symbol', 'X', '--out', join(work, 'u'));
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give exactly one of --csv FILE or --parquet FILE/);
    expect(tapedeck('import', '--csv', 'a.csv', '--kind', 'candles', '--symbol', 'X', '--out', join(work, 'u')).status).toBe(2);
  }, SPAWNING);

  it('shows an example in the help of each command', () => {
    for (const cmd of ['import', 'inspect', 'validate']) {
      const h = tapedeck(cmd, '--help');
      expect(h.status).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`Examples?:\\n\\s+\\$ tapedeck data ${cmd} `));
    }
  }, SPAWNING);
});
