import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEchartsLibrary, readEchartsLibrarySync } from '../../../../reports/html/chart.js';
import { REPO } from '../../../support/cli.js';
import { buildDist } from '../../../support/dist.js';

/**
 * The ECharts file a run's page inlines: the bin reads it at the path its build fixed (scripts/build.mjs,
 * __TAPEDECK_ECHARTS_FILE__) instead of resolving the package each run, and resolves the package when nothing is there.
 */

const resolved = (): Buffer => readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tapedeck-echarts-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('reading the ECharts library', () => {
  it('reads the build\'s path when the file is there, not the package', async () => {
    const file = join(dir, 'echarts.min.js');
    writeFileSync(file, 'not the package');
    expect(readEchartsLibrarySync(file).toString()).toBe('not the package');
    expect((await readEchartsLibrary(file)).toString()).toBe('not the package');
  });

  it('resolves the package when the build\'s path holds nothing, or without one (tsc, tsx)', async () => {
    const missing = join(dir, 'nothing-here', 'echarts.min.js');
    const library = resolved();
    expect(readEchartsLibrarySync(missing).equals(library)).toBe(true);
    expect((await readEchartsLibrary(missing)).equals(library)).toBe(true);
    expect(readEchartsLibrarySync(undefined).equals(library)).toBe(true);
    expect((await readEchartsLibrary(undefined)).equals(library)).toBe(true);
  });
});

describe('the bin\'s build', () => {
  beforeAll(() => {
    buildDist();
  }, 600_000);

  it('fixes the path of the file Node resolves from the bin\'s chunks, in the CommonJS script and the ES module chunks', () => {
    const chunks = join(REPO, 'dist', 'cli', 'chunks');
    const fromChunks = realpathSync(createRequire(join(chunks, 'x.js')).resolve('echarts/dist/echarts.min.js'));
    const main = readFileSync(join(REPO, 'dist', 'cli', 'main.js'), 'utf8');
    const script = /chunks\/(cli-script-[0-9A-F]+\.js)/.exec(main)?.[1];
    expect(script).toBeDefined();
    const files = [script!, ...readdirSync(chunks).filter((f) => f.endsWith('.js') && !f.startsWith('cli-script-'))];
    const paths = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(join(chunks, f), 'utf8').matchAll(/new URL\("([^"]*echarts\.min\.js)"/g)) paths.add(m[1]!);
    }
    expect([...paths]).toEqual(['../../../node_modules/echarts/dist/echarts.min.js']);
    expect(realpathSync(resolve(chunks, [...paths][0]!))).toBe(fromChunks);
    expect(readFileSync(script === undefined ? '' : join(chunks, script), 'utf8')).not.toMatch(/__TAPEDECK_ECHARTS_FILE__/);
  });
});
