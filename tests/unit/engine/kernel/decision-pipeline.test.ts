import { describe, expect, it } from 'vitest';
import { US_PER_MINUTE } from '../../../../engine/core/index.js';
import { AlgorithmRouter, qualifyAlgorithmConfig } from '../../../../engine/execution/algorithms/index.js';
import { AlgorithmTargets, ChainedRouter, composeDecisionPipeline } from '../../../../engine/kernel/decision-pipeline.js';
import { DirectRouter, PredictiveFilterGate } from '../../../../engine/kernel/index.js';
import type { RouterDeps, StrategyRouter } from '../../../../engine/kernel/index.js';
import { algoHarness, nullRecorder } from '../execution/algorithms/harness.js';

/** composeDecisionPipeline: the four shapes of the chain, and the hand-off of an ensemble's targets to an algorithm. */
const twap = qualifyAlgorithmConfig({ algo: 'twap', duration: '10m', parts: 5 }, 'execution');

function services() {
  const h = algoHarness([null]);
  return { h, services: { symbols: h.symbols, strategyIds: ['s0'], execution: h.execution, portfolio: h.portfolio, recorder: nullRecorder } };
}

/** A stand-in for the ensemble stage: it keeps the deps it was built with. */
function fakeEnsemble(seen: RouterDeps[]): (deps: RouterDeps) => StrategyRouter & { summary(): string } {
  return (deps) => {
    seen.push(deps);
    return Object.assign(new DirectRouter(deps.execution, deps.portfolio, deps.recorder), { summary: () => 'ensemble' });
  };
}

describe('composeDecisionPipeline', () => {
  it('without an ensemble or an algorithm leaves the TradingEngine its DirectRouter', () => {
    const { services: s } = services();
    expect(composeDecisionPipeline({}, s)).toEqual({ router: undefined, combined: null, algorithms: null, filters: null });
  });

  it('with per-strategy algorithms only, routes through an AlgorithmRouter', () => {
    const { services: s } = services();
    const p = composeDecisionPipeline({ algorithms: [twap] }, s);
    expect(p.router).toBeInstanceOf(AlgorithmRouter);
    expect(p.algorithms).toBe(p.router);
    expect(p.combined).toBeNull();
  });

  it('with an ensemble only, the ensemble is the router and sends its targets straight on', () => {
    const { services: s } = services();
    const seen: RouterDeps[] = [];
    const p = composeDecisionPipeline({ combine: fakeEnsemble(seen) }, s);
    expect(p.router).toBe(p.combined);
    expect(p.combined!.summary()).toBe('ensemble');
    expect(seen[0]!.targets).toBeUndefined();
  });

  it('with both, chains the ensemble in front of the account algorithm and hands it the algorithm as its target sink', () => {
    const { services: s } = services();
    const seen: RouterDeps[] = [];
    const p = composeDecisionPipeline({ combine: fakeEnsemble(seen), algorithms: [twap] }, s);
    expect(p.router).toBeInstanceOf(ChainedRouter);
    expect(p.algorithms).toBeInstanceOf(AlgorithmRouter);
    expect(seen[0]!.targets).toBeInstanceOf(AlgorithmTargets);
    expect(() => composeDecisionPipeline({ combine: fakeEnsemble([]), algorithms: [twap, null] }, s)).toThrow(/per account: 1 expected, 2 given/);
  });

  it('with filters, puts the filter gate in front of whichever router there is, and the account filters in front of the ensemble\'s sink', () => {
    const { services: s } = services();
    const volume = { kind: 'volume_surge', window: 3, minZScore: 1 } as const;
    const direct = composeDecisionPipeline({ filters: { strategies: [[volume]], account: [] } }, s);
    expect(direct.router).toBeInstanceOf(PredictiveFilterGate);
    expect(direct.filters).toBe((direct.router as PredictiveFilterGate).stage);
    const algo = composeDecisionPipeline({ algorithms: [twap], filters: { strategies: [[volume]], account: [] } }, s);
    expect(algo.router).toBeInstanceOf(PredictiveFilterGate);
    expect(algo.algorithms).toBeInstanceOf(AlgorithmRouter);
    const seen: RouterDeps[] = [];
    const ensemble = composeDecisionPipeline({ combine: fakeEnsemble(seen), filters: { strategies: [[]], account: [volume] } }, s);
    expect(ensemble.router).toBeInstanceOf(PredictiveFilterGate);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.targets).toBeDefined();
    // Without account filters the ensemble keeps its own sink.
    const seen2: RouterDeps[] = [];
    composeDecisionPipeline({ combine: fakeEnsemble(seen2), filters: { strategies: [[volume]], account: [] } }, s);
    expect(seen2[0]!.targets).toBeUndefined();
    expect(() => composeDecisionPipeline({ filters: { strategies: [[]], account: [volume] } }, s)).toThrow(/account filters need an ensemble/);
  });
});

describe('AlgorithmTargets (stage 6 of an ensemble with an algorithm)', () => {
  it('makes each change of the account target a parent order and leaves the working parent alone when the target is re-stated', () => {
    const h = algoHarness([twap]);
    const targets = new AlgorithmTargets(h.router, 1);
    targets.setTarget(0, 10, 0); // parent of 10: first slice of 2 fills at once (the client fills market orders)
    expect(h.router.parents().map((p) => [p.id, p.qty, p.status])).toEqual([['P1', 10, 'working']]);
    expect(h.portfolio.netPosition[0]).toBe(2);
    targets.setTarget(0, 10, US_PER_MINUTE); // the same target: no new parent, the schedule goes on
    expect(h.router.parents()).toHaveLength(1);
    h.advance(2 * US_PER_MINUTE); // the second slice
    expect(h.portfolio.netPosition[0]).toBe(4);
    targets.setTarget(0, 6, 2 * US_PER_MINUTE); // a change: P1 superseded, a parent for 6 - 4 = 2
    expect(h.router.parents().map((p) => [p.id, p.qty, p.status])).toEqual([
      ['P1', 10, 'cancelled'],
      ['P2', 2, 'working'],
    ]);
  });
});
