import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvariantError } from '../../../../engine/core/index.js';
import { ArrayBatchSource, SourceState } from '../../../../engine/kernel/index.js';
import { batch } from './merge-fixtures.js';
import type { IdBatch } from './merge-fixtures.js';

describe('ArrayBatchSource', () => {
  it('is starved until a batch is pushed and ended once end() is called and the rows are used up', () => {
    const s = new ArrayBatchSource<IdBatch>('s');
    expect(s.state()).toBe(SourceState.Starved);
    s.push(batch([1, 2], [1, 2]));
    expect(s.state()).toBe(SourceState.Ready);
    expect(s.bufferedRows()).toBe(2);
    s.advance();
    expect(s.ts()).toBe(2);
    s.advance();
    expect(s.state()).toBe(SourceState.Starved);
    s.end();
    expect(s.state()).toBe(SourceState.Ended);
    expect(s.isEnded).toBe(true);
  });

  it('moves across batches, skipping empty ones, and counts the implicit seq over all batches', () => {
    const s = ArrayBatchSource.of('s', 0, batch([1, 2], [1, 2]), batch([], []), batch([3], [3]));
    const seen: [number, number, number][] = [];
    while (s.state() === SourceState.Ready) {
      seen.push([s.ts(), s.seq(), s.batch!.id[s.row]!]);
      s.advance();
    }
    expect(seen).toEqual([
      [1, 0, 1],
      [2, 1, 2],
      [3, 2, 3],
    ]);
    expect(s.state()).toBe(SourceState.Ended);
  });

  it('reads seq from the seq column when there is one, Int32Array included', () => {
    const s = new ArrayBatchSource('s');
    s.push({ length: 2, ts: Float64Array.of(5, 5), seq: Int32Array.of(40, 41) });
    expect(s.seq()).toBe(40);
    s.advance();
    expect(s.seq()).toBe(41);
  });

  it('uses only the first `length` values of longer, preallocated columns', () => {
    const s = new ArrayBatchSource('s');
    s.push({ length: 1, ts: Float64Array.of(7, 0, 0) });
    s.end();
    s.advance();
    expect(s.state()).toBe(SourceState.Ended);
  });

  it('refuses a push after end, short columns and advancing without a current row', () => {
    const s = new ArrayBatchSource('s');
    expect(() => s.push({ length: 2, ts: Float64Array.of(1) })).toThrow(InvalidArgumentError);
    expect(() => s.push({ length: 1, ts: Float64Array.of(1), seq: new Float64Array(0) })).toThrow(/batch.seq/);
    expect(() => s.advance()).toThrow(InvariantError);
    s.end();
    expect(() => s.push(batch([1], [1]))).toThrow(/push\(\) after end\(\)/);
  });

  it('rejects an empty name and a non-finite priority', () => {
    expect(() => new ArrayBatchSource('')).toThrow(InvalidArgumentError);
    expect(() => new ArrayBatchSource('x', Infinity)).toThrow(/priority/);
  });
});
