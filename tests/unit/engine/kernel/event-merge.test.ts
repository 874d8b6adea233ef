import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvariantError } from '../../../../engine/core/index.js';
import { ArrayBatchSource, EventMerge, MergeSignal, SourceState } from '../../../../engine/kernel/index.js';
import type { MergeSource } from '../../../../engine/kernel/index.js';
import { batch, drain } from './merge-fixtures.js';
import type { IdBatch } from './merge-fixtures.js';

describe('EventMerge', () => {
  it('interleaves sources by timestamp', () => {
    const a = ArrayBatchSource.of('a', 0, batch([1, 4, 7], [101, 104, 107]));
    const b = ArrayBatchSource.of('b', 0, batch([2, 3, 9], [202, 203, 209]));
    const c = ArrayBatchSource.of('c', 0, batch([5], [305]));
    const sources = [a, b, c];
    expect(drain(new EventMerge(sources), sources).ids).toEqual([101, 202, 203, 104, 305, 107, 209]);
  });

  it('breaks timestamp ties by source priority, then seq, then source index', () => {
    // ts 10 everywhere. Priorities: a=1, b=0, c=1, d=1. seq: a=5, b=9, c=3, d=5.
    // Order: b (priority 0), then priority 1 by seq: c (3), then a and d (seq 5) by index: a, d.
    const a = ArrayBatchSource.of('a', 1, batch([10], [1], [5]));
    const b = ArrayBatchSource.of('b', 0, batch([10], [2], [9]));
    const c = ArrayBatchSource.of('c', 1, batch([10], [3], [3]));
    const d = ArrayBatchSource.of('d', 1, batch([10], [4], [5]));
    const sources = [a, b, c, d];
    expect(drain(new EventMerge(sources), sources).ids).toEqual([2, 3, 1, 4]);
  });

  it('uses the row number within the source as seq when there is no seq column', () => {
    // a's rows at ts 5 have implicit seq 1 and 2 (row 0 is at ts 1); b's seq column says 0 and 2.
    // At ts 5 with equal priority: b0 (seq 0), a1 (seq 1), then seq 2 ties: a (index 0) before b.
    const a = ArrayBatchSource.of('a', 0, batch([1], [10]), batch([5, 5], [11, 12]));
    const b = ArrayBatchSource.of('b', 0, batch([5, 5], [20, 22], [0, 2]));
    const sources = [a, b];
    expect(drain(new EventMerge(sources), sources).ids).toEqual([10, 20, 11, 12, 22]);
  });

  it('keeps the row current until the following next() call', () => {
    const a = ArrayBatchSource.of('a', 0, batch([1, 2], [7, 8]));
    const merge = new EventMerge([a]);
    expect(merge.next()).toBe(0);
    expect(a.batch!.id[a.row]).toBe(7);
    expect(merge.currentTs).toBe(1);
    expect(a.batch!.id[a.row]).toBe(7);
    expect(merge.next()).toBe(0);
    expect(a.batch!.id[a.row]).toBe(8);
    expect(merge.next()).toBe(MergeSignal.Ended);
    expect(merge.next()).toBe(MergeSignal.Ended);
  });

  it("keeps the current event's ts and source priority in currentKey", () => {
    const a = ArrayBatchSource.of('a', 3, batch([1, 6], [7, 8]));
    const b = ArrayBatchSource.of('b', 1, batch([4], [9]));
    const merge = new EventMerge([a, b]);
    const seen: number[][] = [];
    while (merge.next() >= 0) {
      seen.push([...merge.currentKey]);
      expect(merge.currentKey[0]).toBe(merge.currentTs);
      expect(merge.currentKey[1]).toBe(merge.currentPriority);
    }
    expect(seen).toEqual([
      [1, 3],
      [4, 1],
      [6, 3],
    ]);
  });

  it('ends at once over no sources or only empty ones', () => {
    expect(new EventMerge([]).next()).toBe(MergeSignal.Ended);
    expect(new EventMerge([ArrayBatchSource.of('x', 0, batch([], []))]).next()).toBe(MergeSignal.Ended);
  });

  it('stops on a starved source, names it, and resumes after a refill without advancing twice', () => {
    const a = new ArrayBatchSource<IdBatch>('a', 0);
    const b = ArrayBatchSource.of('b', 0, batch([1, 2, 3, 4], [21, 22, 23, 24]));
    a.push(batch([1], [11]));
    const merge = new EventMerge([a, b]);
    expect(merge.next()).toBe(0); // a@1 (index 0 wins the tie)
    expect(merge.next()).toBe(MergeSignal.Starved); // a must be advanced and has nothing buffered
    expect(merge.starvedSource).toBe(0);
    expect(merge.next()).toBe(MergeSignal.Starved); // still starved: nothing moves
    a.push(batch([3], [13]));
    a.end();
    const rest = drain(merge, [a, b]);
    expect(rest.ids).toEqual([21, 22, 13, 23, 24]);
  });

  it('reports a source that is starved before the first event', () => {
    const a = new ArrayBatchSource<IdBatch>('a', 0);
    const b = ArrayBatchSource.of('b', 0, batch([1], [21]));
    const merge = new EventMerge([a, b]);
    expect(merge.next()).toBe(MergeSignal.Starved);
    expect(merge.starvedSource).toBe(0);
    a.end();
    expect(merge.next()).toBe(1);
    expect(merge.next()).toBe(MergeSignal.Ended);
  });

  it('throws InvariantError naming the source and both timestamps when ts goes backwards', () => {
    const a = ArrayBatchSource.of('trades:AAPL', 0, batch([100, 50], [1, 2]));
    const merge = new EventMerge([a]);
    expect(merge.next()).toBe(0);
    expect(() => merge.next()).toThrow(InvariantError);
    const again = new EventMerge([ArrayBatchSource.of('trades:AAPL', 0, batch([100, 50], [1, 2]))]);
    again.next();
    expect(() => again.next()).toThrow(/source 'trades:AAPL' \(index 0\): ts went backwards.* from 100 .* to 50 /);
  });

  it('detects ts going backwards across a refill', () => {
    const a = new ArrayBatchSource<IdBatch>('quotes', 0);
    a.push(batch([100], [1]));
    const merge = new EventMerge([a]);
    merge.next();
    expect(merge.next()).toBe(MergeSignal.Starved);
    a.push(batch([99], [2]));
    expect(() => merge.next()).toThrow(/'quotes'.*from 100 .* to 99 /);
  });

  it('rejects a NaN timestamp and a seq going backwards at equal ts', () => {
    const nan = new EventMerge([ArrayBatchSource.of('n', 0, batch([1, NaN], [1, 2]))]);
    nan.next();
    expect(() => nan.next()).toThrow(/'n'.*to NaN/);
    const seq = new EventMerge([ArrayBatchSource.of('s', 0, batch([1, 1], [1, 2], [5, 4]))]);
    seq.next();
    expect(() => seq.next()).toThrow(/'s'.*seq went backwards.* from 5 to 4/);
  });

  it('rejects a non-finite priority', () => {
    const bad: MergeSource = {
      name: 'bad',
      priority: NaN,
      ts: () => 0,
      seq: () => 0,
      state: () => SourceState.Ended,
      advance: () => undefined,
    };
    expect(() => new EventMerge([bad])).toThrow(InvalidArgumentError);
  });

  it('gives the same order as a reference sort, however the streams are split and refilled', () => {
    const row = fc.record({ ts: fc.integer({ min: 0, max: 30 }), seq: fc.integer({ min: 0, max: 5 }) });
    const stream = fc.record({
      rows: fc.array(row, { maxLength: 40 }),
      priority: fc.integer({ min: 0, max: 2 }),
      withSeq: fc.boolean(),
      cuts: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 8 }),
      preloaded: fc.integer({ min: 0, max: 9 }),
    });
    fc.assert(
      fc.property(fc.array(stream, { minLength: 1, maxLength: 6 }), (streams) => {
        let nextId = 0;
        const reference: { ts: number; priority: number; seq: number; source: number; row: number; id: number }[] = [];
        const sources: ArrayBatchSource<IdBatch>[] = [];
        const queues: IdBatch[][] = [];
        streams.forEach((s, source) => {
          const rows = [...s.rows].sort((x, y) => x.ts - y.ts || x.seq - y.seq);
          const ids = rows.map(() => nextId++);
          rows.forEach((r, i) =>
            reference.push({ ts: r.ts, priority: s.priority, seq: s.withSeq ? r.seq : i, source, row: i, id: ids[i]! }),
          );
          // Random split points (duplicates give empty batches, which must be harmless).
          const cuts = [0, ...s.cuts.map((c) => Math.min(c, rows.length)).sort((x, y) => x - y), rows.length];
          const batches: IdBatch[] = [];
          for (let c = 0; c + 1 < cuts.length; c++) {
            const part = rows.slice(cuts[c], cuts[c + 1]);
            const partIds = ids.slice(cuts[c], cuts[c + 1]);
            batches.push(batch(part.map((r) => r.ts), partIds, s.withSeq ? part.map((r) => r.seq) : undefined));
          }
          const src = new ArrayBatchSource<IdBatch>(`s${source}`, s.priority);
          // Some batches are pushed up front, the rest only when the merge starves.
          const upFront = Math.min(s.preloaded, batches.length);
          for (let b = 0; b < upFront; b++) src.push(batches[b]!);
          queues.push(batches.slice(upFront));
          sources.push(src);
        });
        reference.sort(
          (x, y) => x.ts - y.ts || x.priority - y.priority || x.seq - y.seq || x.source - y.source || x.row - y.row,
        );
        const got = drain(new EventMerge(sources), sources, (i) => {
          const next = queues[i]!.shift();
          if (next === undefined) sources[i]!.end();
          else sources[i]!.push(next);
        });
        expect(got.ids).toEqual(reference.map((r) => r.id));
      }),
      { numRuns: 500 },
    );
  });
});
