import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceFilesAtomic } from '../../../datasets/atomic.js';

describe('replaceFilesAtomic', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes a file given as pieces (text and bytes, non-Latin-1 text included) as their bytes one after the other', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'files-'));
    dirs.push(dir);
    const staged = join(dir, 'staged.bin');
    await writeFile(staged, 'moved');
    const bytes = Buffer.from('b\u00e9t\u00e9 \u{1f600}', 'utf8');
    for (const out of [join(dir, 'new'), dir]) {
      await replaceFilesAtomic(out, [
        { name: 'page.html', data: ['<p>one', bytes, 'two \u2028 three</p>\n', new Uint8Array(0), ''] },
        { name: 'plain.txt', data: 'text' },
        ...(out === dir ? [] : [{ name: 'table.bin', path: staged }]),
      ]);
      expect(await readFile(join(out, 'page.html'))).toEqual(Buffer.concat([Buffer.from('<p>one'), bytes, Buffer.from('two \u2028 three</p>\n')]));
      expect(await readFile(join(out, 'plain.txt'), 'utf8')).toBe('text');
    }
    expect((await readdir(join(dir, 'new'))).sort()).toEqual(['page.html', 'plain.txt', 'table.bin']);
    expect((await readdir(dir)).sort()).toEqual(['new', 'page.html', 'plain.txt']);
  });

  it('puts every file in place before it returns to the event loop (no step waits for a thread of libuv), into a new and into an existing directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'files-'));
    dirs.push(dir);
    for (const [round, out] of [join(dir, 'new'), join(dir, 'new')].entries()) {
      const staged = join(dir, `staged-${round}.bin`);
      await writeFile(staged, `table ${round}`);
      const placing = replaceFilesAtomic(out, [
        { name: 'report.json', data: `{"round": ${round}}\n` },
        { name: 'page.html', data: ['<p>', `${round}`, '</p>\n'] },
        { name: 'table.bin', path: staged },
      ]);
      // Checked before the promise is awaited: nothing of the write is left to a later turn of the event loop.
      expect(readdirSync(out).sort()).toEqual(['page.html', 'report.json', 'table.bin']);
      expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(`{"round": ${round}}\n`);
      expect(readFileSync(join(out, 'page.html'), 'utf8')).toBe(`<p>${round}</p>\n`);
      expect(readFileSync(join(out, 'table.bin'), 'utf8')).toBe(`table ${round}`);
      await placing;
    }
    expect((await readdir(dir)).sort()).toEqual(['new']);
  });

  it('fails naming the file when one cannot be placed, and leaves the files there and no staging behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'files-'));
    dirs.push(dir);
    await writeFile(join(dir, 'report.json'), 'old');
    await expect(
      replaceFilesAtomic(dir, [
        { name: 'report.json', data: 'new' },
        { name: 'table.bin', path: join(dir, 'missing.bin') },
      ]),
    ).rejects.toThrow(`cannot write ${join(dir, 'table.bin')}: no such file or directory`);
    expect(await readdir(dir)).toEqual(['report.json']);
    expect(await readFile(join(dir, 'report.json'), 'utf8')).toBe('old');
  });
});
