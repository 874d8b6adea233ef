import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
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
  it('opens the record tables together, not one after another', async () => {
    const { result } = await backtest(join(REPO, 'scenarios', 'demo.json'));
    const root = await mkdtemp(join(tmpdir(), 'td-run-outputs-'));
    dirs.push(root);
    const outputs = await RunOutputs.open(join(root, 'out'));
    // Each record table's open is held until all five have been asked for: opened one after another, the first never ends.
    const open = ParquetTableSink.open.bind(ParquetTableSink);
    const asked: (() => void)[] = [];
    vi.spyOn(ParquetTableSink, 'open').mockImplementation(async (...args: Parameters<typeof ParquetTableSink.open>) => {
      await new Promise<void>((resolve) => {
        asked.push(resolve);
        if (asked.length === 5) for (const go of asked) go();
      });
      return open(...args);
    });
    try {
      const started = outputs.start(result);
      const timeout = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 5_000).unref());
      expect(await Promise.race([started.then(() => 'started' as const), timeout])).toBe('started');
      await filesWritten(await (await started).files);
    } finally {
      // Held opens are let go, so that a failed check does not leave start waiting.
      for (const go of asked) go();
      await outputs.close();
    }
  });

  it('drops the record tables already opened when another cannot be opened', async () => {
    const { result } = await backtest(join(REPO, 'scenarios', 'demo.json'));
    const root = await mkdtemp(join(tmpdir(), 'td-run-outputs-'));
    dirs.push(root);
    const outputs = await RunOutputs.open(join(root, 'out'));
    const open = ParquetTableSink.open.bind(ParquetTableSink);
    vi.spyOn(ParquetTableSink, 'open').mockImplementation(async (...args: Parameters<typeof ParquetTableSink.open>) => {
      if (args[0].endsWith('trades.parquet')) throw new Error('no trades table');
      return open(...args);
    });
    const aborted = vi.spyOn(ParquetTableSink.prototype, 'abort');
    try {
      await expect(outputs.start(result)).rejects.toThrow('no trades table');
      expect(aborted).toHaveBeenCalledTimes(4);
      // No table's parts directory is left in the staging directory.
      expect((await readdir(outputs.staging)).filter((n) => n.endsWith('.parts'))).toEqual([]);
    } finally {
      await outputs.close();
    }
    // close() removes the staging directory itself.
    expect(existsSync(outputs.staging)).toBe(false);
  });
});
