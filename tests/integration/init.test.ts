import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTapedeckSpec, newProject, tapedeckSpec, writeProject } from '../../cli/actions/init.js';
import { SAMPLE_FILE } from '../../cli/init-template.js';
import { REPO, runCli } from '../support/cli.js';
import { buildDist } from '../support/dist.js';

/**
 * `tapedeck init DIR` (issue 12, point 7): the project it writes, its refusal of a non-empty DIR, and
 * the project itself, outside the repository: `npm install --offline` links node_modules/tapedeck to
 * this checkout, `npx tapedeck run scenario.json` runs the strategy module, and the project's own
 * test (node --test, calling backtest()) passes.
 */

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function run(cmd: string, args: readonly string[], cwd: string, timeout = 240_000): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', npm_config_offline: 'true' }, timeout });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

describe('tapedeck init: the project it writes', () => {
  it('writes package.json, the strategy module, the scenario naming it, its own bars, a space, a test and a README', async () => {
    const dir = join(tempDir('tapedeck-init-'), 'my-strategies');
    await writeProject(dir, newProject(dir, 'file:/opt/tapedeck'));
    const names = (d: string): string[] => readdirSync(d, { recursive: true, encoding: 'utf8' }).sort();
    expect(names(dir)).toEqual(['.gitignore', 'README.md', 'data', 'data/AAA.csv', 'package.json', 'scenario.json', 'space.json', 'strategies', 'strategies/breakout.ts', 'test', 'test/breakout.test.mjs']);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, any>;
    expect(pkg.name).toBe('my-strategies');
    expect(pkg.dependencies).toEqual({ tapedeck: 'file:/opt/tapedeck' });
    expect(pkg.scripts.test).toBe('node --test test/');
    const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Record<string, any>;
    expect(scenario.$schema).toBe('./node_modules/tapedeck/scenarios/scenario.schema.json');
    expect(scenario.strategies[0].type).toBe('./strategies/breakout.ts');
    expect(scenario.data.bars).toBe(SAMPLE_FILE);
    // The strategy uses nothing but the public API.
    const strategy = readFileSync(join(dir, 'strategies/breakout.ts'), 'utf8');
    expect([...strategy.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['tapedeck']);
    expect(strategy).toContain('export default defineStrategy(');
    // 504 seeded daily bars, the same in every project.
    const csv = readFileSync(join(dir, SAMPLE_FILE), 'utf8');
    expect(csv.split('\n')[0]).toBe('date,open,high,low,close,volume');
    expect(csv.trimEnd().split('\n')).toHaveLength(505);
    expect(newProject(dir, 'x').find((f) => f.path === SAMPLE_FILE)!.text).toBe(csv);
    // Nothing left beside it (the staging directory was renamed into place).
    expect(readdirSync(resolve(dir, '..'))).toEqual(['my-strategies']);
  });

  it('depends on this checkout by absolute path by default; --tapedeck paths and tarballs are made absolute, versions kept', () => {
    expect(defaultTapedeckSpec()).toBe(`file:${REPO}`);
    expect(tapedeckSpec('../tapedeck-0.1.0.tgz')).toBe(`file:${resolve('../tapedeck-0.1.0.tgz')}`);
    expect(tapedeckSpec('/opt/tapedeck')).toBe('file:/opt/tapedeck');
    expect(tapedeckSpec('^0.1.0')).toBe('^0.1.0');
    expect(tapedeckSpec('file:../x')).toBe('file:../x');
    expect(() => tapedeckSpec(' ')).toThrow('--tapedeck: expected a version, a path or a tarball');
  });

  it('an empty existing directory is used', async () => {
    const dir = join(tempDir('tapedeck-init-'), 'empty');
    mkdirSync(dir);
    await writeProject(dir, newProject(dir, 'file:/opt/tapedeck'));
    expect(existsSync(join(dir, 'strategies/breakout.ts'))).toBe(true);
  });

  it('a write failing half-way leaves no directory and no staging directory behind', async () => {
    const parent = tempDir('tapedeck-init-');
    const dir = join(parent, 'half');
    const files = [
      { path: 'a.txt', text: 'a' },
      { path: 'a.txt', text: 'again' },
    ];
    await expect(writeProject(dir, files)).rejects.toThrow(`cannot write ${dir}: already exists`);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a directory filled while the project is staged is not replaced: refused, its file kept', async () => {
    const parent = tempDir('tapedeck-init-');
    const dir = join(parent, 'raced');
    mkdirSync(dir);
    const files = [
      {
        path: 'a.txt',
        // Reading the text happens after the emptiness check and before the rename.
        get text(): string {
          writeFileSync(join(dir, 'intruder.txt'), 'mine');
          return 'a';
        },
      },
    ];
    await expect(writeProject(dir, files)).rejects.toThrow(`init ${dir}: is not empty (written to while the project was being made); nothing was written`);
    expect(readdirSync(dir)).toEqual(['intruder.txt']);
    expect(readdirSync(parent)).toEqual(['raced']);
  });

  it('refuses a non-empty directory in one line, exit 2, writing nothing and leaving its file alone', () => {
    const parent = tempDir('tapedeck-init-');
    const dir = join(parent, 'mine');
    mkdirSync(dir);
    writeFileSync(join(dir, 'NOTES.txt'), 'my notes\n');
    const r = runCli(['init', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tapedeck: init ${dir}: is not empty ("NOTES.txt"); choose a new or empty directory\n`);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['NOTES.txt']);
    expect(readFileSync(join(dir, 'NOTES.txt'), 'utf8')).toBe('my notes\n');
    expect(readdirSync(parent)).toEqual(['mine']);
  });
});

describe('a project made by tapedeck init, installed offline outside the repository', () => {
  let project = '';

  beforeAll(() => {
    // npx tapedeck and import 'tapedeck' use the package's dist/: build it from the sources under test.
    buildDist();
    project = join(tempDir('tapedeck-init-project-'), 'breakout-project');
    const init = runCli(['init', project]);
    if (init.code !== 0) throw new Error(`tapedeck init failed: ${init.stderr}`);
    expect(init.stdout).toContain('npx tapedeck run scenario.json');
    const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund'], project);
    if (install.code !== 0) throw new Error(`npm install --offline failed: ${install.stderr}`);
  }, 300_000);

  it('npm install --offline links node_modules/tapedeck to this checkout', () => {
    expect(realpathSync(join(project, 'node_modules/tapedeck'))).toBe(realpathSync(REPO));
  });

  it('npx tapedeck run scenario.json runs the strategy module and prints a runHash', () => {
    const r = run('npx', ['tapedeck', 'run', 'scenario.json'], project);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/runHash\s+[0-9a-f]{64}/);
    expect(r.stdout).toMatch(/^ {2}Trades +[1-9]/m);
    expect(existsSync(join(project, 'out/breakout/report.json'))).toBe(true);
  }, 120_000);

  it('strategies/breakout.ts type-checks (strict) against the types tapedeck exports; a wrong argument type does not', () => {
    const tsc = (file: string) =>
      run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', file], project);
    const ok = tsc('strategies/breakout.ts');
    expect(ok.stdout).toBe('');
    expect(ok.code).toBe(0);
    // Not vacuous: `tapedeck` resolves to real declarations, so a wrong type is caught.
    const source = readFileSync(join(project, 'strategies/breakout.ts'), 'utf8');
    writeFileSync(join(project, 'strategies/typo.ts'), source.replace('ctx.setTarget(bars.symbol, 0)', "ctx.setTarget(bars.symbol, '0')"));
    const bad = tsc('strategies/typo.ts');
    rmSync(join(project, 'strategies/typo.ts'));
    expect(bad.stdout).toMatch(/typo\.ts\(\d+,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);
  }, 120_000);

  it("the project's own test passes (npm test: node --test calling backtest())", () => {
    const r = run('npm', ['test'], project);
    expect(r.stdout).toMatch(/# pass 2/);
    expect(r.stdout).toMatch(/# fail 0/);
    expect(r.code).toBe(0);
  }, 120_000);
});
