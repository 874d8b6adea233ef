import { beforeAll, describe, expect, it } from 'vitest';
import { sampleFillPathAllocation, type FillPathAllocation } from '../../../support/fill-path-allocation.js';

/**
 * What a trading run's fills allocate on the venue's bar path and in Portfolio.applyFill, sampled by V8's
 * heap profiler in a child process (a 200k-bar sma_cross replay, ~11k fills, run three times first so that
 * the fill path is optimized, then sampled once). A double passed to a call V8 does not inline, returned
 * from one, or joined with a tagged value is a new heap number: the venue passed each bar with working
 * orders to processBar as six numbers and each fill's price, time and volume on to execute, and
 * Portfolio.applyFill joined its `commission` parameter with a double (cash) and passed a closed trade's
 * numbers to column pushes it did not inline. Each cost ~32 bytes a fill; now the numbers are read from the
 * bar columns and the order's plan where they are used. Loose bounds: sampling and V8's inlining vary
 * from process to process, by a few bytes a fill, never by 32.
 */

let sampled: FillPathAllocation;

beforeAll(() => {
  sampled = sampleFillPathAllocation();
}, 120_000);

/** The venue's bar path, where a bar with working orders is planned and its fills executed. */
const VENUE = ['onBarRow', 'processBar', 'planBar', 'plan', 'execute', 'executePlan', 'denyRest'];

describe('a trading run fill path', () => {
  it('fills orders (the sample is of a run that trades)', () => {
    expect(sampled.fills).toBeGreaterThan(10_000);
  });

  it('allocates under 8 bytes a fill in the venue bar path (bar and fill numbers not passed as arguments)', () => {
    expect(sampled.perFill('/sim/venue/', VENUE)).toBeLessThan(8);
  });

  it('allocates under 8 bytes a fill in Portfolio.applyFill (no boxed cash, no boxed trade numbers)', () => {
    expect(sampled.perFill('/engine/portfolio/portfolio', ['applyFill', 'applyFillRow'])).toBeLessThan(8);
  });
});
