import { describe, expect, it } from 'vitest';
import { formatIsoUs, US_PER_DAY } from '../../../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { DeferredText } from '../../../../engine/model/index.js';
import type { OrderRequest } from '../../../../engine/model/index.js';
import { Account, CASH_ACCOUNT, Portfolio } from '../../../../engine/portfolio/index.js';
import type { AccountConfig } from '../../../../engine/portfolio/index.js';
import { AccountSchema, accountFromSection } from '../../../../engine/portfolio/account-schema.js';
import type { BarSeries, Strategy, StrategyContext } from '../../../../engine/strategies/context.js';
import { replay } from '../../../../sim/backtest/index.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { l2VenueConfig } from '../../../../sim/venue/l2/index.js';
import type { BookBatch } from '../../../../engine/model/index.js';
import { computeMetrics } from '../../../../reports/metrics.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // 2023-11-15T00:00:00Z, a UTC midnight

/** Daily bars of AAA from [open, close] pairs (high/low just outside). */
function bars(oc: readonly (readonly [number, number])[]): SimpleBar[] {
  return oc.map(([open, close], i) => ({ symbol: 0, ts: T0 + i * DAY, open, high: Math.max(open, close) + 0.5, low: Math.min(open, close) - 0.5, close, volume: 1e9 }));
}

type Step = (ctx: StrategyContext, bar: BarSeries) => void;

/** A strategy that runs `script[k]` on the k-th bar (0-based) of AAA. */
function scripted(script: Record<number, Step>): Strategy {
  return {
    id: 'script' as StrategyId,
    symbols: ['AAA' as Symbol_],
    onBar(ctx, b) {
      script[b.count - 1]?.(ctx, b);
    },
  };
}

const order = (side: 'buy' | 'sell', qty: number, extra: Partial<OrderRequest> = {}): OrderRequest => ({ symbol: 'AAA', side, qty, type: 'market', ...extra });

async function run(oc: readonly (readonly [number, number])[], script: Record<number, Step>, opts: { account?: AccountConfig; cash?: number; fee?: number; lotSize?: number } = {}) {
  const config: ReplayConfig = {
    symbols: ['AAA'],
    initialCash: opts.cash ?? 10_000,
    barIntervalUs: DAY,
    equityEveryUs: DAY,
    lookback: 16,
    venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY, fees: { kind: 'fraction', rate: opts.fee ?? 0 }, ...(opts.lotSize !== undefined ? { lotSize: opts.lotSize } : {}) }) },
    createStrategies: () => [scripted(script)],
    createRisk: null,
    ...(opts.account !== undefined ? { account: opts.account } : {}),
  };
  return replay(config, { bars: barFeed(bars(oc), DAY) });
}

const margin = (section: Record<string, unknown>): AccountConfig => accountFromSection(AccountSchema.parse({ type: 'margin', ...section }));

describe('cash account (the default)', () => {
  it('denies a buy it cannot pay for at fill time, naming the shortfall', async () => {
    // Buy 100 at the next open 101 with 0.1% commission: 10,100 + 10.10 = 10,110.10 > 10,000 cash.
    const r = await run([[100, 100], [101, 101], [101, 101]], { 0: (ctx) => ctx.submitOrder(order('buy', 100)) }, { fee: 0.001 });
    expect(r.fills).toEqual([]);
    expect(r.orders[0]!.status).toBe('denied');
    expect(r.orders[0]!.reason).toBe('insufficient funds: buying 100 AAA at 101 costs 10,110.10 with fees, cash available 10,000.00 (short 110.10)');
    expect(r.audit.find((a) => a.kind === 'account.denied')?.message).toBe(r.orders[0]!.reason);
    expect(r.finalCash).toBe(10_000);
    expect(r.assumptions[0]).toMatch(/^Cash account: at fill time a buy must be paid from cash/);
  });

  it('resize fills the largest affordable whole-lot quantity and denies the rest', async () => {
    // q x 101 x 1.001 <= 10,000  =>  q <= 98.91: 98 units (lot 1), commission 9.898.
    const r = await run([[100, 100], [101, 101], [101, 101]], { 0: (ctx) => ctx.submitOrder(order('buy', 100)) }, { fee: 0.001, lotSize: 1, account: { ...CASH_ACCOUNT, insufficientFunds: 'resize' } });
    expect(r.fills.map((f) => [f.qty, f.price])).toEqual([[98, 101]]);
    expect(r.fills[0]!.commission).toBeCloseTo(9.898, 12);
    expect(r.orders[0]!.status).toBe('denied');
    expect(r.orders[0]!.filledQty).toBe(98);
    expect(r.orders[0]!.reason).toBe('insufficient funds: buying 100 AAA at 101 costs 10,110.10 with fees, cash available 10,000.00 (short 110.10); resized to 98 of 100');
    expect(r.finalCash).toBeCloseTo(10_000 - 98 * 101 - 9.898, 9);
  });

  it('denies short sales, allows selling what is held, and fills only the closing part of a sell through zero', async () => {
    const r = await run([[100, 100], [100, 100], [100, 100], [100, 100], [100, 100]], {
      0: (ctx) => ctx.submitOrder(order('sell', 10)),
      1: (ctx) => ctx.submitOrder(order('buy', 10)),
      2: (ctx) => ctx.submitOrder(order('sell', 30)),
    });
    expect(r.orders.map((o) => [o.side, o.status, o.filledQty])).toEqual([
      ['sell', 'denied', 0],
      ['buy', 'filled', 10],
      ['sell', 'denied', 10],
    ]);
    expect(r.orders[0]!.reason).toBe('short sale: selling 10 AAA at 100 with a position of 0 would go short by 10; short sales need account.type "margin"');
    expect(r.orders[2]!.reason).toBe('short sale: selling 30 AAA at 100 with a position of 10 would go short by 20; short sales need account.type "margin"');
    expect(r.finalPositions.AAA).toBe(0);
    expect(r.finalCash).toBe(10_000);
  });

  it('makes a short-sale denial into text only when the result is read, unless the strategy listens to its order events', async () => {
    // Counts the texts made (a first read of DeferredText.text): none while the run goes on when nothing reads them.
    const get = Object.getOwnPropertyDescriptor(DeferredText.prototype, 'text')!.get!;
    let made = 0;
    Object.defineProperty(DeferredText.prototype, 'text', { configurable: true, get(this: DeferredText) { if ((this as unknown as { made: string | null }).made === null) made++; return get.call(this); } });
    try {
      const script = { 0: (ctx: StrategyContext) => void ctx.submitOrder(order('sell', 10)), 1: (ctx: StrategyContext) => void ctx.submitOrder(order('buy', 10)), 2: (ctx: StrategyContext) => void ctx.submitOrder(order('sell', 30)) };
      const r = await run([[100, 100], [100, 100], [100, 100], [100, 100], [100, 100]], script);
      expect(made).toBe(0);
      const texts = ['short sale: selling 10 AAA at 100 with a position of 0 would go short by 10; short sales need account.type "margin"', 'short sale: selling 30 AAA at 100 with a position of 10 would go short by 20; short sales need account.type "margin"'];
      expect(r.audit.map((a) => [a.kind, a.message, a.orderId])).toEqual([['account.denied', texts[0], 'O-1'], ['account.denied', texts[1], 'O-3']]);
      expect(Object.keys(r.audit[0]!)).toEqual(['ts', 'kind', 'message', 'orderId', 'symbol', 'strategyId']);
      expect(made).toBe(2);
      expect([r.orders[0]!.reason, r.orders[2]!.reason]).toEqual(texts);
      expect(made).toBe(2); // made once each, kept

      // A strategy that listens gets the text in the event and on the order, made at once.
      const seen: unknown[] = [];
      const listener: Strategy = { ...scripted(script), onOrderEvent(_ctx, ev) { if (ev.kind === 'OrderDenied') seen.push(ev.reason); } };
      made = 0;
      const config: ReplayConfig = { symbols: ['AAA'], initialCash: 10_000, barIntervalUs: DAY, equityEveryUs: DAY, lookback: 16, venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY, fees: { kind: 'fraction', rate: 0 } }) }, createStrategies: () => [listener], createRisk: null };
      const l = await replay(config, { bars: barFeed(bars([[100, 100], [100, 100], [100, 100], [100, 100], [100, 100]]), DAY) });
      expect(seen).toEqual(texts);
      expect(made).toBe(2);
      expect(l.audit.map((a) => a.message)).toEqual(texts);
      expect(l.orders.map((o) => o.reason)).toEqual([texts[0], null, texts[1]]);
    } finally {
      Object.defineProperty(DeferredText.prototype, 'text', { configurable: true, get });
    }
  });

  it('makes an insufficient-funds or -margin denial into text only when the result is read, the same text as at once', async () => {
    const get = Object.getOwnPropertyDescriptor(DeferredText.prototype, 'text')!.get!;
    let made = 0;
    Object.defineProperty(DeferredText.prototype, 'text', { configurable: true, get(this: DeferredText) { if ((this as unknown as { made: string | null }).made === null) made++; return get.call(this); } });
    try {
      // Cash: buy 100 at 101 with 0.1% commission (10,110.10 > 10,000), then a buy that fits, then the same denial again.
      const script = { 0: (ctx: StrategyContext) => void ctx.submitOrder(order('buy', 100)), 2: (ctx: StrategyContext) => void ctx.submitOrder(order('buy', 10)), 3: (ctx: StrategyContext) => void ctx.submitOrder(order('buy', 100)) };
      const r = await run([[100, 100], [101, 101], [101, 101], [101, 101], [102, 102]], script, { fee: 0.001 });
      expect(made).toBe(0);
      const texts = [
        'insufficient funds: buying 100 AAA at 101 costs 10,110.10 with fees, cash available 10,000.00 (short 110.10)',
        'insufficient funds: buying 100 AAA at 102 costs 10,210.20 with fees, cash available 8,988.99 (short 1,221.21)',
      ];
      expect(r.audit.map((a) => [a.kind, a.message, a.orderId])).toEqual([['account.denied', texts[0], 'O-1'], ['account.denied', texts[1], 'O-3']]);
      expect([r.orders[0]!.reason, r.orders[2]!.reason]).toEqual(texts);
      expect(made).toBe(2);

      // Margin (leverage 1): the opening part of a reversal is denied, naming the margin.
      made = 0;
      const m = await run([[100, 100], [100, 100], [101, 101], [101, 101]], { 0: (ctx) => void ctx.submitOrder(order('buy', 50)), 1: (ctx) => void ctx.submitOrder(order('sell', 150)) }, { account: margin({ initialMargin: 1, maintenanceMargin: 0.5 }) });
      expect(made).toBe(0);
      expect(m.orders[1]!.reason).toBe('insufficient margin: selling 150 AAA at 101 brings initial margin in use to 10,100.00, equity after fees 10,050.00 (short 50.00)');
      expect(made).toBe(1);

      // A listening strategy gets the text in its event, made at once.
      const seen: unknown[] = [];
      const listener: Strategy = { ...scripted(script), onOrderEvent(_ctx, ev) { if (ev.kind === 'OrderDenied') seen.push(ev.reason); } };
      made = 0;
      const config: ReplayConfig = { symbols: ['AAA'], initialCash: 10_000, barIntervalUs: DAY, equityEveryUs: DAY, lookback: 16, venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY, fees: { kind: 'fraction', rate: 0.001 } }) }, createStrategies: () => [listener], createRisk: null };
      const l = await replay(config, { bars: barFeed(bars([[100, 100], [101, 101], [101, 101], [101, 101], [102, 102]]), DAY) });
      expect(seen).toEqual(texts);
      expect(made).toBe(2);
      expect(l.orders.map((o) => o.reason)).toEqual([texts[0], null, texts[1]]);
    } finally {
      Object.defineProperty(DeferredText.prototype, 'text', { configurable: true, get });
    }
  });

  it('holds a deferred denial as its row of the account\'s log: no figure of it on the heap', () => {
    const pf = new Portfolio(1, 1, 1_000);
    const acct = new Account(CASH_ACCOUNT, pf);
    const fees = { feeFor: () => 0 };
    pf.markPrice(0, 100);
    const denials: DeferredText[] = [];
    for (let k = 0; k < 3; k++) {
      expect(acct.approveFill(0, -1, 10 + k, 100.25, fees, 0, 'AAA')).toBe(0); // a short sale
      denials.push(acct.denial as DeferredText);
      expect(acct.approveFill(0, 1, 20 + k, 99.5, fees, 0, 'AAA')).toBe(0); // 2,000 > 1,000 cash
      denials.push(acct.denial as DeferredText);
    }
    // Each is the made text (null), the log and a row: the figures live in the log's columns.
    for (const [k, d] of denials.entries()) {
      expect(d).toBeInstanceOf(DeferredText);
      const own = Object.values(d);
      expect(own.length).toBe(3);
      expect(own.filter((x) => typeof x === 'number')).toEqual([k]);
    }
    expect(denials.map((d) => d.text)).toEqual([
      'short sale: selling 10 AAA at 100.25 with a position of 0 would go short by 10; short sales need account.type "margin"',
      'insufficient funds: buying 20 AAA at 99.5 costs 1,990.00 with fees, cash available 1,000.00 (short 990.00)',
      'short sale: selling 11 AAA at 100.25 with a position of 0 would go short by 11; short sales need account.type "margin"',
      'insufficient funds: buying 21 AAA at 99.5 costs 2,089.50 with fees, cash available 1,000.00 (short 1,089.50)',
      'short sale: selling 12 AAA at 100.25 with a position of 0 would go short by 12; short sales need account.type "margin"',
      'insufficient funds: buying 22 AAA at 99.5 costs 2,189.00 with fees, cash available 1,000.00 (short 1,189.00)',
    ]);
    // A reset starts a new log: denials of the run before keep their texts.
    const before = denials[0]!;
    acct.reset();
    expect(acct.approveFill(0, -1, 99, 1, fees, 0, 'AAA')).toBe(0);
    expect((acct.denial as DeferredText).text).toBe('short sale: selling 99 AAA at 1 with a position of 0 would go short by 99; short sales need account.type "margin"');
    expect(before.text).toBe('short sale: selling 10 AAA at 100.25 with a position of 0 would go short by 10; short sales need account.type "margin"');
  });

  it('keeps each deferred denial with its order when a listening strategy is denied again inside a partial fill', async () => {
    // marketFill 'close': a sale fills at once. Selling 30 of a position of 10 fills 10 (OrderFilled, which the
    // strategy answers with a sale of 5, denied at once: a short sale) before the rest of the 30 is denied.
    const texts: string[] = [];
    let answered = false;
    const s: Strategy = {
      ...scripted({ 0: (ctx) => void ctx.submitOrder(order('buy', 10)), 2: (ctx) => void ctx.submitOrder(order('sell', 30)) }),
      onOrderEvent(ctx, ev) {
        if (ev.kind === 'OrderDenied') texts.push(ev.reason);
        if (ev.kind === 'OrderFilled' && ev.fill.side === 'sell' && !answered) {
          answered = true;
          ctx.submitOrder(order('sell', 5));
        }
      },
    };
    const config: ReplayConfig = { symbols: ['AAA'], initialCash: 10_000, barIntervalUs: DAY, equityEveryUs: DAY, lookback: 16, venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY, marketFill: 'close', fees: { kind: 'fraction', rate: 0 } }) }, createStrategies: () => [s], createRisk: null };
    const r = await replay(config, { bars: barFeed(bars([[100, 100], [100, 100], [100, 100], [100, 100]]), DAY) });
    const five = 'short sale: selling 5 AAA at 100 with a position of 0 would go short by 5; short sales need account.type "margin"';
    const thirty = 'short sale: selling 30 AAA at 100 with a position of 10 would go short by 20; short sales need account.type "margin"';
    expect(texts).toEqual([five, thirty]);
    expect(r.orders.map((o) => [o.id, o.status, o.filledQty, o.reason])).toEqual([['O-1', 'filled', 10, null], ['O-2', 'denied', 10, thirty], ['O-3', 'denied', 0, five]]);
    expect(r.audit.map((a) => [a.orderId, a.message])).toEqual([['O-3', five], ['O-2', thirty]]);
  });

  it('records buying power (cash) and zero margin in use', async () => {
    const r = await run([[100, 100], [100, 110], [110, 110]], { 0: (ctx) => ctx.submitOrder(order('buy', 50)) });
    expect(Array.from(r.equity.buyingPower)).toEqual([10_000, 5_000, 5_000]);
    expect(Array.from(r.equity.marginInUse)).toEqual([0, 0, 0]);
  });
});

describe('margin account', () => {
  it('leverage 1: allowed while notional <= equity (backtesting.py margin=1), otherwise denied naming the shortfall', async () => {
    const r = await run([[100, 100], [101, 101], [101, 101]], {
      0: (ctx) => {
        ctx.submitOrder(order('sell', 100));
      },
    }, { account: margin({ leverage: 1 }) });
    expect(r.orders[0]!.status).toBe('denied');
    expect(r.orders[0]!.reason).toBe('insufficient margin: selling 100 AAA at 101 brings initial margin in use to 10,100.00, equity after fees 10,000.00 (short 100.00)');
    const ok = await run([[100, 100], [101, 101], [101, 101]], { 0: (ctx) => ctx.submitOrder(order('sell', 99)) }, { account: margin({ leverage: 1 }) });
    expect(ok.fills.map((f) => [f.side, f.qty, f.price])).toEqual([['sell', 99, 101]]);
    // After the fill: margin in use 99 x 101 = 9,999; buying power (10,000 - 9,999) / 1 = 1.
    expect(ok.equity.marginInUse[1]).toBe(9_999);
    expect(ok.equity.buyingPower[1]).toBeCloseTo(1, 9);
  });

  it('leverage 2: 198 x 101 x 0.5 = 9,999 fills, 199 is denied', async () => {
    const a = await run([[100, 100], [101, 101]], { 0: (ctx) => ctx.submitOrder(order('buy', 198)) }, { account: margin({ leverage: 2 }) });
    expect(a.fills.map((f) => f.qty)).toEqual([198]);
    const b = await run([[100, 100], [101, 101]], { 0: (ctx) => ctx.submitOrder(order('buy', 199)) }, { account: margin({ leverage: 2 }) });
    expect(b.fills).toEqual([]);
    expect(b.orders[0]!.reason).toBe('insufficient margin: buying 199 AAA at 101 brings initial margin in use to 10,049.50, equity after fees 10,000.00 (short 49.50)');
  });

  it('a reversal it cannot cover closes the old position and drops the new one (backtesting.py)', async () => {
    // Long 50 at 100 (cash 5,000). Sell 150 at 101: the 50 close (equity 10,050), the new short of 100
    // needs 10,100 > 10,050: the order ends denied with 50 filled.
    const r = await run([[100, 100], [100, 100], [101, 101], [101, 101]], {
      0: (ctx) => ctx.submitOrder(order('buy', 50)),
      1: (ctx) => ctx.submitOrder(order('sell', 150)),
    }, { account: margin({ leverage: 1 }) });
    expect(r.fills.map((f) => [f.side, f.qty, f.price])).toEqual([['buy', 50, 100], ['sell', 50, 101]]);
    expect(r.orders[1]!.status).toBe('denied');
    expect(r.orders[1]!.filledQty).toBe(50);
    expect(r.orders[1]!.reason).toBe('insufficient margin: selling 150 AAA at 101 brings initial margin in use to 10,100.00, equity after fees 10,050.00 (short 50.00)');
    expect(r.finalPositions.AAA).toBe(0);
    expect(r.finalCash).toBe(10_050);
  });

  it('margin call: equity below maintenance cancels orders that add exposure and liquidates at the next open', async () => {
    // Leverage 2 (initial 0.5, maintenance 0.25), 10,000 cash. Buy 200 at 100: margin 10,000 = equity.
    // Close 70: equity -10,000 + 14,000 = 4,000 >= maintenance 3,500. Close 64: equity 2,800 < 3,200: call.
    const r = await run([[100, 100], [100, 100], [100, 70], [70, 64], [65, 66], [66, 66]], {
      0: (ctx) => ctx.submitOrder(order('buy', 200)),
      2: (ctx) => ctx.submitOrder(order('buy', 10, { type: 'limit', limitPrice: 50 })),
    }, { account: margin({ leverage: 2 }) });
    const call = r.audit.filter((a) => a.kind === 'account.margin_call');
    expect(call).toHaveLength(1);
    expect(call[0]!.ts).toBe(T0 + 3 * DAY);
    expect(call[0]!.message).toBe('margin call: equity 2800 < maintenance margin in use 3200; closing AAA');
    expect(r.orders.map((o) => [o.side, o.qty, o.tag ?? null, o.status])).toEqual([
      ['buy', 200, null, 'filled'],
      ['buy', 10, null, 'cancelled'],
      ['sell', 200, 'margin_call', 'filled'],
    ]);
    expect(r.fills.map((f) => [f.side, f.qty, f.price, f.ts])).toEqual([
      ['buy', 200, 100, T0 + DAY],
      ['sell', 200, 65, T0 + 4 * DAY],
    ]);
    expect(r.finalCash).toBe(3_000);
    expect(r.finalEquity).toBe(3_000);
    expect(r.equity.marginInUse[3]).toBe(200 * 64 * 0.5);
    expect(r.equity.marginInUse[4]).toBe(0);
    expect(r.ruin).toBeNull();
  });

  it('ruin: equity <= 0 ends trading, closes the position, denies later orders and says when', async () => {
    // Short 100 at 100 at leverage 1 with no margin calls; close 210: equity 20,000 - 21,000 = -1,000.
    const r = await run([[100, 100], [100, 100], [100, 210], [200, 200], [200, 200]], {
      0: (ctx) => ctx.submitOrder(order('sell', 100)),
      2: (ctx) => ctx.submitOrder(order('sell', 1, { type: 'limit', limitPrice: 500 })),
      3: (ctx) => ctx.submitOrder(order('buy', 1)),
    }, { account: margin({ leverage: 1, marginCall: 'none' }) });
    expect(r.ruin).toEqual({ ts: T0 + 2 * DAY, equity: -1_000 });
    const when = formatIsoUs(T0 + 2 * DAY);
    expect(r.audit.find((a) => a.kind === 'account.ruined')?.message).toBe(`account ruined at ${when}: equity -1000 <= 0; working orders cancelled, positions closed, no further orders`);
    expect(r.orders.map((o) => [o.side, o.qty, o.tag ?? null, o.status])).toEqual([
      ['sell', 100, null, 'filled'],
      ['sell', 1, null, 'cancelled'],
      ['buy', 100, 'ruin', 'filled'],
      ['buy', 1, null, 'denied'],
    ]);
    expect(r.orders[3]!.reason).toBe(`account ruined at ${when}`);
    expect(r.fills.map((f) => [f.side, f.qty, f.price])).toEqual([['sell', 100, 100], ['buy', 100, 200]]);
    expect(r.finalEquity).toBe(0);
    const m = computeMetrics({ equity: { ts: r.equity.ts, equity: Float64Array.from(r.equity.equity, (e, i) => (i === 0 ? e : Math.max(e, 1))) }, trades: [], fills: [], initialCash: 10_000, ruinTs: r.ruin!.ts });
    expect(m.ruinedAt).toBe(when);
    expect(r.assumptions).toContain('Ruin: when equity at an equity sample is <= 0 trading ends for the run: working orders are cancelled, every position is closed with market orders (tag ruin) that fill at the next fill opportunity, and every later strategy order is denied (`account ruined at <time>`; audit account.ruined)');
  });

  it('borrow cost: rate x short notional x elapsed / 365.25 days, charged at each sample', async () => {
    // Short 100 at 100 from the open of bar 1 to the close of bar 4: 4 days at 10,000 short notional, 10% a year.
    const r = await run([[100, 100], [100, 100], [100, 100], [100, 100], [100, 100]], { 0: (ctx) => ctx.submitOrder(order('sell', 100)) }, { account: margin({ borrowRate: 0.1 }) });
    const borrow = (0.1 * 10_000 * 4) / 365.25;
    expect(borrow).toBeCloseTo(10.951403148528405, 12);
    expect(r.finalCash).toBeCloseTo(20_000 - borrow, 9);
    expect(r.finalEquity).toBeCloseTo(10_000 - borrow, 9);
  });

  it('a rerun gives the same runHash', async () => {
    const go = () => run([[100, 100], [100, 100], [100, 70], [70, 64], [65, 66], [66, 66]], { 0: (ctx) => ctx.submitOrder(order('buy', 200)) }, { account: margin({ leverage: 2, borrowRate: 0.05 }) });
    const [a, b] = [await go(), await go()];
    expect(a.runHash).toBe(b.runHash);
    expect(a.fills.length).toBe(2);
  });
});

describe('accounts on the L2 venue', () => {
  /** A book of AAA: bid 99.99 x 10, ask 100.01 x 5, then a second bid update. */
  function book(): BookBatch {
    const rows = [
      [T0, 1, 99.99, 10, 2, 1],
      [T0, -1, 100.01, 5, 2, 2],
      [T0 + 1_000_000, 1, 99.98, 10, 2, 3],
    ];
    const col = (k: number) => Float64Array.from(rows.map((r) => r[k]!));
    return { length: rows.length, ts: col(0), symbol: new Int32Array(rows.length), side: col(1), price: col(2), size: col(3), action: col(4), flags: col(5) };
  }
  async function* once<T>(x: T): AsyncGenerator<T> {
    yield x;
  }
  const seller = (): Strategy => {
    let sent = false;
    return {
      id: 'seller' as StrategyId,
      symbols: ['AAA' as Symbol_],
      onQuote(ctx) {
        if (sent) return;
        sent = true;
        ctx.submitOrder(order('sell', 3));
      },
    };
  };
  const l2run = (account?: AccountConfig) =>
    replay({ symbols: ['AAA'], initialCash: 10_000, barIntervalUs: null, equityEveryUs: 1_000_000, lookback: 8, venue: { kind: 'l2', config: l2VenueConfig(), seed: 1 }, createStrategies: () => [seller()], createRisk: null, ...(account ? { account } : {}) }, { book: once(book()) });

  it('denies a short sale at the fill in a cash account and fills it in a margin account', async () => {
    const cash = await l2run();
    expect(cash.fills).toEqual([]);
    expect(cash.orders[0]!.status).toBe('denied');
    expect(cash.orders[0]!.reason).toBe('short sale: selling 3 AAA at 99.99 with a position of 0 would go short by 3; short sales need account.type "margin"');
    const m = await l2run(margin({}));
    expect(m.fills.map((f) => [f.side, f.qty, f.price])).toEqual([['sell', 3, 99.99]]);
  });
});

describe('Account (pure)', () => {
  it('takes per-unit margins from instruments (futures: per contract, shortable in a cash account)', () => {
    const pf = new Portfolio(1, 1, 100_000);
    const acct = new Account(CASH_ACCOUNT, pf, [{ symbol: 'ES', assetClass: 'future', multiplier: 50, tickSize: 0.25, lotSize: 1, currency: 'USD', initialMargin: 12_000, maintenanceMargin: 11_000 }]);
    const fees = { feeFor: (q: number) => 2 * q };
    // Short 8 contracts: margin 96,000 + fees 16 <= 100,000 cash; 9 would need 108,000.
    expect(acct.approveFill(0, -1, 8, 5000, fees, 1, 'ES')).toBe(8);
    expect(acct.approveFill(0, -1, 9, 5000, fees, 1, 'ES')).toBe(0);
    expect(acct.denialReason).toBe('insufficient margin: selling 9 ES at 5000 brings futures initial margin to 108,000.00, cash after fees 99,982.00 (short 8,018.00)');
    expect(acct.initialRequirement(0, -3, 5000)).toBe(36_000);
    expect(acct.maintenanceRequirement(0, -3, 5000)).toBe(33_000);
  });

  it('inMarginCallAt answers as inMarginCall and hands its initial margin to sampleInto of the same sample only', () => {
    // A margin account (leverage 2: initial 0.5, maintenance 0.25) over a spot symbol, a future with
    // per-unit initial and maintenance margins and a future with an initial margin only (its maintenance
    // falls back to it); the third has no mark yet (valued at 0).
    const spec = (symbol: string, initialMargin: number | null, maintenanceMargin: number | null) =>
      ({ symbol, assetClass: 'future' as const, multiplier: 50, tickSize: 0.25, lotSize: 1, currency: 'USD', initialMargin, maintenanceMargin });
    const pf = new Portfolio(4, 1, 100_000, [1, 50, 50, 1], [false, true, true, false]);
    const acct = new Account(margin({ leverage: 2 }), pf, [null, spec('ES', 12_000, 11_000), spec('NQ', 15_000, null), null]);
    pf.applyFill(0, 0, 1, 300, 101.37, 0, T0);
    pf.applyFill(0, 1, -1, 3, 5000, 0, T0);
    pf.applyFill(0, 2, 1, 2, 17_000, 0, T0);
    pf.applyFill(0, 3, -1, 7, 33.3, 0, T0);
    pf.markPrice(0, 103.1);
    pf.markPrice(1, 5012.25);
    pf.markPrice(3, Number.NaN);
    const sample = new Float64Array(7);
    const reference = new Float64Array(7);
    for (const equity of [1e9, 1]) {
      sample[1] = reference[1] = equity;
      const call = acct.inMarginCallAt(sample);
      expect(call).toBe(acct.inMarginCall(equity));
      expect(call).toBe(equity < acct.maintenanceMarginInUse());
      acct.sampleInto(sample);
      expect(sample[4]).toBe(acct.initialMarginInUse());
      expect(sample[4]).toBe(300 * 103.1 * 0.5 + 3 * 12_000 + 2 * 15_000 + 0);
      // After a call (the account acts: its orders may change the positions) nothing is kept.
      if (call) {
        pf.applyFill(0, 0, -1, 100, 103.1, 0, T0);
        acct.sampleInto(reference);
        expect(reference[4]).toBe(acct.initialMarginInUse());
        expect(reference[4]).toBe(200 * 103.1 * 0.5 + 3 * 12_000 + 2 * 15_000);
      }
    }
    // What one inMarginCallAt kept serves one sampleInto: the next sample sums the positions again.
    sample[1] = 1e9;
    expect(acct.inMarginCallAt(sample)).toBe(false);
    acct.sampleInto(sample);
    pf.applyFill(0, 1, 1, 3, 5000, 0, T0);
    acct.sampleInto(sample);
    expect(sample[4]).toBe(200 * 103.1 * 0.5 + 2 * 15_000);
  });

  it('refuses contradictory account sections naming the field', () => {
    const err = (x: unknown) => {
      const r = AccountSchema.safeParse(x);
      return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(err({ type: 'margin', leverage: 2, initialMargin: 0.5 })).toBe('initialMargin: give leverage (2) or initialMargin (0.5), not both');
    expect(err({ type: 'margin', initialMargin: 0.3, maintenanceMargin: 0.4 })).toBe('maintenanceMargin: must not exceed the initial margin 0.3, was 0.4');
    expect(err({ leverage: 2 })).toBe('leverage: only with account.type "margin"');
    expect(err({ type: 'margin', leverage: 0.5 })).toBe('leverage: must be a number >= 1, was 0.5');
    expect(accountFromSection(AccountSchema.parse({ type: 'margin' }))).toEqual({ type: 'margin', insufficientFunds: 'reject', initialMargin: 0.5, maintenanceMargin: 0.25, borrowRate: 0, marginCall: 'liquidate' });
  });
});
