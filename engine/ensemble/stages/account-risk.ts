import { sessionDayBounds } from '../../core/index.js';
import type { Calendar } from '../../core/index.js';
import type { AccountGuard } from '../../kernel/decision-pipeline.js';
import type { AuditFn } from './weighting.js';

/** What the daily stop did on an equity sample. */
export type DailyStopEvent = 'lifted' | 'hit' | null;

/**
 * Stage 5 of the decision pipeline under an ensemble, the account guard of
 * `portfolio.constraints.dailyStopLoss`: when the account has lost the limit since the day's
 * first equity sample, the ensemble flattens it and holds it flat until the next day. The day is the
 * UTC day, or with a `calendar` its session day (sessionDayBounds). (The RiskEngine also refuses
 * orders past the same daily loss, on every order.)
 */
export class DailyStop implements AccountGuard {
  private stopped = false;
  private day = Number.NaN;
  private dayEnd = Number.NaN;
  private dayStart = 0;
  private readonly dayWords: string;

  constructor(
    private readonly limit: number | undefined,
    private readonly audit: AuditFn,
    private readonly calendar?: Calendar,
  ) {
    this.dayWords = calendar === undefined || calendar.kind === '24/7' ? 'UTC day' : 'session day';
  }

  get halted(): boolean {
    return this.stopped;
  }

  /**
   * Reads an equity sample: 'lifted' when a new day lifts a stop (re-target the account),
   * 'hit' when the loss reaches the limit (flatten the account), else null.
   */
  onEquity(ts: number, equity: number): DailyStopEvent {
    const [day, dayEnd] = ts >= this.day && ts < this.dayEnd ? [this.day, this.dayEnd] : sessionDayBounds(this.calendar, ts);
    let event: DailyStopEvent = null;
    if (day !== this.day) {
      if (this.stopped) this.audit(ts, 'portfolio.daily_stop_lifted', `daily stop lifted: new ${this.dayWords}, day-start equity ${equity.toFixed(2)}`);
      this.day = day;
      this.dayEnd = dayEnd;
      this.dayStart = equity;
      if (this.stopped) {
        this.stopped = false;
        event = 'lifted';
      }
    }
    if (this.limit === undefined || this.stopped) return event;
    if (this.dayStart - equity >= this.limit) {
      this.stopped = true;
      this.audit(ts, 'portfolio.daily_stop', `daily stop loss ${this.limit} hit: loss ${(this.dayStart - equity).toFixed(2)} since the day start; flattening until the next ${this.dayWords}`, undefined, { limit: this.limit, dayStartEquity: this.dayStart, equity });
      return 'hit';
    }
    return event;
  }
}
