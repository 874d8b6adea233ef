import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importTable } from '../../../datasets/import.js';
import { writeDataset } from '../../../datasets/writer.js';
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { removeAll, tempDir } from './helpers.js';

/**
 * An import's Parquet bytes depend on the file, not on the machine's load. DuckDB writes a table's row groups
 * where its rows' batches fall: a CSV file read on several threads was stored with row groups that DuckDB's
 * parallel insert merged as the threads happened to finish (122,880 rows give or take a few hundred, cut
 * elsewhere from one import to the next on a busy machine), and the COPY to Parquet keeps those cuts. Several
 * imports of one file at once (each with DuckDB's threads, more threads than cores) must write the same bytes,
 * every row group but the last 122,880 rows. So must the tables a writer stages itself (data generate, the JS
 * reader's and a Parquet file's imports): staged by DuckDB's appender, on one thread.
 */
const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

/** Bigger than import.ts's SMALL_FILE_BYTES (16 MB), so the import reads it as a large file. */
const ROWS = 360_000;

function csvText(n: number): string {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  const t0 = Date.UTC(2000, 0, 3);
  for (let i = 0; i < n; i++) {
    const ts = new Date(t0 + i * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    const p = 100 + ((i * 7919) % 1000) / 100;
    lines.push(`${ts},${p.toFixed(2)},${(p + 0.5).toFixed(2)},${(p - 0.5).toFixed(2)},${(p + 0.1).toFixed(3)},${1000 + (i % 977)}`);
  }
  return lines.join('\n') + '\n';
}

async function rowGroups(file: string): Promise<number[]> {
  const session = await DuckSession.open({ threads: 1 });
  try {
    const r = await session.conn.runAndReadAll(`SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${sqlString(file)}) ORDER BY 1`);
    return r.getRows().map((row) => Number(row[1]));
  } finally {
    session.close();
  }
}

describe('importTable: Parquet bytes independent of load', () => {
  it('writes the same bytes, in fixed row groups, for imports of one file run at the same time', async () => {
    const root = await tempDir(cleanup);
    const input = join(root, 'in.csv');
    await writeFile(input, csvText(ROWS));
    const files: string[] = [];
    const hashes = new Set<string>();
    for (let round = 0; round < 2; round++) {
      const outs = [0, 1, 2].map((k) => join(root, `out-${round}-${k}`));
      const results = await Promise.all(outs.map((out) => importTable({ input, kind: 'bars', symbol: 'AAA', out })));
      for (const r of results) hashes.add(r.manifest.contentHash);
      files.push(...outs.map((out) => join(out, 'bars', 'AAA.parquet')));
    }
    expect(hashes.size).toBe(1);
    const first = await readFile(files[0]!);
    for (const f of files.slice(1)) {
      const bytes = await readFile(f);
      expect(bytes.equals(first), `${f}: ${bytes.length} bytes, ${first.length} in ${files[0]}; row groups ${(await rowGroups(f)).join(', ')}`).toBe(true);
    }
    const groups = await rowGroups(files[0]!);
    expect(groups.reduce((a, b) => a + b, 0)).toBe(ROWS);
    expect(groups.slice(0, -1).every((g) => g === 122_880), `row groups ${groups.join(', ')}`).toBe(true);
  });

  it('writes the same bytes, in fixed row groups, for a staged table written by several writers at once', async () => {
    const root = await tempDir(cleanup);
    const n = 300_000;
    const ts = new Float64Array(n);
    const price = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = 946_857_600_000_000 + i * 60_000_000;
      price[i] = 100 + ((i * 7919) % 1000) / 100;
    }
    const columns = { ts, open: price, high: price.map((p) => p + 0.5), low: price.map((p) => p - 0.5), close: price, volume: price.map((_, i) => 1000 + (i % 977)) };
    const outs = [0, 1, 2].map((k) => join(root, `out-${k}`));
    await Promise.all(outs.map((out) => writeDataset(out, [{ kind: 'bars', symbol: 'AAA', columns }], {})));
    const files = outs.map((out) => join(out, 'bars', 'AAA.parquet'));
    const first = await readFile(files[0]!);
    for (const f of files.slice(1)) expect((await readFile(f)).equals(first), f).toBe(true);
    const groups = await rowGroups(files[0]!);
    expect(groups.slice(0, -1).every((g) => g === 122_880), `row groups ${groups.join(', ')}`).toBe(true);
  });
});
