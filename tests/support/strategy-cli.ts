import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DuckSession, sqlString } from '../../datasets/duckdb.js';
import { runCli } from './cli.js';

/**
 * The issue-15 strategy integration check, shared by tests/integration/strategies-*.test.ts: a scenario
 * file run through `tapedeck run` (exit 0, nothing on stderr, more than 3 round trips), then swept through
 * `tapedeck sweep` over one parameter's two values (both trials run, each a different run).
 */

/** The distinct values of `expr` over a run's trades.parquet, sorted (e.g. `side`, or `symbol || ' ' || side`). */
export async function tradeValues(file: string, expr = 'side'): Promise<string[]> {
  const s = await DuckSession.open({ threads: 1 });
  try {
    const rows = await s.conn.runAndReadAll(`select distinct ${expr} as v from read_parquet(${sqlString(file)}) order by v`);
    return rows.getRows().map((r) => String(r[0]));
  } finally {
    s.close();
  }
}

/** Runs `file` into DIR/run-NAME and returns its report; fails the test on a failed run or fewer than 4 round trips. */
export async function runScenario(dir: string, name: string, file: string): Promise<{ out: string; report: { metrics: { tradeCount: number } } }> {
  const out = join(dir, `run-${name}`);
  const run = runCli(['run', file, '--out', out, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout).runHash).toMatch(/^[0-9a-f]{64}$/);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  expect(report.metrics.tradeCount, name).toBeGreaterThan(3);
  return { out, report };
}

/** Sweeps `strategies.0.params.PARAMETER` over `values` (two of them): both trials run and give two different runHashes. */
export async function sweepChangesRun(dir: string, name: string, file: string, parameter: string, values: readonly unknown[]): Promise<void> {
  const space = join(dir, `${name}.space.json`);
  await writeFile(space, JSON.stringify({ parameters: { [`strategies.0.params.${parameter}`]: { type: 'categorical', values } } }));
  const sweepOut = join(dir, `sweep-${name}`);
  const sweep = runCli(['sweep', file, '--space', space, '--out', sweepOut, '--workers', '1', '--quiet']);
  expect(sweep.code, sweep.stderr).toBe(0);
  const result = JSON.parse(await readFile(join(sweepOut, 'sweep.json'), 'utf8'));
  expect(result.trialCount).toBe(2);
  expect(result.failedCount).toBe(0);
  const hashes = (result.trials as { runHash: string }[]).map((t) => t.runHash);
  expect(new Set(hashes).size, `${parameter} = ${values.join(' / ')} must change the run`).toBe(2);
}
