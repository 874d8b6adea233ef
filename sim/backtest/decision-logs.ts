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

const SIGNAL_KEYS: ReadonlySet<string> = new Set(['ts', 'strategyId', 'symbol', 'direction', 'strength', 'confidence', 'reason', 'metadata']);

/** A run's signals as columns, in the order recorded; see the file comment. */
export class SignalLog {
  private readonly ts = new Float64Column();
  private readonly direction = new Float64Column();
  private readonly strength = new Float64Column();
  private readonly confidence = new Float64Column();
  private readonly strategyId = new Int32Column();
  private readonly symbol = new Int32Column();
  private readonly reason = new Int32Column();
  /** Per row its key order's index, or -1 for a record kept whole (in `whole`). */
  private readonly shape = new Int32Column();
  private readonly strings = new StringTable();
  private readonly keyOrders = new KeyOrders(SIGNAL_KEYS);
  /** Rows' metadata (the field is present on few signals: those of runs with predictive filters). */
  private readonly metadata = new Map<number, Signal['metadata']>();
  private readonly whole = new Map<number, Signal>();

  get length(): number {
    return this.shape.length;
  }

  push(s: Signal): void {
    const row = this.shape.length;
    let shape = this.keyOrders.of(s);
    if (shape >= 0 && !(typeof s.ts === 'number' && typeof s.direction === 'number' && typeof s.strength === 'number' && typeof s.confidence === 'number' && typeof s.strategyId === 'string' && typeof s.symbol === 'string' && stringOrAbsent(s.reason))) shape = -1;
    this.shape.push(shape);
    if (shape < 0) {
      this.whole.set(row, s);
      this.pushNothing();
      return;
    }
    this.ts.push(s.ts);
    this.direction.push(s.direction);
    this.strength.push(s.strength);
    this.confidence.push(s.confidence);
    const strings = this.strings;
    this.strategyId.push(strings.id(s.strategyId));
    this.symbol.push(strings.id(s.symbol));
    this.reason.push(strings.id(s.reason));
    if (s.metadata !== undefined) this.metadata.set(row, s.metadata);
  }

  /** Keeps the columns one row per record for a record kept whole. */
  private pushNothing(): void {
    this.ts.push(0);
    this.direction.push(0);
    this.strength.push(0);
    this.confidence.push(0);
    this.strategyId.push(-1);
    this.symbol.push(-1);
    this.reason.push(-1);
  }

  /** The record of row i, as it was recorded (a new object, or the one kept whole). */
  at(i: number): Signal {
    const shape = this.shape.get(i);
    if (shape < 0) return this.whole.get(i)!;
    const out: Record<string, unknown> = {};
    for (const k of this.keyOrders.orders[shape]!) out[k] = this.field(k, i);
    return out as unknown as Signal;
  }

  private field(k: string, i: number): unknown {
    switch (k) {
      case 'ts':
        return this.ts.get(i);
      case 'strategyId':
        return this.strings.at(this.strategyId.get(i));
      case 'symbol':
        return this.strings.at(this.symbol.get(i));
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

  /** Every record as the result lists it (a new list). */
  list(): Signal[] {
    const out = new Array<Signal>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }

  clear(): void {
    for (const c of [this.ts, this.direction, this.strength, this.confidence]) c.clear();
    for (const c of [this.strategyId, this.symbol, this.reason, this.shape]) c.clear();
    this.metadata.clear();
    this.whole.clear();
  }
}

const AUDIT_KEYS: ReadonlySet<string> = new Set(['ts', 'kind', 'message', 'strategyId', 'symbol', 'orderId', 'details']);

/** A run's audit entries as columns, in the order recorded; see the file comment. */
export class AuditLog {
  private readonly ts = new Float64Column();
  private readonly kind = new Int32Column();
  private readonly strategyId = new Int32Column();
  private readonly symbol = new Int32Column();
  /** Messages and order ids, one per entry (few repeat: a denial names its quantities and prices). */
  private readonly message: string[] = [];
  private readonly orderId: (string | undefined)[] = [];
  /** Per row its key order's index, or -1 for an entry kept whole (in `whole`). */
  private readonly shape = new Int32Column();
  private readonly strings = new StringTable();
  private readonly keyOrders = new KeyOrders(AUDIT_KEYS);
  private readonly details = new Map<number, AuditEntry['details']>();
  private readonly whole = new Map<number, AuditEntry>();

  get length(): number {
    return this.shape.length;
  }

  push(e: AuditEntry): void {
    const row = this.shape.length;
    let shape = this.keyOrders.of(e);
    if (shape >= 0 && !(typeof e.ts === 'number' && typeof e.kind === 'string' && typeof e.message === 'string' && stringOrAbsent(e.strategyId) && stringOrAbsent(e.symbol) && stringOrAbsent(e.orderId))) shape = -1;
    this.shape.push(shape);
    if (shape < 0) {
      this.whole.set(row, e);
      this.ts.push(0);
      this.kind.push(-1);
      this.strategyId.push(-1);
      this.symbol.push(-1);
      this.message.push('');
      this.orderId.push(undefined);
      return;
    }
    const strings = this.strings;
    this.ts.push(e.ts);
    this.kind.push(strings.id(e.kind));
    this.strategyId.push(strings.id(e.strategyId));
    this.symbol.push(strings.id(e.symbol));
    this.message.push(e.message);
    this.orderId.push(e.orderId);
    if (e.details !== undefined) this.details.set(row, e.details);
  }

  /** The entry of row i, as it was recorded (a new object, or the one kept whole). */
  at(i: number): AuditEntry {
    const shape = this.shape.get(i);
    if (shape < 0) return this.whole.get(i)!;
    const out: Record<string, unknown> = {};
    for (const k of this.keyOrders.orders[shape]!) out[k] = this.field(k, i);
    return out as unknown as AuditEntry;
  }

  private field(k: string, i: number): unknown {
    switch (k) {
      case 'ts':
        return this.ts.get(i);
      case 'kind':
        return this.strings.at(this.kind.get(i));
      case 'message':
        return this.message[i];
      case 'strategyId':
        return this.strings.at(this.strategyId.get(i));
      case 'symbol':
        return this.strings.at(this.symbol.get(i));
      case 'orderId':
        return this.orderId[i];
      default:
        return this.details.get(i);
    }
  }

  /** Every entry as the result lists it (a new list). */
  list(): AuditEntry[] {
    const out = new Array<AuditEntry>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }

  clear(): void {
    this.ts.clear();
    for (const c of [this.kind, this.strategyId, this.symbol, this.shape]) c.clear();
    this.message.length = 0;
    this.orderId.length = 0;
    this.details.clear();
    this.whole.clear();
  }
}
