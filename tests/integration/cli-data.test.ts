import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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

  it('D1: data import --out never deletes a user file in the directory, refuses an output directory and a folder of other files', async () => {
    const out = join(work, 'd1');
    expect(tapedeck('import', '--csv', FIXTURE, '--symbol', 'SPY', '--out', out).status).toBe(0);
    await writeFile(join(out, 'NOTES.txt'), 'my notes\n');
    await writeFile(join(out, 'sweep.json'), '{"from":"an older run"}\n');
    expect(tapedeck('import', '--csv', FIXTURE, '--symbol', 'QQQ', '--out', out).status).toBe(0);
    const replaced = tapedeck('import', '--csv', FIXTURE, '--symbol', 'SPY', '--out', out, '--replace');
    expect(replaced.stderr).toBe('');
    expect(replaced.status).toBe(0);
    expect(await readFile(join(out, 'NOTES.txt'), 'utf8')).toBe('my notes\n');
    expect(await readFile(join(out, 'sweep.json'), 'utf8')).toBe('{"from":"an older run"}\n');
    expect((await readdir(work)).filter((n) => n.startsWith('.d1'))).toEqual([]);

    const runOut = join(work, 'd1-run');
    await mkdir(runOut);
    await writeFile(join(runOut, '.tapedeck-output.json'), '{"generator":"tapedeck","kind":"run","files":["report.json"]}\n');
    await writeFile(join(runOut, 'report.json'), '{}\n');
    const r = tapedeck('import', '--csv', FIXTURE, '--symbol', 'SPY', '--out', runOut, '--replace');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tapedeck: --out .*d1-run: is a run output directory; write the dataset to another directory\n$/);
    expect((await readdir(runOut)).sort()).toEqual(['.tapedeck-output.json', 'report.json']);

    const mine = join(work, 'd1-mine');
    await mkdir(mine);
    await writeFile(join(mine, 'NOTES.txt'), 'x');
    const f = tapedeck('import', '--csv', FIXTURE, '--symbol', 'SPY', '--out', mine);
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(/^tapedeck: --out .*d1-mine: is not a dataset directory and holds files Tapedeck did not write \("NOTES.txt"\); choose a new or empty directory\n$/);
    expect(await readdir(mine)).toEqual(['NOTES.txt']);
  }, SPAWNING);

  it('D1: data generate --out refuses an output directory and --force keeps a user file in a dataset directory', async () => {
    const gen = (out: string, ...extra: string[]) => tapedeck('generate', '--out', out, '--days', '5', '--kinds', 'bars', '--symbols', 'AAA', '-q', ...extra);
    const runOut = join(work, 'd1-gen-run');
    await mkdir(runOut);
    await writeFile(join(runOut, '.tapedeck-output.json'), '{"generator":"tapedeck","kind":"sweep","files":["sweep.json"]}\n');
    await writeFile(join(runOut, 'sweep.json'), '{}\n');
    const r = gen(runOut, '--force');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tapedeck: --out .*d1-gen-run: is a sweep output directory; write the dataset to another directory\n$/);
    expect((await readdir(runOut)).sort()).toEqual(['.tapedeck-output.json', 'sweep.json']);

    const ds = join(work, 'd1-gen');
    expect(gen(ds).status).toBe(0);
    await writeFile(join(ds, 'NOTES.txt'), 'keep me\n');
    const again = gen(ds, '--force', '--seed', '9');
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(await readFile(join(ds, 'NOTES.txt'), 'utf8')).toBe('keep me\n');
    expect((await readdir(work)).filter((n) => n.startsWith('.d1-gen'))).toEqual([]);
  }, SPAWNING);

  it('D16: a binary file given as CSV is "not a text CSV file" and no raw control byte reaches the terminal', async () => {
    const bin = join(work, 'binary.csv');
    await writeFile(bin, Buffer.concat([Buffer.from('ts,open\x1b[31m,high,low,close\n'), Buffer.alloc(1000), Buffer.from([0xff, 0xfe, 0x07])]));
    const r = tapedeck('import', '--csv', bin, '--symbol', 'X', '--out', join(work, 'd16'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tapedeck: .*binary\.csv: not a text CSV file \(it has NUL bytes in its first KB\)\n$/);
    const ctl = join(work, 'control.csv');
    await writeFile(ctl, `ts,open,high,low,close\n2024-01-02,1\x1b[31m${'\x07'.repeat(500)},1,1,1\n`);
    const c = tapedeck('import', '--csv', ctl, '--symbol', 'X', '--out', join(work, 'd16'));
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/control\.csv, row 1, column 'open': not a number: "1\\x1b\[31m(\\x07)+"\.\.\. \(\d+ more characters\)/);
    expect(c.stderr.split('\n').length).toBe(2);
    // eslint-disable-next-line no-control-regex
    expect(/[\x00-\x09\x0b-\x1f\x7f]/.test(r.stderr + c.stderr)).toBe(false);
    const sym = tapedeck('import', '--csv', ctl, '--symbol', 'A\x1bB', '--out', join(work, 'd16'));
    expect(sym.status).toBe(2);
    expect(sym.stderr).toContain('"A\\x1bB"');
  }, SPAWNING);

  it('D14: data import names --epoch-unit for a numeric time column; a run reading the CSV is told to import it first', async () => {
    const epoch = join(work, 'epoch.csv');
    await writeFile(epoch, 'ts,open,high,low,close\n1704205800,1,1,1,1\n');
    const r = tapedeck('import', '--csv', epoch, '--symbol', 'X', '--out', join(work, 'd14'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/epoch\.csv, row 1, column 'ts': .*numeric epoch time needs its unit: give --epoch-unit s, ms, us or ns/);
  }, SPAWNING);

  it('D3, D6, D14: a run reading a CSV directly refuses a 1e308 price and a date before 1970 naming file, row and column, and says how to give an epoch unit', async () => {
    const scenario = resolve(ROOT, 'scenarios/sma-cross.json');
    const lines = (await readFile(FIXTURE, 'utf8')).trimEnd().split('\n');
    const run = async (name: string, text: string) => {
      const file = join(work, name);
      await writeFile(file, text);
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'run', scenario, '--set', `data.bars=${file}`, '--out', join(work, `${name}-out`)], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr.split('\n').length).toBe(2);
      expect(r.stderr).not.toMatch(/time would go backwards/);
      return r.stderr;
    };
    const huge = [...lines.slice(0, 50)];
    huge[30] = huge[30]!.replace(/,[^,]+,[^,]+,[^,]+,[^,]+,/, ',1e308,1e308,1e308,1e308,');
    expect(await run('huge.csv', huge.join('\n'))).toMatch(/huge\.csv, row 30, column 'Open': open is 1e\+308, outside the supported price range \(0, 1e\+12\]/);
    const old = [lines[0]!, ...lines.slice(1, 50).map((l) => l.replace(/^2019/, '1959'))];
    expect(await run('old.csv', old.join('\n'))).toMatch(/old\.csv, row 1, column '\(unnamed first column\)': "1959-01-02" is a valid date\/time but outside the supported range 1970-01-01T00:00:00Z to 2199-12-31T23:59:59\.999999Z/);
    const epoch = ['ts,open,high,low,close', ...Array.from({ length: 30 }, (_, i) => `${1704205800 + i * 86400},10,11,9,10`)];
    const e = await run('epoch.csv', epoch.join('\n'));
    expect(e).toMatch(/epoch\.csv, row 1, column 'ts': .*import the file with `tapedeck data import --epoch-unit s\|ms\|us\|ns` and use the dataset directory/);
    expect(e).not.toMatch(/--epoch-unit on the command line/);
  }, SPAWNING);
});
