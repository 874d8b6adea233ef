import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backtest } from '../../../../index.js';
import { RunOutputs } from '../../../../cli/compose/run-outputs.js';
import { filesWritten } from '../../../../cli/output.js';
import type { PendingFile } from '../../../../cli/output.js';
import { REPO } from '../../../support/cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** The bytes of every table `start` staged for `result`, once written; `waiting` is said as soon as the files are handed over. */
async function writtenTables(result: Awaited<ReturnType<typeof backtest>>['result'], waiting: boolean): Promise<Map<string, Buffer>> {
  const root = await mkdtemp(join(tmpdir(), 'td-run-outputs-'));
  dirs.push(root);
  const outputs = await RunOutputs.open(join(root, 'out'));
  try {
    const started = await outputs.start(result);
    const pending = await started.files;
    if (waiting) outputs.waiting();
    await filesWritten(pending);
    const bytes = new Map<string, Buffer>();
    for (const f of pending as PendingFile[]) bytes.set(f.name, await readFile((f as PendingFile & { path: string }).path));
    return bytes;
  } finally {
    await outputs.close();
  }
}

describe('RunOutputs', () => {
  it('writes the same tables on more writers once told the caller only waits', async () => {
    const { result } = await backtest(join(REPO, 'scenarios', 'demo.json'));
    const one = await writtenTables(result, false);
    const two = await writtenTables(result, true);
    expect([...two.keys()]).toEqual(['equity', 'fills', 'orders', 'trades', 'audit', 'signals'].map((t) => `${t}.parquet`));
    for (const [name, bytes] of one) expect(two.get(name)!.equals(bytes), name).toBe(true);
  });
});
