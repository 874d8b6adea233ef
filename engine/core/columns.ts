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
