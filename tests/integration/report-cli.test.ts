import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeError, exitCodeFor } from '../../cli/errors.js';
import { buildProgram } from '../../cli/program.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { reportJsonSchemaText, validateRunReport, validateRunReportFile } from '../../reports/report-schema.js';
import { validateSweepJson, validateWalkForwardJson } from '../../reports/research-schema.js';
import { REPO, runCli } from '../support/cli.js';
import { loadReport } from '../../cli/actions/report.js';

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

  it('accepts the demo report and the sma-cross run report, and each loaded whole with its tables', async () => {
    for (const d of [demoDir, smaDir]) {
      const checked = validateRunReportFile(JSON.parse(await readFile(join(d, 'report.json'), 'utf8')));
      expect(checked.ok ? 'ok' : JSON.stringify(checked.issue), d).toBe('ok');
      const { report } = await loadReport(d);
      expect(validateRunReport(report).ok, d).toBe(true);
      expect(report.fills.length, d).toBe(report.tables!.fills.rows);
      expect(report.fills.length, d).toBe(report.counts.fills);
    }
  });

  it('a report.json of schemaVersion 2 without its list fields is refused by the whole-report schema', async () => {
    const file = JSON.parse(await readFile(join(demoDir, 'report.json'), 'utf8')) as Record<string, unknown>;
    expect(validateRunReport(file)).toMatchObject({ ok: false, issue: { path: 'fills' } });
  });

  it('rejects an unknown field and a wrong type, naming the first bad path', () => {
    expect(validateRunReport({ schemaVersion: 1 })).toMatchObject({ ok: false });
    const report = { schemaVersion: 1, generator: 'x' };
    const r = validateRunReport(report);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issue.path).toBe('scenario');
  });
});

describe('report.json versions', () => {
  it('report and compare read a schemaVersion 1 directory (everything inline) as they read the new layout', async () => {
    const { report } = await loadReport(smaDir);
    const { tables: _tables, ...whole } = report;
    const v1 = join(dir, 'v1');
    await mkdir(v1);
    await writeFile(join(v1, 'report.json'), JSON.stringify({ ...whole, schemaVersion: 1 }));
    const page = join(dir, 'v1.html');
    const r = runCli(['report', v1, '--out', page]);
    expect(r.code, r.stderr).toBe(0);
    // The same page but for the footer, which names the report's schemaVersion.
    const v1Page = await readFile(page, 'utf8');
    expect(v1Page).toContain('report.json schemaVersion 1');
    expect(v1Page.replace('report.json schemaVersion 1', 'report.json schemaVersion 2')).toBe(await readFile(join(smaDir, 'report.html'), 'utf8'));
    const c = runCli(['compare', v1, smaDir, '--out', join(dir, 'v1-compare.html'), '--json']);
    expect(c.code, c.stderr).toBe(0);
    const runs = (JSON.parse(c.stdout) as { runs: { runHash: string }[] }).runs;
    expect(runs.map((x) => x.runHash)).toEqual([report.runHash, report.runHash]);
  });

  it('refuses a report.json from a newer Tapedeck, naming the file and the version', async () => {
    const newer = join(dir, 'v99');
    await mkdir(newer);
    await writeFile(join(newer, 'report.json'), JSON.stringify({ schemaVersion: 99, generator: 'tapedeck' }));
    const r = runCli(['report', newer, '--out', join(dir, 'v99.html')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/report\.json.*schemaVersion 99 was written by a newer Tapedeck; this one reads versions 1 to 2/);
  });

  it('names a missing table file', async () => {
    const gone = join(dir, 'gone');
    await mkdir(gone);
    for (const f of ['report.json', 'equity.parquet', 'orders.parquet', 'trades.parquet', 'audit.parquet', 'signals.parquet']) await writeFile(join(gone, f), await readFile(join(smaDir, f)));
    const r = runCli(['report', gone, '--out', join(dir, 'gone.html')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fills\.parquet.*unreadable fills table/);
  });
});

describe('tapedeck run and demo', () => {
  it('write report.html beside report.json, under 5 MB, with every section of the demo', async () => {
    const html = await readFile(join(demoDir, 'report.html'), 'utf8');
    expect((await stat(join(demoDir, 'report.html'))).size).toBeLessThan(5 * 1024 * 1024);
    for (const id of ['run', 'metrics', 'equity', 'rolling', 'drawdowns', 'distribution', 'statistics', 'monthly', 'prices', 'exposure', 'attribution', 'trades', 'audit']) {
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
    expect(r.stdout).toMatch(/^wrote .*report\.html \((\d+ KB|\d+\.\d MB)\)\n$/);
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

/**
 * Sweep and walk-forward pages: `tapedeck sweep` and `tapedeck walkforward` write sweep.html and
 * walkforward.html beside their JSON (which validates against the committed schemas), and
 * `tapedeck report DIR` finds out which kind DIR holds and rebuilds the right page.
 */
describe('research reports', () => {
  let sweepDir: string;
  let wfDir: string;
  const FAST = 'strategies.0.params.fast';
  const SLOW = 'strategies.0.params.slow';

  beforeAll(async () => {
    const data = join(dir, 'research-data');
    await generateDataset({ seed: 11, symbols: ['AAA'], days: 300, kinds: ['bars'], out: data });
    const scenario = join(dir, 'research.json');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'research',
        seed: 1,
        initialCash: 100000,
        data: { bars: data },
        strategies: [{ id: 'sma', type: 'sma_cross', params: { fast: 10, slow: 20, mode: 'long_short', sizing: { kind: 'units', units: 100 } } }],
        venue: { marketFill: 'next_open', fees: { kind: 'fraction', rate: 0.002 } },
      }),
    );
    const space = join(dir, 'space.json');
    await writeFile(space, JSON.stringify({ parameters: { [FAST]: { type: 'int', min: 5, max: 15, step: 5 }, [SLOW]: { type: 'int', min: 10, max: 30, step: 10 } } }));
    sweepDir = join(dir, 'sweep');
    wfDir = join(dir, 'wf');
    const s = runCli(['sweep', scenario, '--space', space, '--workers', '2', '--pbo-blocks', '4', '--out', sweepDir, '--quiet']);
    expect(s.code, s.stderr).toBe(0);
    const w = runCli(['walkforward', scenario, '--space', space, '--train', '120d', '--test', '60d', '--workers', '2', '--out', wfDir, '--quiet']);
    expect(w.code, w.stderr).toBe(0);
  }, 240_000);

  it('ship JSON that validates against the committed sweep and walk-forward schemas', async () => {
    const sweep = validateSweepJson(JSON.parse(await readFile(join(sweepDir, 'sweep.json'), 'utf8')));
    expect(sweep.ok ? 'ok' : JSON.stringify(sweep.issue)).toBe('ok');
    const wf = validateWalkForwardJson(JSON.parse(await readFile(join(wfDir, 'walkforward.json'), 'utf8')));
    expect(wf.ok ? 'ok' : JSON.stringify(wf.issue)).toBe('ok');
  });

  it('write sweep.html and walkforward.html beside the JSON', async () => {
    const sweep = await readFile(join(sweepDir, 'sweep.html'), 'utf8');
    for (const chart of ['sweep-heatmap', 'sweep-scatter']) expect(sweep).toContain(`data-chart="${chart}"`);
    expect(sweep).toContain('id="trial-table"');
    expect(sweep).toContain('Failed trials (2 of 9)');
    const wf = await readFile(join(wfDir, 'walkforward.html'), 'utf8');
    for (const chart of ['wf-stitched', 'wf-is-oos']) expect(wf).toContain(`data-chart="${chart}"`);
    expect(wf).toContain('id="fold-table"');
  });

  it('rebuild each page byte for byte with tapedeck report DIR, printing the kind with --json', async () => {
    for (const [d, file, kind] of [
      [sweepDir, 'sweep.html', 'sweep'],
      [wfDir, 'walkforward.html', 'walkforward'],
    ] as const) {
      const before = await readFile(join(d, file), 'utf8');
      await rm(join(d, file));
      const r = await cli(['report', d, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ kind, html: join(d, file), outputs: [{ kind }] });
      expect(await readFile(join(d, file), 'utf8')).toBe(before);
    }
  });

  it('draws the heatmap of the parameters and the metric named on the command line', async () => {
    const out = join(dir, 'sweep-sharpe.html');
    const r = await cli(['report', join(sweepDir, 'sweep.json'), '--x', 'slow', '--y', 'fast', '--metric', 'sharpe', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('Sharpe for each (slow, fast) pair');
  });

  it('names a bad --x, --metric or a sweep-only flag on a run directory as usage errors in one line', async () => {
    const bad = await cli(['report', sweepDir, '--x', 'speed']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`tapedeck: --x: not a parameter of the sweep (${FAST}, ${SLOW}), was "speed"\n`);
    const metric = await cli(['report', sweepDir, '--metric', 'luck']);
    expect(metric.code).toBe(2);
    expect(metric.stderr).toMatch(/^tapedeck: --metric: expected one of fitness, sharpe, .*was "luck"\n$/);
    const run = await cli(['report', smaDir, '--x', 'fast']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--x: applies to a sweep (sweep.json)');
  });

  it('refuses an invalid sweep.json naming the file and the first bad path', async () => {
    const badDir = join(dir, 'bad-sweep');
    await import('node:fs/promises').then((fs) => fs.mkdir(badDir, { recursive: true }));
    const doc = JSON.parse(await readFile(join(sweepDir, 'sweep.json'), 'utf8'));
    doc.trials[1].seed = 'x';
    await writeFile(join(badDir, 'sweep.json'), JSON.stringify(doc));
    const r = await cli(['report', badDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(badDir, 'sweep.json'));
    expect(r.stderr).toContain('trials[1].seed');
  });

  it('says which outputs it looks for in a directory that has none', async () => {
    const r = await cli(['report', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no report\.json here, nor sweep\.json or walkforward\.json/);
  });
});
