import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';

/**
 * Issue 14, "start fast": building the command tree and printing any command's help load commander and
 * light modules only; each command imports its implementation (cli/actions/) when it runs. A resolve
 * hook (tests/support/module-trace.mjs) records every module URL a child process resolves. No wall
 * time is asserted: what is loaded is what makes start-up slow, and it does not depend on the machine.
 */

/** Packages that only some commands use, and that are slow to load: never loaded to build the tree or print help. */
const HEAVY_PACKAGES = ['@duckdb/node-api', '@duckdb/node-bindings', 'echarts', 'zrender', 'piscina', 'bullmq', 'ioredis', 'apache-arrow', 'ml-matrix', 'ml-random-forest', 'fast-check', 'zod', 'cli-progress'];

/** The package a resolved URL belongs to (`@scope/name` or `name`), or null for a project or node: module. */
function packageOf(url: string): string | null {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const parts = url.slice(at + '/node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Runs `script` (an ES module body) under tsx with the resolve hook; returns the packages and project files it resolved. */
async function traced(script: string): Promise<{ packages: Set<string>; files: Set<string>; stdout: string; code: number; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-trace-'));
  const trace = join(dir, 'modules.txt');
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(resolve(REPO, 'tests/support/module-trace.mjs')).href, '--input-type=module', '-e', script], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', TAPEDECK_MODULE_TRACE: trace },
      timeout: 120_000,
    });
    const urls = (await readFile(trace, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
    const packages = new Set(urls.map(packageOf).filter((p): p is string => p !== null));
    const files = new Set(urls.filter((u) => u.startsWith(pathToFileURL(REPO).href) && packageOf(u) === null).map((u) => u.slice(pathToFileURL(REPO).href.length + 1)));
    return { packages, files, stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const programUrl = pathToFileURL(resolve(REPO, 'cli/program.ts')).href;

/** Builds the program and renders the help of it and of every (sub)command, as `--help` prints it. */
const BUILD_AND_HELP = `
import { buildProgram } from ${JSON.stringify(programUrl)};
const program = buildProgram();
const helps = [];
const visit = (c, path) => {
  let text = '';
  c.configureOutput({ writeOut: (s) => { text += s; }, writeErr: (s) => { text += s; } });
  c.outputHelp();
  helps.push({ path, text });
  for (const sub of c.commands) visit(sub, [...path, sub.name()]);
};
visit(program, []);
process.stdout.write(JSON.stringify(helps));
`;

describe('tapedeck starts light', () => {
  it('building the command tree and rendering every help loads none of the heavy packages, nor any command implementation', async () => {
    const r = await traced(BUILD_AND_HELP);
    expect(r.code, r.stderr).toBe(0);
    const helps = JSON.parse(r.stdout) as { path: string[]; text: string }[];
    // The hook works: it saw commander and the program (a hook that saw nothing would pass the checks below).
    expect(r.packages.has('commander')).toBe(true);
    expect(r.files.has('cli/program.ts')).toBe(true);
    expect(helps.map((h) => h.path.join(' '))).toEqual(expect.arrayContaining(['', 'run', 'sweep', 'walkforward', 'train', 'worker', 'report', 'compare', 'strategies', 'data', 'data import', 'data resample']));
    for (const h of helps) expect(h.text, h.path.join(' ')).toMatch(/^Usage: tapedeck/);
    expect(HEAVY_PACKAGES.filter((p) => r.packages.has(p))).toEqual([]);
    // What a command does is loaded when it runs, never to build the tree.
    expect([...r.files].filter((f) => f.startsWith('cli/actions/') || f.startsWith('cli/compose/') || f.startsWith('sim/research/sweep.') || f.startsWith('reports/html/index.'))).toEqual([]);
  });

  it('the hook does see a heavy package when one is loaded: a run loads DuckDB when it reads data, and no worker pool or queue', async () => {
    // DuckDB is loaded when data is first read (cli/compose/lazy-datasets.ts), not with the run's code.
    const run = JSON.stringify(pathToFileURL(resolve(REPO, 'cli/actions/run.ts')).href);
    const lazy = JSON.stringify(pathToFileURL(resolve(REPO, 'cli/compose/lazy-datasets.ts')).href);
    const r = await traced(`await import(${run}); await (await import(${lazy})).loadDatasets();`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.packages.has('@duckdb/node-api')).toBe(true);
    // A run's page is rendered after the replay: ECharts is imported then, not with the run's code.
    expect(['echarts', 'piscina', 'bullmq', 'ioredis'].filter((p) => r.packages.has(p))).toEqual([]);
  });

  it('data resample loads DuckDB when it runs, and neither ECharts, a worker pool nor a queue', async () => {
    const r = await traced(`await import(${JSON.stringify(pathToFileURL(resolve(REPO, 'cli/actions/data-resample.ts')).href)});`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.packages.has('@duckdb/node-api')).toBe(true);
    expect(r.files.has('datasets/build-bars.ts')).toBe(true);
    expect(['echarts', 'piscina', 'bullmq', 'ioredis'].filter((p) => r.packages.has(p))).toEqual([]);
  });

  it('portfolio show|export|merge load neither DuckDB, ECharts, a worker pool nor a queue', async () => {
    const r = await traced(`await import(${JSON.stringify(pathToFileURL(resolve(REPO, 'cli/actions/portfolio-state.ts')).href)});`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.files.has('live/state/portfolio-file.ts')).toBe(true);
    expect(HEAVY_PACKAGES.filter((p) => p !== 'zod' && r.packages.has(p))).toEqual([]);
  });

  it('--help of the program and of every subcommand prints its usage and exits 0', () => {
    const commands = ['', 'run', 'demo', 'init', 'sweep', 'walkforward', 'train', 'portfolio', 'portfolio search', 'portfolio show', 'portfolio export', 'portfolio merge', 'worker', 'report', 'compare', 'strategies', 'data', 'data generate', 'data import', 'data resample', 'data inspect', 'data validate', 'feed', 'feed serve', 'live'];
    for (const c of commands) {
      const args = c === '' ? [] : c.split(' ');
      const r = runCli([...args, '--help']);
      expect(r.code, `${c} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout, c).toContain(`Usage: tapedeck${c === '' ? '' : ` ${c}`} [options]`);
      expect(r.stdout, c).toContain('Example');
    }
    // 25 processes: ~15 s on an idle machine, several times that on a loaded one.
  }, 240_000);
});
