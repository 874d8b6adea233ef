import { InvariantError, TimeTravelError, checkInteger, checkNonEmptyString, checkNonNegative } from '../core/index.js';
import type { Clock } from '../ports/clock.js';
import { describeTs } from './describe-ts.js';

const INITIAL_CAPACITY = 16;

/**
 * Named timers, fired in `(ts, name, insertion)` order: equal timestamps fire in name order (UTF-16
 * code-unit order, the same on every machine), and timers of equal time and name in the order they
 * were scheduled. Several timers may share a name; `cancel(name)` removes all of them.
 *
 * A timer is one-shot (`intervalUs` 0) or repeating: after firing at `ts` it is due again at
 * `ts + intervalUs`, keeping its insertion rank, until cancelled.
 *
 * The queue does not run handlers: `fire()` pops the earliest timer and exposes it in `firedName` and
 * `firedTs`, and the run loop dispatches it. {@link EventSequencer} interleaves timers with merged data.
 *
 * Storage is a binary heap of slot indices over typed-array slots with a free list; scheduling grows
 * the arrays by doubling, firing allocates nothing.
 */
export class TimerQueue {
  /** Name of the timer last returned by `fire()`. */
  firedName: string;
  /** Due time of the timer last returned by `fire()`. */
  declare firedTs: number;

  private readonly clock: Clock | null;
  /** Time of the last firing: nothing may be scheduled before it. */
  private declare floorTs: number;
  private declare capacity: number;
  private slotTs: Float64Array;
  private slotInterval: Float64Array;
  private slotOrder: Float64Array;
  private slotName: string[];
  private heap: Int32Array;
  private declare count: number;
  private freeSlots: Int32Array;
  private declare freeCount: number;
  private declare insertions: number;

  /** Creates an empty queue. With a `clock`, scheduling a timer before `clock.now()` throws. */
  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? null;
    this.firedName = '';
    this.firedTs = NaN;
    this.floorTs = -Infinity;
    this.capacity = INITIAL_CAPACITY;
    this.slotTs = new Float64Array(INITIAL_CAPACITY);
    this.slotInterval = new Float64Array(INITIAL_CAPACITY);
    this.slotOrder = new Float64Array(INITIAL_CAPACITY);
    this.slotName = new Array<string>(INITIAL_CAPACITY).fill('');
    this.heap = new Int32Array(INITIAL_CAPACITY);
    this.count = 0;
    this.freeSlots = new Int32Array(INITIAL_CAPACITY);
    this.freeCount = INITIAL_CAPACITY;
    for (let i = 0; i < INITIAL_CAPACITY; i++) this.freeSlots[i] = INITIAL_CAPACITY - 1 - i;
    this.insertions = 0;
  }

  /** Returns the number of scheduled timers. */
  get size(): number {
    return this.count;
  }

  /** Returns the due time of the earliest timer, or +Infinity when none is scheduled. */
  peekTs(): number {
    return this.count > 0 ? this.slotTs[this.heap[0]!]! : Infinity;
  }

  /** Returns the name of the earliest timer, or undefined when none is scheduled. */
  peekName(): string | undefined {
    return this.count > 0 ? this.slotName[this.heap[0]!] : undefined;
  }

  /** Returns true if at least one timer named `name` is scheduled. */
  has(name: string): boolean {
    for (let h = 0; h < this.count; h++) if (this.slotName[this.heap[h]!] === name) return true;
    return false;
  }

  /**
   * Schedules timer `name` at `ts` (integer microseconds); with `intervalUs > 0` it repeats every
   * `intervalUs` after that. Throws TimeTravelError if `ts` is before the clock's now or before the
   * last timer fired.
   */
  schedule(name: string, ts: number, intervalUs = 0): void {
    checkNonEmptyString(name, 'name');
    checkInteger(ts, 'ts');
    checkNonNegative(checkInteger(intervalUs, 'intervalUs'), 'intervalUs');
    const floor = this.clock !== null ? Math.max(this.floorTs, this.clock.now()) : this.floorTs;
    if (ts < floor) {
      throw new TimeTravelError(`timer '${name}' scheduled in the past: at ${describeTs(ts)}, now is ${describeTs(floor)}`);
    }
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount]!;
    this.slotTs[slot] = ts;
    this.slotInterval[slot] = intervalUs;
    this.slotOrder[slot] = this.insertions++;
    this.slotName[slot] = name;
    this.siftUp(this.count++, slot);
  }

  /** Removes every timer named `name`; returns how many were removed. */
  cancel(name: string): number {
    let kept = 0;
    const heap = this.heap;
    for (let h = 0; h < this.count; h++) {
      const slot = heap[h]!;
      if (this.slotName[slot] === name) this.release(slot);
      else heap[kept++] = slot;
    }
    const removed = this.count - kept;
    this.count = kept;
    if (removed > 0) for (let h = (kept >> 1) - 1; h >= 0; h--) this.siftDown(h);
    return removed;
  }

  /** Removes every timer. */
  clear(): void {
    for (let h = 0; h < this.count; h++) this.release(this.heap[h]!);
    this.count = 0;
  }

  /**
   * Pops the earliest timer, sets `firedName` and `firedTs`, reschedules it if it repeats, and returns
   * its due time. Throws InvariantError when the queue is empty.
   */
  fire(): number {
    if (this.count === 0) throw new InvariantError('fire() on an empty timer queue');
    const slot = this.heap[0]!;
    const ts = this.slotTs[slot]!;
    this.firedName = this.slotName[slot]!;
    this.firedTs = ts;
    this.floorTs = ts;
    const interval = this.slotInterval[slot]!;
    if (interval > 0) {
      this.slotTs[slot] = ts + interval;
      this.siftDown(0);
    } else {
      this.release(slot);
      const last = --this.count;
      if (last > 0) {
        this.heap[0] = this.heap[last]!;
        this.siftDown(0);
      }
    }
    return ts;
  }

  private release(slot: number): void {
    this.slotName[slot] = '';
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Returns true if slot `a` is due strictly before slot `b`. */
  private less(a: number, b: number): boolean {
    const ta = this.slotTs[a]!;
    const tb = this.slotTs[b]!;
    if (ta !== tb) return ta < tb;
    return this.lessAtEqualTs(a, b);
  }

  /** Orders two slots due at the same time: by name, then by insertion. */
  private lessAtEqualTs(a: number, b: number): boolean {
    const na = this.slotName[a]!;
    const nb = this.slotName[b]!;
    if (na !== nb) return na < nb;
    return this.slotOrder[a]! < this.slotOrder[b]!;
  }

  private siftUp(start: number, slot: number): void {
    const heap = this.heap;
    let pos = start;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(slot, p)) break;
      heap[pos] = p;
      pos = parent;
    }
    heap[pos] = slot;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const slotTs = this.slotTs;
    const n = this.count;
    let pos = start;
    const item = heap[pos]!;
    const itemTs = slotTs[item]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      let c = heap[child]!;
      let cTs = slotTs[c]!;
      const right = child + 1;
      if (right < n) {
        const r = heap[right]!;
        const rTs = slotTs[r]!;
        if (rTs < cTs || (rTs === cTs && this.lessAtEqualTs(r, c))) {
          child = right;
          c = r;
          cTs = rTs;
        }
      }
      // Timestamps decide almost every comparison; names and insertion order only break ties.
      if (itemTs < cTs || (itemTs === cTs && this.lessAtEqualTs(item, c))) break;
      heap[pos] = c;
      pos = child;
    }
    heap[pos] = item;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    const grown = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.slotTs = grown(this.slotTs);
    this.slotInterval = grown(this.slotInterval);
    this.slotOrder = grown(this.slotOrder);
    for (let i = old; i < cap; i++) this.slotName.push('');
    const heap = new Int32Array(cap);
    heap.set(this.heap);
    this.heap = heap;
    // Every old slot is in use when we grow, so the free list is exactly the new slots.
    this.freeSlots = new Int32Array(cap);
    for (let i = 0; i < cap - old; i++) this.freeSlots[i] = cap - 1 - i;
    this.freeCount = cap - old;
    this.capacity = cap;
  }
}
