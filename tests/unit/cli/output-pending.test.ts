import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesWritten, removeStaleOutputs, writeOutputs } from '../../../cli/output.js';
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

/** The bytes fs.writeFile writes for the same data: each string piece encoded whole, bytes as they are. */
function bytesOf(data: string | readonly (string | Uint8Array)[]): Buffer {
  return Buffer.concat((typeof data === 'string' ? [data] : data).map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

describe('writeOutputs of rendered files (text encoded through one buffer)', () => {
  // Text longer than the buffer's window (256 KiB / 3 characters), with multi-byte characters throughout and a
  // surrogate pair (U+1F600) across each window boundary, so a window cut between its halves would write U+FFFD twice.
  const window = Math.floor((256 * 1024) / 3);
  const text = (length: number): string => {
    const chars = Array.from({ length }, (_, i) => (i % 7 === 0 ? 'é' : i % 11 === 0 ? '€' : String.fromCharCode(97 + (i % 26))));
    for (let at = window - 1; at + 1 < length; at += window) chars.splice(at, 2, '\ud83d', '\ude00');
    return chars.join('');
  };

  it('writes the bytes of each piece as fs.writeFile would, into a new and into an existing directory, leaving no staging behind', async () => {
    const root = await scratch();
    const out = join(root, 'a', 'out');
    const page = ['<p>', text(3 * window + 17), new Uint8Array([0xe2, 0x82, 0xac]), 'x'.repeat(300_000), '</p>\n'];
    const json = `${text(window + 5)}\n`;
    for (let round = 0; round < 2; round++) {
      await writeOutputs(out, 'run', [
        { name: 'report.json', data: json },
        { name: 'report.html', data: page },
      ]);
      expect((await readFile(join(out, 'report.json'))).equals(bytesOf(json))).toBe(true);
      expect((await readFile(join(out, 'report.html'))).equals(bytesOf(page))).toBe(true);
      expect((await readdir(out)).sort()).toEqual(['.tapedeck-output.json', 'report.html', 'report.json']);
      expect(await readdir(join(root, 'a'))).toEqual(['out']);
    }
  });
});

describe('removeStaleOutputs after writeOutputs', () => {
  it('takes the check writeOutputs made (its return value): with nothing of the kind left unreplaced, the directory is not read again', async () => {
    const root = await scratch();
    const out = join(root, 'out');
    const files = [{ name: 'report.json', data: '{}' }];
    const before = await writeOutputs(out, 'run', files);
    expect(before.entries).toEqual([]);
    // A marker that cannot be read makes a directory foreign: reading it again would refuse it.
    await writeFile(join(out, '.tapedeck-output.json'), 'not json');
    await writeFile(join(out, 'notes.txt'), 'mine');
    await removeStaleOutputs(out, 'run', ['report.json'], undefined, before);
    await expect(removeStaleOutputs(out, 'run', ['report.json'])).rejects.toThrow('holds files Tapedeck did not write');
  });

  it('removes what the earlier write left of its own kind (a CSV of an earlier run) when the check found it', async () => {
    const root = await scratch();
    const out = join(root, 'out');
    await writeOutputs(out, 'run', [{ name: 'report.json', data: '{}' }, { name: 'fills.csv', data: 'a\n' }]);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const before = await writeOutputs(out, 'run', [{ name: 'report.json', data: '{"again": true}' }]);
    expect(before.entries).toContain('fills.csv');
    await removeStaleOutputs(out, 'run', ['report.json'], undefined, before);
    expect((await readdir(out)).sort()).toEqual(['.tapedeck-output.json', 'notes.txt', 'report.json']);
    expect(JSON.parse(await readFile(join(out, '.tapedeck-output.json'), 'utf8')).files).toEqual(['report.json']);
  });
});
