import type { AuditEntry, DeferredText, Fill, OrderEvent, Signal } from '../model/events.js';

/**
 * Receives what a run produces, as it happens: the backtest keeps it in memory for the report,
 * a live deployment may write it to disk.
 */
export interface Recorder {
  onOrderEvent(event: OrderEvent): void;
  onFill(fill: Fill): void;
  /**
   * False when onOrderEvent and onFill keep neither the object they are given nor anything in it past
   * the call (they count, say): the engine may then pass objects it writes again for the next event.
   * Absent: they may keep them, and every event and fill is a new object.
   */
  readonly keepsOrderEvents?: boolean;
  onSignal(signal: Signal): void;
  /**
   * False when onSignal keeps neither the signal nor anything in it past the call (it copies the fields it keeps):
   * the engine may then pass one signal object it writes again for the next signal. Absent: it may keep them,
   * and every signal is a new object.
   */
  readonly keepsSignals?: boolean;
  onAudit(entry: AuditEntry): void;
  /**
   * Optional: keeps an audit entry whose message is made only when read (`entry.message` is ''; the
   * recorder makes the message from `message` when its trail is read). The entry is the engine's, written
   * again for the next deferred entry: copy the fields you keep. A recorder that has it reads no
   * order event's reason: it is given the OrderDenied events of such denials with a placeholder reason
   * when no strategy listens to them, so a run makes no text that nothing reads while it goes on.
   */
  onDeferredAudit?(entry: AuditEntry, message: DeferredText): void;
  /**
   * Equity sample, read from `sample` by the EquitySample indexes: its time, total equity, cash,
   * gross exposure (sum of |position x mark|), the account's initial margin in use and its buying
   * power (cash account: cash available; margin account: (equity - initial margin in use) / initial
   * margin rate). The array is the engine's, reused for every sample: copy what you keep.
   */
  onEquity(sample: Float64Array): void;
}

/**
 * Where each field of an equity sample sits in the array Recorder.onEquity receives. The sample
 * travels as one reused Float64Array rather than as six number arguments, which V8 would box (an
 * allocation each) at every call it does not inline: a sample is taken on every bar.
 */
export const EquitySample = {
  ts: 0,
  equity: 1,
  cash: 2,
  grossExposure: 3,
  marginInUse: 4,
  buyingPower: 5,
  /** The time orders sent at the sample (account rules) are decided at; not recorded. */
  decisionTs: 6,
  /** Length of the array. */
  size: 7,
} as const;
