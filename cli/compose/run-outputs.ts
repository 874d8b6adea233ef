import { rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WriteError, temporarySibling } from '../../datasets/atomic.js';
import { CurveSpill } from './curve-spill.js';
import type { NamedFile } from '../../datasets/atomic.js';
import { RUN_TABLES } from '../../datasets/output-dir.js';
import type { RunTableName } from '../../datasets/output-dir.js';
import { DuckSession, MemoryReleaser, sqlIdent, sqlString } from '../../datasets/duckdb.js';
import { ParquetTableSink, SinkGroup, duckWriteError } from '../../datasets/table-sink.js';
import type { SinkColumn } from '../../datasets/table-sink.js';
import { DataError, formatIsoUs } from '../../engine/core/index.js';
import type { RunReport, RunTables } from '../../reports/index.js';
import { drawdownSeries } from '../../reports/metrics.js';
import type { BacktestResult, EquitySink } from '../../sim/backtest/index.js';
import { EQUITY_SINK_COLUMNS } from '../../sim/backtest/index.js';
import { filesWritten } from '../output.js';
import type { PendingFile } from '../output.js';
import { SliceArrays, recordRows, sinkColumns } from './run-columns.js';
import { ORDER_ID_PREFIX } from '../../engine/core/index.js';

/**
 * A run's columnar outputs: the equity curve (every sample), fills, orders and round trips as Parquet
 * files beside report.json (equity.parquet, fills.parquet, orders.parquet, trades.parquet), readable by
 * pandas, polars and DuckDB; `--export csv` adds a CSV of each. The equity curve streams to its file as
 * the run goes (see ReplayConfig.equitySink), so memory does not grow with it; the other tables are
 * written from the run's logs when it ends. Everything is staged in a hidden sibling of the output
 * directory and moved into place with report.json and report.html (writeOutputs), or removed on failure.
 */

/** The Parquet tables of a run, their columns in file order. */
export const RUN_TABLE_COLUMNS = {
  equity: EQUITY_SINK_COLUMNS.map((name): SinkColumn => ({ name, type: name === 'ts' ? 'ts' : 'f64' })),
  fills: [
    { name: 'ts', type: 'ts' },
    { name: 'symbol', type: 'str' },
    { name: 'side', type: 'str' },
    { name: 'qty', type: 'f64' },
    { name: 'price', type: 'f64' },
    { name: 'commission', type: 'f64' },
    { name: 'orderId', type: 'str', numbered: ORDER_ID_PREFIX },
    { name: 'strategyId', type: 'str', nullable: true },
    { name: 'liquidity', type: 'str' },
  ],
  orders: [
    { name: 'id', type: 'str', numbered: ORDER_ID_PREFIX },
    { name: 'symbol', type: 'str' },
    { name: 'side', type: 'str' },
    { name: 'type', type: 'str' },
    { name: 'qty', type: 'f64' },
    { name: 'limitPrice', type: 'f64', nullable: true },
    { name: 'stopPrice', type: 'f64', nullable: true },
    { name: 'timeInForce', type: 'str' },
    { name: 'status', type: 'str' },
    { name: 'filledQty', type: 'f64' },
    { name: 'avgFillPrice', type: 'f64' },
    { name: 'tsCreated', type: 'ts' },
    { name: 'strategyId', type: 'str', nullable: true },
    { name: 'reduceOnly', type: 'bool' },
    { name: 'tag', type: 'str', nullable: true },
    { name: 'reason', type: 'str', nullable: true },
    { name: 'linkContingency', type: 'str', nullable: true },
    { name: 'linkParentId', type: 'str', nullable: true },
    { name: 'linkedIds', type: 'str', nullable: true },
    { name: 'linkGroup', type: 'str', nullable: true },
  ],
  trades: [
    { name: 'symbol', type: 'str' },
    { name: 'strategyId', type: 'str' },
    { name: 'side', type: 'str' },
    { name: 'qty', type: 'f64' },
    { name: 'entryTime', type: 'ts' },
    { name: 'entryPrice', type: 'f64' },
    { name: 'exitTime', type: 'ts' },
    { name: 'exitPrice', type: 'f64' },
    { name: 'pnl', type: 'f64' },
    { name: 'returnPct', type: 'f64' },
    { name: 'commission', type: 'f64' },
  ],
  audit: [
    { name: 'ts', type: 'ts' },
    { name: 'kind', type: 'str' },
    { name: 'message', type: 'str' },
    { name: 'strategyId', type: 'str', nullable: true },
    { name: 'symbol', type: 'str', nullable: true },
    { name: 'orderId', type: 'str', nullable: true, numbered: ORDER_ID_PREFIX },
    { name: 'details', type: 'str', nullable: true },
  ],
  signals: [
    { name: 'ts', type: 'ts' },
    { name: 'strategyId', type: 'str' },
    { name: 'symbol', type: 'str' },
    { name: 'direction', type: 'i64' },
    { name: 'strength', type: 'f64' },
    { name: 'confidence', type: 'f64' },
    { name: 'reason', type: 'str', nullable: true },
    { name: 'metadata', type: 'str', nullable: true },
  ],
} as const satisfies Record<RunTableName, readonly SinkColumn[]>;

export const RUN_TABLE_NAMES: readonly RunTableName[] = RUN_TABLES;
/** What `--export` may add beside the Parquet files. */
export const EXPORT_FORMATS = ['csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A run's tables once their rows are handed over: the report's `tables` section and the files DuckDB is writing. */
export interface StartedTables {
  readonly tables: RunTables;
  /**
   * The files to move into place (the Parquet tables, then any exports), resolved at once: each is being written
   * until its `written` settles, and writeOutputs waits for that, so the page renders while DuckDB writes.
   */
  readonly files: Promise<PendingFile[]>;
}

/** The tables of a run being written. */
export class RunOutputs {
  private finished = false;
  /** equity.parquet being written (started when the run hands its curve back, see `equity.curve`). */
  private equityWrite: Promise<number> | null = null;
  /**
   * Settles once what DuckDB cached writing equity.parquet is handed back: after the write and its release for a
   * curve of at least RELEASE_AFTER_ROWS rows, at once for a shorter one (nothing is released after it).
   */
  private equityReleased: Promise<unknown> = Promise.resolve();
  /** DuckDB work under way, awaited before the session closes. */
  private readonly inFlight: Promise<unknown>[] = [];
  /** Hands back what DuckDB freed writing a long run's tables (opened at the first release, closed with the outputs). */
  private readonly releaser = new MemoryReleaser();
  private constructor(
    private readonly outDir: string,
    /** The hidden directory the files are staged in (a sibling of the output directory). */
    readonly staging: string,
    /**
     * DuckDB's session the tables are written on (one thread, a 64 MB pool spilling inside the staging directory),
     * open until {@link close}: a run's small CSV file of bars is read on a connection of it (runScenario's
     * `session`), not on an instance of its own.
     */
    readonly session: DuckSession,
    /** The equity curve's table. */
    private readonly equityTable: ParquetTableSink,
    /** Where the streamed curve's ts and equity are spilled for the metrics and the runHash. */
    private readonly spill: CurveSpill,
    /** Shared by the run's tables: how many parts DuckDB writes at once, and the part buffers. */
    private readonly group: SinkGroup,
  ) {
    const table = equityTable;
    this.equity = {
      append(batch, n) {
        table.append(batch, n);
        spill.append(batch.ts, batch.equity, n);
      },
      get wantsFlush() {
        return table.wantsFlush;
      },
      flush: () => table.flush(),
      curve: () => {
        // The last sample is in: DuckDB writes equity.parquet while the report is built.
        this.startEquityWrite();
        return spill;
      },
    };
  }

  /** The equity curve's sink: give it to the run (ExecuteOptions.equitySink). */
  readonly equity: EquitySink;

  /**
   * Opens the staging directory beside `outDir` and the equity curve's sink. `staged` is told the staging
   * directory before it is made (the CLI registers it for removal on Ctrl-C: a signal may come while it opens).
   */
  static async open(outDir: string, staged: (staging: string) => void = () => undefined): Promise<RunOutputs> {
    const staging = temporarySibling(outDir);
    staged(staging);
    // The parent as replaceFilesAtomic would make it; the staging directory itself alone (a read-only file system says so).
    await mkdir(dirname(outDir), { recursive: true }).catch((err: unknown) => {
      throw new WriteError(outDir, err);
    });
    await mkdir(staging).catch((err: unknown) => {
      throw new WriteError(outDir, err);
    });
    try {
      // A small pool: DuckDB holds only the part being written (its row group, read from its staged file); anything
      // beyond the pool spills inside the staging directory, never into the working directory.
      const session = await DuckSession.open({ threads: 1, memoryLimit: '64MB', tempDirectory: join(staging, '.duckdb-tmp') });
      const group = new SinkGroup(WRITERS);
      const equity = await ParquetTableSink.open(join(staging, 'equity.parquet'), RUN_TABLE_COLUMNS.equity, { session, label: join(outDir, 'equity.parquet'), group });
      return new RunOutputs(outDir, staging, session, equity, new CurveSpill(staging, join(outDir, 'equity.parquet')), group);
    } catch (err) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Starts writing equity.parquet (once), in the background; its failure surfaces in {@link start}'s files. */
  private startEquityWrite(): Promise<number> {
    if (this.equityWrite === null) {
      // Every row is in: what DuckDB freed writing a long curve goes back to the system while the report renders.
      const release = this.equityTable.rows >= RELEASE_AFTER_ROWS;
      this.equityWrite = this.equityTable.finish();
      if (release) this.equityReleased = this.equityWrite.then(() => this.releaser.release());
      this.inFlight.push(this.equityReleased.catch(() => undefined), this.equityWrite.catch(() => undefined));
    }
    return this.equityWrite;
  }

  /**
   * Hands over the rows of a finished run and starts writing its tables: the equity curve from the run's
   * arrays when it was not streamed (a run with books), the fills, orders, round trips, audit and signals from the result's records (run-columns.ts);
   * with `exports`, a CSV of each. Returns the report's `tables` section and the files to move into place, at once: DuckDB writes them on its own thread while
   * `tapedeck run` renders its page, and writeOutputs waits for them (PendingFile). The page reads the run's columns,
   * no object per record, so its heap beside DuckDB's stays small (a 2.5 M-bar run's peak: see bench/RESULTS.md).
   */
  async start(result: BacktestResult, exports: readonly ExportFormat[] = []): Promise<StartedTables> {
    if (result.equityStream === undefined && this.equityWrite === null) writeEquityFromMemory(this.equityTable, result);
    const equityRows = this.equityTable.rows;
    const writes: Promise<unknown>[] = [this.startEquityWrite()];
    this.spill.close();
    const rows: Record<RunTableName, number> = { equity: equityRows, ...recordRows(result) };
    // What DuckDB freed during a long run (the tape read, equity.parquet's parts) goes back to the system before
    // the tables are written: held, it sat under the tables' and the page's memory, the run's peak (a 2.5 M-bar
    // run's RSS fell 425 -> 361 MB here).
    if (equityRows >= RELEASE_AFTER_ROWS) await this.releaser.release();
    // Each table's rows are staged at once, a slice of columns at a time (files of doubles in the staging
    // directory: see ParquetTableSink), one table after another; DuckDB writes the parts on its thread
    // (WRITERS at a time, equity.parquet's end first) while the main thread stages the next.
    // The sinks are opened together, not one after another: each open waits for a connection and its parts'
    // directory (libuv's threads, beside equity.parquet's write), 1-15 ms each of a 62,496-bar run with the main
    // thread idle; together they wait about as long as the longest.
    const names = ['fills', 'orders', 'trades', 'audit', 'signals'] as const;
    const opened = await Promise.allSettled(
      names.map((name) => ParquetTableSink.open(join(this.staging, `${name}.parquet`), RUN_TABLE_COLUMNS[name], { session: this.session, label: join(this.outDir, `${name}.parquet`), group: this.group, rows: rows[name] })),
    );
    const sinks = opened.map((o) => (o.status === 'fulfilled' ? o.value : null));
    // The slices' typed arrays, taken again by each next slice (the sinks copy what they are handed).
    const arrays = new SliceArrays();
    try {
      const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      for (const [k, name] of names.entries()) {
        const n = rows[name];
        const sink = sinks[k]!;
        sinks[k] = null;
        try {
          for (let from = 0; from < n; from += SLICE_ROWS) {
            const to = Math.min(n, from + SLICE_ROWS);
            sink.append(sinkColumns(result, name, from, to, arrays), to - from);
          }
        } catch (err) {
          await sink.abort();
          throw err;
        }
        // What DuckDB freed writing a long table goes back to the system as soon as it is written: held, the
        // tables' cached memory sat under the page's rendering, the run's peak (a 2.5 M-bar run, written before the page: 430-490 -> 400-440 MiB).
        writes.push(n >= RELEASE_AFTER_ROWS ? sink.finish().then(async (written) => (await this.releaser.release(), written)) : sink.finish());
      }
    } catch (err) {
      // No write outlives the run's outputs (close() ends the session); the sinks not yet written to are dropped.
      await Promise.allSettled([...writes, ...sinks.map((sink) => sink?.abort())]);
      throw err;
    }
    const out: NamedFile[] = RUN_TABLE_NAMES.map((name) => ({ name: `${name}.parquet`, path: join(this.staging, `${name}.parquet`) }));
    for (const format of exports) for (const name of RUN_TABLE_NAMES) out.push({ name: `${name}.${format}`, path: join(this.staging, `${name}.${format}`) });
    const written = (async (): Promise<void> => {
      await settled(writes);
      for (const format of exports) {
        for (const name of RUN_TABLE_NAMES) {
          await this.session.conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(this.staging, `${name}.parquet`))})) TO ${sqlString(join(this.staging, `${name}.${format}`))} (FORMAT csv, HEADER)`).catch((err: unknown) => {
            throw duckWriteError(join(this.outDir, `${name}.${format}`), err);
          });
        }
      }
    })();
    this.inFlight.push(written.catch(() => undefined));
    const tables = Object.fromEntries(RUN_TABLE_NAMES.map((name) => [name, { file: `${name}.parquet`, rows: rows[name] }])) as unknown as RunTables;
    // The page renders once what DuckDB cached writing a long curve is handed back (equityReleased), beside the
    // record tables' writes: rendered while a long curve's last parts were being written, it held the main thread
    // those parts' joins wait on, and DuckDB's cache of them sat under the page. A short curve releases nothing:
    // its page renders at once, beside its write (a 62,496-bar run's page waited ~85 ms for it; 2026-12-05).
    const pending = out.map((f): PendingFile => ({ ...f, written }));
    return { tables, files: this.equityReleased.then(() => pending, () => pending) };
  }

  /**
   * Writes the tables of a finished run (see {@link start}) and waits for them. Returns the files to move
   * into place and the report's `tables` section.
   */
  async finish(result: BacktestResult, exports: readonly ExportFormat[] = []): Promise<{ files: NamedFile[]; tables: RunTables }> {
    const started = await this.start(result, exports);
    const files = await started.files;
    await filesWritten(files);
    return { files, tables: started.tables };
  }

  /**
   * Waits for DuckDB's writes to end, then removes everything staged (the files already moved into place are not
   * touched). With `leaveOpen`, DuckDB's instances are left to the process's end, which frees them with everything
   * else (`tapedeck run`, whose process ends at once after it: see endWhenDone): closed, an instance finalized its
   * catalog and handed its allocator's memory back page by page on the main thread (4.5-12 ms of a 62,496-bar run).
   * Left open and never closed, an instance is closed when V8 collects it (the bindings' finalizer).
   */
  async close(options: { leaveOpen?: boolean } = {}): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      this.spill.close();
      await Promise.all(this.inFlight);
      if (this.equityWrite === null) await this.equityTable.abort().catch(() => undefined);
      if (options.leaveOpen === true) {
        await this.releaser.idle();
      } else {
        await this.releaser.close();
        this.session.close();
      }
    }
    // Removed at once, on this thread: what is left is a few files (the spilled curve) and directories, and each step of
    // an asynchronous removal waited for a thread of libuv's (1-60 ms of a 62,496-bar run's end under load).
    try {
      rmSync(this.staging, { recursive: true, force: true });
    } catch {
      // left behind, as the asynchronous removal's failure was
    }
  }
}

/**
 * An equity curve of at least this many rows hands back what DuckDB freed writing it (MemoryReleaser), when the
 * run ends and once it is written: a 2.5 M-bar run's reads and parts left ~100 MB cached, held through the
 * report's rendering, its peak. A short run's leave little, and skip the instance a release opens and its flush.
 */
const RELEASE_AFTER_ROWS = 65_536;

/** Parts DuckDB writes at once (see SinkGroup): one thread writes while the main thread stages the next parts. */
const WRITERS = 1;

/**
 * Rows of a record table's columns built at a time (run-columns.ts): a slice's columns are young garbage, collected
 * cheaply, where a 2.5 M-bar run's whole tables' columns (~50 MB) waited for a full collection.
 */
const SLICE_ROWS = 8192;

/** Waits for every one of `writes` to settle (no write outlives the caller), then throws the first failure, if any. */
async function settled(writes: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** Appends a run's in-memory equity curve to the sink (a run whose curve was not streamed). */
function writeEquityFromMemory(sink: ParquetTableSink, result: BacktestResult): void {
  const e = result.equity;
  sink.append({ ts: e.ts, equity: e.equity, cash: e.cash, drawdown: drawdownSeries(e.equity), grossExposure: e.grossExposure, marginInUse: e.marginInUse, buyingPower: e.buyingPower }, e.ts.length);
}

/**
 * Reads a run's fills, orders and round trips back from the Parquet files beside its report.json (the
 * report's `tables`), as report.json held them before schemaVersion 2. A missing or unreadable file is
 * a DataError naming it.
 */
export async function readRunTables(dir: string, tables: RunTables, signalCount: number): Promise<Pick<RunReport, 'fills' | 'orders' | 'trades' | 'audit' | 'signals'>> {
  const session = await DuckSession.open({ threads: 1 });
  try {
    const read = async (name: Exclude<RunTableName, 'equity'>): Promise<Record<string, unknown>[]> => {
      const file = join(dir, tables[name].file);
      const select = RUN_TABLE_COLUMNS[name]
        .map((c) => {
          const id = sqlIdent(c.name);
          return c.type === 'ts' ? `epoch_us(${id})::DOUBLE AS ${id}` : c.type === 'bool' ? `${id}::BOOLEAN AS ${id}` : id;
        })
        .join(', ');
      let rows: Record<string, unknown>[];
      try {
        const r = await session.conn.runAndReadAll(`SELECT ${select} FROM read_parquet(${sqlString(file)})`);
        rows = r.getRowObjectsJS() as Record<string, unknown>[];
      } catch (err) {
        throw new DataError(`unreadable ${name} table: ${(err as Error).message.split('\n')[0]}`, { file }, { cause: err });
      }
      if (rows.length !== tables[name].rows) throw new DataError(`holds ${rows.length} rows, report.json says ${tables[name].rows}`, { file });
      return rows;
    };
    const fills = (await read('fills')).map((r) => ({
      ts: r['ts'] as number,
      time: formatIsoUs(r['ts'] as number),
      symbol: r['symbol'] as string,
      side: r['side'] as 'buy' | 'sell',
      qty: r['qty'] as number,
      price: r['price'] as number,
      commission: r['commission'] as number,
      orderId: r['orderId'] as string,
      strategyId: (r['strategyId'] as string | null) ?? null,
      liquidity: r['liquidity'] as string,
    }));
    const orders = (await read('orders')).map((r) => {
      const link =
        r['linkContingency'] !== null
          ? { link: { contingency: r['linkContingency'], parentId: r['linkParentId'] ?? null, linkedIds: JSON.parse(r['linkedIds'] as string) as string[], group: r['linkGroup'] ?? null } }
          : {};
      return {
        id: r['id'],
        symbol: r['symbol'],
        side: r['side'],
        type: r['type'],
        qty: r['qty'],
        limitPrice: r['limitPrice'] ?? null,
        stopPrice: r['stopPrice'] ?? null,
        timeInForce: r['timeInForce'],
        status: r['status'],
        filledQty: r['filledQty'],
        avgFillPrice: r['avgFillPrice'],
        tsCreated: r['tsCreated'],
        strategyId: r['strategyId'] ?? null,
        reduceOnly: r['reduceOnly'],
        tag: r['tag'] ?? null,
        reason: r['reason'] ?? null,
        ...link,
      };
    }) as unknown as RunReport['orders'];
    const trades = (await read('trades')).map((r) => ({
      symbol: r['symbol'] as string,
      strategyId: r['strategyId'] as string,
      side: r['side'] as 'long' | 'short',
      qty: r['qty'] as number,
      entryTime: formatIsoUs(r['entryTime'] as number),
      entryPrice: r['entryPrice'] as number,
      exitTime: formatIsoUs(r['exitTime'] as number),
      exitPrice: r['exitPrice'] as number,
      pnl: r['pnl'] as number,
      returnPct: r['returnPct'] as number,
      commission: r['commission'] as number,
    }));
    // Optional fields come back only when they were there.
    const present = (r: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> => Object.fromEntries(keys.filter((k) => r[k] !== null).map((k) => [k, r[k]]));
    const audit = (await read('audit')).map((r) => ({
      ts: r['ts'] as number,
      kind: r['kind'] as string,
      message: r['message'] as string,
      ...present(r, ['strategyId', 'symbol', 'orderId']),
      ...(r['details'] !== null ? { details: JSON.parse(r['details'] as string) as Record<string, unknown> } : {}),
      time: formatIsoUs(r['ts'] as number),
    }));
    const recorded = (await read('signals')).map((r) => ({
      ts: r['ts'] as number,
      strategyId: r['strategyId'],
      symbol: r['symbol'],
      direction: Number(r['direction']),
      strength: r['strength'],
      confidence: r['confidence'],
      ...present(r, ['reason']),
      ...(r['metadata'] !== null && r['metadata'] !== undefined ? { metadata: JSON.parse(r['metadata'] as string) as Record<string, unknown> } : {}),
      time: formatIsoUs(r['ts'] as number),
    }));
    return { fills, orders, trades, audit, signals: { count: signalCount, recorded } } as Pick<RunReport, 'fills' | 'orders' | 'trades' | 'audit' | 'signals'>;
  } finally {
    session.close();
  }
}
