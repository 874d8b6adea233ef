import { join } from 'node:path';
import { InvalidArgumentError } from '../engine/core/index.js';
import { DuckSession, sqlString } from './duckdb.js';
import type { Manifest } from './manifest.js';

/**
 * Bars of one symbol resampled to a coarser interval, as typed-array columns (the shape of
 * CoarseBarColumns in engine/kernel/bar-cache.ts). Row i is the bucket opening at `barTs[i]`.
 */
export interface ResampledBars {
  readonly length: number;
  readonly barTs: Float64Array;
  /** When the bar may be read: the bucket's end, or the close of its last finer bar when later. */
  readonly visibleTs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export interface ResampleOptions {
  readonly symbol: string;
  /** Length of the coarse bars, integer microseconds. */
  readonly intervalUs: number;
  /** The finer bars' own interval, microseconds: a finer bar closes `barIntervalUs` after its `ts`. */
  readonly barIntervalUs: number;
  /**
   * How long before its stored `ts` a finer bar opened (0, the default: `ts` is the open; a series
   * stamped at its bars' closes, scenario data.barTimestamp "close": its interval). `start`/`end`
   * select the finer bars by their stored `ts`.
   */
  readonly stampOffsetUs?: number;
  /** First finer bar to use (inclusive, µs); a bucket that opens before it is left out (it would be partial). */
  readonly start?: number;
  /** Finer bars before it only (exclusive, µs); a bucket that ends after it is left out (it would be partial). */
  readonly end?: number;
}

/**
 * Resamples the bars of `symbol` in dataset `dir` into bars of `intervalUs` with one DuckDB query:
 * buckets are UTC epoch buckets (`ts - ts % interval`: a daily bar is a UTC day, whatever the
 * exchange's session), each with the first open, highest high, lowest low and last close (by
 * time) of its bars and their summed volume (NaN when one is missing). Only buckets lying wholly
 * inside [start, end) are kept, so a run's range never yields a partial first or last bucket; a
 * last bucket the data itself ends inside is kept with a `visibleTs` after the data's end (a
 * replay never reaches it). Returns the buckets in time order.
 */
export async function resampleBars(dir: string, manifest: Manifest, options: ResampleOptions): Promise<ResampledBars> {
  const { symbol, intervalUs, barIntervalUs } = options;
  const offset = options.stampOffsetUs ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidArgumentError(`invalid 'stampOffsetUs': not a non-negative integer number of microseconds, was ${offset}`);
  if (!Number.isSafeInteger(intervalUs) || intervalUs <= 0) throw new InvalidArgumentError(`invalid 'intervalUs': not a positive integer number of microseconds, was ${intervalUs}`);
  const file = manifest.files.find((f) => f.kind === 'bars' && f.symbol === symbol);
  if (file === undefined) throw new InvalidArgumentError(`invalid 'symbol': dataset '${dir}' has no bars for ${symbol}`);
  const where: string[] = [];
  if (options.start !== undefined) where.push(`ts >= ${options.start}`);
  if (options.end !== undefined) where.push(`ts < ${options.end}`);
  const keep: string[] = [];
  if (options.start !== undefined) keep.push(`bucket >= ${options.start}`);
  if (options.end !== undefined) keep.push(`bucket + ${intervalUs} <= ${options.end}`);
  const sql = `
    SELECT CAST(bucket AS DOUBLE), CAST(greatest(bucket + ${intervalUs}, max(ts) + ${barIntervalUs}) AS DOUBLE),
           arg_min(open, ts), max(high), min(low), arg_max(close, ts),
           CASE WHEN count(volume) < count(*) THEN 'NaN'::DOUBLE ELSE sum(volume) END
    FROM (SELECT t0 - t0 % ${intervalUs} AS bucket, t0 AS ts, open, high, low, close, volume
          FROM (SELECT ts - ${offset} AS t0, open, high, low, close, volume
                FROM read_parquet(${sqlString(join(dir, file.path))})${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}))
    GROUP BY bucket${keep.length > 0 ? ` HAVING ${keep.join(' AND ')}` : ''}
    ORDER BY bucket`;
  const session = await DuckSession.open({ threads: 1 });
  try {
    const rows = (await session.conn.runAndReadAll(sql)).getRows();
    const n = rows.length;
    const cols = Array.from({ length: 7 }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      for (let c = 0; c < 7; c++) cols[c]![i] = row[c] === null ? Number.NaN : Number(row[c]);
    }
    const [barTs, visibleTs, open, high, low, close, volume] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    return { length: n, barTs, visibleTs, open, high, low, close, volume };
  } finally {
    session.close();
  }
}
