import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backtest } from '../../../../index.js';
import { RunOutputs } from '../../../../cli/compose/run-outputs.js';
import { filesWritten } from '../../../../cli/output.js';
import { pageTrades } from '../../../../reports/html/page-records.js';
import { renderRunReportHtml } from '../../../../reports/html/run-report-html.js';
import { extendReport } from '../../../../reports/run-report.js';
import { REPO } from '../../../support/cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('RunOutputs.start and the page', () => {
  it("hands over files still being written and a tables section carrying the run's columns for its page", async () => {
    const { report, result } = await backtest(join(REPO, 'scenarios', 'demo.json'));
    const root = await mkdtemp(join(tmpdir(), 'td-run-outputs-'));
    dirs.push(root);
    const outputs = await RunOutputs.open(join(root, 'out'));
    try {
      const { files, tables } = await outputs.start(result, ['csv']);
      const pending = await files;
      expect(pending.map((f) => f.name)).toEqual([...['equity', 'fills', 'orders', 'trades', 'audit', 'signals'].map((t) => `${t}.parquet`), ...['equity', 'fills', 'orders', 'trades', 'audit', 'signals'].map((t) => `${t}.csv`)]);
      for (const f of pending) expect(f.written, f.name).toBeInstanceOf(Promise);
      // The page reads the run's columns through the tables section: no list of round trips or fills is built.
      const lists = [vi.spyOn(result.records!.trades, 'list'), vi.spyOn(result.records!.fills, 'list')];
      const page = renderRunReportHtml(extendReport(report, { tables }));
      expect(pageTrades(extendReport(report, { tables })).length).toBe(tables.trades.rows);
      for (const spy of lists) expect(spy).not.toHaveBeenCalled();
      expect(page).toBe(renderRunReportHtml(report));
      await filesWritten(pending);
      for (const f of pending) expect((await stat('path' in f ? f.path : '')).size, f.name).toBeGreaterThan(0);
    } finally {
      await outputs.close();
    }
  });
});
