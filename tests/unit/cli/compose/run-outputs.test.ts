import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backtest } from '../../../../index.js';
import { RunOutputs } from '../../../../cli/compose/run-outputs.js';
import { filesWritten } from '../../../../cli/output.js';
import { ParquetTableSink } from '../../../../datasets/table-sink.js';
import { REPO } from '../../../support/cli.js';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('RunOutputs.start', () => {
  it("hands a short curve's files over without waiting for its write (nothing is released after it)", async () => {
    const { result } = await backtest(join(REPO, 'scenarios', 'demo.json'));
    expect(result.equity.ts.length).toBeLessThan(65_536);
    // Every table's write ends 300 ms late: files awaiting equity.parquet's would come after.
    const finished: string[] = [];
    const finish = ParquetTableSink.prototype.finish;
    vi.spyOn(ParquetTableSink.prototype, 'finish').mockImplementation(function (this: ParquetTableSink) {
      const rows = finish.call(this);
      return new Promise<number>((resolve, reject) => setTimeout(() => rows.then((n) => (finished.push('table'), resolve(n)), reject), 300));
    });
    const root = await mkdtemp(join(tmpdir(), 'td-run-outputs-'));
    dirs.push(root);
    const outputs = await RunOutputs.open(join(root, 'out'));
    try {
      const pending = await (await outputs.start(result)).files;
      expect(finished).toEqual([]);
      await filesWritten(pending);
      expect(finished).toHaveLength(6);
    } finally {
      await outputs.close();
    }
  });
});
