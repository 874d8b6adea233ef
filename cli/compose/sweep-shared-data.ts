import { canonicalJson } from '../../sim/research/trial.js';
import type { OpenedData, RunBatches, RunData, RunDataFacts } from './data-sources.js';
import { inMemory, openDataPath, openRunData, replayFromMemory } from './data-sources.js';
import { qualify } from './load-scenario.js';
import type { QualifiedScenario } from './load-scenario.js';

/**
 * A scenario's data read once in the main thread and handed to every worker of a sweep's pool, its
 * columns on SharedArrayBuffers: a worker replays the main thread's one copy instead of importing and
 * reading the file itself (and never loads DuckDB). Structured cloning a SharedTrialData (it travels
 * with each task) copies a few dozen small objects and shares the columns, whatever the tape's length.
 * It holds the in-memory RunData of {@link inMemory} exactly: the same facts and the same batches, cut
 * at the same rows, so a trial replaying it gives the runHash it gives replaying its own read.
 */
export interface SharedTrialData {
  readonly format: typeof SHARED_FORMAT;
  /** The data's cache key (see dataKey in sweep-trial.ts): trials with another `data` section ignore it. */
  readonly key: string;
  readonly facts: Omit<RunDataFacts, 'rows' | 'chains' | 'sentiment'>;
  /** RunData.rows(kind, symbol) by kind, per index of `facts.symbols`. */
  readonly rows: Readonly<Record<FeedKind, readonly number[]>>;
  readonly feeds: Readonly<Record<FeedKind, SharedFeed | null>>;
}

const SHARED_FORMAT = 'tapedeck.shared-run-data.1';
const FEED_KINDS = ['bars', 'quotes', 'trades', 'book'] as const;
type FeedKind = (typeof FEED_KINDS)[number];

type Column = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
type ColumnConstructor = { new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): Column; readonly BYTES_PER_ELEMENT: number };
const COLUMN_TYPES: readonly ColumnConstructor[] = [Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array];

/** One feed's batches: every column of every batch end to end in one shared array, and where each batch's part ends. */
interface SharedFeed {
  /** Each batch's `length` (rows replayed). */
  readonly lengths: readonly number[];
  /** Each batch's column arrays' length (at least its `length`; equal for every column of a batch). */
  readonly sizes: readonly number[];
  readonly columns: Readonly<Record<string, Column>>;
}

function columnType(a: unknown): ColumnConstructor | null {
  for (const t of COLUMN_TYPES) if (a instanceof (t as unknown as new () => Column)) return t;
  return null;
}

/** Returns the batches as one shared array per column, or null when they are not all typed-array columns of one shape. */
function shareFeed(batches: readonly object[]): SharedFeed | null {
  const first = batches[0];
  const names = first === undefined ? [] : Object.keys(first).filter((k) => k !== 'length');
  const types = new Map<string, ColumnConstructor>();
  for (const n of names) {
    const t = columnType((first as Record<string, unknown>)[n]);
    if (t === null) return null;
    types.set(n, t);
  }
  const lengths: number[] = [];
  const sizes: number[] = [];
  let total = 0;
  for (const b of batches) {
    const r = b as Record<string, unknown>;
    const keys = Object.keys(r).filter((k) => k !== 'length');
    if (keys.length !== names.length || typeof r.length !== 'number') return null;
    let size = -1;
    for (const n of names) {
      const col = r[n];
      if (columnType(col) !== types.get(n)) return null;
      const len = (col as Column).length;
      if (size === -1) size = len;
      else if (len !== size) return null;
    }
    if (size < r.length) return null;
    lengths.push(r.length);
    sizes.push(size);
    total += size;
  }
  const columns: Record<string, Column> = {};
  for (const n of names) {
    const T = types.get(n)!;
    const out = new T(new SharedArrayBuffer(Math.max(1, total) * T.BYTES_PER_ELEMENT), 0, total);
    let at = 0;
    for (const b of batches) {
      const col = (b as Record<string, unknown>)[n] as Column;
      out.set(col as never, at);
      at += col.length;
    }
    columns[n] = out;
  }
  return { lengths, sizes, columns };
}

/** Returns the batches of a shared feed: views into the shared columns, cut as they were read. */
function feedBatches<T>(feed: SharedFeed): T[] {
  const out: T[] = [];
  let at = 0;
  for (let i = 0; i < feed.lengths.length; i++) {
    const size = feed.sizes[i]!;
    const b: Record<string, unknown> = { length: feed.lengths[i]! };
    for (const [n, col] of Object.entries(feed.columns)) b[n] = col.subarray(at, at + size);
    out.push(b as T);
    at += size;
  }
  return out;
}

/** Returns a copy of a value whose typed arrays are on SharedArrayBuffers (plain objects, arrays and Maps are walked). */
function shareDeep(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const T = columnType(value);
    if (T === null) return value;
    const a = value as Column;
    const out = new T(new SharedArrayBuffer(Math.max(1, a.length) * T.BYTES_PER_ELEMENT), 0, a.length);
    out.set(a as never);
    return out;
  }
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, shareDeep(v)]));
  if (Array.isArray(value)) return value.map(shareDeep);
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new TypeError('not plain data');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shareDeep(v)]));
  }
  if (typeof value === 'function') throw new TypeError('not plain data');
  return value;
}

/**
 * Returns `data` (an in-memory RunData, see inMemory) as a SharedTrialData under `key`, or null when
 * it cannot be shared as it is: option chains (they are read per contract through functions), sentiment
 * scores (read into memory beside the feeds, by each worker) or a
 * feed whose batches are not plain typed-array columns. The workers then read the data themselves.
 */
export async function shareRunData(key: string, data: RunData): Promise<SharedTrialData | null> {
  if (data.chains !== null || data.sentiment !== null) return null;
  const feeds = await data.openFeeds();
  const batches: Record<FeedKind, object[] | null> = { bars: null, quotes: null, trades: null, book: null };
  try {
    for (const kind of FEED_KINDS) {
      const feed = feeds[kind] as AsyncIterable<object> | undefined;
      if (feed === undefined) continue;
      const list: object[] = [];
      for await (const b of feed) list.push(b);
      batches[kind] = list;
    }
  } finally {
    feeds.close();
  }
  const shared: Record<FeedKind, SharedFeed | null> = { bars: null, quotes: null, trades: null, book: null };
  for (const kind of FEED_KINDS) {
    const list = batches[kind];
    if (list === null) continue;
    const s = shareFeed(list);
    if (s === null) return null;
    shared[kind] = s;
  }
  const rows = Object.fromEntries(FEED_KINDS.map((k) => [k, data.symbols.map((s) => data.rows(k, s))])) as Record<FeedKind, number[]>;
  const { venue, symbols, range, intervalUs, intervals, timeframes, has, provenance } = data;
  let facts: SharedTrialData['facts'];
  try {
    facts = shareDeep({ venue, symbols, range, intervalUs, intervals, timeframes, has, provenance }) as SharedTrialData['facts'];
  } catch {
    return null;
  }
  return { format: SHARED_FORMAT, key, facts, rows, feeds: shared };
}

/** Returns true when `value` is a SharedTrialData (as a task carries it). */
export function isSharedTrialData(value: unknown): value is SharedTrialData {
  return value !== null && typeof value === 'object' && (value as { format?: unknown }).format === SHARED_FORMAT;
}

/** Returns the RunData replaying a SharedTrialData: the same facts and batches as the RunData it was made from. */
export function sharedRunData(shared: SharedTrialData): RunData {
  const index = new Map(shared.facts.symbols.map((s, i) => [s, i]));
  const facts: RunDataFacts = {
    ...shared.facts,
    chains: null,
    sentiment: null,
    rows: (kind, symbol) => {
      const i = index.get(symbol);
      return i === undefined ? 0 : (shared.rows[kind][i] ?? 0);
    },
  };
  const batches: RunBatches = {
    bars: shared.feeds.bars ? feedBatches(shared.feeds.bars) : null,
    quotes: shared.feeds.quotes ? feedBatches(shared.feeds.quotes) : null,
    trades: shared.feeds.trades ? feedBatches(shared.feeds.trades) : null,
    book: shared.feeds.book ? feedBatches(shared.feeds.book) : null,
  };
  return replayFromMemory(facts, batches);
}

/** The key a trial runner caches a scenario's data under: its `data` section and, for option chains, the contract multiplier. */
export function dataKey(scenario: QualifiedScenario): string {
  return canonicalJson({ data: scenario.data, multiplier: scenario.options?.multiplier ?? null });
}

/**
 * The files a command's scenarios read, each imported once (a CSV or Parquet file becomes a temporary
 * dataset, see openDataPath) and kept until {@link close}: the folds of a walk-forward read windows of
 * the same file, and each would otherwise import the whole file again.
 */
export class ImportedFiles {
  private readonly files = new Map<string, Promise<OpenedData>>();

  /** Returns the dataset of `path` (openDataPath's arguments), importing a file the first time it is asked for. */
  open(path: string, field: string, kind: 'bars' | 'quotes' | 'trades' | 'book' | 'options' | 'sentiment', symbols: readonly string[] | undefined): Promise<OpenedData> {
    const key = JSON.stringify([path, field, kind, symbols ?? null]);
    let p = this.files.get(key);
    if (p === undefined) {
      p = openDataPath(path, field, kind, symbols);
      p.catch(() => {});
      this.files.set(key, p);
    }
    return p;
  }

  /** Removes the temporary imports. */
  async close(): Promise<void> {
    const all = [...this.files.values()];
    this.files.clear();
    for (const p of all) await (await p.catch(() => null))?.cleanup();
  }
}

const PATH_KINDS = ['bars', 'quotes', 'trades', 'book'] as const;

/**
 * Reads the data of `scenarioDoc`'s trials once, in the calling (main) thread, for every worker of a
 * local pool (see SharedTrialData); with `files`, a file already imported for another data section
 * (another fold) is read from its import. Resolves to null when the document or its data cannot be
 * read or shared: every worker then reads the data itself, and a trial that cannot read it fails with
 * its own message, exactly as without sharing.
 */
export async function prepareSharedData(scenarioDoc: unknown, files?: ImportedFiles): Promise<SharedTrialData | null> {
  let data: RunData | null = null;
  try {
    const scenario = await qualify(scenarioDoc, 'the trial scenario');
    // Option chains and sentiment cannot be shared (see shareRunData): do not read them for nothing.
    if (scenario.data.options !== undefined || scenario.data.sentiment !== undefined) return null;
    let read = scenario;
    let source: string | null = null;
    if (files !== undefined) {
      // Each file's import stands in for the file: the same dataset openRunData would import.
      const dataSection: Record<string, unknown> = { ...scenario.data };
      for (const kind of PATH_KINDS) {
        const path = scenario.data[kind];
        if (path === undefined) continue;
        dataSection[kind] = (await files.open(path, kind, kind, scenario.data.symbols)).dir;
        source ??= path;
      }
      read = { ...scenario, data: dataSection as typeof scenario.data };
    }
    const opened = await inMemory(await openRunData(read));
    // The report's provenance names the file, as a worker's own read would.
    data = source === null ? opened : { ...opened, provenance: { ...opened.provenance, source: primarySource(scenario.data) ?? source } };
    return await shareRunData(dataKey(scenario), data);
  } catch {
    return null;
  } finally {
    await data?.close().catch(() => {});
  }
}

/** The path openRunData names as the data's source: the book's, else the bars', quotes' or trades'. */
function primarySource(data: QualifiedScenario['data']): string | undefined {
  return data.book ?? data.bars ?? data.quotes ?? data.trades;
}
