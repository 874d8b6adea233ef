import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAndWrite } from '../../../../cli/actions/run.js';
import { DuckDBInstance, DuckSession } from '../../../../datasets/duckdb.js';
import { buildProgram, throwOnExit } from '../../../../cli/program.js';
import { REPO } from '../../../support/cli.js';
import { sineBarsCsv } from '../../../support/sine-bars-csv.js';

/**
 * `tapedeck run` of a small CSV file of bars reads it on the outputs' DuckDB session (readCsvTable's
 * `session`): one DuckDB instance for the run, not one for the outputs and another for the read, whose
 * making the main thread waited for and whose close took it ~5-13 ms.
 */
const dirs: string[] = [];
afterEach(async () => {
  DuckSession.discardPrepared();
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('tapedeck run of a small CSV file', () => {
  it("opens one DuckDB instance, the outputs', and reads the file on it", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-run-sessions-'));
    dirs.push(dir);
    const csv = join(dir, 'aaa.csv');
    await writeFile(csv, sineBarsCsv(400));
    const opened = vi.spyOn(DuckSession, 'open');
    const { report } = await runAndWrite(join(REPO, 'scenarios', 'sma-cross.json'), { out: join(dir, 'out'), set: [`data.bars=${csv}`, 'data.symbols=["AAA"]'], quiet: true });
    expect(report.metrics.tradeCount).toBeGreaterThan(0);
    expect(report.data.rows).toEqual({ bars: { AAA: 400 } });
    expect(opened.mock.calls.map((c) => c[0])).toEqual([{ threads: 1, memoryLimit: '64MB', tempDirectory: expect.stringContaining('.duckdb-tmp') }]);
  });
});

/** Runs `tapedeck ARGS` in this process as cli/main.ts does (its stdout kept). */
async function tapedeck(args: string[]): Promise<string> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  try {
    const program = buildProgram(args[0]);
    throwOnExit(program);
    await program.parseAsync(['node', 'tapedeck', ...args]);
  } finally {
    write.mockRestore();
  }
  return out;
}

describe("tapedeck run's DuckDB instance", () => {
  it('is started before the scenario is read (DuckSession.prepare), and the outputs take it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-run-sessions-'));
    dirs.push(dir);
    const csv = join(dir, 'aaa.csv');
    await writeFile(csv, sineBarsCsv(400));
    const create = vi.spyOn(DuckDBInstance, 'create');
    const out = await tapedeck(['run', join(REPO, 'scenarios', 'sma-cross.json'), '--set', `data.bars=${csv}`, '--set', 'data.symbols=["AAA"]', '--out', join(dir, 'out'), '--json', '--quiet']);
    expect(JSON.parse(out).metrics.bars).toBe(400);
    // One instance for the run, made ahead (its placeholder spill directory, set to the staging directory's when taken).
    expect(create.mock.calls).toEqual([[':memory:', expect.objectContaining({ threads: '1', memory_limit: '64MB', temp_directory: expect.stringMatching(/tapedeck-duckdb-\d+-prepared$/) })]]);
  });

  it('is closed when the run is refused before its outputs open', async () => {
    const closed = vi.spyOn(DuckDBInstance.prototype, 'closeSync');
    const create = vi.spyOn(DuckDBInstance, 'create');
    const dir = await mkdtemp(join(tmpdir(), 'td-run-sessions-'));
    dirs.push(dir);
    const refused = await tapedeck(['run', join(REPO, 'scenarios', 'sma-cross.json'), '--set', 'strategies.0.params.fast=-3', '--out', join(dir, 'out'), '--quiet']).catch((e: unknown) => e);
    expect(String(refused)).toMatch(/fast/);
    expect(create).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(closed).toHaveBeenCalledTimes(1));
  });

  it('is not started for a scenario that is no file', async () => {
    const create = vi.spyOn(DuckDBInstance, 'create');
    const refused = await tapedeck(['run', join(REPO, 'scenarios', 'no-such-scenario.json'), '--quiet']).catch((e: unknown) => e);
    expect(String(refused)).toMatch(/cannot read scenario .*no-such-scenario\.json: no such file/);
    expect(create).not.toHaveBeenCalled();
  });
});
