import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A heap this large at a phase's end is collected before the next phase (see {@link releaseGarbage}). */
export const RELEASE_HEAP_BYTES = 192 * 1024 * 1024;

let collect: (() => void) | null | undefined;

/**
 * Runs a full garbage collection when the JS heap holds more than `minBytes`. Between the end of a long
 * run's phases (the report built; the tables handed to DuckDB) most of the heap is garbage of the phase
 * before (the tear sheet's passes, the report's lists being copied); V8 grows the heap rather than collect
 * it, and the next phase's allocations then land on top: a 2.5 M-bar run peaked 85 MB higher without it.
 * A small heap (a short run) is left alone: the collection would cost more than it saves. Results do not
 * depend on when a collection runs.
 */
export function releaseGarbage(minBytes: number = RELEASE_HEAP_BYTES): void {
  if (getHeapStatistics().used_heap_size < minBytes) return;
  if (collect === undefined) {
    try {
      // The documented way to reach V8's gc() without starting node with --expose-gc (as datasets/duckdb.ts's chunkRead).
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
