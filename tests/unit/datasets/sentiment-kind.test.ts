import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { importTable, readAll, readManifest } from '../../../datasets/index.js';
import { columnsOf } from '../../../datasets/schema.js';
import { entries, exists, removeAll, tempDir } from './helpers.js';

const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

async function importSentiment(text: string): Promise<{ root: string; out: string; result: Promise<unknown> }> {
  const root = await tempDir(cleanup);
  const input = join(root, 'news.csv');
  await writeFile(input, text);
  const out = join(root, 'out');
  return { root, out, result: importTable({ input, kind: 'sentiment', symbol: 'AAA', out }) };
}

async function importError(text: string): Promise<DataError> {
  const { root, out, result } = await importSentiment(text);
  const err = await result.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  expect(await exists(out)).toBe(false);
  expect(await entries(root)).toEqual(['news.csv']);
  return err as DataError;
}

describe('the sentiment data kind', () => {
  it('has the canonical columns ts, score and an optional mentions', () => {
    expect(columnsOf('sentiment')).toEqual([
      { name: 'ts', type: 'ts' },
      { name: 'score', type: 'f64' },
      { name: 'mentions', type: 'f64', optional: true },
    ]);
  });

  it('imports a CSV with aliased column names; a missing mentions column reads back as NaN', async () => {
    const { out, result } = await importSentiment('Date,Sentiment\n2024-01-02,0.25\n2024-01-03,-1\n2024-01-04,1\n');
    await result;
    const r = await readAll(out, { kind: 'sentiment' });
    expect(Array.from(r.columns['score']!)).toEqual([0.25, -1, 1]);
    expect(Array.from(r.columns['mentions']!)).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    const m = await readManifest(out);
    expect(m.kinds).toEqual(['sentiment']);
    expect(m.rows['sentiment']).toEqual({ AAA: 3 });
  });

  it('keeps the mentions column when given', async () => {
    const { out, result } = await importSentiment('ts,score,mentions\n2024-01-02T21:00:00Z,0.5,120\n2024-01-03T21:00:00Z,-0.1,7\n');
    await result;
    const r = await readAll(out, { kind: 'sentiment' });
    expect(Array.from(r.columns['mentions']!)).toEqual([120, 7]);
  });
});

describe('sentiment import refuses bad rows naming file, row and column, and writes nothing', () => {
  it('a score outside [-1, 1]', async () => {
    const e = await importError('ts,score\n2024-01-02,0.5\n2024-01-03,1.5\n');
    expect(e.message).toMatch(/news\.csv, row 2, column 'score': score is 1\.5, expected a score in \[-1, 1\]/);
    expect([e.row, e.column]).toEqual([2, 'score']);
  });

  it('a negative mentions count', async () => {
    const e = await importError('ts,score,mentions\n2024-01-02,0.5,3\n2024-01-03,0.1,-2\n');
    expect(e.message).toMatch(/row 2, column 'mentions': mentions is -2, expected a non-negative value/);
  });

  it('a missing score column', async () => {
    const e = await importError('ts,mentions\n2024-01-02,3\n');
    expect(e.message).toMatch(/news\.csv, column 'score': missing column: sentiment needs a column 'score'/);
  });

  it('a duplicate timestamp', async () => {
    const e = await importError('ts,score\n2024-01-02,0.5\n2024-01-02,0.1\n');
    expect(e.message).toMatch(/row 2, column 'ts': duplicate timestamp 2024-01-02/);
  });

  it('out-of-order timestamps', async () => {
    const e = await importError('ts,score\n2024-01-03,0.5\n2024-01-02,0.1\n');
    expect(e.message).toMatch(/row 2, column 'ts': timestamp 2024-01-02T00:00:00.000Z is earlier than the previous row's/);
  });
});
