import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qualify } from '../../../../cli/compose/load-scenario.js';
import { regimeAdaptiveOf } from '../../../../cli/compose/regimes-compose.js';

/** The scenario's `regimes` section resolved against the replayed symbols, and its refusals by path. */
const doc = (regimes: unknown, extra: Record<string, unknown> = {}) => ({
  name: 'regimes',
  seed: 9,
  data: { bars: join(import.meta.dirname, '../../../fixtures/csv/msft.csv'), symbols: ['AAA', 'BBB'] },
  strategies: [{ type: 'sma_cross' }],
  regimes,
  ...extra,
});
const resolve = async (regimes: unknown) => regimeAdaptiveOf(await qualify(doc(regimes)), ['AAA', 'BBB']);

describe('regimeAdaptiveOf', () => {
  it("applies the defaults: seed 003's labels by the order, every symbol, the scenario seed", async () => {
    const r = (await resolve({ adapt: { bear: { size: 0.5 } } }))!;
    expect(r.detector).toEqual({ states: 2, window: 250, refitEvery: 20, restarts: 3, maxIter: 200, orderBy: 'mean', labels: ['bear', 'bull'], seed: 9 });
    expect(r.symbolIndexes).toEqual([0, 1]);
    expect(r.adapt).toEqual({ bear: { size: 0.5, stop: 1 } });
    expect((await resolve({ detector: { states: 3, orderBy: 'volatility' }, adapt: { bear: { size: 0.5 } } }))!.detector.labels).toEqual(['sideways', 'bull', 'bear']);
    expect((await resolve({ detector: { symbols: ['BBB'] }, adapt: { bull: { size: 2 } } }))!.symbolIndexes).toEqual([1]);
    expect(regimeAdaptiveOf(await qualify(doc(undefined)), ['AAA'])).toBeUndefined();
  });

  it('refuses what would not work or change nothing, naming the path', async () => {
    await expect(resolve({ detector: { states: 4 }, adapt: { bear: { size: 2 } } })).rejects.toThrow(/regimes\.detector\.labels: required with 4 states/);
    await expect(resolve({ detector: { labels: ['a', 'b', 'c'] }, adapt: { a: { size: 2 } } })).rejects.toThrow(/regimes\.detector\.labels: 3 labels for 2 states/);
    await expect(resolve({ detector: { labels: ['a', 'a'] }, adapt: { a: { size: 2 } } })).rejects.toThrow(/regimes\.detector\.labels: labels repeat/);
    await expect(resolve({ adapt: {} })).rejects.toThrow(/regimes\.adapt: no regime has multipliers/);
    await expect(resolve({ adapt: { bear: { size: 1 } } })).rejects.toThrow(/regimes\.adapt\.bear: size and stop are both 1/);
    await expect(resolve({ adapt: { crash: { size: 0.1 } } })).rejects.toThrow(/regimes\.adapt\.crash: not a regime label \(labels: bear, bull\)/);
    await expect(resolve({ detector: { symbols: ['CCC'] }, adapt: { bear: { size: 0.5 } } })).rejects.toThrow(/regimes\.detector\.symbols\[0\]: symbol 'CCC' is not replayed/);
    await expect(resolve({ detector: { window: 10 }, adapt: { bear: { size: 0.5 } } })).rejects.toThrow(/regimes\.detector\.window/);
    await expect(resolve({ adapt: { bear: { size: -1 } } })).rejects.toThrow(/regimes\.adapt\.bear\.size/);
    // sma_cross places protective stops only with risk sizing
    await expect(resolve({ adapt: { bear: { stop: 0.5 } } })).rejects.toThrow(/regimes\.adapt\.bear\.stop: no strategy of this run places a protective stop/);
    const risky = doc({ adapt: { bear: { stop: 0.5 } } }, { strategies: [{ type: 'sma_cross', params: { sizing: { kind: 'risk', fraction: 0.01, stopPct: 0.02 } } }] });
    expect(regimeAdaptiveOf(await qualify(risky), ['AAA', 'BBB'])!.adapt).toEqual({ bear: { size: 1, stop: 0.5 } });
    await expect(resolve({ detector: { state: 2 }, adapt: { bear: { size: 0.5 } } })).rejects.toThrow(/regimes\.detector/);
  });
});
