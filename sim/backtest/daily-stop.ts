import { checkPositive, formatIsoUs, sessionDayBounds } from '../../engine/core/index.js';
import type { Calendar } from '../../engine/core/index.js';
import type { ExecutionEngine } from '../../engine/execution/index.js';
import type { EquityWatcher } from '../../engine/kernel/trading-engine.js';
import type { Portfolio } from '../../engine/portfolio/index.js';
import type { Recorder } from '../../engine/ports/recorder.js';

/** Formats a number without float noise. */
function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(10)));
}

/**
 * The daily stop of a run whose strategies trade their own ledgers (`portfolio.constraints.dailyStopLoss`
 * without an ensemble; an ensemble has its own, engine/ensemble/stages/account-risk.ts). On each
 * equity sample: when the account has lost `limit` (currency, so P&L with every point value) since
 * the day start, it flattens every ledger at once (each position's target set to 0, which cancels its
 * working orders; the orders fill on the next bar) and keeps flattening what reopens until the first
 * sample of the next day (the calendar's session day, see sessionDayBounds; the UTC day without a
 * calendar). The day start is the same as the RiskEngine's `dailyLossLimit`: the last equity sampled
 * before the day began (the run's first sample on its first day); the risk gate,
 * given the same limit, refuses every order that adds risk meanwhile.
 */
export class DailyStopFlatten implements EquityWatcher {
  private day = Number.NaN;
  private dayEnd = Number.NaN;
  private dayStart = Number.NaN;
  private lastEquity = Number.NaN;
  private stopped = false;

  constructor(
    private readonly limit: number,
    private readonly execution: ExecutionEngine,
    private readonly portfolio: Portfolio,
    private readonly recorder: Recorder,
    private readonly calendar?: Calendar,
  ) {
    checkPositive(limit, 'dailyStopLoss');
  }

  onEquity(ts: number, equity: number): void {
    if (!(ts >= this.day && ts < this.dayEnd)) {
      const [day, dayEnd] = sessionDayBounds(this.calendar, ts);
      this.dayStart = this.lastEquity !== this.lastEquity ? equity : this.lastEquity;
      this.day = day;
      this.dayEnd = dayEnd;
      if (this.stopped) {
        this.stopped = false;
        this.recorder.onAudit({ ts, kind: 'portfolio.daily_stop_lifted', message: `daily stop lifted: new day ${formatIsoUs(day)}, day-start equity ${num(this.dayStart)}` });
      }
    }
    this.lastEquity = equity;
    if (!this.stopped) {
      const loss = this.dayStart - equity;
      if (!(loss >= this.limit)) return;
      this.stopped = true;
      this.recorder.onAudit({
        ts,
        kind: 'portfolio.daily_stop',
        message: `daily stop loss ${num(this.limit)} hit: equity ${num(equity)} is ${num(loss)} below the day-start equity ${num(this.dayStart)}; flattening until ${formatIsoUs(this.dayEnd)}`,
        details: { limit: this.limit, dayStartEquity: this.dayStart, equity, loss },
      });
    }
    this.flatten(ts);
  }

  /** Sets every open position's target to 0 (its working orders are cancelled by setTarget). */
  private flatten(ts: number): void {
    const p = this.portfolio;
    for (let k = 0; k < p.strategyCount; k++) {
      for (let i = 0; i < p.symbolCount; i++) {
        if (p.position(k, i) !== 0 || this.execution.openOrders(k, i).length > 0) this.execution.setTarget(k, i, 0, ts, { tag: 'daily_stop' });
      }
    }
  }
}
