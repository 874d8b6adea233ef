import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type * as DuckApi from '@duckdb/node-api';
import { createRequire } from 'node:module';
import type { DuckDBAppender, DuckDBBlobValue, DuckDBConnection } from '@duckdb/node-api';
import { ConfigError, InvariantError } from '../../engine/core/index.js';
import type { TrialParams } from './space.js';
import type { TrialMetrics, TrialResult } from './trial.js';

// CommonJS, so loaded with require rather than import (see datasets/duckdb.ts, which every other module uses).
const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckApi;
type DuckDBInstance = DuckApi.DuckDBInstance;

/** Store file format version, written in the meta table. */
export const TRIAL_STORE_VERSION = 1;

// Returns are stored as little-endian doubles; typed arrays use the platform's order.
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Returns a Float64Array's bytes (little-endian). */
export function returnsToBytes(returns: Float64Array): Uint8Array {
  if (!LITTLE_ENDIAN) throw new InvariantError('the trial store needs a little-endian platform');
  return new Uint8Array(returns.buffer.slice(returns.byteOffset, returns.byteOffset + returns.byteLength));
}

/** Returns the doubles of a little-endian byte string (copied, so the result is aligned). */
export function bytesToReturns(bytes: Uint8Array): Float64Array {
  if (!LITTLE_ENDIAN) throw new InvariantError('the trial store needs a little-endian platform');
  if (bytes.byteLength % 8 !== 0) throw new InvariantError(`returns blob of ${bytes.byteLength} bytes is not a whole number of doubles`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}

/**
 * The error for a trial store DuckDB cannot open or read (a damaged file, a checksum mismatch, a file
 * that is not a DuckDB database): one line naming the file, with the way out (--fresh starts over).
 */
function storeError(file: string, err: unknown): ConfigError {
  const reason = (err as Error).message.split('\n')[0]!.replace(/^IO Error: /, '');
  return new ConfigError('--out', `cannot read the trial store ${file} (${reason}); if it is damaged, --fresh deletes it and starts the sweep over`);
}

export interface OpenTrialStoreOptions {
  /** Identity of the sweep (hash of scenario, space, method, seed, ...); a store of another sweep is refused. */
  readonly configHash: string;
  /** A human description of the sweep configuration, stored next to the hash. */
  readonly config?: unknown;
  /** Delete an existing store first. */
  readonly fresh?: boolean;
}

/**
 * The DuckDB file of a sweep's trials (DIR/trials.duckdb). Trials are committed in batches (see
 * {@link TrialStore.put}: within 100 ms of finishing), keyed by their trial key (a trial already stored
 * is not stored again), so a sweep killed at any point resumes with every committed trial and no
 * duplicate, and an interrupted one (Ctrl-C) commits every finished trial first. Only the thread that
 * opened the store writes to it (DuckDB has a single writer).
 */
export class TrialStore {
  private readonly keySet: Set<string>;
  private chain: Promise<void> = Promise.resolve();
  private readonly pending: { trial: TrialResult; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing = false;
  private closed = false;
  /** One appender for the store's life, created with the first write. */
  private appender: DuckDBAppender | null = null;

  private constructor(
    readonly file: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    keys: Iterable<string>,
  ) {
    this.keySet = new Set(keys);
  }

  /**
   * Opens (creating if needed) the store at `file`. Throws ConfigError when it holds trials of a
   * different sweep configuration, unless `fresh` (which deletes it first).
   */
  static async open(file: string, options: OpenTrialStoreOptions): Promise<TrialStore> {
    if (options.fresh) {
      await rm(file, { force: true });
      await rm(`${file}.wal`, { force: true });
    }
    let instance: DuckDBInstance;
    try {
      await mkdir(dirname(file), { recursive: true });
    } catch (err) {
      throw new ConfigError('--out', `cannot create the directory of the trial store ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
    try {
      instance = await DuckDBInstance.create(file, { threads: '1', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    } catch (err) {
      throw storeError(file, err);
    }
    let conn: DuckDBConnection;
    try {
      conn = await instance.connect();
    } catch (err) {
      instance.closeSync();
      throw storeError(file, err);
    }
    try {
      await conn.run('CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR NOT NULL)');
      await conn.run(
        `CREATE TABLE IF NOT EXISTS trials (
           key VARCHAR PRIMARY KEY, params VARCHAR NOT NULL, seed BIGINT NOT NULL, status VARCHAR NOT NULL,
           metrics VARCHAR, run_hash VARCHAR, error VARCHAR, returns BLOB)`,
      );
      const meta = await (await conn.run("SELECT v FROM meta WHERE k = 'configHash'")).getRowsJS();
      const stored = meta[0]?.[0] as string | undefined;
      if (stored === undefined) {
        await conn.run('BEGIN TRANSACTION');
        await conn.run("INSERT OR REPLACE INTO meta VALUES ('configHash', $1), ('version', $2), ('config', $3)", [
          options.configHash,
          String(TRIAL_STORE_VERSION),
          JSON.stringify(options.config ?? null),
        ]);
        await conn.run('COMMIT');
      } else if (stored !== options.configHash) {
        throw new ConfigError(
          '--out',
          `${file} holds the trials of a different sweep (config ${stored.slice(0, 12)}, this one ${options.configHash.slice(0, 12)}): the scenario (or the source of a strategy module it names), space, method, trials, fitness or seed changed; use --fresh to start over or choose another --out`,
        );
      }
      const rows = await (await conn.run('SELECT key FROM trials ORDER BY key')).getRowsJS();
      return new TrialStore(file, instance, conn, rows.map((r) => r[0] as string));
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err instanceof ConfigError ? err : storeError(file, err);
    }
  }

  /** Keys of the stored trials. */
  get keys(): ReadonlySet<string> {
    return this.keySet;
  }

  get size(): number {
    return this.keySet.size;
  }

  has(key: string): boolean {
    return this.keySet.has(key);
  }

  /**
   * Stores a trial and commits it; resolves once it is committed. A trial already stored is left as
   * it is. Trials are written in batches, one transaction each: a batch opens with the first trial
   * put while no write is under way and collects the trials put in the next
   * {@link TrialStore.BATCH_WINDOW_MS} ms (or until {@link TrialStore.BATCH_TRIALS} wait, or
   * {@link flush}); trials put while a batch commits go in the next one. So a fast pool costs a
   * commit per batch, not per trial, and a sweep killed outright loses at most the trials of the
   * last window (a rerun runs them again); an interrupted one flushes first.
   */
  put(trial: TrialResult): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ trial, resolve, reject });
      if (this.writing) return;
      if (this.pending.length >= TrialStore.BATCH_TRIALS) this.startDrain();
      else if (this.timer === null) {
        this.timer = setTimeout(() => this.startDrain(), TrialStore.BATCH_WINDOW_MS);
        this.timer.unref?.();
      }
    });
  }

  /** How long a batch collects trials before it is written, in milliseconds. */
  static readonly BATCH_WINDOW_MS = 100;
  /** A batch this large is written at once. */
  static readonly BATCH_TRIALS = 256;
  private timer: ReturnType<typeof setTimeout> | null = null;

  private startDrain(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.writing && this.pending.length > 0) this.chain = this.drain();
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        try {
          await this.writeBatch(batch.map((b) => b.trial));
          for (const b of batch) b.resolve();
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * Writes the trials not stored yet in one transaction (all or none of the batch is committed),
   * through an appender: about a third of the cost of a parameterized INSERT per trial (no statement
   * to parse and bind, no blob turned into a SQL literal), which matters on a pool whose every core
   * also runs trials. The appender only fills the transaction (a short synchronous step); the commit,
   * with its fsync, runs off the main thread, so the pool is not kept waiting for the disk.
   */
  private async writeBatch(trials: readonly TrialResult[]): Promise<void> {
    if (this.closed) throw new InvariantError(`trial store ${this.file} is closed`);
    const fresh = trials.filter((t, i) => !this.keySet.has(t.key) && trials.findIndex((u) => u.key === t.key) === i);
    if (fresh.length === 0) return;
    await this.conn.run('BEGIN TRANSACTION');
    try {
      this.appender ??= await this.conn.createAppender('trials');
      const appender = this.appender;
      try {
        for (const trial of fresh) {
          appender.appendVarchar(trial.key);
          appender.appendVarchar(JSON.stringify(trial.params));
          appender.appendBigInt(BigInt(trial.seed));
          appender.appendVarchar(trial.status);
          if (trial.status === 'ok') {
            appender.appendVarchar(JSON.stringify(trial.metrics));
            appender.appendVarchar(trial.runHash);
            appender.appendNull();
            appender.appendBlob(returnsToBytes(trial.returns));
          } else {
            appender.appendNull();
            appender.appendNull();
            appender.appendVarchar(trial.error);
            appender.appendNull();
          }
          appender.endRow();
        }
        appender.flushSync();
      } catch (err) {
        // Rows appended but not flushed must not reach the next batch.
        appender.clear();
        throw err;
      }
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => {});
      throw err;
    }
    for (const t of fresh) this.keySet.add(t.key);
  }

  /** Writes the trials put so far now and waits for every pending write (failures are reported to the put that made them). */
  async flush(): Promise<void> {
    this.startDrain();
    while (this.writing || this.pending.length > 0) {
      this.startDrain();
      await this.chain.catch(() => {});
    }
  }

  /** Returns the stored trials with the given keys (all when omitted), sorted by key, returns included. */
  async read(keys?: Iterable<string>): Promise<TrialResult[]> {
    await this.flush();
    let rows;
    try {
      rows = await (await this.conn.run('SELECT key, params, seed, status, metrics, run_hash, error, returns FROM trials ORDER BY key')).getRows();
    } catch (err) {
      throw storeError(this.file, err);
    }
    const wanted = keys ? new Set(keys) : null;
    const out: TrialResult[] = [];
    for (const r of rows) {
      const key = r[0] as string;
      if (wanted && !wanted.has(key)) continue;
      const params = JSON.parse(r[1] as string) as TrialParams;
      const seed = Number(r[2] as bigint);
      if (r[3] === 'ok') {
        out.push({
          status: 'ok',
          key,
          params,
          seed,
          metrics: JSON.parse(r[4] as string) as TrialMetrics,
          runHash: r[5] as string,
          returns: bytesToReturns((r[7] as DuckDBBlobValue).bytes),
        });
      } else {
        out.push({ status: 'failed', key, params, seed, error: r[6] as string });
      }
    }
    return out;
  }

  /** Flushes pending writes and closes the file (DuckDB checkpoints its WAL on close). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.appender?.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
