import { Float64Column, Int32Column } from '../../engine/core/columns.js';
import type { AuditEntry, Signal } from '../../engine/model/index.js';

/**
 * The signals and audit entries of a run kept as columns (typed arrays and interned strings), the
 * records rebuilt as objects only when the result's lists are read. A record kept as an object for the
 * whole run is an object and a boxed `ts` the scavenger copies and promotes; a pipeline run keeps one per
 * cross (sma_cross on 2 M bars: 100,000 signals and 60,000 account denials), so keeping them costs more
 * garbage collection than making them. The rebuilt records equal the recorded ones key for key: each
 * row keeps its record's key order (a key present with `undefined` included), and a record of a shape
 * the columns cannot hold (a key or a value type they do not know) is kept whole.
 */

/** Strings interned by value: a row keeps an index (-1: undefined). */
class StringTable {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  private last: string | undefined = undefined;
  private lastId = -1;

  /** The index of `s` (-1 for undefined); added when new. */
  id(s: string | undefined): number {
    if (s === undefined) return -1;
    if (s === this.last) return this.lastId;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    this.last = s;
    this.lastId = id;
    return id;
  }

  at(id: number): string | undefined {
    return id < 0 ? undefined : this.values[id];
  }
}

/** The key orders of a log's records, interned: a row keeps the index of its record's. */
class KeyOrders {
  private readonly bySignature = new Map<string, number>();
  readonly orders: (readonly string[])[] = [];
  /** The last record's key order: a producer emits records of one shape, found here without allocating. */
  private last: readonly string[] = [];
  private lastIndex = -1;

  constructor(private readonly known: ReadonlySet<string>) {}

  /** The index of `record`'s key order, or -1 when it has a key the log keeps no column for. */
  of(record: object): number {
    const last = this.last;
    let i = 0;
    let same = this.lastIndex >= 0;
    for (const k in record) {
      if (i === last.length || k !== last[i]) {
        same = false;
        break;
      }
      i++;
    }
    if (same && i === last.length) return this.lastIndex;
    const keys = Object.keys(record);
    for (const k of keys) if (!this.known.has(k)) return -1;
    const signature = keys.join('\n');
    let index = this.bySignature.get(signature);
    if (index === undefined) {
      index = this.orders.length;
      this.orders.push(Object.freeze(keys));
      this.bySignature.set(signature, index);
    }
    this.last = this.orders[index]!;
    this.lastIndex = index;
    return index;
  }
}

/** Whether `x` is a string or undefined (what a string column holds). */
function stringOrAbsent(x: unknown): x is string | undefined {
  return x === undefined || typeof x === 'string';
}

/** The fields both logs' records have: a time and, optionally, a strategy and a symbol. */
interface Stamped {
  readonly ts: number;
  readonly strategyId?: string;
  readonly symbol?: string;
}

/**
 * Records kept as columns, one row per record: this keeps each row's key order, the fields every record
 * has (ts, strategyId, symbol) and the records that do not fit the columns whole; a subclass keeps the
 * columns of the other fields and says which records fit them.
 */
abstract class RecordColumns<T extends Stamped> {
  /** Per row its key order's index, or -1 for a record kept whole (in `whole`). */
  private readonly shape = new Int32Column();
  private readonly keyOrders: KeyOrders;
  private readonly whole = new Map<number, T>();
  private readonly ts = new Float64Column();
  private readonly strategyId = new Int32Column();
  private readonly symbol = new Int32Column();
  protected readonly strings = new StringTable();

  constructor(known: ReadonlySet<string>) {
    this.keyOrders = new KeyOrders(known);
  }

  get length(): number {
    return this.shape.length;
  }

  push(record: T): void {
    const row = this.shape.length;
    let shape = this.keyOrders.of(record);
    if (shape >= 0 && !(typeof record.ts === 'number' && stringOrAbsent(record.strategyId) && stringOrAbsent(record.symbol) && this.fits(record))) shape = -1;
    this.shape.push(shape);
    if (shape >= 0) {
      this.ts.push(record.ts);
      this.strategyId.push(this.strings.id(record.strategyId));
      this.symbol.push(this.strings.id(record.symbol));
      this.pushColumns(record, row);
      return;
    }
    this.whole.set(row, record);
    this.ts.push(0);
    this.strategyId.push(-1);
    this.symbol.push(-1);
    this.pushBlank();
  }

  /** Whether the subclass's columns hold `record`'s other values (their types are the ones the columns keep). */
  protected abstract fits(record: T): boolean;
  /** Appends the record's other values to the subclass's columns. */
  protected abstract pushColumns(record: T, row: number): void;
  /** Appends a row of placeholders (a record kept whole), so that every column keeps one row per record. */
  protected abstract pushBlank(): void;
  /** The value of another key `k` at row i. */
  protected abstract field(k: string, i: number): unknown;
  protected abstract clearColumns(): void;

  private value(k: string, i: number): unknown {
    if (k === 'ts') return this.ts.get(i);
    if (k === 'strategyId') return this.strings.at(this.strategyId.get(i));
    if (k === 'symbol') return this.strings.at(this.symbol.get(i));
    return this.field(k, i);
  }

  /** The record of row i, as it was recorded (a new object, or the one kept whole). */
  at(i: number): T {
    const shape = this.shape.get(i);
    if (shape < 0) return this.whole.get(i)!;
    const out: Record<string, unknown> = {};
    for (const k of this.keyOrders.orders[shape]!) out[k] = this.value(k, i);
    return out as T;
  }

  /** Every record as the result lists it (a new list). */
  list(): T[] {
    const out = new Array<T>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }

  clear(): void {
    this.shape.clear();
    this.whole.clear();
    this.ts.clear();
    this.strategyId.clear();
    this.symbol.clear();
    this.clearColumns();
  }
}

const SIGNAL_KEYS: ReadonlySet<string> = new Set(['ts', 'strategyId', 'symbol', 'direction', 'strength', 'confidence', 'reason', 'metadata']);

/** A run's signals as columns, in the order recorded; see the file comment. */
export class SignalLog extends RecordColumns<Signal> {
  private readonly direction = new Float64Column();
  private readonly strength = new Float64Column();
  private readonly confidence = new Float64Column();
  private readonly reason = new Int32Column();
  /** Rows' metadata (the field is present on few signals: those of runs with predictive filters). */
  private readonly metadata = new Map<number, Signal['metadata']>();

  constructor() {
    super(SIGNAL_KEYS);
  }

  protected fits(s: Signal): boolean {
    return typeof s.direction === 'number' && typeof s.strength === 'number' && typeof s.confidence === 'number' && stringOrAbsent(s.reason);
  }

  protected pushColumns(s: Signal, row: number): void {
    this.direction.push(s.direction);
    this.strength.push(s.strength);
    this.confidence.push(s.confidence);
    this.reason.push(this.strings.id(s.reason));
    if (s.metadata !== undefined) this.metadata.set(row, s.metadata);
  }

  protected pushBlank(): void {
    for (const c of [this.direction, this.strength, this.confidence]) c.push(0);
    this.reason.push(-1);
  }

  protected field(k: string, i: number): unknown {
    switch (k) {
      case 'direction':
        return this.direction.get(i);
      case 'strength':
        return this.strength.get(i);
      case 'confidence':
        return this.confidence.get(i);
      case 'reason':
        return this.strings.at(this.reason.get(i));
      default:
        return this.metadata.get(i);
    }
  }

  protected clearColumns(): void {
    for (const c of [this.direction, this.strength, this.confidence]) c.clear();
    this.reason.clear();
    this.metadata.clear();
  }
}

const AUDIT_KEYS: ReadonlySet<string> = new Set(['ts', 'kind', 'message', 'strategyId', 'symbol', 'orderId', 'details']);

/** A run's audit entries as columns, in the order recorded; see the file comment. */
export class AuditLog extends RecordColumns<AuditEntry> {
  private readonly kind = new Int32Column();
  /** Messages and order ids, one per entry (few repeat: a denial names its quantities and prices). */
  private readonly message: string[] = [];
  private readonly orderId: (string | undefined)[] = [];
  private readonly details = new Map<number, AuditEntry['details']>();

  constructor() {
    super(AUDIT_KEYS);
  }

  protected fits(e: AuditEntry): boolean {
    return typeof e.kind === 'string' && typeof e.message === 'string' && stringOrAbsent(e.orderId);
  }

  protected pushColumns(e: AuditEntry, row: number): void {
    this.kind.push(this.strings.id(e.kind));
    this.message.push(e.message);
    this.orderId.push(e.orderId);
    if (e.details !== undefined) this.details.set(row, e.details);
  }

  protected pushBlank(): void {
    this.kind.push(-1);
    this.message.push('');
    this.orderId.push(undefined);
  }

  protected field(k: string, i: number): unknown {
    if (k === 'kind') return this.strings.at(this.kind.get(i));
    if (k === 'message') return this.message[i];
    if (k === 'orderId') return this.orderId[i];
    return this.details.get(i);
  }

  protected clearColumns(): void {
    this.kind.clear();
    this.message.length = 0;
    this.orderId.length = 0;
    this.details.clear();
  }
}
