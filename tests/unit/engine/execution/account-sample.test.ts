import { describe, expect, it } from 'vitest';
import { strategyId, symbolId } from '../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../engine/execution/index.js';
import type { AuditEntry } from '../../../../engine/model/index.js';
import { Account, CASH_ACCOUNT, Portfolio } from '../../../../engine/portfolio/index.js';
import { EquitySample } from '../../../../engine/ports/recorder.js';
import type { Recorder } from '../../../../engine/ports/recorder.js';

/** An execution engine over one symbol marked at 50, holding 10 units and `cash`; audit entries kept. */
function engine(cash: number, withAccount = true): { execution: ExecutionEngine; portfolio: Portfolio; audit: AuditEntry[] } {
  const audit: AuditEntry[] = [];
  const recorder: Recorder = { onOrderEvent: () => {}, onFill: () => {}, onSignal: () => {}, onAudit: (e) => audit.push(e), onEquity: () => {} };
  const portfolio = new Portfolio(1, 1, cash);
  portfolio.netPosition[0] = 10;
  portfolio.mark[0] = 50;
  const execution = new ExecutionEngine([symbolId('AAA')], [strategyId('s')], portfolio, recorder, null);
  if (withAccount) execution.useAccount(new Account(CASH_ACCOUNT, portfolio));
  return { execution, portfolio, audit };
}

function sample(ts: number): Float64Array {
  const s = new Float64Array(EquitySample.size).fill(Number.NaN);
  s[EquitySample.ts] = ts;
  s[EquitySample.decisionTs] = ts;
  return s;
}

describe('ExecutionEngine.onAccountSample', () => {
  it("leaves the portfolio's figures in the sample, and says so, when the account does not act", () => {
    const { execution, portfolio } = engine(1_000);
    const s = sample(1);
    expect(execution.onAccountSample(s)).toBe(true);
    const expected = sample(1);
    portfolio.sampleInto(expected);
    expect([...s]).toEqual([...expected]);
    expect([s[EquitySample.equity], s[EquitySample.cash], s[EquitySample.grossExposure]]).toEqual([1_500, 1_000, 500]);
  });

  it('asks the caller to sample the portfolio without an account, and once the account acted (ruin)', () => {
    expect(engine(1_000, false).execution.onAccountSample(sample(1))).toBe(false);
    const { execution, audit } = engine(-600);
    expect(execution.onAccountSample(sample(2))).toBe(false);
    expect(audit.map((e) => e.kind)).toEqual(['account.ruined']);
    // Ruined: the later samples are the caller's to take.
    expect(execution.onAccountSample(sample(3))).toBe(false);
  });
});
