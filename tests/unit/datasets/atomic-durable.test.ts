import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileDurable, WriteError } from '../../../datasets/atomic.js';

describe('writeFileDurable', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  it('creates the directory, replaces an old file whole, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'durable-'));
    dirs.push(dir);
    const path = join(dir, 'sub', 'state.json');
    await writeFileDurable(path, 'one\n');
    await writeFileDurable(path, 'two\n');
    expect(await readFile(path, 'utf8')).toBe('two\n');
    expect(await readdir(join(dir, 'sub'))).toEqual(['state.json']);
  });
  it('fails with a WriteError naming the final path (never the temporary one), leaving nothing behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'durable-'));
    dirs.push(dir);
    await writeFile(join(dir, 'file'), 'x');
    const path = join(dir, 'file', 'state.json');
    const err = await writeFileDurable(path, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteError);
    expect((err as Error).message).toBe(`cannot write ${path}: not a directory`);
    // The target is a directory: the rename fails, and the temporary sibling is removed.
    await writeFile(join(dir, 'ok'), 'x');
    const asDir = join(dir, 'adir');
    await writeFileDurable(join(asDir, 'keep'), 'k');
    const e2 = await writeFileDurable(asDir, 'x').catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(WriteError);
    expect((e2 as Error).message).toMatch(new RegExp(`^cannot write ${asDir}: `));
    expect((await readdir(dir)).sort()).toEqual(['adir', 'file', 'ok']);
  });
});
