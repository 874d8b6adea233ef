import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../../cli/output.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function scratch(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'td-write-'));
  dirs.push(d);
  return d;
}

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
