import { Float64Column } from '../../engine/core/columns.js';
import type { AuditEntry, Fill, OrderEvent, Signal } from '../../engine/model/index.js';
import type { Recorder } from '../../engine/ports/recorder.js';

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
  readonly equityTs = new Float64Column();
  readonly equity = new Float64Column();
  readonly cash = new Float64Column();
  readonly gross = new Float64Column();
  readonly marginInUse = new Float64Column();
  readonly buyingPower = new Float64Column();
  /** Keep at most this many signals (counting the rest); signals are for the report, not the hash. */
  signalCount = 0;

  constructor(private readonly maxSignals = 100_000) {}

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

  /** Number of equity samples. */
  get equityCount(): number {
    return this.equityTs.length;
  }

  reset(): void {
    this.audit.length = 0;
    this.signals.length = 0;
    this.orderEventCount = 0;
    for (const c of [this.equityTs, this.equity, this.cash, this.gross, this.marginInUse, this.buyingPower]) c.clear();
    this.signalCount = 0;
  }
}
