import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../engine/core/index.js';
import { AccountSchema, accountFromSection } from '../../engine/portfolio/account-schema.js';
import type { AccountConfig } from '../../engine/portfolio/index.js';
import type { Strategy } from '../../engine/strategies/context.js';
import { replay } from '../../sim/backtest/index.js';
import type { RunResult } from '../../sim/backtest/index.js';
import { venueConfig } from '../../sim/venue/index.js';
import { barFeed } from '../support/bar-feed.js';
import type { SimpleBar } from '../support/bar-feed.js';

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000;
const SYMBOLS = ['AAA', 'BBB'];

/** One thing the random strategy does on a bar. */
type Action =
  | { kind: 'market'; s: number; buy: boolean; qty: number }
  | { kind: 'limit'; s: number; buy: boolean; qty: number; offset: number }
  | { kind: 'target'; s: number; units: number }
  | { kind: 'cancel' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('market' as const), s: fc.integer({ min: 0, max: 1 }), buy: fc.boolean(), qty: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('limit' as const), s: fc.integer({ min: 0, max: 1 }), buy: fc.boolean(), qty: fc.integer({ min: 1, max: 400 }), offset: fc.double({ min: -0.05, max: 0.05, noNaN: true }) }),
  fc.record({ kind: fc.constant('target' as const), s: fc.integer({ min: 0, max: 1 }), units: fc.integer({ min: -300, max: 300 }) }),
  fc.constant({ kind: 'cancel' as const }),
);

/** Bars of `symbols` symbols from per-bar returns (gaps between close and the next open included). */
function path(returns: readonly (readonly [number, number])[], symbols: number): SimpleBar[] {
  const out: SimpleBar[] = [];
  const price = [100, 40];
  returns.forEach(([gap, move], t) => {
    for (let s = 0; s < symbols; s++) {
      const open = Math.max(1, price[s]! * (1 + gap * (s === 0 ? 1 : -1)));
      const close = Math.max(1, open * (1 + move * (s === 0 ? 1 : 0.5)));
      out.push({ symbol: s, ts: T0 + t * DAY, open, high: Math.max(open, close) * 1.01, low: Math.min(open, close) * 0.99, close, volume: 1e9 });
      price[s] = close;
    }
  });
  return out;
}

function randomStrategy(plan: readonly (readonly Action[])[], symbols: number): Strategy {
  const syms = SYMBOLS.slice(0, symbols) as Symbol_[];
  return {
    id: 'random' as StrategyId,
    symbols: syms,
    onBar(ctx, b) {
      if (b.symbol !== syms[syms.length - 1]) return; // once per bar time, after every symbol's bar
      for (const a of plan[b.count - 1] ?? []) {
        if (a.kind === 'cancel') {
          for (const o of [...ctx.openOrders()]) ctx.cancelOrder(o.id);
          continue;
        }
        const sym = syms[a.s % symbols]!;
        if (a.kind === 'target') ctx.setTarget(sym, a.units);
        else if (a.kind === 'market') ctx.submitOrder({ symbol: sym, side: a.buy ? 'buy' : 'sell', qty: a.qty, type: 'market' });
        else {
          const px = Math.round(ctx.bars(sym).close() * (1 + a.offset) * 100) / 100;
          ctx.submitOrder({ symbol: sym, side: a.buy ? 'buy' : 'sell', qty: a.qty, type: 'limit', limitPrice: Math.max(0.01, px) });
        }
      }
    },
  };
}

const scenario = (symbols: number, bars: number) =>
  fc.record({
    returns: fc.array(fc.tuple(fc.double({ min: -0.15, max: 0.15, noNaN: true }), fc.double({ min: -0.2, max: 0.2, noNaN: true })), { minLength: bars, maxLength: bars }),
    plan: fc.array(fc.array(action, { maxLength: 3 }), { minLength: bars, maxLength: bars }),
    fee: fc.constantFrom(0, 0.001, 0.01),
    resize: fc.boolean(),
    cash: fc.constantFrom(5_000, 20_000, 100_000),
    symbols: fc.constant(symbols),
  });

async function runRandom(x: { returns: readonly (readonly [number, number])[]; plan: readonly (readonly Action[])[]; fee: number; cash: number; symbols: number }, account: AccountConfig): Promise<RunResult> {
  return replay(
    {
      symbols: SYMBOLS.slice(0, x.symbols),
      initialCash: x.cash,
      barIntervalUs: DAY,
      equityEveryUs: DAY,
      lookback: 8,
      venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY, fees: { kind: 'fraction', rate: x.fee }, lotSize: 1 }) },
      createStrategies: () => [randomStrategy(x.plan, x.symbols)],
      createRisk: null,
      account,
    },
    { bars: barFeed(path(x.returns, x.symbols), DAY) },
  );
}

describe('accounts (property)', () => {
  it('cash account: cash and equity never go below zero, whatever the orders and the path', async () => {
    await fc.assert(
      fc.asyncProperty(scenario(2, 30), async (x) => {
        const account = accountFromSection(AccountSchema.parse({ insufficientFunds: x.resize ? 'resize' : 'reject' }));
        const r = await runRandom(x, account);
        expect(r.ruin).toBeNull();
        for (let i = 0; i < r.equity.ts.length; i++) {
          expect(r.equity.cash[i]!).toBeGreaterThanOrEqual(-1e-9 * x.cash);
          expect(r.equity.equity[i]!).toBeGreaterThanOrEqual(-1e-9 * x.cash);
          expect(r.equity.buyingPower[i]).toBe(r.equity.cash[i]);
        }
        for (const p of Object.values(r.finalPositions)) expect(p).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 60 },
    );
  });

  it('margin account: after a margin call the liquidation leaves margin in use <= equity (or the account is ruined)', async () => {
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(scenario(1, 30), fc.constantFrom(1, 2, 4), async (x, leverage) => {
        const account = accountFromSection(AccountSchema.parse({ type: 'margin', leverage, insufficientFunds: x.resize ? 'resize' : 'reject' }));
        const r = await runRandom(x, account);
        const ts = Array.from(r.equity.ts);
        for (const call of r.audit.filter((a) => a.kind === 'account.margin_call')) {
          calls++;
          // The call is decided at the close of the bar stamped call.ts; its market orders fill at the
          // next bar's open; the sample of that bar is after the liquidation fills.
          const k = ts.indexOf(call.ts);
          expect(k).toBeGreaterThanOrEqual(0);
          const liquidations = r.orders.filter((o) => o.tag === 'margin_call' && o.tsCreated === call.ts + DAY);
          expect(liquidations.length).toBeGreaterThan(0);
          if (k + 1 >= ts.length) continue; // the data ended before the liquidation could fill
          for (const o of liquidations) expect(o.status).toBe('filled');
          if (r.ruin !== null && r.ruin.ts <= ts[k + 1]!) continue;
          expect(r.equity.marginInUse[k + 1]!).toBeLessThanOrEqual(r.equity.equity[k + 1]!);
        }
        if (r.ruin !== null) {
          // Nothing of the strategy's fills after ruin: only the account's own closing orders.
          for (const f of r.fills) if (f.ts > r.ruin.ts + DAY) throw new Error(`fill after ruin: ${JSON.stringify(f)}`);
        }
      }),
      { numRuns: 60 },
    );
    expect(calls).toBeGreaterThan(0);
  });
});
