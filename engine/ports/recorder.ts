import type { AuditEntry, Fill, OrderEvent, Signal } from '../model/events.js';

/**
 * Receives what a run produces, as it happens: the backtest keeps it in memory for the report,
 * a live deployment may write it to disk.
 */
export interface Recorder {
  onOrderEvent(event: OrderEvent): void;
  onFill(fill: Fill): void;
  onSignal(signal: Signal): void;
  onAudit(entry: AuditEntry): void;
  /**
   * Equity sample: total equity, cash, gross exposure (sum of |position x mark|), the account's
   * initial margin in use and its buying power (cash account: cash available; margin account:
   * (equity - initial margin in use) / initial margin rate).
   */
  onEquity(ts: number, equity: number, cash: number, grossExposure: number, marginInUse: number, buyingPower: number): void;
}
