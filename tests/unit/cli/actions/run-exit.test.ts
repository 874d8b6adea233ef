import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunOutputs } from '../../../../cli/compose/run-outputs.js';
import { DuckSession } from '../../../../datasets/duckdb.js';
import { REPO } from '../../../support/cli.js';
import { sineBarsCsv } from '../../../support/sine-bars-csv.js';

/**
 * `tapedeck run` ends its process once the run is written and printed (process.exit after the cleanups,
 * endWhenDone), without closing DuckDB's instance or tearing V8's heap down first: a natural exit (the event
 * loop emptied, 'beforeExit') finalized every native object and freed the heap page by page.
 */
const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Runs the CLI from sources with a hook that says on stderr whether the process ended naturally ('beforeExit'). */
async function runWithHook(dir: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const hook = join(dir, 'hook.cjs');
  await writeFile(hook, "process.on('beforeExit', () => process.stderr.write('natural exit\\n'));\n");
  const r = spawnSync(process.execPath, ['--require', hook, '--import', 'tsx', resolve(REPO, 'cli/main.ts'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('tapedeck run ends its process', () => {
  it('at once when the run is written and printed, its outputs whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-run-exit-'));
    dirs.push(dir);
    const csv = join(dir, 'aaa.csv');
    await writeFile(csv, sineBarsCsv(400));
    const out = join(dir, 'out');
    const r = await runWithHook(dir, ['run', join(REPO, 'scenarios', 'sma-cross.json'), '--set', `data.bars=${csv}`, '--set', 'data.symbols=["AAA"]', '--out', out, '--json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { runHash: string; report: string };
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { runHash: string };
    expect(printed.runHash).toBe(report.runHash);
    expect((await readdir(out)).sort()).toEqual(['.tapedeck-output.json', 'audit.parquet', 'equity.parquet', 'fills.parquet', 'orders.parquet', 'report.html', 'report.json', 'signals.parquet', 'trades.parquet']);
    // Nothing staged is left beside the output directory.
    expect((await readdir(dir)).sort()).toEqual(['aaa.csv', 'hook.cjs', 'out']);
  });

  it('as before when the run fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-run-exit-'));
    dirs.push(dir);
    const r = await runWithHook(dir, ['run', join(REPO, 'scenarios', 'sma-cross.json'), '--set', `data.bars=${join(dir, 'missing.csv')}`, '--out', join(dir, 'out'), '--quiet']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('natural exit');
  });
});

describe('RunOutputs.close', () => {
  it('leaves the DuckDB instance to the process with leaveOpen, and still removes the staging', async () => {
    const root = await mkdtemp(join(tmpdir(), 'td-run-exit-'));
    dirs.push(root);
    const closed = vi.spyOn(DuckSession.prototype, 'close');
    const outputs = await RunOutputs.open(join(root, 'out'));
    await outputs.close({ leaveOpen: true });
    expect(closed).not.toHaveBeenCalled();
    expect(existsSync(outputs.staging)).toBe(false);
    // The instance is still usable, then closed here (the test's process goes on).
    expect((await outputs.session.conn.runAndReadAll('SELECT 42')).getRows()).toEqual([[42]]);
    outputs.session.close();
    const other = await RunOutputs.open(join(root, 'out2'));
    await other.close();
    expect(closed).toHaveBeenCalledTimes(2);
  });
});
