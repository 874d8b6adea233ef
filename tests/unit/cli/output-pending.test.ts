import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesWritten, writeOutputs } from '../../../cli/output.js';
import type { PendingFile } from '../../../cli/output.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function scratch(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'td-pending-'));
  dirs.push(d);
  return d;
}

describe('writeOutputs with files still being written', () => {
  it('moves a pending file into place once it is written, with the files rendered meanwhile', async () => {
    const root = await scratch();
    const staged = join(root, 'staged.parquet');
    await writeFile(staged, 'partial');
    let finish!: () => void;
    const written = new Promise<void>((resolve) => (finish = resolve)).then(() => writeFile(staged, 'whole'));
    const file: PendingFile = { name: 'fills.parquet', path: staged, written };
    const out = join(root, 'out');
    let done = false;
    const writing = writeOutputs(out, 'run', [{ name: 'report.json', data: '{}' }, file]).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Nothing is in place while a file is still being written.
    expect(done).toBe(false);
    expect(await readdir(out).catch(() => [])).toEqual([]);
    finish();
    await writing;
    expect(await readFile(join(out, 'fills.parquet'), 'utf8')).toBe('whole');
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe('{}');
  });

  it('fails with the first failed write once every write settled, and writes nothing', async () => {
    const root = await scratch();
    const out = join(root, 'out');
    let settledSlow = false;
    const slow = new Promise<void>((resolve) => setTimeout(resolve, 30)).then(() => {
      settledSlow = true;
    });
    const files: PendingFile[] = [
      { name: 'fills.parquet', path: join(root, 'a'), written: Promise.reject(new Error('disk full writing fills')) },
      { name: 'orders.parquet', path: join(root, 'b'), written: slow },
    ];
    await expect(writeOutputs(out, 'run', [{ name: 'report.json', data: '{}' }, ...files])).rejects.toThrow('disk full writing fills');
    expect(settledSlow).toBe(true);
    expect(await readdir(out).catch(() => [])).toEqual([]);
    await expect(filesWritten([{ name: 'report.json', data: '{}' }])).resolves.toBeUndefined();
  });
});
