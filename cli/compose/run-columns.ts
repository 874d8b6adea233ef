import type { CodedStrings, NumberedStrings, SinkBatch } from '../../datasets/table-sink.js';
import { idOfRow } from '../../engine/execution/order-log.js';
import type { BacktestResult } from '../../sim/backtest/index.js';

/**
 * A table as columns: numbers as Float64Array (times in epoch microseconds), strings (or null) as arrays. A
 * number column may be a view of the result's own (read it, never write it).
 */
export type TableColumns = Record<string, Float64Array | (string | null)[]>;

/** Empty columns for `n` rows: `numbers` as Float64Arrays, `strings` as arrays to fill. */
function columnsFor<N extends string, S extends string>(n: number, numbers: readonly N[], strings: readonly S[]): Record<N, Float64Array> & Record<S, (string | null)[]> {
  const out: Record<string, Float64Array | (string | null)[]> = {};
  for (const k of numbers) out[k] = new Float64Array(n);
  for (const k of strings) out[k] = new Array<string | null>(n);
  return out as Record<N, Float64Array> & Record<S, (string | null)[]>;
}

/** The tables of a run's records (every table of a run but its equity curve). */
export type RecordTableName = 'fills' | 'orders' | 'trades' | 'audit' | 'signals';

/** The number of rows of each of a run's record tables, read without building any column. */
export function recordRows(result: BacktestResult): Record<RecordTableName, number> {
  const r = result.records ?? result;
  return { fills: r.fills.length, orders: r.orders.length, trades: r.trades.length, audit: result.audit.length, signals: result.signals.length };
}

/**
 * A run's records as columns, one definition for every place that hands them out: the Parquet tables
 * `tapedeck run` writes (run-outputs.ts, which gives these columns their Parquet types) and the Arrow
 * tables of `toArrow()` (arrow-tables.ts). Every table comes from the result's own records, times as
 * numbers: the fill, order and round-trip logs' columns when the result holds them (recordsOf), never
 * the report's lists (an object per record, with its times as text). One loop per table fills its text
 * columns (a Float64Array.from with a mapping function per column took 0.7 s of a 2.5 M-bar run's
 * 137,634 fills and orders and 137,633 round trips); the keys are in each table's column order.
 */
export function recordColumns(result: BacktestResult): Record<RecordTableName, TableColumns> {
  return { fills: tableColumns(result, 'fills'), orders: tableColumns(result, 'orders'), trades: tableColumns(result, 'trades'), audit: tableColumns(result, 'audit'), signals: tableColumns(result, 'signals') };
}

/**
 * One table of {@link recordColumns}, or its rows [from, to) only: {@link sinkColumns}' batch (the one builder of
 * each table) with its text as strings, codes read back as their values and numbered order ids as their text
 * (idOfRow), for Arrow and the tests; the Parquet sink takes the batch itself.
 */
export function tableColumns(result: BacktestResult, name: RecordTableName, from = 0, to = recordRows(result)[name]): TableColumns {
  const batch = sinkColumns(result, name, from, to);
  const out: TableColumns = {};
  for (const key of Object.keys(batch)) {
    const column = batch[key]!;
    if (column instanceof Float64Array) out[key] = column;
    else if ('codes' in column) out[key] = codedText(column.codes, column.values);
    else if ('numbers' in column) out[key] = numberedIds(column.numbers);
    else out[key] = column as (string | null)[];
  }
  return out;
}

/** A coded text column's rows as their values. */
function codedText(codes: Int32Array, values: readonly (string | null)[]): (string | null)[] {
  const out = new Array<string | null>(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = values[codes[i]!]!;
  return out;
}

/** Order ids given as their numbers (see idColumn) as their text, `O-<n>` (NaN: none). */
function numberedIds(numbers: Float64Array): (string | null)[] {
  const out = new Array<string | null>(numbers.length);
  for (let i = 0; i < numbers.length; i++) {
    const k = numbers[i]!;
    out[i] = k === k ? idOfRow(k - 1) : null;
  }
  return out;
}

const ordered = (c: TableColumns, keys: readonly string[]): TableColumns => Object.fromEntries(keys.map((k) => [k, c[k]!]));

function auditColumns(a: BacktestResult['audit'], from: number, to: number): TableColumns {
  return ordered(auditRows(a, from, to), ['ts', 'kind', 'message', 'strategyId', 'symbol', 'orderId', 'details']);
}

/** Audit entries [from, to) as columns (the row loop alone: see fillCodes). */
function auditRows(a: BacktestResult['audit'], from: number, to: number): TableColumns {
  const ac = columnsFor(to - from, ['ts'], ['kind', 'message', 'strategyId', 'symbol', 'orderId', 'details']);
  for (let i = 0; i < to - from; i++) {
    const x = a[from + i]!;
    ac.ts[i] = x.ts;
    ac.kind[i] = x.kind;
    ac.message[i] = x.message;
    ac.strategyId[i] = x.strategyId ?? null;
    ac.symbol[i] = x.symbol ?? null;
    ac.orderId[i] = x.orderId ?? null;
    ac.details[i] = x.details !== undefined ? JSON.stringify(x.details) : null;
  }
  return ac;
}

type Records = NonNullable<BacktestResult['records']>;

/** What the tables read of a run's fills, orders and round trips (see recordsOf). */
interface TableRecords {
  readonly fills: Pick<Records['fills'], 'length' | 'column' | 'symbolAt' | 'sideAt' | 'orderIdAt' | 'orderNumberAt' | 'strategyIdAt' | 'liquidityAt'>;
  readonly orders: Pick<Records['orders'], 'length' | 'column' | 'idAt' | 'idNumberAt' | 'symbolAt' | 'sideAt' | 'typeAt' | 'timeInForceAt' | 'statusAt' | 'strategyIdAt' | 'reduceOnlyAt' | 'tagAt' | 'reasonAt' | 'linkOf'>;
  readonly trades: Pick<Records['trades'], 'length' | 'column' | 'symbolAt' | 'strategyIdAt' | 'sideAt'>;
}

/**
 * The result's fills, orders and round trips as the tables read them: the logs' own columns (`records`, a
 * replay's result: no object per record is built), else its lists seen through the same accessors (a result
 * copied by a spread, which leaves `records` behind), so one builder per table serves both.
 */
function recordsOf(result: BacktestResult): TableRecords {
  if (result.records !== undefined) return result.records;
  // Kept per result: a table is built a slice at a time, and each list's number columns are built once.
  let seen = LIST_RECORDS.get(result);
  if (seen === undefined) LIST_RECORDS.set(result, (seen = listRecords(result)));
  return seen;
}

const LIST_RECORDS = new WeakMap<BacktestResult, TableRecords>();

function listRecords(result: BacktestResult): TableRecords {
  const { fills: f, orders: o, trades: t } = result;
  return {
    fills: { length: f.length, column: numbersOf(f, (x, k) => x[k]), symbolAt: (i) => f[i]!.symbol, sideAt: (i) => f[i]!.side, orderIdAt: (i) => f[i]!.orderId, strategyIdAt: (i) => f[i]!.strategyId, liquidityAt: (i) => f[i]!.liquidity },
    orders: {
      length: o.length,
      column: numbersOf(o, (x, k) => x[k] ?? Number.NaN),
      idAt: (i) => o[i]!.id,
      symbolAt: (i) => o[i]!.symbol,
      sideAt: (i) => o[i]!.side,
      typeAt: (i) => o[i]!.type,
      timeInForceAt: (i) => o[i]!.timeInForce,
      statusAt: (i) => o[i]!.status,
      strategyIdAt: (i) => o[i]!.strategyId,
      reduceOnlyAt: (i) => o[i]!.reduceOnly,
      tagAt: (i) => o[i]!.tag,
      reasonAt: (i) => o[i]!.reason,
      linkOf: (i) => o[i]!.link ?? null,
    },
    trades: { length: t.length, column: numbersOf(t, (x, k) => x[k]), symbolAt: (i) => t[i]!.symbol, strategyIdAt: (i) => t[i]!.strategyId, sideAt: (i) => t[i]!.side },
  };
}

/** A list's number field as a column, built once per field (the tables read a column a slice at a time). */
function numbersOf<T, K extends string>(list: readonly T[], value: (x: T, k: K) => number): (k: K) => Float64Array {
  const built = new Map<K, Float64Array>();
  return (k) => {
    let c = built.get(k);
    if (c === undefined) {
      c = new Float64Array(list.length);
      for (let i = 0; i < list.length; i++) c[i] = value(list[i]!, k);
      built.set(k, c);
    }
    return c;
  };
}

/** A log's number columns as read for the slices of a table being built (see {@link numbers}), by log. */
const PASS_COLUMNS = new WeakMap<object, Map<string, Float64Array>>();

/**
 * Rows [from, to) of a log's number column `k`, as a view (no copy: the Parquet sink copies the rows it is
 * handed, and a run's logs no longer change). The column is read from the log once for every slice of one
 * pass over the table, and let go with the slice that reaches the table's end: an order log builds a new
 * whole column per read (a live order's numbers are in its object), which a 2.5 M-bar run's 138,106 orders,
 * written 8,192 rows at a time, paid 17 times over (125 ms, 110 MB of fresh arrays).
 */
function numbers<K extends string>(log: { readonly length: number; column(k: K): Float64Array }, k: K, from: number, to: number): Float64Array {
  let pass = PASS_COLUMNS.get(log);
  if (pass === undefined) PASS_COLUMNS.set(log, (pass = new Map()));
  let c = pass.get(k);
  if (c === undefined || c.length < to) pass.set(k, (c = log.column(k)));
  if (to >= log.length) pass.delete(k);
  return c.subarray(from, to);
}

/**
 * Rows [from, to) of one of a run's record tables as the Parquet sink takes them (datasets/table-sink.ts), in the
 * table's column order: numbers as Float64Arrays (a view of a log's own column where it has one), each text column
 * as codes of its values rather than a string per row (the sink made them codes again: a Map lookup per row where a
 * column's value changed, most of the time of staging a 2.5 M-bar run's tables), and the order ids of a replay's logs
 * as their numbers (`O-123` as 123: neither the string nor its parsing back). A long run's tables are handed to
 * their writers a slice at a time (run-outputs.ts). `arrays`: the typed arrays the batch is built in, taken again by
 * the next call given them (a batch is valid until then): the sink copies what it is handed, and fresh typed arrays
 * are memory outside V8's heap, freed only at a collection.
 */
export function sinkColumns(result: BacktestResult, name: RecordTableName, from = 0, to = recordRows(result)[name], arrays: SliceArrays = new SliceArrays()): SinkBatch {
  arrays.reset();
  switch (name) {
    case 'fills':
      return fillSinkColumns(recordsOf(result).fills, from, to, arrays);
    case 'orders':
      return orderSinkColumns(recordsOf(result).orders, from, to, arrays);
    case 'trades':
      return tradeSinkColumns(recordsOf(result).trades, from, to, arrays);
    case 'signals':
      return signalSinkColumns(result.signals, from, to, arrays);
    case 'audit':
      return auditColumns(result.audit, from, to);
  }
}

/**
 * The typed arrays of a table's slices (see sinkColumns), each taken again by the next slice: a 2.5 M-bar run's
 * tables are ~70 slices of ~20 coded columns each.
 */
export class SliceArrays {
  private readonly int32s: Int32Array[] = [];
  private readonly float64s: Float64Array[] = [];
  private nextInt32 = 0;
  private nextFloat64 = 0;

  /** Starts a slice: the arrays handed out before are handed out again. */
  reset(): void {
    this.nextInt32 = 0;
    this.nextFloat64 = 0;
  }

  /** An Int32Array of `n` values (their contents left over). */
  int32(n: number): Int32Array {
    let a = this.int32s[this.nextInt32];
    if (a === undefined || a.length < n) this.int32s[this.nextInt32] = a = new Int32Array(n);
    this.nextInt32++;
    return a.length === n ? a : a.subarray(0, n);
  }

  /** A Float64Array of `n` values (their contents left over). */
  float64(n: number): Float64Array {
    let a = this.float64s[this.nextFloat64];
    if (a === undefined || a.length < n) this.float64s[this.nextFloat64] = a = new Float64Array(n);
    this.nextFloat64++;
    return a.length === n ? a : a.subarray(0, n);
  }
}

/** The values of a column's codes a new value is looked for among (the first met): past them a new value is listed again. */
const SCANNED_VALUES = 8;

/**
 * A text column's rows as codes (see CodedStrings): a row holding the row before's value takes its code (a run's
 * columns mostly repeat it); another is looked for among the first values listed (the few a column of sides,
 * statuses or symbols holds), else listed anew, even if listed before: the sink codes the values by their text
 * (StringCodes), so a value listed twice is written the same, and a column of values that do not repeat (an
 * order's denial, a signal's metadata) costs no map here.
 */
class TextCodes implements CodedStrings {
  readonly codes: Int32Array;
  readonly values: (string | null)[] = [];
  private last: string | null = null;
  private lastCode = -1;

  constructor(codes: Int32Array) {
    this.codes = codes;
  }

  /** Sets row i's value. */
  set(i: number, v: string | null): void {
    this.codes[i] = v === this.last && this.lastCode >= 0 ? this.lastCode : this.code(v);
  }

  private code(v: string | null): number {
    const values = this.values;
    const scanned = Math.min(values.length, SCANNED_VALUES);
    let c = -1;
    for (let k = 0; k < scanned; k++) {
      if (values[k] === v) {
        c = k;
        break;
      }
    }
    if (c < 0) {
      c = values.length;
      values.push(v);
    }
    this.last = v;
    this.lastCode = c;
    return c;
  }
}

/** The fills table for the sink, rows [from, to). */
function fillSinkColumns(f: TableRecords['fills'], from: number, to: number, arrays: SliceArrays): SinkBatch {
  const fc = fillCodes(f, from, to, arrays);
  return {
    ts: numbers(f, 'ts', from, to), symbol: fc.symbol, side: fc.side, qty: numbers(f, 'qty', from, to), price: numbers(f, 'price', from, to), commission: numbers(f, 'commission', from, to),
    orderId: fc.orderId, strategyId: fc.strategyId, liquidity: fc.liquidity,
  };
}

/**
 * The text columns of fills [from, to) as codes; order ids as numbers when the log has them. Each table's row loop
 * is a function of its own, and the columns are put together after it returns: a loop followed by more code in one
 * function had V8 compile the loop on stack replacement before the code after it ever ran, then throw that
 * compilation away at the first statement without type feedback, on every slice (`--trace-deopt` of a 2.5 M-bar run:
 * the fills' and orders' builders 16 times each).
 */
function fillCodes(f: TableRecords['fills'], from: number, to: number, arrays: SliceArrays) {
  const n = to - from;
  const symbol = new TextCodes(arrays.int32(n));
  const side = new TextCodes(arrays.int32(n));
  const strategyId = new TextCodes(arrays.int32(n));
  const liquidity = new TextCodes(arrays.int32(n));
  for (let i = 0; i < n; i++) {
    const r = from + i;
    symbol.set(i, f.symbolAt(r));
    side.set(i, f.sideAt(r));
    strategyId.set(i, f.strategyIdAt(r));
    liquidity.set(i, f.liquidityAt(r));
  }
  return { symbol, side, orderId: idColumn(f.orderNumberAt?.bind(f), (i) => f.orderIdAt(i), from, to, arrays), strategyId, liquidity };
}

/**
 * Ids of rows [from, to) (the fills' order ids, the orders' own): as numbers (`O-<n>` as n, see NumberedStrings) when
 * the log reads them so (`numberAt`) and every one is such, else as codes of the ids (`idAt`).
 */
function idColumn(numberAt: ((i: number) => number) | undefined, idAt: (i: number) => string, from: number, to: number, arrays: SliceArrays): CodedStrings | NumberedStrings {
  if (numberAt !== undefined) {
    const k = arrays.float64(to - from);
    let i = 0;
    while (i < to - from && (k[i] = numberAt(from + i)) >= 0) i++;
    if (i === to - from) return { numbers: k };
  }
  const ids = new TextCodes(arrays.int32(to - from));
  for (let i = 0; i < to - from; i++) ids.set(i, idAt(from + i));
  return ids;
}

/** The orders table for the sink, rows [from, to). */
function orderSinkColumns(o: TableRecords['orders'], from: number, to: number, arrays: SliceArrays): SinkBatch {
  const oc = orderCodes(o, from, to, arrays);
  const num = (k: 'qty' | 'limitPrice' | 'stopPrice' | 'filledQty' | 'avgFillPrice' | 'tsCreated'): Float64Array => numbers(o, k, from, to);
  return {
    id: idColumn(o.idNumberAt?.bind(o), (i) => o.idAt(i), from, to, arrays), symbol: oc.symbol, side: oc.side, type: oc.type, qty: num('qty'), limitPrice: num('limitPrice'), stopPrice: num('stopPrice'), timeInForce: oc.timeInForce, status: oc.status,
    filledQty: num('filledQty'), avgFillPrice: num('avgFillPrice'), tsCreated: num('tsCreated'), strategyId: oc.strategyId, reduceOnly: oc.reduceOnly, tag: oc.tag, reason: oc.reason,
    linkContingency: oc.linkContingency, linkParentId: oc.linkParentId, linkedIds: oc.linkedIds, linkGroup: oc.linkGroup,
  };
}

/** The columns of orders [from, to) but their ids and number columns, text as codes (the row loop alone: see fillCodes). */
function orderCodes(o: TableRecords['orders'], from: number, to: number, arrays: SliceArrays) {
  const n = to - from;
  const symbol = new TextCodes(arrays.int32(n));
  const side = new TextCodes(arrays.int32(n));
  const type = new TextCodes(arrays.int32(n));
  const timeInForce = new TextCodes(arrays.int32(n));
  const status = new TextCodes(arrays.int32(n));
  const strategyId = new TextCodes(arrays.int32(n));
  const tag = new TextCodes(arrays.int32(n));
  const reason = new TextCodes(arrays.int32(n));
  const linkContingency = new TextCodes(arrays.int32(n));
  const linkParentId = new TextCodes(arrays.int32(n));
  const linkedIds = new TextCodes(arrays.int32(n));
  const linkGroup = new TextCodes(arrays.int32(n));
  const reduceOnly = arrays.float64(n);
  for (let i = 0; i < n; i++) {
    const r = from + i;
    symbol.set(i, o.symbolAt(r));
    side.set(i, o.sideAt(r));
    type.set(i, o.typeAt(r));
    timeInForce.set(i, o.timeInForceAt(r));
    status.set(i, o.statusAt(r));
    strategyId.set(i, o.strategyIdAt(r));
    reduceOnly[i] = o.reduceOnlyAt(r) ? 1 : 0;
    tag.set(i, o.tagAt(r));
    reason.set(i, o.reasonAt(r));
    const link = o.linkOf(r);
    linkContingency.set(i, link?.contingency ?? null);
    linkParentId.set(i, link?.parentId ?? null);
    linkedIds.set(i, link !== null ? JSON.stringify(link.linkedIds) : null);
    linkGroup.set(i, link?.group ?? null);
  }
  return { symbol, side, type, timeInForce, status, strategyId, reduceOnly, tag, reason, linkContingency, linkParentId, linkedIds, linkGroup };
}

/** The round trips table for the sink, rows [from, to). */
function tradeSinkColumns(t: TableRecords['trades'], from: number, to: number, arrays: SliceArrays): SinkBatch {
  const tc = tradeCodes(t, from, to, arrays);
  const num = (k: 'qty' | 'entryTs' | 'entryPrice' | 'exitTs' | 'exitPrice' | 'pnl' | 'returnPct' | 'commission'): Float64Array => numbers(t, k, from, to);
  return {
    symbol: tc.symbol, strategyId: tc.strategyId, side: tc.side, qty: num('qty'), entryTime: num('entryTs'), entryPrice: num('entryPrice'), exitTime: num('exitTs'), exitPrice: num('exitPrice'),
    pnl: num('pnl'), returnPct: num('returnPct'), commission: num('commission'),
  };
}

/** The text columns of round trips [from, to) as codes (the row loop alone: see fillCodes). */
function tradeCodes(t: TableRecords['trades'], from: number, to: number, arrays: SliceArrays) {
  const n = to - from;
  const symbol = new TextCodes(arrays.int32(n));
  const strategyId = new TextCodes(arrays.int32(n));
  const side = new TextCodes(arrays.int32(n));
  for (let i = 0; i < n; i++) {
    symbol.set(i, t.symbolAt(from + i));
    strategyId.set(i, t.strategyIdAt(from + i));
    side.set(i, t.sideAt(from + i));
  }
  return { symbol, strategyId, side };
}

/** The signals table for the sink, rows [from, to). */
function signalSinkColumns(g: BacktestResult['signals'], from: number, to: number, arrays: SliceArrays): SinkBatch {
  const gc = signalCodes(g, from, to, arrays);
  return { ts: gc.ts, strategyId: gc.strategyId, symbol: gc.symbol, direction: gc.direction, strength: gc.strength, confidence: gc.confidence, reason: gc.reason, metadata: gc.metadata };
}

/** Signals [from, to) as columns, text as codes (the row loop alone: see fillCodes). */
function signalCodes(g: BacktestResult['signals'], from: number, to: number, arrays: SliceArrays) {
  const n = to - from;
  const ts = arrays.float64(n);
  const direction = arrays.float64(n);
  const strength = arrays.float64(n);
  const confidence = arrays.float64(n);
  const strategyId = new TextCodes(arrays.int32(n));
  const symbol = new TextCodes(arrays.int32(n));
  const reason = new TextCodes(arrays.int32(n));
  const metadata = new TextCodes(arrays.int32(n));
  for (let i = 0; i < n; i++) {
    const x = g[from + i]!;
    ts[i] = x.ts;
    strategyId.set(i, x.strategyId);
    symbol.set(i, x.symbol);
    direction[i] = x.direction;
    strength[i] = x.strength;
    confidence[i] = x.confidence;
    reason.set(i, x.reason ?? null);
    metadata.set(i, x.metadata !== undefined ? JSON.stringify(x.metadata) : null);
  }
  return { ts, strategyId, symbol, direction, strength, confidence, reason, metadata };
}
