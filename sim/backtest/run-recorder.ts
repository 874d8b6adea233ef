import { Float64StepColumn, Float64Table, ValueCodes, columnsInOneBuffer, nextCapacity } from '../../engine/core/columns.js';
import { LOG_INITIAL_ROWS, grownF64, grownI32 } from '../../engine/execution/log-rows.js';
import type { StrategyId, Symbol_ } from '../../engine/core/index.js';
import { idOfRow, rowInId } from '../../engine/execution/order-log.js';
import { InvariantError } from '../../engine/core/index.js';
import { EquityPreview } from '../../engine/kernel/equity-preview.js';
import type { EquityCurve, EquityCurveScan } from '../../engine/kernel/run-result.js';
import { DeferredText } from '../../engine/model/index.js';
import type { AuditEntry, Fill, OrderEvent, Signal } from '../../engine/model/index.js';
import { EquitySample } from '../../engine/ports/recorder.js';
import type { Recorder } from '../../engine/ports/recorder.js';

/** Columns of the equity rows a sink receives, in this order (equity.parquet's columns). */
export const EQUITY_SINK_COLUMNS = ['ts', 'equity', 'cash', 'drawdown', 'grossExposure', 'marginInUse', 'buyingPower'] as const;

/**
 * Where a streamed run's equity samples go as the run goes (the CLI's equity.parquet writer): appends are
 * synchronous; when `wantsFlush` the replay awaits `flush()` at its next pause for data.
 */
export interface EquitySink {
  append(batch: Readonly<Record<(typeof EQUITY_SINK_COLUMNS)[number], Float64Array>>, n: number): void;
  readonly wantsFlush: boolean;
  flush(): Promise<void>;
  /**
   * After the last append: every appended sample's `ts` and `equity`, read back in order (the run's
   * metrics and runHash read the curve from here, so the run never holds it whole).
   */
  curve(): EquityCurveScan;
}

const SINK_BATCH = 4096;
/**
 * Rows the in-memory curve grows to at once past RESERVE_FROM (32 MiB of address space per column,
 * committed as samples are written): a long curve is written once into fresh pages rather than
 * about twice through its doublings (see nextCapacity).
 */
const CURVE_RESERVE = 1 << 22;

/**
 * The in-memory equity curve's stored columns: the ts, equity and grossExposure of each sample (EquitySample
 * indexes 0, 1 and 3), a row a bar. The curve's cash is kept where it changes (a Float64StepColumn), its
 * marginInUse and buyingPower in a Float64Table once they differ from the implied ones (see RunRecorder).
 *
 * A class of its own, not a Float64Table of four columns: its row is written from inside the per-bar sample
 * path, which V8 compiles as one unit only while the chain's bytecode fits TurboFan's inlining budget (see
 * tests/unit/sim/backtest/sample-inlining.test.ts). So {@link pushSample} writes the three columns unrolled,
 * held as fields (no loop over an array of columns, no skipped-column test), and only this recorder's curve
 * takes that path.
 */
export class CurveTable {
  /** The columns, `length` rows of `capacity` (read directly by RunRecorder.onEquity's same-timestamp check). */
  ts: Float64Array;
  equity: Float64Array;
  grossExposure: Float64Array;
  private n = 0;
  private capacity: number;
  /** Rows that may hold values from before the last {@link clear}: past it and past `length`, a row holds the +0 a fresh array starts with. */
  private dirty = 0;

  /** `capacity`: rows to allocate at once; `reserve`: rows to grow to at once past RESERVE_FROM (see nextCapacity; 0 for none). */
  constructor(
    capacity = 256,
    private readonly reserve = CURVE_RESERVE,
  ) {
    this.capacity = Math.max(1, capacity);
    const [ts, equity, grossExposure] = columnsInOneBuffer(3, this.capacity);
    this.ts = ts!;
    this.equity = equity!;
    this.grossExposure = grossExposure!;
  }

  /** Rows the columns hold before they grow. */
  get rowCapacity(): number {
    return this.capacity;
  }

  get length(): number {
    return this.n;
  }

  /**
   * Appends the sample's ts, equity and grossExposure. A +0 gross exposure into a row never written is not
   * stored: the fresh array holds it already, and a page never written is never committed (the gross exposure
   * of a flat run costs no fresh page). ts and equity are written even when +0: the same bits.
   */
  pushSample(sample: Float64Array): void {
    if (this.n === this.capacity) this.grow();
    const n = this.n++;
    if (n < this.dirty) {
      this.setRow(n, sample);
      return;
    }
    this.ts[n] = sample[0]!;
    this.equity[n] = sample[1]!;
    const g = sample[3]!;
    if (g !== 0 || 1 / g < 0) this.grossExposure[n] = g;
  }

  /** Overwrites row i (0 <= i < length; not checked) with the sample's ts, equity and grossExposure. */
  setRow(i: number, sample: Float64Array): void {
    this.ts[i] = sample[EquitySample.ts]!;
    this.equity[i] = sample[EquitySample.equity]!;
    this.grossExposure[i] = sample[EquitySample.grossExposure]!;
  }

  /** The column of EquitySample index `field` (ts, equity or grossExposure), its first `length` rows as a view (valid until the next push). */
  view(field: number): Float64Array {
    const column = field === EquitySample.ts ? this.ts : field === EquitySample.equity ? this.equity : field === EquitySample.grossExposure ? this.grossExposure : null;
    if (column === null) throw new InvariantError(`the curve table keeps no column ${field}`);
    return column.subarray(0, this.n);
  }

  clear(): void {
    if (this.n > this.dirty) this.dirty = this.n;
    this.n = 0;
  }

  /** The three columns grow together into one new buffer (columnsInOneBuffer): the jump to the reserve (three columns of 2^22 rows, 32 MiB each) is one allocation. */
  private grow(): void {
    const capacity = nextCapacity(this.capacity, this.reserve);
    this.capacity = capacity;
    const [ts, equity, grossExposure] = columnsInOneBuffer(3, capacity);
    ts!.set(this.ts);
    equity!.set(this.equity);
    grossExposure!.set(this.grossExposure);
    this.ts = ts!;
    this.equity = equity!;
    this.grossExposure = grossExposure!;
  }
}

/**
 * Whether the sample's marginInUse and buyingPower are what an account without margin gives: +0 and
 * its cash, to the bit (so the implied columns are the ones that would have been recorded).
 */
function impliedMargin(sample: Float64Array): boolean {
  // EquitySample.marginInUse, .buyingPower and .cash, as numbers (an `EquitySample.x` read is ten bytes
  // of bytecode): this is inlined into the per-bar sample path within TurboFan's budget.
  const m = sample[4]!;
  const bp = sample[5]!;
  const cash = sample[2]!;
  return m === 0 && 1 / m > 0 && bp === cash && (bp !== 0 || 1 / bp === 1 / cash);
}

/**
 * An in-memory curve's columns, `cash` made from its changes on the first read (see RunRecorder.curveColumns);
 * `marginInUse` and `buyingPower` as kept, or (null) implied: zeros and the cash. A function of its own, so the
 * getters close over these arguments alone.
 */
function curveOf(
  ts: Float64Array,
  equity: Float64Array,
  grossExposure: Float64Array,
  steps: Float64StepColumn,
  n: number,
  marginInUse: Float64Array | null,
  buyingPower: Float64Array | null,
): EquityCurve {
  let cash: Float64Array | null = null;
  let zeros: Float64Array | null = null;
  const cashColumn = (): Float64Array => (cash ??= steps.fill(n));
  return {
    ts,
    equity,
    get cash() {
      return cashColumn();
    },
    grossExposure,
    get marginInUse() {
      return marginInUse ?? (zeros ??= new Float64Array(n));
    },
    get buyingPower() {
      return buyingPower ?? cashColumn();
    },
  };
}

/** What a streamed recorder kept besides `ts` and `equity`: the counts the metrics need and the preview. */
export interface StreamedEquity {
  /** Samples written to the sink (every sample). */
  readonly rows: number;
  /** Their `ts` and `equity`, read back from the sink. */
  readonly curve: EquityCurveScan;
  /** Samples with a nonzero gross exposure (the metrics' exposure time). */
  readonly exposedSamples: number;
  readonly preview: EquityPreview;
}

/**
 * A run's audit trail: its entries in run order, some with a message made only when the trail is read
 * (an account's short-sale denial, see DeferredText): ~52k of them in a 2 M-bar pipeline run, whose
 * texts nothing reads while it goes on. {@link list} makes them. Until then a deferred entry is held as
 * its message in the run's order and its other fields in columns, not as an object: every object a run
 * keeps to its end is copied by each young-generation collection it lives through, and the deferred
 * entries were the most numerous after the signals.
 */
export class AuditTrail {
  /** The entries in run order, a deferred one as its message (a DeferredText) until {@link list} makes it. */
  private readonly held: (AuditEntry | DeferredText)[] = [];
  /**
   * Of the deferred entries, in their order (`n` of `capacity` rows): ts and the order log's row its order id
   * names (see rowInId), two a row in `num`; the codes of kind, symbol and strategyId, three a row in `int`.
   */
  private n = 0;
  private capacity = LOG_INITIAL_ROWS;
  private num: Float64Array = new Float64Array(LOG_INITIAL_ROWS * 2);
  private int: Int32Array = new Int32Array(LOG_INITIAL_ROWS * 3);
  private readonly kind = new ValueCodes<string>();
  /** Order ids that name no order log row, by deferred row (NaN as its row). */
  private readonly otherIds = new Map<number, string | undefined>();
  private readonly symbol = new ValueCodes<string | undefined>();
  private readonly strategyId = new ValueCodes<string | undefined>();
  /** Deferred entries made so far, and the place in `held` to look for the next from. */
  private made = 0;
  private from = 0;

  /** Appends an entry. */
  push(entry: AuditEntry): void {
    this.held.push(entry);
  }

  /**
   * Appends an entry whose message ('' until then) is to be made from `message` when the trail is read.
   * Its ts, kind, orderId, symbol and strategyId are kept (the fields of an account denial's entry, which
   * the entry made on reading has in that order, message after kind), not the entry itself.
   */
  defer(entry: AuditEntry, message: DeferredText): void {
    this.held.push(message);
    const k = this.n;
    if (k === this.capacity) {
      const capacity = k * 2;
      this.num = grownF64(this.num, k * 2, capacity * 2);
      this.int = grownI32(this.int, k * 3, capacity * 3);
      this.capacity = capacity;
    }
    this.n = k + 1;
    const id = entry.orderId;
    const row = id === undefined ? -1 : rowInId(id);
    if (row < 0) this.otherIds.set(k, id);
    this.num[k * 2] = entry.ts;
    this.num[k * 2 + 1] = row < 0 ? Number.NaN : row;
    const int = this.int;
    int[k * 3] = this.kind.code(entry.kind);
    int[k * 3 + 1] = this.symbol.code(entry.symbol);
    int[k * 3 + 2] = this.strategyId.code(entry.strategyId);
  }

  /** The entries, every message made (the same array at each call). */
  list(): AuditEntry[] {
    const held = this.held;
    const n = this.n;
    const num = this.num;
    const int = this.int;
    for (let i = this.from; this.made < n && i < held.length; i++) {
      const x = held[i]!;
      if (!(x instanceof DeferredText)) continue;
      const k = this.made++;
      const row = num[k * 2 + 1]!;
      held[i] = {
        ts: num[k * 2]!,
        kind: this.kind.value(int[k * 3]!),
        message: x.text,
        orderId: row === row ? idOfRow(row) : this.otherIds.get(k),
        symbol: this.symbol.value(int[k * 3 + 1]!),
        strategyId: this.strategyId.value(int[k * 3 + 2]!),
      };
      this.from = i + 1;
    }
    return held as AuditEntry[];
  }

  clear(): void {
    this.held.length = 0;
    this.n = 0;
    for (const c of [this.kind, this.symbol, this.strategyId]) c.clear();
    this.otherIds.clear();
    this.made = 0;
    this.from = 0;
  }
}

/** A column value for an optional key a signal does not have (not the same as the key holding undefined). */
const ABSENT: unique symbol = Symbol('absent');

/**
 * The signals a run keeps, as columns until listed: a signal object kept to the end of the run is copied
 * by each young-generation collection it lives through (~110k of them in a 2 M-bar pipeline run, the
 * most numerous objects a run kept). {@link list} makes them once, with the keys, key order and values
 * they were recorded with: ts, strategyId, symbol, direction, strength, confidence, then reason and
 * metadata when present (the keys of the signals the engine makes; metadata kept as the object it was).
 */
export class SignalLog {
  /**
   * `n` rows of `capacity`: ts, direction, strength and confidence, four a row in `num`; the codes of strategyId,
   * symbol, reason and metadata, four a row in `int`.
   */
  private n = 0;
  private capacity = LOG_INITIAL_ROWS;
  private num: Float64Array = new Float64Array(LOG_INITIAL_ROWS * 4);
  private int: Int32Array = new Int32Array(LOG_INITIAL_ROWS * 4);
  private readonly strategyId = new ValueCodes<StrategyId>();
  private readonly symbol = new ValueCodes<Symbol_>();
  private readonly reason = new ValueCodes<string | undefined | typeof ABSENT>();
  /**
   * Coded, as the reason: a signal without metadata (the engine's, without filters) is one repeated value, and a
   * pointer per signal was an array of ~110k slots grown by copying in a 2 M-bar run.
   */
  private readonly metadata = new ValueCodes<Signal['metadata'] | typeof ABSENT>();
  /** The signals made so far (the list {@link list} returns, extended at each call). */
  private readonly made: Signal[] = [];

  get length(): number {
    return this.n;
  }

  push(s: Signal): void {
    const k = this.n;
    if (k === this.capacity) {
      const capacity = k * 2;
      this.num = grownF64(this.num, k * 4, capacity * 4);
      this.int = grownI32(this.int, k * 4, capacity * 4);
      this.capacity = capacity;
    }
    this.n = k + 1;
    const num = this.num;
    const at = k * 4;
    num[at] = s.ts;
    num[at + 1] = s.direction;
    num[at + 2] = s.strength;
    num[at + 3] = s.confidence;
    const int = this.int;
    int[at] = this.strategyId.code(s.strategyId);
    int[at + 1] = this.symbol.code(s.symbol);
    int[at + 2] = this.reason.code('reason' in s ? s.reason : ABSENT);
    int[at + 3] = this.metadata.code('metadata' in s ? s.metadata : ABSENT);
  }

  /** Every signal, in the order recorded (the same array at each call). */
  list(): Signal[] {
    const out = this.made;
    const num = this.num;
    const int = this.int;
    for (let k = out.length; k < this.n; k++) {
      const at = k * 4;
      const base = {
        ts: num[at]!,
        strategyId: this.strategyId.value(int[at]!),
        symbol: this.symbol.value(int[at + 1]!),
        direction: num[at + 1]! as -1 | 0 | 1,
        strength: num[at + 2]!,
        confidence: num[at + 3]!,
      } as { -readonly [K in keyof Signal]: Signal[K] };
      const reason = this.reason.value(int[at + 2]!);
      if (reason !== ABSENT) base.reason = reason;
      const metadata = this.metadata.value(int[at + 3]!);
      if (metadata !== ABSENT) base.metadata = metadata;
      out.push(base);
    }
    return out;
  }

  clear(): void {
    this.n = 0;
    for (const c of [this.strategyId, this.symbol, this.reason, this.metadata]) c.clear();
    this.made.length = 0;
  }
}

/**
 * Keeps what a backtest produces in memory for the report, beyond the orders and fills the
 * ExecutionEngine logs itself (its OrderLog and FillLog): the equity curve, in growable typed arrays
 * (one sample per bar timestamp, so recording allocates only when they double), the audit trail and
 * the signals.
 */
export class RunRecorder implements Recorder {
  /** The audit trail, its deferred messages made when it is read (see {@link audit}). */
  readonly trail = new AuditTrail();
  /** The signals kept (at most maxSignals), as columns until listed (see {@link signals}; a run's result lists them on its first read). */
  readonly signalLog = new SignalLog();
  orderEventCount = 0;
  /**
   * The equity curve kept in memory (not streaming): one sample per timestamp, its ts, equity and
   * grossExposure (EquitySample indexes 0, 1 and 3; see {@link curveColumn}); its cash is {@link cash}.
   */
  private readonly curve: CurveTable;
  /**
   * The curve's cash, kept where it changes (a run's cash moves at its fills, a sample is taken every bar):
   * made whole when read (see {@link curveColumns}), which a run's metrics and runHash never do. Replaced,
   * not cleared, by {@link reset}: a result made before keeps reading its own.
   */
  private cash = new Float64StepColumn();
  /**
   * Its marginInUse and buyingPower, kept from the first sample with a margin in use other than 0 or
   * a buying power other than its cash. Until then (every sample of a cash account without futures)
   * they are implied: zeros and a copy of the cash column, made when the curve is read. A run
   * writes a sample on every bar, and on this machine fresh memory is what a long curve costs most.
   */
  private margin: Float64Table | null = null;
  /** Keep at most this many signals (counting the rest); signals are for the report, not the hash. */
  signalCount = 0;

  /** Streaming: the sample not yet committed (it may still be replaced by a sample at the same ts). */
  private readonly pending = new Float64Array(7);
  private hasPending = false;
  private readonly batch: Record<(typeof EQUITY_SINK_COLUMNS)[number], Float64Array> | null;
  /** The batch's columns in EQUITY_SINK_COLUMNS order, the preview's sample order (EquityPreview.pushColumns). */
  private readonly batchColumns: readonly Float64Array[];
  private inBatch = 0;
  private peak = Number.NaN;
  private exposed = 0;
  private committed = 0;
  private readonly preview: EquityPreview | null;

  /**
   * `sink`: stream the equity curve to it (the run keeps none of it: the sink hands `ts` and `equity` back
   * for the metrics and the runHash, see EquitySink.curve; a preview is kept for the report); otherwise
   * every column is kept in memory. `expectedSamples`: about how many samples the run takes (ReplayConfig's):
   * the in-memory curve starts at that many rows, up to its reserve, instead of 256.
   */
  constructor(
    private readonly maxSignals = 100_000,
    private readonly sink: EquitySink | null = null,
    expectedSamples?: number,
  ) {
    this.curve = sink !== null ? new CurveTable(1, 0) : expectedSamples !== undefined && expectedSamples > 256 ? new CurveTable(Math.min(Math.ceil(expectedSamples), CURVE_RESERVE)) : new CurveTable();
    this.batch = sink === null ? null : (Object.fromEntries(EQUITY_SINK_COLUMNS.map((c) => [c, new Float64Array(SINK_BATCH)])) as Record<(typeof EQUITY_SINK_COLUMNS)[number], Float64Array>);
    this.batchColumns = this.batch === null ? [] : EQUITY_SINK_COLUMNS.map((c) => this.batch![c]);
    this.preview = sink === null ? null : new EquityPreview();
  }

  /** Whether the equity curve goes to a sink (see the constructor). */
  get streaming(): boolean {
    return this.sink !== null;
  }

  /** Order events are counted and fills kept by the ExecutionEngine's FillLog: no event object is kept (see Recorder.keepsOrderEvents). */
  readonly keepsOrderEvents = false;
  onOrderEvent(_event: OrderEvent): void {
    this.orderEventCount++;
  }
  /** Fills are kept by the ExecutionEngine's FillLog; nothing to add here. */
  onFill(_fill: Fill): void {}
  /** A signal's fields are copied into the SignalLog's columns: the object is not kept (see Recorder.keepsSignals). */
  readonly keepsSignals = false;
  onSignal(signal: Signal): void {
    this.signalCount++;
    if (this.signalLog.length < this.maxSignals) this.signalLog.push(signal);
  }
  /** The signals kept, in the order recorded (made on the first read; the same array at each read, extended with later signals). */
  get signals(): Signal[] {
    return this.signalLog.list();
  }
  onAudit(entry: AuditEntry): void {
    // Kept to the end of the run: a message formatted from a template (a denial names its quantities and
    // prices) is, in V8, a tree of its parts, each a heap object the scavenger copies and promotes. Reading a
    // character makes V8 replace the tree with one flat string at once, while the parts are still young.
    entry.message.charCodeAt(0);
    this.trail.push(entry);
  }
  onDeferredAudit(entry: AuditEntry, message: DeferredText): void {
    this.trail.defer(entry, message);
  }
  /** The audit trail in run order (every message text). */
  get audit(): AuditEntry[] {
    return this.trail.list();
  }
  onEquity(sample: Float64Array): void {
    if (this.sink !== null) {
      this.onStreamedEquity(sample);
      return;
    }
    // The sample of nearly every bar, in few bytes of bytecode (the EquitySample indexes as numbers) so
    // that V8 inlines it into the per-bar sample path: a new timestamp, its margin columns implied.
    const curve = this.curve;
    const n = curve.length;
    if (this.margin === null && (n === 0 || curve.ts[n - 1] !== sample[0]!) && impliedMargin(sample)) {
      curve.pushSample(sample);
      this.cash.put(n, sample[2]!);
    } else this.onEquityRest(sample);
  }

  /** {@link onEquity} of a sample at the timestamp of the last one, or with its margin columns kept. */
  private onEquityRest(sample: Float64Array): void {
    const curve = this.curve;
    const n = curve.length;
    // Same timestamp sampled again: keep the latest state.
    const same = n > 0 && curve.ts[n - 1] === sample[EquitySample.ts]!;
    let margin = this.margin;
    if (margin === null && !impliedMargin(sample)) margin = this.keepMargin();
    if (same) {
      curve.setRow(n - 1, sample);
      this.cash.put(n - 1, sample[EquitySample.cash]!);
      if (margin !== null) margin.setRow(n - 1, sample, EquitySample.marginInUse);
    } else {
      curve.pushSample(sample);
      this.cash.put(n, sample[EquitySample.cash]!);
      if (margin !== null) margin.pushRow(sample, EquitySample.marginInUse);
    }
  }

  /** Starts keeping marginInUse and buyingPower, filled in for the samples so far (zeros, their cash). */
  private keepMargin(): Float64Table {
    const curve = this.curve;
    const margin = new Float64Table(2, Math.max(1, 2 * curve.length, curve.rowCapacity), CURVE_RESERVE);
    const row = new Float64Array(2);
    const cash = this.cash.fill(curve.length);
    for (let i = 0; i < curve.length; i++) {
      row[1] = cash[i]!;
      margin.pushRow(row, 0);
    }
    this.margin = margin;
    return margin;
  }

  /**
   * A column of the equity curve kept in memory, by its EquitySample index (ts, equity, cash,
   * grossExposure, marginInUse, buyingPower), as a view of its samples (valid until the next sample).
   * The cash is a new array each call (made from its changes); an implied marginInUse is a new array of
   * zeros each call; an implied buyingPower is the cash (the same values to the bit: see impliedMargin).
   */
  curveColumn(field: number): Float64Array {
    if (field === EquitySample.cash) return this.cash.fill(this.curve.length);
    if (field < EquitySample.marginInUse) return this.curve.view(field);
    const margin = this.margin;
    if (margin !== null) return margin.view(field - EquitySample.marginInUse);
    if (field === EquitySample.marginInUse) return new Float64Array(this.curve.length);
    return this.cash.fill(this.curve.length);
  }

  /**
   * The curve kept in memory as a run's result holds it: views of its columns, with `cash` (and an implied
   * `buyingPower`, the same array) made on the first read and kept. On a long run the cash column is
   * megabytes of fresh memory, which this machine's page faults make the dearest part of a curve; a run's
   * metrics and runHash read ts and equity only. The getters hold the cash's changes, not this recorder.
   */
  curveColumns(): EquityCurve {
    const n = this.curve.length;
    const ts = this.curve.view(EquitySample.ts);
    const equity = this.curve.view(EquitySample.equity);
    const grossExposure = this.curve.view(EquitySample.grossExposure);
    const margin = this.margin;
    return curveOf(ts, equity, grossExposure, this.cash, n, margin === null ? null : margin.view(0), margin === null ? null : margin.view(1));
  }

  private onStreamedEquity(sample: Float64Array): void {
    const p = this.pending;
    const ts = sample[EquitySample.ts]!;
    // A sample at the timestamp of the pending one replaces it (the latest state is kept).
    if (!(this.hasPending && p[0] === ts)) {
      if (this.hasPending) this.commit();
      this.hasPending = true;
    }
    p[0] = ts;
    p[1] = sample[EquitySample.equity]!;
    p[2] = sample[EquitySample.cash]!;
    p[3] = sample[EquitySample.grossExposure]!;
    p[4] = sample[EquitySample.marginInUse]!;
    p[5] = sample[EquitySample.buyingPower]!;
  }

  /**
   * Commits the pending sample into the sink's batch, with its drawdown from the running peak (as
   * drawdownSeries); the batch goes to the preview and the sink when full (see {@link appendBatch}).
   */
  private commit(): void {
    const p = this.pending;
    const e = p[1]!;
    if (this.committed === 0 || e > this.peak) this.peak = e;
    const dd = 1 - e / this.peak;
    if (p[3] !== 0) this.exposed++;
    this.committed++;
    const b = this.batch!;
    const i = this.inBatch++;
    b.ts[i] = p[0]!;
    b.equity[i] = e;
    b.cash[i] = p[2]!;
    b.drawdown[i] = dd;
    b.grossExposure[i] = p[3]!;
    b.marginInUse[i] = p[4]!;
    b.buyingPower[i] = p[5]!;
    if (this.inBatch === SINK_BATCH) this.appendBatch();
    this.hasPending = false;
  }

  /**
   * Files the batch: into the preview as columns (the same preview as a row per sample, in one pass over the
   * batch rather than a call and a slot write per sample), then into the sink.
   */
  private appendBatch(): void {
    if (this.inBatch === 0) return;
    this.preview!.pushColumns(this.batchColumns, 0, this.inBatch);
    this.sink!.append(this.batch!, this.inBatch);
    this.inBatch = 0;
  }

  /** Whether the sink asks for a flush (the replay awaits {@link drain} when it pauses for data). */
  get wantsDrain(): boolean {
    return this.sink !== null && this.sink.wantsFlush;
  }

  /** Lets the sink write what it staged (streaming only). */
  async drain(): Promise<void> {
    if (this.sink !== null && this.sink.wantsFlush) await this.sink.flush();
  }

  /**
   * Ends a streamed curve: commits the last sample and hands the rest to the sink (no flush: the sink's
   * owner finishes the file). Returns what the result keeps; null when not streaming.
   */
  finishStream(): StreamedEquity | null {
    if (this.sink === null) return null;
    if (this.hasPending) this.commit();
    this.appendBatch();
    return { rows: this.committed, curve: this.sink.curve(), exposedSamples: this.exposed, preview: this.preview! };
  }

  /** Number of equity samples (kept in memory, or committed to the sink). */
  get equityCount(): number {
    return this.sink !== null ? this.committed + (this.hasPending ? 1 : 0) : this.curve.length;
  }

  reset(): void {
    if (this.sink !== null) throw new InvariantError('a streamed equity curve cannot be reset');
    this.trail.clear();
    this.signalLog.clear();
    this.orderEventCount = 0;
    this.curve.clear();
    this.cash = new Float64StepColumn();
    this.margin = null;
    this.signalCount = 0;
  }
}
