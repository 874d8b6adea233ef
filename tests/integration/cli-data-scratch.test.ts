import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../engine/core/index.js';
import { openDataPath } from '../../cli/compose/data-sources.js';

/**
 * A CSV file of bars that a run does not read directly (data.timeframes, a sweep's shared import, `train`)
 * goes through a temporary dataset (import.ts copyCsvDirect): a bad row far down stops the run with the
 * file, row and column of a direct read, and leaves no temporary directory behind; a good file gives the
 * manifest figures of a direct read. (A direct read of a file over the direct bound is streamed instead:
 * tests/unit/cli/compose/data-sources-stream.test.ts.)
 */
let work: string;
let tmp: string;
const saved = process.env['TMPDIR'];
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-scratch-run-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
afterEach(() => {
  if (saved === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = saved;
});

/** `n` plain 30-minute bars; `edit(i, line)` may change line i (0-based data row). */
async function barsFile(name: string, n: number, edit: (i: number, line: string) => string = (_, l) => l): Promise<string> {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < n; i++) {
    const ts = new Date(Date.UTC(2000, 0, 3) + i * 1_800_000).toISOString().replace('T', ' ').slice(0, 19);
    const p = (100 + (i % 50) / 10).toFixed(2);
    lines.push(edit(i, `${ts},${p},${(Number(p) + 1).toFixed(2)},${(Number(p) - 1).toFixed(2)},${p},${1000 + i}`));
  }
  const f = join(work, name);
  await writeFile(f, `${lines.join('\n')}\n`);
  return f;
}

/** Runs `body` with os.tmpdir() (where the temporary dataset goes) a fresh, empty directory; returns it. */
async function inFreshTmp<T>(body: () => Promise<T>): Promise<{ result: T | unknown; tmp: string }> {
  tmp = await mkdtemp(join(work, 'tmp-'));
  process.env['TMPDIR'] = tmp;
  const result = await body().catch((e: unknown) => e);
  return { result, tmp };
}

describe('a run reading a CSV file through a temporary dataset', () => {
  it('stops at a bad row far down with file, row and column, and writes nothing', async () => {
    const input = await barsFile('bad.csv', 80_000, (i, l) => (i === 75_000 ? l.replace(/,([^,]+)$/, ',-3') : l));
    const direct = await openDataPath(input, 'bars', 'bars', ['AAA'], true).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(DataError);
    const { result } = await inFreshTmp(() => openDataPath(input, 'bars', 'bars', ['AAA'], false));
    expect(result).toBeInstanceOf(DataError);
    const err = result as DataError;
    expect(err.message).toContain(input);
    expect(err.message).toMatch(/row 75001\b/);
    expect(err.message).toMatch(/Volume/);
    expect(err.message).toBe((direct as DataError).message);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('gives the manifest figures of a direct read, from a temporary dataset removed by cleanup', async () => {
    const input = await barsFile('good.csv', 80_000);
    const direct = await openDataPath(input, 'bars', 'bars', ['AAA'], true);
    expect(direct.memory).toBeDefined();
    const { result } = await inFreshTmp(() => openDataPath(input, 'bars', 'bars', ['AAA'], false));
    const opened = result as Awaited<ReturnType<typeof openDataPath>>;
    expect(opened.memory).toBeUndefined();
    expect(opened.dir.startsWith(tmp)).toBe(true);
    expect(opened.manifest.contentHash).toBe(direct.manifest.contentHash);
    expect(opened.manifest.files.map(({ source: _s, ...f }) => f)).toEqual(direct.manifest.files.map(({ source: _s, ...f }) => f));
    await opened.cleanup();
    expect(await readdir(tmp)).toEqual([]);
  });
});
