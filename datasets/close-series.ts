import { open } from 'node:fs/promises';
import { DataError } from '../engine/core/index.js';
import { DuckSession, sqlString } from './duckdb.js';
import { headerRecord, isCloseOnly } from './import.js';
import type { Manifest, Provenance } from './manifest.js';
import { openReader } from './reader.js';
import { asWriteError, DatasetWriter } from './writer.js';

/** How much of a CSV file is read to find its header line. */
const HEADER_BYTES = 1 << 16;

/**
 * Returns the column names of a CSV (its first non-blank line) or Parquet file, or null when they
 * cannot be read (the import that follows reports why, naming the file).
 */
export async function fileColumns(path: string, format: 'csv' | 'parquet'): Promise<string[] | null> {
  if (format === 'parquet') {
    const session = await DuckSession.open({ threads: 1 });
    try {
      const r = await session.conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
      return r.getRows().map((row) => String(row[0]));
    } catch {
      return null;
    } finally {
      session.close();
    }
  }
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    // Only the lines up to the header are parsed when they can be (headerRecord): the rest of the 64 KB is rows.
    return headerRecord(buf.subarray(0, bytesRead).toString('utf8'), ',')?.fields ?? null;
  } catch {
    return null; // unreadable or malformed: the import names the problem
  } finally {
    await handle?.close();
  }
}

/** Whether the file at `path` is a close-only series (see isCloseOnly). */
export async function isCloseOnlyFile(path: string, format: 'csv' | 'parquet'): Promise<boolean> {
  const columns = await fileColumns(path, format);
  return columns !== null && isCloseOnly(columns);
}

/**
 * Adds to dataset `dir` a bars table for `symbol` read from its closes table at the series' own
 * spacing: one bar per close, with open = high = low = close and volume 0 (what a backtester given a
 * close-only frame assumes: a fill at the next bar's open is a fill at the next close). Streams the
 * closes in batches; returns the updated manifest.
 */
/** The provenance of the bars table read from `symbol`'s closes (barsFromCloses). */
export function closeBarsSource(symbol: string): Provenance {
  return { barsFrom: `closes/${symbol}.parquet`, rule: 'open = high = low = close, volume 0' };
}

/** The bars columns of closes `ts`, `close` (n rows): open = high = low = close, volume 0. */
export function barsOfCloses(ts: Float64Array, close: Float64Array): Record<string, Float64Array> {
  return { ts, open: close, high: close, low: close, close, volume: new Float64Array(close.length) };
}

export async function barsFromCloses(dir: string, symbol: string): Promise<Manifest> {
  const writer = await DatasetWriter.open(dir, { createdBy: {}, mode: 'update' }).catch((err: unknown) => {
    throw asWriteError(dir, err);
  });
  try {
    const table = await writer.beginTable('bars', symbol, closeBarsSource(symbol));
    const reader = await openReader(dir, { kind: 'closes', symbols: [symbol] });
    try {
      for await (const b of reader) await table.append(barsOfCloses(b.columns.ts!, b.columns.close!));
    } finally {
      reader.close();
    }
    const file = await table.end();
    if (file.rows === 0) throw new DataError('no closes to read as bars', { file: `${dir}/closes/${symbol}.parquet` });
    return await writer.commit();
  } catch (err) {
    await writer.abort();
    throw asWriteError(dir, err);
  }
}
