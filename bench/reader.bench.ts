/**
 * Reader and writer throughput (issue 2 target: reader >= 15 M rows/s for 3 numeric columns).
 * - writer: typed arrays -> validated, hashed, zstd Parquet dataset (DatasetWriter);
 * - reader: Parquet -> typed-array batches of (ts, price, size) through openReader, one symbol and
 *   four symbols merged in (ts, symbol) order; the same one-symbol tape rewritten with snappy, to
 *   show what the compression costs;
 * - DuckDB alone: the same three columns decoded and reduced inside DuckDB with nothing copied out,
 *   the ceiling of any reader on this machine at this load.
 * `cpu median` counts every thread of the process (DuckDB's included): rows per CPU-second.
 * The data is a deterministic trades tape written once into os.tmpdir() and removed at the end.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckSession, sqlString } from '../datasets/duckdb.js';
import { openReader, writeDataset, type TableInput } from '../datasets/index.js';
import { measure, type ThroughputResult } from './harness.js';

const ROWS = 10_000_000;
const WRITER_ROWS = 2_000_000;
const T0 = 1_700_000_000_000_000;

function tradesTape(symbol: string, n: number, offsetUs: number): TableInput {
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const size = new Float64Array(n);
  const side = new Int8Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    ts[i] = T0 + offsetUs + i * 1000;
    p += ((i * 7919) % 13) / 100 - 0.06;
    if (p < 1) p = 100;
    price[i] = p;
    size[i] = 1 + (i % 97);
    side[i] = (i % 3) - 1;
  }
  return { kind: 'trades', symbol, columns: { ts, price, size, side } };
}

async function readAllBatches(dir: string): Promise<number> {
  let rows = 0;
  let checksum = 0;
  for await (const b of await openReader(dir, { kind: 'trades', columns: ['price', 'size'], batchRows: 65536, reuseBuffers: true })) {
    rows += b.length;
    checksum += b.columns['price']![b.length - 1]!; // touch the data so nothing is optimized away
  }
  if (!(rows > 0 && checksum > 0)) throw new Error('reader benchmark read nothing');
  return rows;
}

export default async function run(): Promise<ThroughputResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'tapedeck-bench-reader-'));
  try {
    const results: ThroughputResult[] = [];
    const small = tradesTape('W', WRITER_ROWS, 0);
    let k = 0;
    results.push(
      await measure('writer: 2M trades -> validated, hashed zstd Parquet', 'rows/s', WRITER_ROWS, () => writeDataset(join(work, `w${k++}`), [small], {}), {
        runs: 3,
        warmup: 1,
        note: 'typed arrays -> DuckDB appender (memcpy per 2048-row vector) -> COPY TO parquet',
        cpuTime: true,
      }),
    );
    const one = join(work, 'one');
    await writeDataset(one, [tradesTape('A', ROWS, 0)], {});
    results.push(
      await measure('reader: 10M trades, 1 symbol, (ts, price, size)', 'rows/s', ROWS, () => readAllBatches(one), {
        runs: 5,
        warmup: 1,
        note: '65536-row batches, reused buffers',
        cpuTime: true,
      }),
    );
    // The same dataset with its file rewritten with snappy (same logical content: the manifest holds).
    const snappy = join(work, 'snappy');
    await cp(one, snappy, { recursive: true });
    const session = await DuckSession.open({ threads: 1 });
    try {
      const file = join(one, 'trades', 'A.parquet');
      await session.conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(file)})) TO ${sqlString(join(snappy, 'trades', 'A.parquet'))} (FORMAT parquet, COMPRESSION snappy)`);
      results.push(
        await measure('DuckDB alone: decode (ts, price, size), nothing copied out', 'rows/s', ROWS, () => session.conn.run(`SELECT max(ts + 1), max(price * 1.5), max(size * 1.5) FROM read_parquet(${sqlString(file)})`), {
          runs: 5,
          warmup: 1,
          note: 'zstd file, 1 DuckDB thread as in the reader: the ceiling of any reader here',
          cpuTime: true,
        }),
      );
    } finally {
      session.close();
    }
    results.push(
      await measure('reader: 10M trades, 1 symbol, snappy Parquet', 'rows/s', ROWS, () => readAllBatches(snappy), {
        runs: 5,
        warmup: 1,
        note: 'the writer writes zstd; this file is rewritten with snappy (2.7x the size)',
        cpuTime: true,
      }),
    );
    const four = join(work, 'four');
    await writeDataset(four, ['A', 'B', 'C', 'D'].map((s, i) => tradesTape(s, ROWS / 4, i * 250)), {});
    results.push(
      await measure('reader: 4 x 2.5M trades merged by (ts, symbol)', 'rows/s', ROWS, () => readAllBatches(four), {
        runs: 5,
        warmup: 1,
        note: 'interleaved timestamps: the merge takes one row per turn',
        cpuTime: true,
      }),
    );
    return results;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
