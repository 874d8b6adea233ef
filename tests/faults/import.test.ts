import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTable, readManifest, validateDataset } from '../../datasets/index.js';
import { snapshotTree } from '../unit/datasets/helpers.js';

/**
 * Faults around `tapedeck data import`: kill -9 at random points, unreadable inputs, a full disk.
 * The import must leave the previous dataset intact and nothing half-written; what a killed import left
 * beside the dataset is recovered by the next import. Tests needing root or tmpfs skip with a reason.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SEED = Number(process.env['TAPEDECK_FAULT_SEED'] ?? 11);
const KILLS = Number(process.env['TAPEDECK_FAULT_KILLS'] ?? 3);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-faults-import-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A valid minute-bar CSV of `rows` rows with noisy prices (poorly compressible, so its Parquet is big). */
function bigCsv(rows: number, seed: number): string {
  let x = seed >>> 0 || 1;
  const rnd = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const out = ['ts,open,high,low,close,volume'];
  const t0 = Date.UTC(2024, 0, 2);
  let p = 100;
  for (let i = 0; i < rows; i++) {
    p = Math.max(1, p + (rnd() - 0.5));
    const o = p + rnd() * 0.1;
    const c = p + rnd() * 0.1;
    const h = Math.max(o, c) + rnd();
    const l = Math.min(o, c) - rnd();
    out.push(`${new Date(t0 + i * 60_000).toISOString()},${o},${h},${l},${c},${Math.floor(rnd() * 1e6)}`);
  }
  return `${out.join('\n')}\n`;
}

function cliArgs(...args: string[]): string[] {
  return ['--import', 'tsx', resolve(ROOT, 'cli/main.ts'), 'data', ...args];
}

function tapedeck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, cliArgs(...args), { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Hidden names beside `dir` (staging or aside directories left behind). */
async function leftovers(parent: string): Promise<string[]> {
  return (await readdir(parent)).filter((n) => n.startsWith('.'));
}

describe('kill -9 of data import', () => {
  it(`D20: kill -9 at random points leaves the previous dataset intact or the new one complete, and the next import removes what it left (${KILLS} kills, seed ${SEED})`, async () => {
    const parent = join(work, 'kill');
    await mkdir(parent);
    const ds = join(parent, 'ds');
    const small = join(work, 'small.csv');
    await writeFile(small, bigCsv(50, 1));
    await importTable({ input: small, kind: 'bars', symbol: 'BASE', out: ds });
    await writeFile(join(ds, 'NOTES.txt'), 'my notes\n');
    const baseHash = (await readManifest(ds)).files.find((f) => f.symbol === 'BASE')!.contentHash;
    const big = join(work, 'big.csv');
    await writeFile(big, bigCsv(150_000, 2));

    // How long a whole import takes here (tsx start-up included), to spread the kills over it.
    const t = Date.now();
    const full = tapedeck('import', '--csv', big, '--symbol', 'FULL', '--out', ds);
    expect(full.stderr).toBe('');
    const duration = Date.now() - t;
    const fullRows = (await readManifest(ds)).rows['bars']!['FULL']!;
    expect(fullRows).toBe(150_000);

    let x = SEED;
    const rnd = (): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < KILLS; k++) {
      const delay = Math.floor(duration * (0.3 + 0.75 * rnd()));
      const child = spawn(process.execPath, cliArgs('import', '--csv', big, '--symbol', 'NEW', '--out', ds, '--replace'), { cwd: ROOT, stdio: 'ignore' });
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      await new Promise((r) => setTimeout(r, delay));
      const killed = child.kill('SIGKILL');
      const code = await exited;
      const seen = await leftovers(parent);
      console.log(`kill ${k + 1}: after ${delay} ms of ~${duration} (${killed && code === null ? 'killed' : `had exited ${code}`}); left beside the dataset: ${seen.join(', ') || 'nothing'}`);

      // The next import to the same place recovers what the killed one left.
      await importTable({ input: small, kind: 'bars', symbol: `AFTER${k}`, out: ds });
      expect(await leftovers(parent)).toEqual([]);
      const v = await validateDataset(ds);
      const files = v.manifest.files;
      expect(files.find((f) => f.symbol === 'BASE')!.contentHash).toBe(baseHash);
      expect(files.find((f) => f.symbol === 'FULL')!.rows).toBe(fullRows);
      const added = files.find((f) => f.symbol === 'NEW');
      if (added !== undefined) expect(added.rows).toBe(150_000); // complete, or absent
      expect(await readFile(join(ds, 'NOTES.txt'), 'utf8')).toBe('my notes\n');
    }

    // An import into a new directory, killed: no dataset there (or a complete one), and none of it left.
    const fresh = join(parent, 'fresh');
    const delay = Math.floor(duration * (0.3 + 0.6 * rnd()));
    const child = spawn(process.execPath, cliArgs('import', '--csv', big, '--symbol', 'NEW', '--out', fresh), { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise((res) => child.on('exit', res));
    await new Promise((r) => setTimeout(r, delay));
    child.kill('SIGKILL');
    await exited;
    console.log(`kill of a new import after ${delay} ms: left ${(await leftovers(parent)).join(', ') || 'nothing'}`);
    const names = (await readdir(parent)).filter((n) => !n.startsWith('.'));
    if (names.includes('fresh')) expect((await validateDataset(fresh)).rows).toBe(150_000);
    await importTable({ input: small, kind: 'bars', symbol: 'AFTER', out: fresh });
    expect(await leftovers(parent)).toEqual([]);
    expect((await readManifest(fresh)).symbols).toContain('AFTER');
  }, 900_000);
});

describe('unreadable input files', () => {
  it('a directory, a missing file and an unreadable file given as --csv: exit 1, one line naming it, nothing written', async () => {
    const parent = join(work, 'unreadable');
    await mkdir(parent);
    const out = join(parent, 'ds');
    const asDir = join(parent, 'folder.csv');
    await mkdir(asDir);
    const d = tapedeck('import', '--csv', asDir, '--symbol', 'X', '--out', out);
    expect(d.status).toBe(1);
    expect(d.stderr).toMatch(/^tapedeck: .*folder\.csv: not a file\n$/);
    const m = tapedeck('import', '--csv', join(parent, 'missing.csv'), '--symbol', 'X', '--out', out);
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/^tapedeck: .*missing\.csv: unreadable input file \(ENOENT\)\n$/);
    expect(await readdir(parent)).toEqual(['folder.csv']);

    const locked = join(parent, 'locked.csv');
    await writeFile(locked, bigCsv(5, 3));
    await chmod(locked, 0o000);
    let readable = true;
    try {
      await readFile(locked);
    } catch {
      readable = false;
    }
    if (readable) {
      console.log('skipped the chmod 000 case: this process can read a mode-000 file (running as root)');
      return;
    }
    const u = tapedeck('import', '--csv', locked, '--symbol', 'X', '--out', out);
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/^tapedeck: .*locked\.csv: unreadable (input|CSV) file \(EACCES\)\n$/);
    expect((await readdir(parent)).sort()).toEqual(['folder.csv', 'locked.csv']);
  }, 300_000);
});

describe('full disk', () => {
  let mnt = '';
  let mounted = false;
  let reason = '';
  beforeAll(async () => {
    mnt = join(work, 'tmpfs');
    await mkdir(mnt);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { encoding: 'utf8' });
    mounted = r.status === 0;
    if (!mounted) reason = `mount -t tmpfs failed (${(r.stderr || r.error?.message || `exit ${r.status}`).trim()})`;
  });
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt]);
  });

  it('a dataset that does not fit: exit 1, one line naming it, the prior dataset intact, nothing half-written', async (ctx) => {
    if (!mounted) {
      console.log(`skipped the full-disk test: ${reason}`);
      ctx.skip();
      return;
    }
    const ds = join(mnt, 'ds');
    const small = join(work, 'disk-small.csv');
    await writeFile(small, bigCsv(50, 4));
    await importTable({ input: small, kind: 'bars', symbol: 'BASE', out: ds });
    await writeFile(join(ds, 'NOTES.txt'), 'my notes\n');
    const before = await snapshotTree(ds);
    const big = join(work, 'disk-big.csv');
    await writeFile(big, bigCsv(120_000, 5));
    const r = tapedeck('import', '--csv', big, '--symbol', 'BIG', '--out', ds);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tapedeck: [^\n]*ds: cannot write the dataset: no space left on the device; nothing was changed\n$/);
    expect(r.stdout).toBe('');
    expect(await snapshotTree(ds)).toEqual(before);
    expect((await readdir(mnt)).sort()).toEqual(['ds']);
    // and a new dataset that does not fit leaves nothing at all
    const fresh = join(mnt, 'fresh');
    const f = tapedeck('import', '--csv', big, '--symbol', 'BIG', '--out', fresh);
    expect(f.status).toBe(1);
    expect(f.stderr).toMatch(/fresh: cannot write the dataset: no space left on the device/);
    expect((await readdir(mnt)).sort()).toEqual(['ds']);
  }, 300_000);
});
