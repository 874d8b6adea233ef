import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Runs `tapedeck data generate` from the sources, as the README does, and checks its outputs. */
const ROOT = resolve(import.meta.dirname, '../..');
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-cli-gen-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function tapedeck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'data', 'generate', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const manifestHash = async (dir: string): Promise<string> =>
  (JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { contentHash: string }).contentHash;

describe('tapedeck data generate', () => {
  it('gives the same contentHash for --seed 7 twice and another for --seed 8 (default demo dataset)', async () => {
    const a = tapedeck('--seed', '7', '--out', join(work, 'A'));
    expect(a.stderr).not.toMatch(/tapedeck:/);
    expect(a.status).toBe(0);
    const b = tapedeck('--seed', '7', '--out', join(work, 'B'));
    expect(b.status).toBe(0);
    const c = tapedeck('--seed', '8', '--out', join(work, 'C'));
    expect(c.status).toBe(0);
    const [ha, hb, hc] = await Promise.all([manifestHash(join(work, 'A')), manifestHash(join(work, 'B')), manifestHash(join(work, 'C'))]);
    expect(ha).toMatch(/^[0-9a-f]{64}$/);
    expect(hb).toBe(ha);
    expect(hc).not.toBe(ha);
    expect(a.stdout).toContain(`contentHash ${ha}`);
    expect((await readdir(join(work, 'A'))).sort()).toEqual(['bars', 'book', 'manifest.json', 'options', 'quotes', 'trades']);
    // The manifest itself is byte-identical (no wall-clock time in it).
    expect(await readFile(join(work, 'B', 'manifest.json'), 'utf8')).toBe(await readFile(join(work, 'A', 'manifest.json'), 'utf8'));
  }, 300_000);

  it('refuses to overwrite a non-empty --out without --force and replaces it with --force', async () => {
    const out = join(work, 'D');
    const args = ['--seed', '1', '--symbols', 'X,Y', '--days', '5', '--kinds', 'bars,trades', '--out', out];
    expect(tapedeck(...args).status).toBe(0);
    const before = await manifestHash(out);
    const refused = tapedeck(...args.map((a) => (a === '1' ? '2' : a)));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--out: directory');
    expect(refused.stderr).toContain('pass --force to replace it');
    expect(await manifestHash(out)).toBe(before);
    const forced = tapedeck(...args.map((a) => (a === '1' ? '2' : a)), '--force');
    expect(forced.status).toBe(0);
    expect(await manifestHash(out)).not.toBe(before);
  }, 120_000);

  it.each([
    [['--interval', '5x'], '--interval: expected 1m, 1h or 1d, was 5x'],
    [['--seed', 'abc'], '--seed: expected an integer from 0 to 9007199254740991, was abc'],
    [['--days', '0'], '--days: expected an integer from 1 to 20000, was 0'],
    [['--kinds', 'bars,ticks'], '--kinds: expected a comma-separated subset of bars,trades,quotes,book,options,sentiment, was bars,ticks'],
    [['--symbols', 'AAA,,B'], '--symbols: expected comma-separated symbols'],
    [['--start', '2023-13-01'], '--start: expected an ISO date such as 2023-01-02, was 2023-13-01'],
    [['--underlying', 'ZZZ'], '--underlying: expected one of --symbols (AAA,BBB,CCC,DDD), was ZZZ'],
  ])('rejects %j with exit code 2, a one-line message and no output directory', async (flags, message) => {
    const out = join(work, `bad-${flags[0]!.slice(2)}`);
    const r = tapedeck(...flags, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await readdir(work)).filter((n) => n.includes('bad-') || n.startsWith('.bad-'))).toEqual([]);
  }, 60_000);

  it('documents its defaults and an example in --help', () => {
    const r = tapedeck('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--interval <i>');
    expect(r.stdout).toContain('Example:');
    expect(r.stdout).toContain('tapedeck data generate --seed 7 --out data/demo');
  });

  it('reports an output path that is a file as a usage error', async () => {
    const file = join(work, 'plain-file');
    await writeFile(file, 'x');
    const r = tapedeck('--out', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--out: not a directory');
  });
});
