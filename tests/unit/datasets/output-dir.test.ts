import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDatasetDirectory, checkOutputDirectory, inspectDirectory, OUTPUT_MARKER, serializeOutputMarker } from '../../../datasets/output-dir.js';

const made: string[] = [];

async function dir(files: Record<string, string>): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tapedeck-outdir-'));
  made.push(d);
  for (const [name, text] of Object.entries(files)) await writeFile(join(d, name), text);
  return d;
}

describe('output and dataset directories', () => {
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('tells missing, empty, dataset, output and foreign directories apart', async () => {
    const base = await dir({});
    expect((await inspectDirectory(join(base, 'nope'))).kind).toBe('missing');
    expect((await inspectDirectory(base)).kind).toBe('empty');
    expect((await inspectDirectory(await dir({ 'manifest.json': '{}' }))).kind).toBe('dataset');
    const out = await inspectDirectory(await dir({ [OUTPUT_MARKER]: serializeOutputMarker('run', ['report.json']), 'report.json': '{}' }));
    expect(out.kind).toBe('output');
    expect(out.kind === 'output' && out.marker.files).toEqual(['report.json']);
    expect((await inspectDirectory(await dir({ 'NOTES.txt': 'mine' }))).kind).toBe('foreign');
  });

  it('treats a marker that is not Tapedeck\'s (bad JSON, a path in files) as foreign', async () => {
    expect((await inspectDirectory(await dir({ [OUTPUT_MARKER]: 'not json' }))).kind).toBe('foreign');
    const evil = JSON.stringify({ generator: 'tapedeck', kind: 'run', files: ['../x'] });
    expect((await inspectDirectory(await dir({ [OUTPUT_MARKER]: evil }))).kind).toBe('foreign');
  });

  it('refuses outputs into a dataset directory and into a directory of user files, naming them', async () => {
    const ds = await dir({ 'manifest.json': '{}' });
    await expect(checkOutputDirectory(ds, 'run')).rejects.toThrow(/is a dataset directory/);
    const user = await dir({ 'NOTES.txt': 'mine' });
    await expect(checkOutputDirectory(user, 'sweep')).rejects.toThrow(/"NOTES.txt"/);
    await expect(checkOutputDirectory(user, 'sweep')).rejects.toMatchObject({ code: 'usage' });
  });

  it('refuses a dataset into an output directory or a directory of user files', async () => {
    const out = await dir({ [OUTPUT_MARKER]: serializeOutputMarker('sweep', ['sweep.json']), 'sweep.json': '{}' });
    await expect(checkDatasetDirectory(out)).rejects.toThrow(/is a sweep output directory/);
    const user = await dir({ 'NOTES.txt': 'mine' });
    await expect(checkDatasetDirectory(user)).rejects.toThrow(/not a dataset directory/);
    const sub = await dir({});
    await mkdir(join(sub, 'x'));
    expect((await checkDatasetDirectory(join(sub, 'y'))).kind).toBe('missing');
  });
});
