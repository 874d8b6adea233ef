import { describe, expect, it } from 'vitest';
import { EquitySample } from '../../../../engine/ports/recorder.js';
import { bytecodeLengths, INLINING_BUDGET, printBytecode, replayScript } from '../../../support/bytecode.js';

/**
 * The equity sample of every bar (EquitySampler.sampleBar -> TradingEngine.takeSample -> the account's
 * and the portfolio's sample -> RunRecorder.onEquity -> CurveTable.pushSample) stays small enough for V8
 * to compile it as one unit. TurboFan (Node 20) inlines callees into a function until their bytecode
 * adds up to max_inlined_bytecode_size_cumulative (920 bytes); the functions left over are calls, each
 * redoing the map checks of the objects it is handed. Before this test the chain was ~1,400 bytes and the
 * portfolio's sample, the borrow accrual and the implied-margin check were three calls per bar.
 *
 * The bytecode is printed by a child process that replays a few bars (a cash account, the default, and
 * a curve kept in memory: the pipeline's path). The functions are named.
 */

/**
 * The one-line getters inlined on the way (accountInUse, marginCallsPossible, CurveTable's length:
 * 5-12 bytes each), not printed apart here because other classes have functions of the same names.
 */
const GETTERS = 40;
/**
 * The chain's functions, each printed once (sampleInto twice: the portfolio's and the account's); `put` is the
 * curve's cash column's (Float64StepColumn), which the recorder's onEquity calls on every sample.
 */
const CHAIN = ['takeSample', 'onAccountSample', 'accrueBorrow', 'sampleInto', 'onEquity', 'impliedMargin', 'pushSample', 'put'];

describe('the equity sample of every bar', () => {
  it('keeps the EquitySample indexes the sample path writes as numbers', () => {
    // sampleBar, takeSample, Account/Portfolio.sampleInto and impliedMargin index the sample by number.
    expect(EquitySample).toEqual({ ts: 0, equity: 1, cash: 2, grossExposure: 3, marginInUse: 4, buyingPower: 5, decisionTs: 6, size: 7 });
  });

  it(`is at most ${INLINING_BUDGET} bytes of bytecode from takeSample down, so V8 compiles the per-bar sample as one unit`, () => {
    const printed = printBytecode(
      replayScript('onBar() {}'),
      '*',
    );
    const sizes = new Map(CHAIN.map((name) => [name, bytecodeLengths(printed, name)]));
    const first = (name: string): number => {
      const list = sizes.get(name)!;
      expect(list.length, `no bytecode printed for ${name}`).toBeGreaterThan(0);
      return list[0]!;
    };
    const sampleInto = sizes.get('sampleInto') ?? [];
    expect(sampleInto.length, 'the portfolio and the account each print a sampleInto').toBe(2);
    const total = first('takeSample') + first('onAccountSample') + first('accrueBorrow') + sampleInto[0]! + sampleInto[1]! + first('onEquity') + first('impliedMargin') + first('pushSample') + first('put');
    expect(total, `bytecode by function: ${JSON.stringify(Object.fromEntries(sizes))}`).toBeLessThanOrEqual(INLINING_BUDGET - GETTERS);
  }, 240_000);
});
