/**
 * Brackets and OCO groups through the ExecutionEngine over the bar venue: what a strategy's
 * `ctx.submitBracket` reaches. The ids, links and records; one clear message for a malformed bracket;
 * the risk gate checks the entry only (the exits close what it opened); a denied entry denies its
 * exits; the run hash covers a link only where one exists.
 */
import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import type { OrderId, StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../engine/execution/index.js';
import type { Recorder } from '../../../../engine/ports/recorder.js';
import { Portfolio } from '../../../../engine/portfolio/index.js';
import { RiskEngine } from '../../../../engine/risk/index.js';
import { computeRunHash, hashableFills, hashableOrders } from '../../../../sim/backtest/run-hash.js';
import { SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';
import { nullRecorder } from '../../engine/execution/algorithms/harness.js';

const T0 = Date.UTC(2024, 0, 2) * 1000;

function setup(risk: RiskEngine | null = null) {
  const portfolio = new Portfolio(1, 1, 1_000_000);
  const execution = new ExecutionEngine(['AAA'] as Symbol_[], ['s0'] as StrategyId[], portfolio, nullRecorder as Recorder, risk);
  const venue = new SimulatedVenue(venueConfig({ barIntervalUs: US_PER_DAY }), execution, ['AAA']);
  execution.connect(venue);
  let i = 0;
  const bar = (o: number, h: number, l: number, c: number): void => {
    i++;
    venue.onBar(0, T0 + i * US_PER_DAY, o, h, l, c, 1e6);
    portfolio.markPrice(0, c);
  };
  const now = (): number => T0 + (i + 1) * US_PER_DAY;
  bar(100, 100, 100, 100);
  return { execution, venue, portfolio, bar, now };
}

describe('brackets through the ExecutionEngine', () => {
  it('submits entry, take-profit and stop-loss with consecutive ids and links, recorded in the orders list', () => {
    const { execution, bar, now } = setup();
    const b = execution.submitBracket(0, { symbol: 'AAA', side: 'buy', qty: 10, takeProfit: 105, stopLoss: 95, tag: 't' }, now());
    expect(b).toEqual({ entry: 'O-1', takeProfit: 'O-2', stopLoss: 'O-3' });
    expect(execution.order(b.takeProfit)).toMatchObject({ side: 'sell', type: 'limit', limitPrice: 105, reduceOnly: true, tag: 't:tp', status: 'accepted', link: { contingency: 'OUO', parentId: 'O-1', linkedIds: ['O-3'], group: null } });
    expect(execution.order(b.stopLoss)).toMatchObject({ side: 'sell', type: 'stop', stopPrice: 95, reduceOnly: true, tag: 't:sl', link: { contingency: 'OUO', parentId: 'O-1', linkedIds: ['O-2'] } });
    bar(100, 100, 100, 100);
    bar(100, 106, 100, 104);
    const records = execution.orderLog.records();
    expect(records.map((r) => [r.id, r.status, r.filledQty, r.link?.contingency])).toEqual([
      ['O-1', 'filled', 10, 'OTO'],
      ['O-2', 'filled', 10, 'OUO'],
      ['O-3', 'cancelled', 0, 'OUO'],
    ]);
    expect(records[0]!.link).toEqual({ contingency: 'OTO', parentId: null, linkedIds: ['O-2', 'O-3'], group: null });
  });

  it.each([
    [{ takeProfit: 95, stopLoss: 105 }, "invalid bracket 'stopLoss': a buy bracket's stop-loss must be below its take-profit 95, was 105 (bracket on AAA)"],
    [{ takeProfit: 105, stopLoss: 101 }, "invalid bracket 'stopLoss': a buy bracket's stop-loss must be below the last price 100, was 101 (bracket on AAA)"],
    [{ takeProfit: 99, stopLoss: 90 }, "invalid bracket 'takeProfit': a buy bracket's take-profit must be above the last price 100, was 99 (bracket on AAA)"],
    [{ takeProfit: 105, stopLoss: 97, entry: { type: 'limit', limitPrice: 96 } }, "invalid bracket 'stopLoss': a buy bracket's stop-loss must be below its entry price 96, was 97 (bracket on AAA)"],
    [{ takeProfit: 105, stopLoss: -1 }, "invalid bracket 'stopLoss': not a positive finite number, was -1 (bracket on AAA)"],
    [{ takeProfit: 105, stopLoss: 95, qty: 0 }, "invalid bracket 'qty': not a positive finite number, was 0 (bracket on AAA)"],
  ] as const)('refuses a malformed bracket in one message, sending nothing: %j', (fields, message) => {
    const { execution, now } = setup();
    expect(() => execution.submitBracket(0, { symbol: 'AAA', side: 'buy', qty: 10, ...fields }, now())).toThrow(message);
    expect(execution.orderLog.length).toBe(0);
  });

  it('checks a sell bracket the other way round', () => {
    const { execution, now } = setup();
    expect(() => execution.submitBracket(0, { symbol: 'AAA', side: 'sell', qty: 10, takeProfit: 95, stopLoss: 99 }, now())).toThrow(
      "invalid bracket 'stopLoss': a sell bracket's stop-loss must be above the last price 100, was 99 (bracket on AAA)",
    );
  });

  it('the risk gate checks the entry only: exits are not new exposure, and a denied entry denies its exits', () => {
    const { execution, bar, now } = setup(new RiskEngine({ maxPositionUnits: 10 }));
    const b = execution.submitBracket(0, { symbol: 'AAA', side: 'buy', qty: 10, takeProfit: 105, stopLoss: 95 }, now());
    expect([b.entry, b.takeProfit, b.stopLoss].map((id) => execution.order(id)!.status)).toEqual(['accepted', 'accepted', 'accepted']);
    // The exits' 10 + 10 working sells are not pending exposure: a plain buy of 10 more is denied for the position, not the exits.
    expect(execution.pendingSideQty(0, -1)).toBe(0);
    bar(100, 100, 100, 100);
    const over = execution.submitBracket(0, { symbol: 'AAA', side: 'buy', qty: 5, takeProfit: 105, stopLoss: 95 }, now());
    expect(execution.order(over.entry)).toMatchObject({ status: 'denied', reason: expect.stringMatching(/^maxPositionUnits 10 exceeded/) });
    for (const id of [over.takeProfit, over.stopLoss]) expect(execution.order(id)).toMatchObject({ status: 'denied', reason: `bracket entry ${over.entry} was denied` });
    expect(execution.deniedCount).toBe(3);
  });

  it('a plain OCO pair through submit: the link is recorded with its group label', () => {
    const { execution, bar, now } = setup();
    const a = execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 10, type: 'limit', limitPrice: 98, ocoGroup: 'range' }, now());
    const c = execution.submit(0, { symbol: 'AAA', side: 'sell', qty: 10, type: 'limit', limitPrice: 102, ocoGroup: 'range' }, now());
    bar(100, 100, 97, 99);
    expect(execution.order(a)).toMatchObject({ status: 'filled', link: { contingency: 'OCO', parentId: null, linkedIds: [], group: 'range' } });
    expect(execution.order(c)).toMatchObject({ status: 'cancelled', reason: `OCO: ${a} filled` });
    expect(() => execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 1, contingency: 'OUO' }, now())).toThrow("invalid 'contingency': only with 'ocoGroup', was \"OUO\"");
    expect(() => execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 1, ocoGroup: '' }, now())).toThrow("invalid 'ocoGroup': a non-empty label, was \"\"");
  });

  it('the run hash covers a link where one exists and reads plain orders as before', () => {
    const { execution, bar, now } = setup();
    execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 10, type: 'limit', limitPrice: 98 }, now());
    execution.submitBracket(0, { symbol: 'AAA', side: 'buy', qty: 10, takeProfit: 105, stopLoss: 95 }, now());
    bar(100, 100, 100, 100);
    const records = execution.orderLog.records();
    const eq = new Float64Array([1]);
    const hash = (rs: typeof records): string => computeRunHash(hashableFills([]), hashableOrders(rs), eq, eq, 1);
    // The log and its records hash alike, links included.
    expect(computeRunHash(hashableFills([]), execution.orderLog, eq, eq, 1)).toBe(hash(records));
    const unlinked = records.map(({ link: _, ...r }) => r);
    expect(hash(unlinked)).not.toBe(hash(records));
    // A plain order's record has no link key at all, so reports of runs without contingent orders are unchanged.
    expect('link' in records[0]!).toBe(false);
    const relinked = records.map((r, i) => (i === 2 ? { ...r, link: { ...r.link!, linkedIds: ['O-9' as OrderId] } } : r));
    expect(hash(relinked)).not.toBe(hash(records));
  });
});
