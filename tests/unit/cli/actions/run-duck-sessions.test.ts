import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAndWrite } from '../../../../cli/actions/run.js';
import { DuckSession } from '../../../../datasets/duckdb.js';
import { REPO } from '../../../support/cli.js';
import { sineBarsCsv } from '../../../support/sine-bars-csv.js';

/**
 * `tapedeck run` of a small CSV file of bars reads it on the outputs' DuckDB session (readCsvTable's
 * `session`): one DuckDB instance for the run, not one for the outputs and another for the read, whose
 * making the main thread waited for and whose close took it ~5-13 ms.
 */
const dirs: string[] = [];
afterEach(async () => {
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
