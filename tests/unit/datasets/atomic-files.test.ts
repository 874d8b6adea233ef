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
});
