import { readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { importTable } from '../../../datasets/import.js';
import { removeAll, tempDir } from './helpers.js';

/**
 * A run's temporary import (`scratch`) of bars, quotes or closes has DuckDB's CSV reader write the
 * Parquet file straight from the file, and checks the rows read back from it (import.ts copyCsvDirect):
 * the rows, contentHash and every refusal (file, row, column) must be those of a normal import, and a
 * refused file leaves nothing behind, whichever reader ends up naming the bad row.
 */
const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

/** Data line `i` of a plain file of 30-minute bars from 2000-01-03. */
function barLine(i: number): string {
  const ts = new Date(Date.UTC(2000, 0, 3) + i * 1_800_000).toISOString().replace('T', ' ').slice(0, 19);
  const p = 100 + (i % 50) / 10;
  return [ts, p.toFixed(2), (p + 1).toFixed(2), (p - 1).toFixed(2), p.toFixed(2), 1000 + i].join(',');
}

/** A plain CSV file of `n` such bars; `edit(i, line)` may change data line i (0-based). */
async function file(n: number, edit: (i: number, line: string) => string = (_, l) => l): Promise<string> {
  return textFile(['Date,Open,High,Low,Close,Volume', ...Array.from({ length: n }, (_, i) => edit(i, barLine(i)))].join('\n') + '\n');
}

async function textFile(text: string): Promise<string> {
  const f = join(await tempDir(cleanup), 'in.csv');
  await writeFile(f, text);
  return f;
}

/** Imports `input` normally and as a scratch import; returns both outcomes (result or error) and the scratch output directory. */
async function both(input: string, kind: 'bars' | 'trades' = 'bars'): Promise<{ plain: unknown; scratch: unknown; out: string }> {
  const plain = await importTable({ input, kind, symbol: 'AAA', out: join(await tempDir(cleanup), 'a') }).catch((e: unknown) => e);
  const out = join(await tempDir(cleanup), 'b');
  const scratch = await importTable({ input, kind, symbol: 'AAA', out, scratch: true }).catch((e: unknown) => e);
  return { plain, scratch, out };
}

async function expectRefusedAlike(input: string, message: RegExp): Promise<void> {
  const { plain, scratch, out } = await both(input);
  expect(scratch).toBeInstanceOf(DataError);
  expect((scratch as DataError).message).toMatch(message);
  expect((scratch as DataError).message).toBe((plain as DataError).message);
  expect((scratch as DataError).message).toContain(input);
  // Nothing written: no dataset, no staging directory beside it.
  expect(await readdir(dirname(out))).toEqual([]);
}

describe('importTable scratch: the Parquet file written straight from the CSV reader', () => {
  it('imports the rows and contentHash of a normal import', async () => {
    const { plain, scratch } = await both(await file(70_000));
    const p = plain as Awaited<ReturnType<typeof importTable>>;
    const s = scratch as Awaited<ReturnType<typeof importTable>>;
    expect(s.rows).toBe(70_000);
    expect(s.manifest.contentHash).toBe(p.manifest.contentHash);
    expect(s.manifest.files).toEqual(p.manifest.files);
    expect(s.mapping).toEqual(p.mapping);
  });

  it('names a bad row far down (out of order, row 60,001) with file, row and column', async () => {
    await expectRefusedAlike(await file(70_000, (i, l) => (i === 60_000 ? l.replace(/^[^,]+/, '1999-12-31 00:00:00') : l)), /row 60001\b/);
  });

  it('names a negative price far down with its column', async () => {
    await expectRefusedAlike(await file(70_000, (i, l) => (i === 65_000 ? l.replace(/,[^,]+,/, ',-5,') : l)), /row 65001\b.*Open|Open.*row 65001\b/s);
  });

  it('names a calendar date the byte scan passes and DuckDB refuses, as the JS reader does', async () => {
    // 2000-02-30 is NULL to DuckDB's cast: the COPY fails and the import takes the other readers.
    await expectRefusedAlike(await file(5000, (i, l) => (i === 10 ? l.replace(/^[^,]+/, '1999-12-31 00:00:00') : i === 4500 ? l.replace(/^[^,]+/, '2000-02-30 00:00:00') : l)), /unparseable date\/time "2000-02-30 00:00:00".*row 4501|row 4501.*unparseable date\/time "2000-02-30 00:00:00"/s);
  });

  it('refuses a file with a header and no data rows as a normal import does', async () => {
    await expectRefusedAlike(await file(0), /no data rows/);
  });

  it('takes a file that is not plain (quoted cells) through the checked reader', async () => {
    const { plain, scratch } = await both(await file(3000, (i, l) => (i === 2000 ? l.replace(/,([^,]+)$/, ',"$1"') : l)));
    expect((scratch as Awaited<ReturnType<typeof importTable>>).manifest.contentHash).toBe((plain as Awaited<ReturnType<typeof importTable>>).manifest.contentHash);
  });

  it('leaves kinds whose Parquet file does not hold the checked values (trades: side as TINYINT) to the table path', async () => {
    const text = ['ts,price,size,side', '2024-01-02T00:00:00Z,10,1,1.5', '2024-01-02T00:00:01Z,10,1,1'].join('\n') + '\n';
    const { plain, scratch } = await both(await textFile(text), 'trades');
    expect(scratch).toBeInstanceOf(DataError);
    expect((scratch as DataError).message).toBe((plain as DataError).message);
  });
});
