import type { AuditEntry, Fill, OrderEvent, Signal } from '../../engine/model/index.js';
import type { Recorder } from '../../engine/ports/recorder.js';

/**
 * Keeps what a backtest produces in memory for the report, beyond the orders and fills the
 * ExecutionEngine logs itself (its OrderLog and FillLog): the equity curve, in growable typed arrays
 * (one sample per bar timestamp, so recording allocates only when they double), the audit trail and
 * the signals.
 */
export class RunRecorder implements Recorder {
  /** Fills seen (the fills themselves are in the ExecutionEngine's FillLog). */
  fillCount = 0;
  readonly audit: AuditEntry[] = [];
  readonly signals: Signal[] = [];
  orderEventCount = 0;
  equityTs = new Float64Array(1024);
  equity = new Float64Array(1024);
  cash = new Float64Array(1024);
  gross = new Float64Array(1024);
  equityCount = 0;
  /** Keep at most this many signals (counting the rest); signals are for the report, not the hash. */
  signalCount = 0;

  constructor(private readonly maxSignals = 100_000) {}

  onOrderEvent(_event: OrderEvent): void {
    this.orderEventCount++;
  }
  onFill(_fill: Fill): void {
    this.fillCount++;
  }
  onSignal(signal: Signal): void {
    this.signalCount++;
    if (this.signals.length < this.maxSignals) this.signals.push(signal);
  }
  onAudit(entry: AuditEntry): void {
    this.audit.push(entry);
  }
  onEquity(ts: number, equity: number, cash: number, grossExposure: number): void {
    const n = this.equityCount;
    if (n > 0 && this.equityTs[n - 1] === ts) {
      // Same timestamp sampled again: keep the latest state.
      this.equity[n - 1] = equity;
      this.cash[n - 1] = cash;
      this.gross[n - 1] = grossExposure;
      return;
    }
    if (n === this.equityTs.length) this.grow();
    this.equityTs[n] = ts;
    this.equity[n] = equity;
    this.cash[n] = cash;
    this.gross[n] = grossExposure;
    this.equityCount = n + 1;
  }
  reset(): void {
    this.fillCount = 0;
    this.audit.length = 0;
    this.signals.length = 0;
    this.orderEventCount = 0;
    this.equityCount = 0;
    this.signalCount = 0;
  }
  private grow(): void {
    const cap = this.equityTs.length * 2;
    const g = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.equityTs = g(this.equityTs);
    this.equity = g(this.equity);
    this.cash = g(this.cash);
    this.gross = g(this.gross);
  }
}
