import { Float64Column } from '../../engine/core/columns.js';
import { InvariantError } from '../../engine/core/index.js';
import { EquityPreview } from '../../engine/kernel/equity-preview.js';
import type { EquityCurveScan } from '../../engine/kernel/run-result.js';
import type { AuditEntry, Fill, OrderEvent, Signal } from '../../engine/model/index.js';
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
 * Keeps what a backtest produces in memory for the report, beyond the orders and fills the
 * ExecutionEngine logs itself (its OrderLog and FillLog): the equity curve, in growable typed arrays
 * (one sample per bar timestamp, so recording allocates only when they double), the audit trail and
 * the signals.
 */
export class RunRecorder implements Recorder {
  readonly audit: AuditEntry[] = [];
  readonly signals: Signal[] = [];
  orderEventCount = 0;
  /** The equity curve: one sample per timestamp. */
  readonly equityTs: Float64Column;
  readonly equity: Float64Column;
  readonly cash = new Float64Column();
  readonly gross = new Float64Column();
  readonly marginInUse = new Float64Column();
  readonly buyingPower = new Float64Column();
  /** Keep at most this many signals (counting the rest); signals are for the report, not the hash. */
  signalCount = 0;

  /** Streaming: the sample not yet committed (it may still be replaced by a sample at the same ts). */
  private readonly pending = new Float64Array(7);
  private hasPending = false;
  private readonly batch: Record<(typeof EQUITY_SINK_COLUMNS)[number], Float64Array> | null;
  private inBatch = 0;
  private peak = Number.NaN;
  private exposed = 0;
  private committed = 0;
  private readonly preview: EquityPreview | null;

  /**
   * `sink`: stream the equity curve to it (the run keeps none of it: the sink hands `ts` and `equity` back
   * for the metrics and the runHash, see EquitySink.curve; a preview is kept for the report); otherwise
   * every column is kept in memory.
   */
  constructor(
    private readonly maxSignals = 100_000,
    private readonly sink: EquitySink | null = null,
  ) {
    this.equityTs = new Float64Column(sink === null ? undefined : 1);
    this.equity = new Float64Column(sink === null ? undefined : 1);
    this.batch = sink === null ? null : (Object.fromEntries(EQUITY_SINK_COLUMNS.map((c) => [c, new Float64Array(SINK_BATCH)])) as Record<(typeof EQUITY_SINK_COLUMNS)[number], Float64Array>);
    this.preview = sink === null ? null : new EquityPreview();
  }

  /** Whether the equity curve goes to a sink (see the constructor). */
  get streaming(): boolean {
    return this.sink !== null;
  }

  onOrderEvent(_event: OrderEvent): void {
    this.orderEventCount++;
  }
  /** Fills are kept by the ExecutionEngine's FillLog; nothing to add here. */
  onFill(_fill: Fill): void {}
  onSignal(signal: Signal): void {
    this.signalCount++;
    if (this.signals.length < this.maxSignals) this.signals.push(signal);
  }
  onAudit(entry: AuditEntry): void {
    this.audit.push(entry);
  }
  onEquity(ts: number, equity: number, cash: number, grossExposure: number, marginInUse: number, buyingPower: number): void {
    if (this.sink !== null) {
      this.onStreamedEquity(ts, equity, cash, grossExposure, marginInUse, buyingPower);
      return;
    }
    const n = this.equityTs.length;
    if (n > 0 && this.equityTs.get(n - 1) === ts) {
      // Same timestamp sampled again: keep the latest state.
      this.equity.set(n - 1, equity);
      this.cash.set(n - 1, cash);
      this.gross.set(n - 1, grossExposure);
      this.marginInUse.set(n - 1, marginInUse);
      this.buyingPower.set(n - 1, buyingPower);
      return;
    }
    this.equityTs.push(ts);
    this.equity.push(equity);
    this.cash.push(cash);
    this.gross.push(grossExposure);
    this.marginInUse.push(marginInUse);
    this.buyingPower.push(buyingPower);
  }

  private onStreamedEquity(ts: number, equity: number, cash: number, grossExposure: number, marginInUse: number, buyingPower: number): void {
    const p = this.pending;
    // A sample at the timestamp of the pending one replaces it (the latest state is kept).
    if (!(this.hasPending && p[0] === ts)) {
      if (this.hasPending) this.commit();
      this.hasPending = true;
    }
    p[0] = ts;
    p[1] = equity;
    p[2] = cash;
    p[3] = grossExposure;
    p[4] = marginInUse;
    p[5] = buyingPower;
  }

  /** Commits the pending sample: its drawdown from the running peak (as drawdownSeries), the preview, the sink's batch. */
  private commit(): void {
    const p = this.pending;
    const e = p[1]!;
    if (this.committed === 0 || e > this.peak) this.peak = e;
    const dd = 1 - e / this.peak;
    if (p[3] !== 0) this.exposed++;
    this.committed++;
    this.preview!.push(p[0]!, e, p[2]!, dd, p[3]!, p[4]!, p[5]!);
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

  private appendBatch(): void {
    if (this.inBatch === 0) return;
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
    return this.sink !== null ? this.committed + (this.hasPending ? 1 : 0) : this.equityTs.length;
  }

  reset(): void {
    if (this.sink !== null) throw new InvariantError('a streamed equity curve cannot be reset');
    this.audit.length = 0;
    this.signals.length = 0;
    this.orderEventCount = 0;
    for (const c of [this.equityTs, this.equity, this.cash, this.gross, this.marginInUse, this.buyingPower]) c.clear();
    this.signalCount = 0;
  }
}
