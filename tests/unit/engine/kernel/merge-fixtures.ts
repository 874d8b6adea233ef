import { ArrayBatchSource, EventMerge, MergeSignal } from '../../../../engine/kernel/index.js';
import type { TimeBatch } from '../../../../engine/kernel/index.js';

/** A batch carrying an `id` column so a test can tell which row was delivered. */
export interface IdBatch extends TimeBatch {
  readonly id: Float64Array;
}

/** Returns a batch built from plain arrays (seq omitted when `seq` is undefined). */
export function batch(ts: number[], id: number[], seq?: number[]): IdBatch {
  return {
    length: ts.length,
    ts: Float64Array.from(ts),
    id: Float64Array.from(id),
    seq: seq === undefined ? undefined : Float64Array.from(seq),
  };
}

/**
 * Runs `merge` to the end and returns the delivered row ids; on starvation it calls `refill` with the
 * starved source index, and counts the starvations.
 */
export function drain(
  merge: EventMerge,
  sources: ArrayBatchSource<IdBatch>[],
  refill: (index: number) => void = () => {
    throw new Error('unexpected starvation');
  },
): { ids: number[]; starvations: number } {
  const ids: number[] = [];
  let starvations = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const i = merge.next();
    if (i >= 0) {
      const s = sources[i]!;
      ids.push(s.batch!.id[s.row]!);
      continue;
    }
    if (i === MergeSignal.Ended) return { ids, starvations };
    starvations++;
    refill(merge.starvedSource);
  }
  throw new Error('merge did not terminate');
}
