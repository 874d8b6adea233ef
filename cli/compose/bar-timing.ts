import type { BarBatch } from '../../sim/backtest/index.js';

/**
 * Bar timing: when each bar of a dataset opened and closed (scenario `data.barTimestamp`).
 *
 * A bar's close is its own timestamp plus its true length. With `open` stamps (the default) a bar
 * of `symbol` opening at `t` closes at `min(t + interval, the next bar of symbol's open)`: a regular
 * series closes one interval after it opens, and a bar of an irregular calendar (months of 28 to 31
 * days, a week after a holiday, the bar before a data gap shorter than the interval) never closes
 * after the next bar of its symbol opens. The feed reads ahead the TIMESTAMPS of the rows after a
 * bar to know its close (no price is looked at: when the next bar opens is a calendar fact, known
 * before it trades); the last bar of a symbol in the run's range closes one interval after it opens.
 * With `close` stamps a bar stamped `t` closed at `t` and opened at `max(t - interval, the previous
 * bar of symbol's stamp)` (the first bar: `t - interval`): the same bars stamped at their closes
 * replay exactly as stamped at their opens.
 *
 * Decisions are taken at a bar's close and an order is eligible on the first bar opening at or after
 * it (sim/venue/simulated-venue.ts), so with true closes a decision always fills on the next bar that
 * exists; before, a month-end bar closing 31 days after it opened made a decision on a 31-day month
 * land after the next (shorter) month had opened, and the venue skipped that bar.
 */
export type BarTimestamp = 'open' | 'close';

/** Bar rows as a dataset reader gives them: `ts` as stored, in (ts, code) order; codes index `map`. */
export interface StampedBars {
  readonly length: number;
  readonly symbol: Int32Array;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/**
 * Turns stamped bars (each row's `ts` as stored, rows in (ts, code) order) into a replay feed:
 * `barTs` the bar's open, `ts` its close (see the module comment), rows in (close, code) order, and
 * `symbol` mapped through `map` (dataset code -> run symbol index). With `open` stamps a bar is held
 * until the next row of its symbol is read or the tape has passed its open + interval, so the feed
 * holds at most one reader batch and one pending row per symbol ahead of the replay (one symbol: the
 * reader's last batch, see oneSymbol).
 */
export async function* timedBars(rows: AsyncIterable<StampedBars>, map: Int32Array, intervalUs: number, stamp: BarTimestamp = 'open'): AsyncGenerator<BarBatch> {
  if (stamp === 'close') {
    yield* closeStamped(rows, map, intervalUs);
    return;
  }
  if (map.length === 1) {
    yield* oneSymbol(rows, map[0]!, intervalUs);
    return;
  }
  const pool = new RowPool();
  // Per dataset code: the pool row of the symbol's last bar whose close is not known yet (-1 none).
  const pending = new Int32Array(map.length).fill(-1);
  for await (const b of rows) {
    const n = b.length;
    if (n === 0) continue;
    const base = pool.append(b);
    const open = pool.barTs;
    const close = pool.ts;
    for (let i = 0; i < n; i++) {
      const c = b.symbol[i]!;
      const p = pending[c]!;
      if (p >= 0) {
        const t = b.ts[i]!;
        const full = open[p]! + intervalUs;
        close[p] = full < t ? full : t;
      }
      pending[c] = base + i;
    }
    // Rows not read yet open at or after `seen`: a pending bar whose open + interval is not after it
    // closes at open + interval whatever its next bar.
    const seen = b.ts[n - 1]!;
    let bound = seen;
    for (let c = 0; c < pending.length; c++) {
      const p = pending[c]!;
      if (p < 0) continue;
      const full = open[p]! + intervalUs;
      if (full <= seen) {
        close[p] = full;
        pending[c] = -1;
      } else if (full < bound) bound = full;
    }
    // Every row still pending, and every row not read yet, closes at or after `bound`.
    const out = pool.take(bound, map, pending);
    if (out !== null) yield out;
  }
  for (let c = 0; c < pending.length; c++) {
    const p = pending[c]!;
    if (p >= 0) pool.ts[p] = pool.barTs[p]! + intervalUs;
  }
  const out = pool.take(Number.POSITIVE_INFINITY, map, pending);
  if (out !== null) yield out;
}

/**
 * `open` stamps of one symbol (a reader of one dataset code): every row is the symbol's, so a row's
 * close needs only the next row's open, and a batch is handed on once the first row of the next one
 * is read, as it came (its own columns, `barTs` its `ts`) with a fresh `ts` of closes: no row is
 * copied or reordered. RowPool copied every row once more and cut each reader batch at its last row
 * (which waits for the next batch): two pieces of garbage per row, ~0.14 s of the main thread for
 * 2.5 M bars streamed a DuckDB chunk at a time (CPU profile). The replay is a batch behind the
 * reader, which reads the next one meanwhile.
 */
async function* oneSymbol(rows: AsyncIterable<StampedBars>, runSymbol: number, intervalUs: number): AsyncGenerator<BarBatch> {
  let held: StampedBars | null = null;
  let symbol = new Int32Array(0); // every row's run symbol; shared by the batches (the replay never writes into one)
  const closed = (b: StampedBars, nextOpen: number): BarBatch => {
    const n = b.length;
    if (symbol.length < n) symbol = new Int32Array(n).fill(runSymbol);
    const open = b.ts;
    const ts = new Float64Array(n);
    for (let i = 0; i < n - 1; i++) {
      const full = open[i]! + intervalUs;
      const t = open[i + 1]!;
      ts[i] = full < t ? full : t;
    }
    const full = open[n - 1]! + intervalUs;
    ts[n - 1] = full < nextOpen ? full : nextOpen;
    return { length: n, ts, barTs: open, symbol: symbol.subarray(0, n), open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
  };
  for await (const b of rows) {
    if (b.length === 0) continue;
    if (held !== null) yield closed(held, b.ts[0]!);
    held = b;
  }
  if (held !== null) yield closed(held, Number.POSITIVE_INFINITY);
}

/** `close` stamps: the bar closed at its stamp and opened at max(stamp - interval, the previous stamp of its symbol). */
async function* closeStamped(rows: AsyncIterable<StampedBars>, map: Int32Array, intervalUs: number): AsyncGenerator<BarBatch> {
  const prev = new Float64Array(map.length).fill(Number.NEGATIVE_INFINITY);
  for await (const b of rows) {
    const n = b.length;
    const barTs = new Float64Array(n);
    const symbol = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = b.symbol[i]!;
      const t = b.ts[i]!;
      const full = t - intervalUs;
      const p = prev[c]!;
      barTs[i] = full > p ? full : p;
      prev[c] = t;
      symbol[i] = map[c]!;
    }
    yield { length: n, ts: b.ts, barTs, symbol, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
  }
}

const COLUMNS = ['barTs', 'ts', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Rows read but not yet replayed, in read order; `ts` (the close) is NaN until known. */
class RowPool {
  length = 0;
  barTs = new Float64Array(0);
  ts = new Float64Array(0);
  open = new Float64Array(0);
  high = new Float64Array(0);
  low = new Float64Array(0);
  close = new Float64Array(0);
  volume = new Float64Array(0);
  code = new Int32Array(0);

  /** Appends a batch (close unknown); returns the pool index of its first row. */
  append(b: StampedBars): number {
    const base = this.length;
    const need = base + b.length;
    if (need > this.ts.length) {
      const cap = Math.max(need, this.ts.length * 2);
      for (const k of COLUMNS) {
        const a = new Float64Array(cap);
        a.set(this[k].subarray(0, base));
        this[k] = a;
      }
      const code = new Int32Array(cap);
      code.set(this.code.subarray(0, base));
      this.code = code;
    }
    this.barTs.set(b.ts, base);
    this.ts.fill(Number.NaN, base, need);
    this.open.set(b.open, base);
    this.high.set(b.high, base);
    this.low.set(b.low, base);
    this.close.set(b.close, base);
    this.volume.set(b.volume, base);
    this.code.set(b.symbol, base);
    this.length = need;
    return base;
  }

  /**
   * Removes the rows whose close is known and before `bound` and returns them as a batch in (close,
   * code) order (null when none); the other rows stay, in read order, and `pending` (pool indexes of
   * rows whose close is unknown, -1 none) is updated to where they moved.
   */
  take(bound: number, map: Int32Array, pending: Int32Array): BarBatch | null {
    const n = this.length;
    const ts = this.ts;
    const code = this.code;
    // The common case (one symbol, or symbols whose bars close together): the rows taken are the pool's
    // first rows, already in (close, code) order, and none after them is taken.
    let first = 0;
    while (first < n) {
      const t = ts[first]!;
      if (!(t < bound)) break;
      if (first > 0 && (t < ts[first - 1]! || (t === ts[first - 1]! && code[first]! < code[first - 1]!))) break;
      first++;
    }
    let prefix = true;
    for (let i = first; i < n; i++) {
      if (ts[i]! < bound) {
        prefix = false;
        break;
      }
    }
    if (prefix) return first === 0 ? null : this.takeFirst(first, map, pending);
    const picked: number[] = [];
    let sorted = true;
    for (let i = 0; i < n; i++) {
      const t = ts[i]!;
      if (!(t < bound)) continue; // NaN (close unknown) stays too
      if (picked.length > 0) {
        const j = picked[picked.length - 1]!;
        if (t < ts[j]! || (t === ts[j]! && this.code[i]! < this.code[j]!)) sorted = false;
      }
      picked.push(i);
    }
    if (picked.length === 0) return null;
    if (!sorted) picked.sort((a, b) => ts[a]! - ts[b]! || this.code[a]! - this.code[b]!);
    const m = picked.length;
    const out = { length: m, ts: new Float64Array(m), barTs: new Float64Array(m), symbol: new Int32Array(m), open: new Float64Array(m), high: new Float64Array(m), low: new Float64Array(m), close: new Float64Array(m), volume: new Float64Array(m) };
    for (let k = 0; k < m; k++) {
      const i = picked[k]!;
      out.ts[k] = ts[i]!;
      out.barTs[k] = this.barTs[i]!;
      out.symbol[k] = map[this.code[i]!]!;
      out.open[k] = this.open[i]!;
      out.high[k] = this.high[i]!;
      out.low[k] = this.low[i]!;
      out.close[k] = this.close[i]!;
      out.volume[k] = this.volume[i]!;
    }
    // Keep the rest in read order; pending rows (close unknown) are never taken.
    const taken = new Uint8Array(n);
    for (const i of picked) taken[i] = 1;
    const moved = new Int32Array(n);
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (taken[i] === 1) continue;
      moved[i] = w;
      if (w !== i) {
        for (const k of COLUMNS) this[k][w] = this[k][i]!;
        this.code[w] = this.code[i]!;
      }
      w++;
    }
    this.length = w;
    for (let c = 0; c < pending.length; c++) if (pending[c]! >= 0) pending[c] = moved[pending[c]!]!;
    return out;
  }

  /**
   * {@link take} when the rows taken are the first `m`, in order. When they are most of the pool (symbols
   * whose bars close together: every row but the last of each, whose close waits for the next batch) the batch is the pool's own
   * columns, cut at `m` (no copy), and the few rows left move to new columns, which the next append
   * grows; else each column is copied out and the rest moved down in bulk (contiguous memory).
   */
  private takeFirst(m: number, map: Int32Array, pending: Int32Array): BarBatch {
    const n = this.length;
    const code = this.code;
    const symbol = new Int32Array(m);
    for (let k = 0; k < m; k++) symbol[k] = map[code[k]!]!;
    let out: BarBatch;
    if (n - m <= m) {
      out = { length: m, ts: this.ts.subarray(0, m), barTs: this.barTs.subarray(0, m), symbol, open: this.open.subarray(0, m), high: this.high.subarray(0, m), low: this.low.subarray(0, m), close: this.close.subarray(0, m), volume: this.volume.subarray(0, m) };
      for (const k of COLUMNS) this[k] = this[k].slice(m, n);
      this.code = code.slice(m, n);
    } else {
      out = { length: m, ts: this.ts.slice(0, m), barTs: this.barTs.slice(0, m), symbol, open: this.open.slice(0, m), high: this.high.slice(0, m), low: this.low.slice(0, m), close: this.close.slice(0, m), volume: this.volume.slice(0, m) };
      for (const k of COLUMNS) this[k].copyWithin(0, m, n);
      code.copyWithin(0, m, n);
    }
    this.length = n - m;
    // Pending rows (close unknown) are never taken: each moved down by m.
    for (let c = 0; c < pending.length; c++) if (pending[c]! >= 0) pending[c] = pending[c]! - m;
    return out;
  }
}
