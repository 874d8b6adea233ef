import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeError, exitCodeFor } from '../../cli/errors.js';
import { buildProgram } from '../../cli/program.js';
import { reportJsonSchemaText, validateRunReport } from '../../reports/report-schema.js';
import { REPO, runCli } from '../support/cli.js';

/**
 * Runs a CLI command in this process (as cli/main.ts does: one line on stderr, the exit code of
 * cli/errors.ts), capturing stdout; spawning a process per check costs seconds of start-up each.
 */
async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const program = buildProgram();
  // Subcommands exist before exitOverride is called on the root, so each needs its own (else --help exits the worker).
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(['node', 'tapedeck', ...args]);
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    if (err instanceof CommanderError) return { code: err.exitCode === 0 ? 0 : 2, stdout, stderr: err.message };
    return { code: exitCodeFor(err), stdout, stderr: `tapedeck: ${describeError(err, false)}\n` };
  } finally {
    spy.mockRestore();
  }
}

/**
 * The report pipeline end to end through the CLI: `tapedeck demo` and `tapedeck run sma-cross` write
 * report.json and report.html; both reports validate against the schema; `tapedeck report` rebuilds the
 * same HTML; `tapedeck compare` compares them.
 */
let dir: string;
let demoDir: string;
let smaDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-report-cli-'));
  demoDir = join(dir, 'demo');
  smaDir = join(dir, 'sma');
  const demo = runCli(['demo', '--out', demoDir]);
  expect(demo.code, demo.stderr).toBe(0);
  const sma = runCli(['run', 'scenarios/sma-cross.json', '--out', smaDir]);
  expect(sma.code, sma.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('report.json schema', () => {
  it('ships reports/report.schema.json exactly as generated from the zod schema', async () => {
    const committed = await readFile(join(REPO, 'reports/report.schema.json'), 'utf8');
    expect(committed).toBe(reportJsonSchemaText());
  });

  it('accepts the demo report and the sma-cross run report', async () => {
    for (const d of [demoDir, smaDir]) {
      const checked = validateRunReport(JSON.parse(await readFile(join(d, 'report.json'), 'utf8')));
      expect(checked.ok ? 'ok' : JSON.stringify(checked.issue), d).toBe('ok');
    }
  });

  it('rejects an unknown field and a wrong type, naming the first bad path', () => {
    expect(validateRunReport({ schemaVersion: 1 })).toMatchObject({ ok: false });
    const report = { schemaVersion: 1, generator: 'x' };
    const r = validateRunReport(report);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issue.path).toBe('scenario');
  });
});

describe('tapedeck run and demo', () => {
  it('write report.html beside report.json, under 5 MB, with every section of the demo', async () => {
    const html = await readFile(join(demoDir, 'report.html'), 'utf8');
    expect((await stat(join(demoDir, 'report.html'))).size).toBeLessThan(5 * 1024 * 1024);
    for (const id of ['run', 'metrics', 'equity', 'rolling-sharpe', 'monthly', 'prices', 'exposure', 'attribution', 'trades', 'audit']) {
      expect(html, id).toContain(`<section id="${id}">`);
    }
    await stat(join(smaDir, 'report.html'));
  });
});

describe('tapedeck report', () => {
  it('rebuilds report.html byte for byte from report.json', async () => {
    const before = await readFile(join(demoDir, 'report.html'), 'utf8');
    await rm(join(demoDir, 'report.html'));
    const r = await cli(['report', demoDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*report\.html \(\d+ KB\)\n$/);
    expect(await readFile(join(demoDir, 'report.html'), 'utf8')).toBe(before);
  });

  it('prints JSON with --json and nothing with --quiet', async () => {
    const out = join(dir, 'elsewhere.html');
    const j = await cli(['report', join(smaDir, 'report.json'), '--out', out, '--json']);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ report: join(smaDir, 'report.json'), html: out });
    const q = await cli(['report', smaDir, '--quiet']);
    expect(q.code).toBe(0);
    expect(q.stdout).toBe('');
  });

  it('refuses an invalid report.json with one line naming the file and the first bad path', async () => {
    const bad = join(dir, 'bad');
    const report = JSON.parse(await readFile(join(smaDir, 'report.json'), 'utf8'));
    report.equity[3].drawdown = 'deep';
    await rm(bad, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(bad));
    await writeFile(join(bad, 'report.json'), JSON.stringify(report));
    const r = runCli(['report', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(join(bad, 'report.json'));
    expect(r.stderr).toContain('equity[3].drawdown');
  });

  it('says where report.json is missing, as a usage error', async () => {
    const r = await cli(['report', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/report\.json: no report\.json here/);
  });

  it('has examples in --help', async () => {
    const r = await cli(['report', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('$ tapedeck report out/demo');
  });
});

describe('tapedeck compare', () => {
  it('prints the metrics side by side and writes the comparison page', async () => {
    const out = join(dir, 'compare.html');
    const r = runCli(['compare', demoDir, smaDir, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^metric\s+demo\s+sma-cross$/);
    expect(r.stdout).toMatch(/Sharpe ratio\s+-?\d+\.\d\d\s+-?\d+\.\d\d/);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('data-chart="compare-equity"');
  });

  it('prints every run and its metrics with --json', async () => {
    const r = await cli(['compare', demoDir, smaDir, '--out', join(dir, 'c2.html'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { runs: { label: string; runHash: string; metrics: { sharpe: number | null } }[] };
    expect(j.runs.map((x) => x.label)).toEqual(['demo', 'sma-cross']);
    expect(j.runs[0]!.runHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('needs at least two runs', async () => {
    const r = await cli(['compare', demoDir, '--out', join(dir, 'c3.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected at least two run directories, was 1');
  });

  it('has examples in --help', async () => {
    const r = await cli(['compare', '--help']);
    expect(r.stdout).toContain('$ tapedeck compare out/demo out/sma-cross');
  });
});
