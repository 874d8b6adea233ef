import { describe, expect, it } from 'vitest';
import type { IntrabarPath } from '../../../../sim/venue/index.js';
import { BarPath } from '../../../../sim/venue/index.js';
import { after, harness, openPosition } from './venue-harness.js';

/**
 * A long position of 100 bought at 100 with a reduce-only stop-loss at 95 and a reduce-only
 * take-profit at 110, then one bar (open 100, high 112, low 94, close 100) that reaches both.
 * Only the exit the path reaches first can fill; the other finds the position closed.
 */
function bracket(intrabarPath: IntrabarPath, bar: [number, number, number, number]) {
  const h = harness({ intrabarPath });
  openPosition(h, 100, 0, 100);
  const stopLoss = h.submit({ side: 'sell', qty: 100, type: 'stop', stopPrice: 95, reduceOnly: true }, after(1));
  const takeProfit = h.submit({ side: 'sell', qty: 100, type: 'limit', limitPrice: 110, reduceOnly: true }, after(1));
  h.bar(2, ...bar);
  return { h, stopLoss, takeProfit };
}

describe('intrabar path choice', () => {
  it('fills the take-profit first on the open-high-low-close path and cancels the stop-loss', () => {
    const { h, stopLoss, takeProfit } = bracket('ohlc', [100, 112, 94, 100]);
    expect(h.fills().map((f) => [f.orderId, f.price])).toEqual([[takeProfit, 110]]);
    expect(h.kinds(stopLoss)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderCancelled']);
    expect(h.venue.position(0)).toBe(0);
  });

  it('fills the stop-loss first on the open-low-high-close path and cancels the take-profit', () => {
    const { h, stopLoss, takeProfit } = bracket('olhc', [100, 112, 94, 100]);
    expect(h.fills().map((f) => [f.orderId, f.price])).toEqual([[stopLoss, 95]]);
    expect(h.kinds(takeProfit)).toEqual(['OrderAccepted', 'OrderCancelled']);
  });

  it('fills the stop-loss first on the worst-case path (sell orders assume the low comes first)', () => {
    const { h, stopLoss } = bracket('worst', [100, 112, 94, 100]);
    expect(h.fills().map((f) => [f.orderId, f.price])).toEqual([[stopLoss, 95]]);
  });

  it('fills the buy stop-loss of a short position first on the worst-case path (buy orders assume the high comes first)', () => {
    const h = harness({ intrabarPath: 'worst' });
    openPosition(h, -100, 0, 100);
    const stopLoss = h.submit({ side: 'buy', qty: 100, type: 'stop', stopPrice: 105, reduceOnly: true }, after(1));
    h.submit({ side: 'buy', qty: 100, type: 'limit', limitPrice: 90, reduceOnly: true }, after(1));
    h.bar(2, 100, 106, 89, 100);
    expect(h.fills().map((f) => [f.orderId, f.price])).toEqual([[stopLoss, 105]]);
    expect(h.venue.position(0)).toBe(0);
  });

  it('visits the extreme nearer to the open first on the nearest path', () => {
    // The low (6 away) is nearer than the high (12 away): the stop-loss fills first.
    expect(bracket('nearest', [100, 112, 94, 100]).h.fills()[0]!.price).toBe(95);
    // The high (11 away) is nearer than the low (12 away): the take-profit fills first.
    expect(bracket('nearest', [100, 111, 88, 100]).h.fills()[0]!.price).toBe(110);
  });

  it('measures positions along the path as price distance from the open', () => {
    const p = new BarPath();
    p.set(100, 112, 94, 100);
    const hf = p.pathFor('ohlc', 1);
    expect(Array.from(hf)).toEqual([100, 112, 94, 100]);
    expect(p.totalOf(hf)).toBe(12 + 18 + 6);
    expect(p.firstHit(hf, 0, 100, 0, 110, true, false)).toBe(10);
    expect(p.firstHit(hf, 0, 100, 0, 95, false, false)).toBe(12 + 17);
    expect(p.hitSeg).toBe(1);
    expect(p.firstHit(hf, 0, 100, 0, 93, false, false)).toBe(-1);
  });
});
