/**
 * Growable typed-array columns for the logs a run keeps (orders, fills, round trips). A record kept
 * as a row of columns costs no heap object, where a record kept as an object costs the object and a
 * boxed number per double field, each of which the garbage collector copies and marks for as long
 * as the run lasts. Appending is amortized O(1): the storage doubles when full.
 */

const INITIAL_CAPACITY = 256;

/**
 * Rows past which a column given a reserve (see {@link nextCapacity}) jumps to it instead of doubling.
 * Runs shorter than this never reserve anything.
 */
export const RESERVE_FROM = 16_384;

/**
 * The reserve of a column that names none: none (doubling). The run's logs of orders, fills and round
 * trips keep to doubling: reserving for them measured slower on the trading bench (each reserve is
 * counted as external memory, and a run has some thirty such columns); the equity curve and plotted
 * series, a row per bar, name theirs.
 */
export const DEFAULT_RESERVE = 0;

/**
 * The capacity a full column of `capacity` rows grows to: double, or `reserve` rows at once when the
 * column has reached RESERVE_FROM rows and the reserve is larger. A fresh typed array's pages are
 * committed by the operating system only when first written, so a reserved capacity costs address
 * space, not memory (RSS grows with the rows written), and it spares the doublings that would follow:
 * each copies the rows so far into new pages. Where page faults are dear (a virtual machine: ~4 ms per
 * MiB of fresh pages on the 2-core machine of bench/RESULTS.md) fresh pages are what a long column
 * costs most: a doubling column writes about twice its final size into them, a reserved one its size.
 */
export function nextCapacity(capacity: number, reserve: number): number {
  const doubled = capacity * 2;
  return capacity >= RESERVE_FROM && reserve > doubled ? reserve : doubled;
}

/** A growable column of doubles. */
export class Float64Column {
  private data: Float64Array;
  private n = 0;

  /**
   * `capacity`: rows to allocate at once (a known row count spares the doublings and their copies).
   * `reserve`: rows to grow to at once past RESERVE_FROM (see {@link nextCapacity}); 0 for none.
   */
  constructor(
    capacity = INITIAL_CAPACITY,
    private readonly reserve = DEFAULT_RESERVE,
  ) {
    this.data = new Float64Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.n;
  }

  push(x: number): void {
    if (this.n === this.data.length) this.data = grow(this.data, new Float64Array(nextCapacity(this.data.length, this.reserve)));
    this.data[this.n++] = x;
  }

  /** Appends `src[from .. to)` (one capacity check for them all). */
  append(src: Float64Array, from: number, to: number): void {
    const need = this.n + (to - from);
    let cap = this.data.length;
    if (need > cap) {
      while (cap < need) cap = nextCapacity(cap, this.reserve);
      this.data = grow(this.data, new Float64Array(cap));
    }
    const data = this.data;
    let n = this.n;
    for (let i = from; i < to; i++) data[n++] = src[i]!;
    this.n = n;
  }

  /** The value at row i (0 <= i < length; not checked). */
  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, x: number): void {
    this.data[i] = x;
  }

  /** The first `length` values as a view (valid until the next push). */
  view(): Float64Array {
    return this.data.subarray(0, this.n);
  }

  clear(): void {
    this.n = 0;
  }
}

/**
 * Growable columns of doubles that share one row count: a row is appended from a typed array in one
 * call (one capacity check, and no number passed as an argument, which V8 boxes at every call it does
 * not inline). Used for an in-memory curve's margin columns (sim/backtest/run-recorder.ts).
 */
export class Float64Table {
  private readonly cols: Float64Array[];
  private n = 0;
  private capacity: number;

  /**
   * `width` columns; `capacity`: rows to allocate at once; `reserve`: rows to grow to at once past
   * RESERVE_FROM (see {@link nextCapacity}; 0 for none).
   */
  constructor(
    readonly width: number,
    capacity = INITIAL_CAPACITY,
    private readonly reserve = DEFAULT_RESERVE,
  ) {
    this.capacity = Math.max(1, capacity);
    this.cols = Array.from({ length: width }, () => new Float64Array(this.capacity));
  }

  get length(): number {
    return this.n;
  }

  /**
   * Appends the row `src[from .. from + width)`. A +0 into a row never written before is not stored:
   * the fresh array holds it already, and a page of it never written is never committed by the
   * operating system (see nextCapacity for what fresh pages cost). The in-memory equity curve, a row a
   * bar from inside the per-bar sample path, is not a Float64Table but its recorder's own CurveTable
   * (sim/backtest/run-recorder.ts), whose row is written unrolled.
   */
  pushRow(src: Float64Array, from: number): void {
    if (this.n === this.capacity) this.grow();
    const n = this.n++;
    if (n < this.dirty) {
      this.setRow(n, src, from);
      return;
    }
    const cols = this.cols;
    for (let c = 0; c < cols.length; c++) {
      const x = src[from + c]!;
      if (x !== 0 || 1 / x < 0) cols[c]![n] = x;
    }
  }

  /** Rows that may hold values from before the last {@link clear}: the rows past it and past `length` hold the +0 a fresh array starts with. */
  private dirty = 0;

  /** Overwrites row i (0 <= i < length; not checked) with `src[from .. from + width)`. */
  setRow(i: number, src: Float64Array, from: number): void {
    const cols = this.cols;
    for (let c = 0; c < cols.length; c++) cols[c]![i] = src[from + c]!;
  }

  /** The value of column c at row i (not checked). */
  get(c: number, i: number): number {
    return this.cols[c]![i]!;
  }

  /** Column c's first `length` values as a view (valid until the next push). */
  view(c: number): Float64Array {
    return this.cols[c]!.subarray(0, this.n);
  }

  clear(): void {
    if (this.n > this.dirty) this.dirty = this.n;
    this.n = 0;
  }

  /** The columns grow together into one new buffer (see {@link columnsInOneBuffer}): a table growing into its reserve is one allocation. */
  private grow(): void {
    const capacity = nextCapacity(this.capacity, this.reserve);
    this.capacity = capacity;
    const fresh = columnsInOneBuffer(this.cols.length, capacity);
    for (let c = 0; c < this.cols.length; c++) this.cols[c] = grow(this.cols[c]!, fresh[c]!);
  }
}

/**
 * `width` columns of `rows` doubles, each its own block of one new ArrayBuffer: one allocation. V8 scavenges the
 * young generation before allocating a backing store while the young generation's hold 32 MiB or more (its
 * "external memory pressure" rule), so separate buffers of that size cost a scavenge each, each copying a trading
 * run's live records.
 */
export function columnsInOneBuffer(width: number, rows: number): Float64Array[] {
  const buffer = new ArrayBuffer(width * rows * 8);
  return Array.from({ length: width }, (_, c) => new Float64Array(buffer, c * rows * 8, rows));
}

/**
 * A column of doubles that keeps a value only where it changes: the rows at which a new value starts and
 * the values, read back whole by {@link fill}. For a column that repeats its last row most of the time (a
 * curve's cash, which moves only at fills): its rows cost no fresh memory, where a Float64Column's cost
 * 8 bytes each (see nextCapacity for what fresh pages cost). Rows are set in order; the last row may be
 * set again (see {@link put}). Values are compared to the bit (-0 is not +0; a NaN starts a new run).
 */
export class Float64StepColumn {
  /** The row each run starts at, and its value. */
  private readonly starts = new Float64Column(64);
  private readonly values = new Float64Column(64);
  /** The last run's value (a typed array: a double field of a class may be boxed at each write); NaN before the first. */
  private readonly last = new Float64Array([Number.NaN]);

  /** Runs kept. */
  get runs(): number {
    return this.starts.length;
  }

  /**
   * Sets the value of `row` and the rows after it to `x` (until the next put): `row` is past the last
   * row put, or the same row again (its value replaced). Small (V8 inlines it into the per-bar sample
   * path, see tests/unit/sim/backtest/sample-inlining.test.ts): a value equal to the last one, to the
   * bit, is nothing to keep.
   */
  put(row: number, x: number): void {
    // A zero may be -0 against +0, a NaN never equals: both are told apart in change().
    if (x !== this.last[0]! || x === 0) this.change(row, x);
  }

  private change(row: number, x: number): void {
    const last = this.last[0]!;
    if (x === last && 1 / x === 1 / last) return;
    const k = this.starts.length;
    if (k > 0 && this.starts.get(k - 1) === row) this.values.set(k - 1, x);
    else {
      this.starts.push(row);
      this.values.push(x);
    }
    this.last[0] = x;
  }

  /** The column's first `n` rows as a new array (rows before the first put are +0). */
  fill(n: number): Float64Array {
    const out = new Float64Array(n);
    const k = this.starts.length;
    for (let r = 0; r < k; r++) {
      const from = this.starts.get(r);
      if (from >= n) break;
      const to = r + 1 < k ? Math.min(n, this.starts.get(r + 1)) : n;
      const x = this.values.get(r);
      if (x !== 0 || 1 / x < 0) out.fill(x, from, to);
    }
    return out;
  }

  clear(): void {
    this.starts.clear();
    this.values.clear();
    this.last[0] = Number.NaN;
  }
}

/** A growable column of 32-bit integers (indexes and small codes). */
export class Int32Column {
  private data = new Int32Array(INITIAL_CAPACITY);
  private n = 0;

  /** `reserve`: rows to grow to at once past RESERVE_FROM (see {@link nextCapacity}); 0 for none. */
  constructor(private readonly reserve = DEFAULT_RESERVE) {}

  get length(): number {
    return this.n;
  }

  push(x: number): void {
    if (this.n === this.data.length) this.data = grow(this.data, new Int32Array(nextCapacity(this.data.length, this.reserve)));
    this.data[this.n++] = x;
  }

  /** The value at row i (0 <= i < length; not checked). */
  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, x: number): void {
    this.data[i] = x;
  }

  clear(): void {
    this.n = 0;
  }
}

function grow<A extends Float64Array | Int32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

/**
 * A growable column of references (strings, or null). Its array is created holding an object, so it
 * starts with the elements kind it keeps: a fresh empty array starts as small integers, and the first
 * string stored into it changes its kind, which costs a deoptimization of the code that stores into
 * it on every run that creates a new column.
 */
export class RefColumn<T> {
  private readonly data: T[];

  constructor() {
    this.data = [null as T];
    this.data.length = 0;
  }

  get length(): number {
    return this.data.length;
  }

  push(x: T): void {
    this.data.push(x);
  }

  /** The value at row i (0 <= i < length; not checked). */
  get(i: number): T {
    return this.data[i]!;
  }

  set(i: number, x: T): void {
    this.data[i] = x;
  }

  clear(): void {
    this.data.length = 0;
  }
}

/** Values a {@link ValueCodes} finds by identity before it lists a new one. */
const CODED_RECENT = 4;

/**
 * References that repeat from row to row (a symbol, a strategy id, a tag, a reason) coded as small
 * integers: a value is found by identity (`===`) as the last value coded, else among the last CODED_RECENT
 * listed, and listed again when it is not among them (no map: a value that never repeats costs one list
 * entry). A log keeps the codes in an Int32Array (engine/execution/log-rows.ts' users); {@link CodedColumn} keeps
 * them in an Int32Column. {@link value} gives a code's value back.
 */
export class ValueCodes<T> {
  private readonly values: T[];
  /** Codes of the last values listed, most recent at `next - 1` (cyclic); -1 none. */
  private readonly recent = new Int32Array(CODED_RECENT).fill(-1);
  private next = 0;
  private last: T | undefined = undefined;
  private lastCode = -1;

  constructor() {
    // Created holding an object, so that the array starts with the elements kind it keeps (see RefColumn).
    this.values = [null as T];
    this.values.length = 0;
  }

  /** The code of `x`. */
  code(x: T): number {
    if (x === this.last && this.lastCode >= 0) return this.lastCode;
    return this.codeOther(x);
  }

  private codeOther(x: T): number {
    const recent = this.recent;
    const values = this.values;
    let c = -1;
    for (let k = 0; k < CODED_RECENT; k++) {
      const r = recent[k]!;
      if (r >= 0 && values[r] === x) {
        c = r;
        break;
      }
    }
    if (c < 0) {
      c = values.length;
      values.push(x);
      recent[this.next] = c;
      this.next = (this.next + 1) % CODED_RECENT;
    }
    this.last = x;
    this.lastCode = c;
    return c;
  }

  /** The value of a code {@link code} returned. */
  value(c: number): T {
    return this.values[c]!;
  }

  clear(): void {
    this.values.length = 0;
    this.recent.fill(-1);
    this.next = 0;
    this.last = undefined;
    this.lastCode = -1;
  }
}

/**
 * A growable column of references that repeat (an order's symbol, strategy id, tag or reason): each row
 * holds, in an Int32Column, the index of its value in a list of the values seen; a value is looked up by
 * identity as {@link ValueCodes} codes it (no map: a value that never repeats, a formatted denial, costs
 * one list entry, as it would in a RefColumn). A RefColumn keeps a pointer per row, which the garbage
 * collector traces at every full collection and, while the value is young, remembers at every scavenge;
 * a row here is four bytes of a typed array.
 */
export class CodedColumn<T> {
  private readonly codes = new Int32Column();
  private readonly values = new ValueCodes<T>();

  get length(): number {
    return this.codes.length;
  }

  push(x: T): void {
    this.codes.push(this.values.code(x));
  }

  /** The value at row i (0 <= i < length; not checked). */
  get(i: number): T {
    return this.values.value(this.codes.get(i));
  }

  set(i: number, x: T): void {
    this.codes.set(i, this.values.code(x));
  }

  clear(): void {
    this.codes.clear();
    this.values.clear();
  }
}
