import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTPUT_MARKER } from '../../datasets/output-dir.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * Faults while `tapedeck run` writes its outputs, on a real small tmpfs: a full disk and a read-only
 * file system. Needs root (mount); skipped with a printed reason elsewhere.
 */

const csv = resolve(REPO, 'tests/fixtures/csv/daily-ohlcv.csv');
const smaCross = resolve(REPO, 'scenarios/sma-cross.json');

/** Mounts a 4 MiB tmpfs (a run writes about 1.4 MB, 1.1 MB of it the ECharts library inlined in report.html) or returns why it cannot. */
function mountTmpfs(): { dir: string } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tapedeck-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs (${(err as Error).message.split('\n')[0]}); needs root` };
  }
}

const mounted = mountTmpfs();
const mnt = 'dir' in mounted ? mounted.dir : '';
if ('skip' in mounted) console.log(`tests/faults/disk-full.test.ts skipped: ${mounted.skip}`);

afterAll(() => {
  if (mnt === '') return;
  try {
    execFileSync('umount', [mnt], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', mnt], { stdio: 'pipe' });
  }
  rmSync(mnt, { recursive: true, force: true });
});

const run = (out: string, seed: string) => runCli(['run', smaCross, '--set', `data.bars=${csv}`, '--quiet', '--seed', seed, '--out', out]);

/** Fills the file system at `mnt` (a file beside the output directories) until a write fails with ENOSPC. */
function fillDisk(): string {
  const filler = join(mnt, 'filler.bin');
  const chunk = Buffer.alloc(4096, 1);
  for (;;) {
    try {
      appendFileSync(filler, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
      throw err;
    }
  }
  // Any byte still free (a partial block) goes too.
  for (;;) {
    try {
      appendFileSync(filler, Buffer.alloc(1));
    } catch {
      break;
    }
  }
  return filler;
}

describe.skipIf(mnt === '')('tapedeck run on a full or read-only disk', () => {
  it('D14: a full disk: exit 1, one line naming the file, nothing half-written, the previous outputs and a user file intact', async () => {
    const out = join(mnt, 'run');
    expect(run(out, '1').code).toBe(0);
    await writeFile(join(out, 'NOTES.txt'), 'notes');
    const before = { json: await readFile(join(out, 'report.json'), 'utf8'), html: await readFile(join(out, 'report.html'), 'utf8'), fills: await readFile(join(out, 'fills.parquet')) };
    const files = (await readdir(out)).sort();
    const filler = fillDisk();
    try {
      const r = run(out, '2');
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^tapedeck: cannot write ${out}/(report\\.json|report\\.html|\\.tapedeck-output\\.json|[a-z]+\\.parquet): no space left on device$`));
      expect(await readFile(join(out, 'report.json'), 'utf8')).toBe(before.json);
      expect(await readFile(join(out, 'report.html'), 'utf8')).toBe(before.html);
      expect(await readFile(join(out, 'NOTES.txt'), 'utf8')).toBe('notes');
      expect(await readFile(join(out, 'fills.parquet'))).toEqual(before.fills);
      expect((await readdir(out)).sort()).toEqual(files);
      expect(files).toEqual([OUTPUT_MARKER, 'NOTES.txt', 'audit.parquet', 'equity.parquet', 'fills.parquet', 'orders.parquet', 'report.html', 'report.json', 'signals.parquet', 'trades.parquet']);
      expect((await readdir(mnt)).sort()).toEqual(['filler.bin', 'run']);
    } finally {
      await rm(filler);
    }
  });

  it('D14: a full disk under a new output directory leaves no directory and no staging behind', async () => {
    const filler = fillDisk();
    try {
      const out = join(mnt, 'fresh');
      const r = run(out, '1');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^tapedeck: cannot write ${out}(/[^ ]+)?: no space left on device\\n$`));
      expect(existsSync(out)).toBe(false);
      expect((await readdir(mnt)).filter((n) => n !== 'run').sort()).toEqual(['filler.bin']);
    } finally {
      await rm(filler);
    }
  });

  it('D14: a read-only output directory: exit 1 and one line saying so, the outputs unchanged', async () => {
    const out = join(mnt, 'run');
    const before = await readFile(join(out, 'report.json'), 'utf8');
    execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' });
    try {
      const r = run(out, '3');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^tapedeck: cannot write ${out}(/[^ ]+)?: read-only file system\\n$`));
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt], { stdio: 'pipe' });
    }
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe(before);
  });
});
