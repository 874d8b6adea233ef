import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProject, writeProject } from '../../cli/actions/init.js';
import { SCENARIO_SOURCE, STRATEGY_SOURCE } from '../../cli/init-template.js';
import { REPO } from '../support/cli.js';
import { buildDist } from '../support/dist.js';

/**
 * The README's "Write your own strategy" and "Use it as a library" sections are executed: their code
 * blocks, found by the fence's `file=PATH` attribute (```ts file=strategies/breakout.ts), are written
 * into a project made as `tapedeck init` makes it, installed offline, and run: the strategy through
 * `npx tapedeck run scenario.json`, the library script with `node research.mjs`.
 */

/** The README blocks this test runs, by the path their fence names. */
const BLOCKS = {
  'strategies/breakout.ts': 'Write your own strategy',
  'scenario.json': 'Write your own strategy',
  'research.mjs': 'Use it as a library',
} as const;

/** Returns every fenced block of `markdown` whose info string has `file=PATH`, by PATH. */
function fileBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const fence = /^```[^\n`]*\bfile=(\S+)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (const m of markdown.matchAll(fence)) blocks.set(m[1]!, m[2]!);
  return blocks;
}

function run(cmd: string, args: readonly string[], cwd: string, timeout = 240_000): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', npm_config_offline: 'true' }, timeout });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

describe('fileBlocks (how this test finds the README examples)', () => {
  it('takes the blocks whose fence names a file, and only those', () => {
    const md = ['```sh', 'npm test', '```', '', '```ts file=a/b.ts', 'const x = 1;', '```', '```json file=c.json extra', '{}', '```', ''].join('\n');
    expect([...fileBlocks(md)]).toEqual([
      ['a/b.ts', 'const x = 1;\n'],
      ['c.json', '{}\n'],
    ]);
  });
});

describe('the README examples run', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const blocks = fileBlocks(readme);
  let project = '';
  let parent = '';
  let cliRunHash = '';

  /** Fails, saying what to do, while README.md lacks a tagged example (before the sections are pasted). */
  const requireBlocks = (): void => {
    const missing = Object.entries(BLOCKS).filter(([file]) => !blocks.has(file));
    if (missing.length > 0) {
      expect.fail(
        `README.md lacks the tagged example ${missing.map(([file, section]) => `\`\`\`… file=${file} (section "${section}")`).join(', ')}: ` +
          'paste the sections of issue 12 ("Write your own strategy", "Use it as a library") into README.md',
      );
    }
  };

  beforeAll(async () => {
    if (Object.keys(BLOCKS).some((f) => !blocks.has(f))) return;
    // npx tapedeck and import 'tapedeck' use the package's dist/: build it from the sources under test.
    buildDist();
    parent = mkdtempSync(join(tmpdir(), 'tapedeck-readme-'));
    project = join(parent, 'my-strategies');
    await writeProject(project, newProject(project, `file:${REPO}`));
    for (const file of Object.keys(BLOCKS)) {
      mkdirSync(dirname(join(project, file)), { recursive: true });
      writeFileSync(join(project, file), blocks.get(file)!);
    }
    const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund'], project);
    if (install.code !== 0) throw new Error(`npm install --offline failed: ${install.stderr}`);
  }, 300_000);

  afterAll(() => {
    if (parent !== '') rmSync(parent, { recursive: true, force: true });
  });

  it('README.md has the tagged examples of both sections', () => {
    requireBlocks();
  });

  it('the strategy and scenario the README shows are the ones tapedeck init writes', () => {
    requireBlocks();
    expect(blocks.get('strategies/breakout.ts')).toBe(STRATEGY_SOURCE);
    expect(blocks.get('scenario.json')).toBe(SCENARIO_SOURCE);
  });

  it('"Write your own strategy": npx tapedeck run scenario.json runs the module and prints a runHash', () => {
    requireBlocks();
    const r = run('npx', ['tapedeck', 'run', 'scenario.json'], project);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/runHash\s+[0-9a-f]{64}/);
    cliRunHash = /runHash\s+([0-9a-f]{64})/.exec(r.stdout)![1]!;
  }, 120_000);

  it('"Use it as a library": node research.mjs calls indicators and backtest and prints runHashes', () => {
    requireBlocks();
    const r = run(process.execPath, ['research.mjs'], project);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SMA\(10\) above SMA\(50\) on \d+ of 504 days/m);
    expect(r.stdout).toMatch(/^runHash [0-9a-f]{64}$/m);
    expect(r.stdout.match(/^breakout entryBars=\d+: \d+ trades/gm)).toHaveLength(3);
    // Three parameter settings, three different runs.
    expect(new Set(r.stdout.match(/runHash [0-9a-f]{16}$/gm)).size).toBe(3);
    // backtest('scenario.json') with the scenario's own entryBars is the run `tapedeck run` made.
    expect(cliRunHash).not.toBe('');
    expect(r.stdout).toContain(`breakout entryBars=20: `);
    expect(/breakout entryBars=20: .*runHash ([0-9a-f]{16})$/m.exec(r.stdout)![1]).toBe(cliRunHash.slice(0, 16));
  }, 120_000);
});
