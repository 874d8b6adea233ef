import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, InvariantError } from '../../engine/core/index.js';
import type { EquityCurveScan } from '../../engine/kernel/run-result.js';
import { WriteError } from '../../datasets/atomic.js';

/** Samples read back per chunk (1 MiB per column). */
const SCAN_SAMPLES = 1 << 17;

/**
 * A streamed run's equity timestamps and values, spilled to two raw files of doubles as the run goes
 * and read back in order, chunk by chunk, as often as asked (the metrics take three passes, the runHash
 * two). The run then holds none of its curve: a 50 M-bar tape spills 800 MB to disk and keeps 2 MiB of
 * buffers. The files are the process's own scratch (native byte order), in a directory the caller
 * removes (the run's staging directory); `close` releases them.
 */
export class CurveSpill implements EquityCurveScan {
  private readonly tsFile: string;
  private readonly equityFile: string;
  private tsFd: number | null;
  private equityFd: number | null;
  private n = 0;
  private closed = false;
  /** The chunks scan reads into, made on the first scan (see scan). */
  private chunks: { readonly ts: Float64Array; readonly equity: Float64Array } | null = null;

  /** `dir`: where the two files go; `label`: how a write error names the output (its final file). */
  constructor(
    dir: string,
    private readonly label: string,
  ) {
    this.tsFile = join(dir, '.equity-ts.f64');
    this.equityFile = join(dir, '.equity-values.f64');
    this.tsFd = this.open(this.tsFile);
    try {
      this.equityFd = this.open(this.equityFile);
    } catch (err) {
      closeSync(this.tsFd);
      throw err;
    }
  }

  /** Number of samples appended. */
  get length(): number {
    return this.n;
  }

  /** Appends the first `n` samples of `ts` and `equity`. */
  append(ts: Float64Array, equity: Float64Array, n: number): void {
    if (this.tsFd === null || this.equityFd === null) throw new InvalidArgumentError('the equity spill is closed');
    this.write(this.tsFd, ts, n);
    this.write(this.equityFd, equity, n);
    this.n += n;
  }

  /** Hands every sample to `visit`, in order, in chunks (the arrays are reused: valid during the call only). */
  scan(visit: (ts: ArrayLike<number>, equity: ArrayLike<number>, n: number) => void): void {
    if (this.closed) throw new InvalidArgumentError('the equity spill is closed');
    // The chunks are made on the first scan and kept for the next (fresh memory costs a page fault per 4 KiB: each
    // scan of a long curve made 2 MiB, and the runHash and the metrics scan it four times); a scan within a scan
    // makes its own.
    const size = Math.min(SCAN_SAMPLES, Math.max(1, this.n));
    const chunks = this.chunks !== null && this.chunks.ts.length >= size ? this.chunks : { ts: new Float64Array(size), equity: new Float64Array(size) };
    this.chunks = null;
    const { ts, equity } = chunks;
    const tsFd = openSync(this.tsFile, 'r');
    try {
      const equityFd = openSync(this.equityFile, 'r');
      try {
        for (let at = 0; at < this.n; at += ts.length) {
          const k = Math.min(ts.length, this.n - at);
          this.read(tsFd, this.tsFile, ts, k, at);
          this.read(equityFd, this.equityFile, equity, k, at);
          visit(ts, equity, k);
        }
      } finally {
        closeSync(equityFd);
      }
    } finally {
      closeSync(tsFd);
      if (!this.closed) this.chunks = chunks;
    }
  }

  /**
   * Hands every sample of one column to `visit`, in order, in chunks, reading that column's file alone: the
   * runHash reads the timestamps, then the values (each of its two scans read both files: 40 MB more of a 2.5 M-bar
   * run's). The chunk is scan's own, kept for the next scan, as in {@link scan}.
   */
  scanColumn(column: 'ts' | 'equity', visit: (values: ArrayLike<number>, n: number) => void): void {
    if (this.closed) throw new InvalidArgumentError('the equity spill is closed');
    const size = Math.min(SCAN_SAMPLES, Math.max(1, this.n));
    const chunks = this.chunks !== null && this.chunks.ts.length >= size ? this.chunks : { ts: new Float64Array(size), equity: new Float64Array(size) };
    this.chunks = null;
    const into = chunks[column];
    const file = column === 'ts' ? this.tsFile : this.equityFile;
    const fd = openSync(file, 'r');
    try {
      for (let at = 0; at < this.n; at += into.length) {
        const k = Math.min(into.length, this.n - at);
        this.read(fd, file, into, k, at);
        visit(into, k);
      }
    } finally {
      closeSync(fd);
      if (!this.closed) this.chunks = chunks;
    }
  }

  /** Closes the files (they stay until the caller removes the directory); scan no longer works. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of [this.tsFd, this.equityFd]) if (fd !== null) closeSync(fd);
    this.tsFd = null;
    this.equityFd = null;
    this.chunks = null;
  }

  private open(file: string): number {
    try {
      return openSync(file, 'wx');
    } catch (err) {
      throw new WriteError(this.label, err);
    }
  }

  private write(fd: number, values: Float64Array, n: number): void {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, n * 8);
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (err) {
      throw new WriteError(this.label, err);
    }
  }

  private read(fd: number, file: string, into: Float64Array, k: number, at: number): void {
    const bytes = new Uint8Array(into.buffer, 0, k * 8);
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(fd, bytes, done, bytes.length - done, at * 8 + done);
      if (got === 0) throw new InvariantError(`${file} ends after ${(at * 8 + done) / 8} of ${this.n} samples (removed while the run went on?)`);
      done += got;
    }
  }
}
