import { beforeAll, describe, expect, it } from 'vitest';
import { sampleFillPathAllocation, type FillPathAllocation } from '../../../support/fill-path-allocation.js';

/**
 * What a trading run's fills allocate between the venue, the execution engine, the order, the account and
 * the portfolio, sampled by V8's heap profiler in a child process (a 200k-bar sma_cross replay, ~11k fills,
 * a cash account denying the short half of each reversal; run three times first so that the path is
 * optimized, then sampled once). A double passed to a call V8 does not inline, or returned from one, is a
 * new heap number: ExecutionEngine.apply passed each fill's quantity, price, commission and time to
 * Portfolio.applyFill and quantity, price and time to Order.applyFill, and Order.transition's time, stored
 * in a field declared bare (defined as undefined first, so kept tagged), was a new heap number at each
 * event (~95 bytes a fill in all). Now the figures go through rows of doubles both sides read, and the
 * field is a number field written in place. A loose bound: sampling and V8's inlining vary from process to
 * process, by a box a fill at most, never by the six.
 */

let sampled: FillPathAllocation;

beforeAll(() => {
  sampled = sampleFillPathAllocation();
}, 120_000);

describe('a trading run between venue, execution engine, order, account and portfolio', () => {
  it('fills orders and has the account deny some (the sample is of a run that trades and is denied)', () => {
    expect(sampled.fills).toBeGreaterThan(10_000);
    expect(sampled.denied).toBeGreaterThan(1_000);
  });

  it('allocates under 12 bytes a fill applying it to the order and the portfolio (no boxed fill figures or event times)', () => {
    const applied =
      sampled.perFill('/engine/execution/execution-engine', ['apply', 'onOrderEvent']) +
      sampled.perFill('/engine/model/orders', ['applyFill', 'applyFillRow']) +
      sampled.perFill('/engine/portfolio/portfolio', ['applyFill', 'applyFillRow']);
    expect(applied).toBeLessThan(12);
  });

});
