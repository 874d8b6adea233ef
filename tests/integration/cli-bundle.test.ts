import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';
import { buildDist } from '../support/dist.js';

/**
 * The `tapedeck` bin (dist/cli/main.js) is a bundle (scripts/build.mjs, issue 14 "start fast"): it must
 * behave as the sources do. The bundle is copied alone (dist/cli/main.js and dist/cli/chunks/, beside a
 * node_modules) so that nothing it runs, the sweep's worker threads included, can fall back on tsc's
 * per-module output in dist/. Each case is compared with the CLI run from sources through tsx. A command runs
 * the bundle's script with its V8 code cache; help, --version and --verbose load the bundle's ES modules.
 */

let dir: string;
let bin: string;
const msft = resolve(REPO, 'tests/fixtures/csv/msft.csv');

beforeAll(async () => {
  // CI builds dist/ in `npm ci` (prepare); this rebuilds only what changed since.
  buildDist();
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-bundle-'));
  const alone = join(dir, 'package');
  await mkdir(join(alone, 'dist', 'cli'), { recursive: true });
  cpSync(join(REPO, 'dist', 'cli', 'main.js'), join(alone, 'dist', 'cli', 'main.js'));
  cpSync(join(REPO, 'dist', 'cli', 'chunks'), join(alone, 'dist', 'cli', 'chunks'), { recursive: true });
  await symlink(join(REPO, 'node_modules'), join(alone, 'node_modules'), 'dir');
  bin = join(alone, 'dist', 'cli', 'main.js');
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the bundled bin (from the copy) in `cwd`. */
function bundled(args: readonly string[], cwd = REPO): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs sma-cross on the MSFT fixture with `node ...nodeArgs` and with the bundled bin as it is (its code cache
 * accepted), and expects both to end well with the same runHash. `out` names the first run's output directory.
 */
function expectCachedRunHash(nodeArgs: readonly string[], out: string): void {
  const args = (to: string): string[] => ['run', 'scenarios/sma-cross.json', '--set', `data.bars=${msft}`, '--set', 'data.symbols=["MSFT"]', '--out', join(dir, to), '--json', '--quiet'];
  const r = spawnSync(process.execPath, [...nodeArgs, ...args(out)], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
  const cached = bundled(args(`${out}-cached`));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(cached.code).toBe(0);
  const hash = (s: string): string => (JSON.parse(s) as { runHash: string }).runHash;
  expect(hash(r.stdout)).toMatch(/^[0-9a-f]{64}$/);
  expect(hash(r.stdout)).toBe(hash(cached.stdout));
}

describe('the bundled bin', () => {
  it('is a bundle: dist/cli/main.js loads its chunks or its cached script, not the per-module output of tsc', () => {
    const main = readFileSync(join(REPO, 'dist', 'cli', 'main.js'), 'utf8');
    expect(main.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(main).toMatch(/import\(['"]\.\/chunks\/cli\.js['"]\)/);
    expect(main).toMatch(/\.\/chunks\/cli-script-[0-9A-F]{12}\.js/);
    expect(main).not.toMatch(/["']\.\/program\.js["']/);
    // The script is one strict function, as the ES module chunks are strict.
    const script = /\.\/chunks\/(cli-script-[0-9A-F]{12}\.js)/.exec(main)![1]!;
    expect(readFileSync(join(REPO, 'dist', 'cli', 'chunks', script), 'utf8')).toMatch(/^\(function \(exports, require, module, __filename, __dirname, __tapedeckImport\) \{'use strict';/);
  });

  it("holds zod's messages in English alone, not its other locales nor z.fromJSONSchema (scripts/build.mjs)", () => {
    const name = /\.\/chunks\/(cli-script-[0-9A-F]{12}\.js)/.exec(readFileSync(bin, 'utf8'))![1]!;
    const script = readFileSync(join(dirname(bin), 'chunks', name), 'utf8');
    expect(script).toContain('Invalid input: expected ');
    // zod's Indonesian message for the same issue.
    expect(script).not.toContain('Input tidak valid');
    // One of z.fromJSONSchema's messages; z.toJSONSchema stays (the CLI writes JSON Schemas).
    expect(script).not.toContain('unevaluatedItems is not supported');
    expect(script).toContain('draft-2020-12');
  });

  /** The V8 flags the bin sets before it compiles the script (scripts/build.mjs BIN_V8_FLAGS). */
  function binV8Flags(): string {
    return JSON.parse(/\bsetFlagsFromString\(("[^"]*")\)/.exec(readFileSync(bin, 'utf8'))![1]!) as string;
  }

  /**
   * Whether V8 rejects the script's code cache in a child process started with `flags`, compiled as the bin compiles
   * it: after setting `binFlags` (the bin's own unless given).
   */
  function cacheRejected(flags: readonly string[], binFlags = binV8Flags()): string {
    const name = /\.\/chunks\/(cli-script-[0-9A-F]{12}\.js)/.exec(readFileSync(bin, 'utf8'))![1]!;
    const file = join(dirname(bin), 'chunks', name);
    const check = `const fs = require('node:fs'); const vm = require('node:vm'); const file = ${JSON.stringify(file)};
require('node:v8').setFlagsFromString(${JSON.stringify(binFlags)});
const script = new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file, cachedData: fs.readFileSync(file + '.v8cache')});
process.stdout.write(String(script.cachedDataRejected));`;
    const r = spawnSync(process.execPath, [...flags, '-e', check], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    return r.stdout + r.stderr;
  }

  it("writes a V8 code cache of the script that this Node accepts under the bin's V8 flags, and only under them", () => {
    // The tier-up budget and the young generation's growth (scripts/build.mjs BIN_V8_FLAGS): both are in the V8 flag
    // hash a code cache is checked against, so the warm-up that wrote the cache set them too (the lines below).
    expect(binV8Flags()).toMatch(/^--interrupt-budget=\d+ --semi-space-growth-factor=3$/);
    expect(cacheRejected([])).toBe('false');
    expect(cacheRejected([], '')).toBe('true');
  });

  it('compiles the script of a command from its code cache: the bin sets its V8 flags first, as the warm-up that made the cache did', async () => {
    // Loaded before the bin (a Node option, not a V8 flag): reports what V8 did with the cache the bin passed it.
    const hook = join(dir, 'cache-hook.cjs');
    await writeFile(
      hook,
      `const vm = require('node:vm');
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(source, options) {
    super(source, options);
    if (options?.cachedData !== undefined) process.stderr.write('cachedDataRejected=' + this.cachedDataRejected + '\\n');
  }
};
`,
    );
    const args = ['run', 'scenarios/sma-cross.json', '--set', `data.bars=${msft}`, '--set', 'data.symbols=["MSFT"]', '--out', join(dir, 'run-hooked'), '--json', '--quiet'];
    const r = spawnSync(process.execPath, ['--require', hook, bin, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('cachedDataRejected=false\n');
  });

  it('runs a scenario without loading node:child_process (commander and detect-libc required it when they loaded; scripts/build.mjs)', async () => {
    // Loaded before the bin (a Node option): reports what the run loaded, at its exit.
    const hook = join(dir, 'builtins-hook.cjs');
    await writeFile(
      hook,
      `process.on('exit', () => {
  const childProcess = process.moduleLoadList.includes('NativeModule child_process');
  const detectLibc = Object.keys(require.cache).some((f) => /[\\\\/]detect-libc[\\\\/]lib[\\\\/]detect-libc\\.js$/.test(f));
  process.stderr.write(JSON.stringify({ childProcess, detectLibc }) + '\\n');
});
`,
    );
    const args = ['run', 'scenarios/sma-cross.json', '--set', `data.bars=${msft}`, '--set', 'data.symbols=["MSFT"]', '--out', join(dir, 'run-builtins'), '--json', '--quiet'];
    const r = spawnSync(process.execPath, ['--require', hook, bin, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { runHash: string }).runHash).toMatch(/^[0-9a-f]{64}$/);
    // On glibc Linux the bundle requires DuckDB's binding package itself; elsewhere @duckdb/node-bindings asks detect-libc, as before.
    const glibc = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64') && (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime !== undefined;
    expect(JSON.parse(r.stderr) as unknown).toEqual({ childProcess: !glibc, detectLibc: !glibc });
  });

  it('runs to the same runHash when V8 rejects the code cache (other V8 flags): the script is compiled from its source', () => {
    expect(cacheRejected(['--no-opt'])).toBe('true');
    expectCachedRunHash(['--no-opt', bin], 'run-rejected');
  });

  it('runs to the same runHash without its code cache file: the script is compiled from its source', async () => {
    const copy = join(dir, 'no-cache');
    cpSync(join(dir, 'package', 'dist'), join(copy, 'dist'), { recursive: true });
    await symlink(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const name = /\.\/chunks\/(cli-script-[0-9A-F]{12}\.js)/.exec(readFileSync(bin, 'utf8'))![1]!;
    await rm(join(copy, 'dist', 'cli', 'chunks', `${name}.v8cache`));
    expectCachedRunHash([join(copy, 'dist', 'cli', 'main.js')], 'run-no-cache');
  });

  it('prints the same help and usage errors as the sources', () => {
    const help = bundled(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(runCli(['--help']).stdout);
    const usage = bundled(['run']);
    const fromSources = runCli(['run']);
    expect(usage.code).toBe(2);
    expect(usage.code).toBe(fromSources.code);
    expect(usage.stderr).toBe(fromSources.stderr);
  });

  it('runs a scenario to the same runHash as the sources', () => {
    const args = (out: string): string[] => ['run', 'scenarios/sma-cross.json', '--set', `data.bars=${msft}`, '--set', 'data.symbols=["MSFT"]', '--out', join(dir, out), '--json', '--quiet'];
    const a = bundled(args('run-bundle'));
    const b = runCli(args('run-sources'));
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const hash = (s: string): string => (JSON.parse(s) as { runHash: string }).runHash;
    expect(hash(a.stdout)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(a.stdout)).toBe(hash(b.stdout));
  });

  it('sweeps on 2 worker threads (the pool loads the bundle\'s worker entry) to the same combinedHash as the sources', () => {
    const args = (out: string): string[] => ['sweep', 'scenarios/sma-cross.json', '--space', 'scenarios/sma-cross.space.json', '--set', `data.bars=${msft}`, '--set', 'data.symbols=["MSFT"]', '--workers', '2', '--out', join(dir, out), '--fresh', '--quiet', '--json'];
    const a = bundled(args('sweep-bundle'));
    const b = runCli(args('sweep-sources'));
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const sweep = (s: string): { combinedHash: string; trialCount: number; failedCount: number } => JSON.parse(s) as never;
    expect(sweep(a.stdout).trialCount).toBe(19);
    expect(sweep(a.stdout).failedCount).toBe(0);
    expect(sweep(a.stdout).combinedHash).toBe(sweep(b.stdout).combinedHash);
  }, 180_000);

  it('names the scenario path of a bad parameter of a user strategy, whose errors come from the library (dist/index.js), and maps --verbose stack traces to the .ts sources', async () => {
    const project = join(dir, 'project');
    await mkdir(join(project, 'node_modules'), { recursive: true });
    await symlink(REPO, join(project, 'node_modules', 'tapedeck'), 'dir');
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'p', private: true, type: 'module' }));
    await writeFile(
      join(project, 'strategy.ts'),
      `import { defineStrategy, z } from 'tapedeck';
export default defineStrategy({
  name: 'flat', description: 'Never trades.', defaults: { period: 5 },
  params: z.object({ period: z.number().int().min(2) }),
  create: () => ({ onBar() {} }),
});
`,
    );
    await writeFile(join(project, 'scenario.json'), JSON.stringify({ name: 'p', data: { bars: msft, symbols: ['MSFT'] }, strategies: [{ type: './strategy.ts', params: { period: 1 } }] }));
    const args = ['run', join(project, 'scenario.json'), '--out', join(project, 'out'), '--quiet'];
    const a = bundled(args);
    const b = runCli(args);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^tapedeck: strategies\[0\]\.params\.period: Too small: expected number to be >=2, was 1 \(in \S+scenario\.json, strategy module /);
    expect(a.stderr).toBe(b.stderr);
    const verbose = bundled([...args, '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at \S+ \(\/\S+\/cli\/compose\/load-scenario\.ts:\d+:\d+\)/);
  }, 120_000);
});
