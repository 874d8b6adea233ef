/**
 * Growable typed-array columns for the logs a run keeps (orders, fills, round trips). A record kept
 * as a row of columns costs no heap object, where a record kept as an object costs the object and a
 * boxed number per double field, each of which the garbage collector copies and marks for as long
 * as the run lasts. Appending is amortized O(1): the storage doubles when full.
 */

const INITIAL_CAPACITY = 256;

/** A growable column of doubles. */
export class Float64Column {
  private data: Float64Array;
  private n = 0;

  /** `capacity`: rows to allocate at once (a known row count spares the doublings and their copies). */
  constructor(capacity = INITIAL_CAPACITY) {
    this.data = new Float64Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.n;
  }

  push(x: number): void {
    if (this.n === this.data.length) this.data = grow(this.data, new Float64Array(this.data.length * 2));
    this.data[this.n++] = x;
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
 * not inline). Used where a run appends a row on every bar (the equity curve).
 */
export class Float64Table {
  private readonly cols: Float64Array[];
  private n = 0;
  private capacity: number;

  /** `width` columns; `capacity`: rows to allocate at once. */
  constructor(
    readonly width: number,
    capacity = INITIAL_CAPACITY,
  ) {
    this.capacity = Math.max(1, capacity);
    this.cols = Array.from({ length: width }, () => new Float64Array(this.capacity));
  }

  get length(): number {
    return this.n;
  }

  /** Appends the row `src[from .. from + width)`. */
  pushRow(src: Float64Array, from: number): void {
    if (this.n === this.capacity) this.grow();
    const n = this.n++;
    const cols = this.cols;
    for (let c = 0; c < cols.length; c++) cols[c]![n] = src[from + c]!;
  }

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
    this.n = 0;
  }

  private grow(): void {
    this.capacity *= 2;
    for (let c = 0; c < this.cols.length; c++) this.cols[c] = grow(this.cols[c]!, new Float64Array(this.capacity));
  }
}

/** A growable column of 32-bit integers (indexes and small codes). */
export class Int32Column {
  private data = new Int32Array(INITIAL_CAPACITY);
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(x: number): void {
    if (this.n === this.data.length) this.data = grow(this.data, new Int32Array(this.data.length * 2));
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
