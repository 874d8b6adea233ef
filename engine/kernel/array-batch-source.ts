import { InvalidArgumentError, InvariantError, checkFinite, checkNonEmptyString } from '../core/index.js';
import { SourceState } from './merge-source.js';
import type { MergeSource } from './merge-source.js';
import type { TimeBatch } from '../model/market-batches.js';

/** The batch shape of the merge; defined with the other market-data batches in engine/model. */
export type { TimeBatch };

const EMPTY_TS = new Float64Array(0);

/**
 * A {@link MergeSource} over typed-array batches fed by `push()`; `end()` says no more will come.
 *
 * When the pushed batches are used up and `end()` has not been called, the source is Starved: the
 * owner pushes the next batch (after an asynchronous read) or ends it, and the merge resumes. Batches
 * are released as soon as they are consumed, so memory stays flat however long the stream is.
 *
 * The current row is `batch` at index `row` while `state()` is Ready.
 */
export class ArrayBatchSource<B extends TimeBatch = TimeBatch> implements MergeSource {
  readonly name: string;
  readonly priority: number;
  /** The batch holding the current row; null when there is no current row. */
  batch: B | null;
  /** Index of the current row within `batch`. */
  row: number;

  /** @internal The current batch's `ts` column (read by EventSequencer.nextInRun). */
  tsCol: Float64Array;
  /** @internal The current batch's `seq` column, null for the implicit seq (read by EventSequencer.nextInRun). */
  seqCol: Float64Array | Int32Array | null;
  /** @internal Rows in the current batch (read by EventSequencer.nextInRun). */
  len: number;
  /** Rows in batches consumed before the current one: the implicit seq is `rowsBefore + row`. */
  private rowsBefore: number;
  private readonly queue: (B | undefined)[];
  private head: number;
  private st: SourceState;
  private ended: boolean;

  /** Creates an empty source (Starved until the first `push()`, Ended at once on `end()`). */
  constructor(name: string, priority = 0) {
    this.name = checkNonEmptyString(name, 'name');
    this.priority = checkFinite(priority, 'priority');
    this.batch = null;
    this.row = 0;
    this.tsCol = EMPTY_TS;
    this.seqCol = null;
    this.len = 0;
    this.rowsBefore = 0;
    this.queue = [];
    this.head = 0;
    this.st = SourceState.Starved;
    this.ended = false;
  }

  /** Creates a source holding `batches` and already ended: the whole stream is in memory. */
  static of<B extends TimeBatch>(name: string, priority: number, ...batches: B[]): ArrayBatchSource<B> {
    const source = new ArrayBatchSource<B>(name, priority);
    for (const b of batches) source.push(b);
    source.end();
    return source;
  }

  /** Appends a batch. Empty batches are accepted and skipped. Throws if the source has ended or the
   * columns are shorter than `length`. */
  push(batch: B): void {
    if (this.ended) throw new InvariantError(`source '${this.name}': push() after end()`);
    const n = batch.length;
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new InvalidArgumentError(`invalid 'batch.length' of source '${this.name}': not a non-negative integer, was ${n}`);
    }
    if (batch.ts.length < n) {
      throw new InvalidArgumentError(
        `invalid 'batch.ts' of source '${this.name}': ${batch.ts.length} values for ${n} rows`,
      );
    }
    if (batch.seq !== undefined && batch.seq.length < n) {
      throw new InvalidArgumentError(
        `invalid 'batch.seq' of source '${this.name}': ${batch.seq.length} values for ${n} rows`,
      );
    }
    if (n === 0) return;
    if (this.st === SourceState.Starved) this.setCurrent(batch);
    else this.queue.push(batch);
  }

  /** Marks the end of the stream: once the buffered rows are consumed the source is Ended. */
  end(): void {
    this.ended = true;
    if (this.st === SourceState.Starved) this.st = SourceState.Ended;
  }

  /** Returns true once `end()` has been called (rows may still be buffered). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Returns the number of rows buffered, the current one included; a reader refills below a mark. */
  bufferedRows(): number {
    let n = this.st === SourceState.Ready ? this.len - this.row : 0;
    for (let q = this.head; q < this.queue.length; q++) n += this.queue[q]!.length;
    return n;
  }

  state(): SourceState {
    return this.st;
  }

  ts(): number {
    return this.tsCol[this.row]!;
  }

  seq(): number {
    const seqCol = this.seqCol;
    return seqCol !== null ? seqCol[this.row]! : this.rowsBefore + this.row;
  }

  advance(): void {
    if (this.st !== SourceState.Ready) {
      throw new InvariantError(`source '${this.name}': advance() without a current row`);
    }
    if (++this.row < this.len) return;
    this.rowsBefore += this.len;
    const next = this.head < this.queue.length ? this.queue[this.head] : undefined;
    if (next !== undefined) {
      this.queue[this.head++] = undefined; // release it for the garbage collector once consumed
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      this.setCurrent(next);
      return;
    }
    this.batch = null;
    this.tsCol = EMPTY_TS;
    this.seqCol = null;
    this.len = 0;
    this.row = 0;
    this.st = this.ended ? SourceState.Ended : SourceState.Starved;
  }

  private setCurrent(batch: B): void {
    this.batch = batch;
    this.tsCol = batch.ts;
    this.seqCol = batch.seq ?? null;
    this.len = batch.length;
    this.row = 0;
    this.st = SourceState.Ready;
  }
}
