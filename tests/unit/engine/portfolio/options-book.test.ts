import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoUs, US_PER_DAY, US_PER_YEAR, type StrategyId, type Symbol_ } from '../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../engine/execution/index.js';
import { blackScholes, optionSymbol, parseOptionSymbol, type OptionInstrument } from '../../../../engine/model/index.js';
import { OptionBook, Portfolio } from '../../../../engine/portfolio/index.js';
import { RiskEngine } from '../../../../engine/risk/index.js';
import type { RiskConfig } from '../../../../engine/risk/index.js';
import { ImmediateClient, nullRecorder } from '../execution/algorithms/harness.js';

const EXPIRY = parseIsoUs('2024-03-15T16:00:00Z');
const NOW = EXPIRY - 30 * US_PER_DAY;
const CALL = optionSymbol('AAA', EXPIRY, 'call', 100);
const PUT = optionSymbol('AAA', EXPIRY, 'put', 95);

function instrument(symbol: string): OptionInstrument {
  const p = parseOptionSymbol(symbol)!;
  return { kind: 'option', symbol: symbol as Symbol_, underlying: p.underlying as Symbol_, expiry: EXPIRY, strike: p.strike, right: p.right, tickSize: 0.01, lotSize: 1, multiplier: 100 };
}

function setup(strategies = 1) {
  const symbols = ['AAA', CALL, PUT];
  const portfolio = new Portfolio(3, strategies, 1_000_000, [1, 100, 100]);
  const book = new OptionBook(portfolio, symbols, [null, instrument(CALL), instrument(PUT)], { rate: 0.03, dividendYield: 0 });
  portfolio.markPrice(0, 100);
  book.onChainQuote(1, NOW, 2.9, 3.1, 0.25);
  book.onChainQuote(2, NOW, 0.9, 1.1, 0.3);
  return { symbols, portfolio, book };
}

describe('option contract symbols', () => {
  it('formats and parses AAA 2024-03-15 C 100', () => {
    expect(CALL).toBe('AAA 2024-03-15 C 100');
    expect(optionSymbol('AAA', EXPIRY, -1, 97.5)).toBe('AAA 2024-03-15 P 97.5');
    expect(parseOptionSymbol('AAA 2024-03-15 P 97.5')).toEqual({ underlying: 'AAA', expiryDateUs: parseIsoUs('2024-03-15'), right: 'put', strike: 97.5 });
    expect(parseOptionSymbol('AAA')).toBeNull();
  });
});

describe('OptionBook', () => {
  it('marks contracts at the chain mid and keeps the chain iv', () => {
    const { portfolio, book } = setup();
    expect(portfolio.mark[1]).toBe(3);
    expect(book.iv[1]).toBe(0.25);
  });

  it('implies the volatility from the mid when the chain has none', () => {
    const { portfolio, book } = setup();
    const t = (EXPIRY - NOW) / US_PER_YEAR;
    const price = blackScholes({ spot: 100, strike: 100, rate: 0.03, volatility: 0.4, time: t, right: 'call' }).price;
    book.onChainQuote(1, NOW, price - 0.01, price + 0.01, Number.NaN);
    expect(book.iv[1]).toBeCloseTo(0.4, 6);
    expect(portfolio.mark[1]).toBeCloseTo(price, 12);
  });

  it('sums position Greeks per underlying with the multiplier, plus the underlying delta', () => {
    const { portfolio, book } = setup();
    portfolio.applyFill(0, 1, 1, 2, 3, 0, NOW); // long 2 calls
    portfolio.applyFill(0, 2, -1, 3, 1, 0, NOW); // short 3 puts
    portfolio.applyFill(0, 0, -1, 50, 100, 0, NOW); // short 50 shares
    const t = (EXPIRY - NOW) / US_PER_YEAR;
    const c = blackScholes({ spot: 100, strike: 100, rate: 0.03, volatility: 0.25, time: t, right: 'call' });
    const p = blackScholes({ spot: 100, strike: 95, rate: 0.03, volatility: 0.3, time: t, right: 'put' });
    const g = book.netGreeks(0, NOW);
    expect(g.delta).toBeCloseTo(2 * 100 * c.delta - 3 * 100 * p.delta - 50, 9);
    expect(g.gamma).toBeCloseTo(2 * 100 * c.gamma - 3 * 100 * p.gamma, 9);
    expect(g.vega).toBeCloseTo(2 * 100 * c.vega - 3 * 100 * p.vega, 9);
  });

  it('agrees with finite differences of the portfolio value in the underlying price and volatility', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 }), fc.double({ min: 80, max: 120, noNaN: true }), (nc, np, spot) => {
        const { portfolio, book } = setup();
        if (nc !== 0) portfolio.applyFill(0, 1, nc > 0 ? 1 : -1, Math.abs(nc), 3, 0, NOW);
        if (np !== 0) portfolio.applyFill(0, 2, np > 0 ? 1 : -1, Math.abs(np), 1, 0, NOW);
        const t = (EXPIRY - NOW) / US_PER_YEAR;
        const value = (s: number, bump = 0): number =>
          nc * 100 * blackScholes({ spot: s, strike: 100, rate: 0.03, volatility: 0.25 + bump, time: t, right: 'call' }).price +
          np * 100 * blackScholes({ spot: s, strike: 95, rate: 0.03, volatility: 0.3 + bump, time: t, right: 'put' }).price;
        portfolio.markPrice(0, spot);
        const g = book.netGreeks(0, NOW);
        const h = 1e-3;
        expect(g.delta).toBeCloseTo((value(spot + h) - value(spot - h)) / (2 * h), 3);
        expect(g.gamma).toBeCloseTo((value(spot + h) - 2 * value(spot) + value(spot - h)) / (h * h), 1);
        expect(g.vega).toBeCloseTo((value(spot, 1e-5) - value(spot, -1e-5)) / 2e-5, 2);
      }),
    );
  });

  it('settles expired contracts in cash at intrinsic value against the underlying, with an audit entry', () => {
    const { portfolio, book } = setup(2);
    portfolio.applyFill(0, 1, 1, 2, 3, 0, NOW); // strategy 0 long 2 calls at 3
    portfolio.applyFill(1, 2, -1, 1, 1, 0, NOW); // strategy 1 short 1 put at 1
    const cashBefore = portfolio.cash;
    expect(book.settleExpired(EXPIRY - 1, ['a', 'b'])).toEqual([]);
    portfolio.markPrice(0, 104.5);
    const audit = book.settleExpired(EXPIRY, ['a', 'b']);
    expect(audit.map((a) => [a.kind, a.symbol, a.details?.intrinsic])).toEqual([
      ['option.settled', CALL, 4.5],
      ['option.settled', PUT, 0],
    ]);
    expect(portfolio.position(0, 1)).toBe(0);
    expect(portfolio.position(1, 2)).toBe(0);
    // The calls pay 2 x 4.5 x 100; the short put expires worthless (buying it back at 0 costs nothing).
    expect(portfolio.cash - cashBefore).toBeCloseTo(900, 9);
    expect(portfolio.closedTrades.map((t) => t.pnl)).toEqual([2 * (4.5 - 3) * 100, 100]);
    expect(book.nextExpiryTs).toBe(Number.POSITIVE_INFINITY);
    expect(book.settleExpired(EXPIRY + US_PER_DAY, ['a', 'b'])).toEqual([]);
  });
});

function gated(limits: RiskConfig) {
  const { symbols, portfolio, book } = setup();
  const execution = new ExecutionEngine(symbols as Symbol_[], ['s0' as StrategyId], portfolio, nullRecorder, new RiskEngine(limits));
  const client = new ImmediateClient();
  client.sink = execution;
  execution.connect(client);
  execution.useOptionBook(book, () => NOW);
  return { portfolio, book, execution, client };
}

describe('Greek limits in the risk engine', () => {
  it('denies an option order that would take the net delta past maxNetDelta, naming the numbers', () => {
    const { execution, client } = gated({ maxNetDelta: 100 });
    client.price = 3;
    const callDelta = 100 * blackScholes({ spot: 100, strike: 100, rate: 0.03, volatility: 0.25, time: 30 / 365.25, right: 'call' }).delta;
    expect(callDelta).toBeGreaterThan(50);
    const ok = execution.submit(0, { symbol: CALL, side: 'buy', qty: 1 }, NOW);
    expect(execution.order(ok)!.status).toBe('filled');
    const denied = execution.submit(0, { symbol: CALL, side: 'buy', qty: 1 }, NOW);
    expect(execution.order(denied)!.status).toBe('denied');
    expect(execution.order(denied)!.reason).toMatch(/^maxNetDelta 100 exceeded for AAA: net delta would go from 5\d\.\d+ to 1\d\d\.\d+ after buy 1 AAA 2024-03-15 C 100$/);
  });

  it('lets a hedge that reduces the net delta through even above the limit', () => {
    const { execution, client, portfolio } = gated({ maxNetDelta: 10 });
    portfolio.applyFill(0, 1, 1, 2, 3, 0, NOW); // net delta ~ 110, above the limit already
    client.price = 100;
    const hedge = execution.submit(0, { symbol: 'AAA', side: 'sell', qty: 50 }, NOW);
    expect(execution.order(hedge)!.status).toBe('filled');
    const more = execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 1 }, NOW);
    expect(execution.order(more)!.status).toBe('denied');
  });

  it('limits net gamma and vega, and ignores symbols without options', () => {
    const { execution } = gated({ maxNetGamma: 1, maxNetVega: 1000 });
    const g = execution.submit(0, { symbol: CALL, side: 'buy', qty: 1 }, NOW);
    expect(execution.order(g)!.reason).toMatch(/^maxNetGamma 1 exceeded/);
    const u = execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 1000 }, NOW);
    expect(execution.order(u)!.status).toBe('filled');
  });

  it('never lets the net delta exceed the limit after a fill, over generated order sequences', () => {
    const order = fc.record({ symbol: fc.constantFrom('AAA', CALL, PUT), side: fc.constantFrom('buy' as const, 'sell' as const), qty: fc.integer({ min: 1, max: 80 }) });
    fc.assert(
      fc.property(fc.array(order, { maxLength: 40 }), fc.integer({ min: 20, max: 300 }), (orders, limit) => {
        const { execution, book, client } = gated({ maxNetDelta: limit });
        for (const o of orders) {
          client.price = o.symbol === 'AAA' ? 100 : 2;
          const id = execution.submit(0, o, NOW);
          if (execution.order(id)!.status === 'filled') expect(Math.abs(book.netGreeks(0, NOW).delta)).toBeLessThanOrEqual(limit * (1 + 1e-9));
        }
      }),
    );
  });
});
