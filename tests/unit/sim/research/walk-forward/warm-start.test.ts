import { describe, expect, it } from 'vitest';
import { STRATEGIES, trainUntilParamOf } from '../../../../../engine/strategies/index.js';
import { trainUntilPaths } from '../../../../../sim/research/walk-forward/index.js';

describe('trainUntilPaths', () => {
  it('names the train-until parameter of every learning strategy by its dotted path, in scenario order', () => {
    const doc = {
      strategies: [
        { type: 'sma_cross', params: { fast: 5 } },
        { type: 'q_learning_selector', params: {} },
        { type: 'rsi_reversion' },
        { type: 'q_learning_selector' },
      ],
    };
    expect(trainUntilPaths(doc)).toEqual([
      ['strategies', '1', 'params', 'trainUntil'],
      ['strategies', '3', 'params', 'trainUntil'],
    ]);
  });
  it('names ensemble.weighting.trainUntil when the ensemble weighting learns (kind rl), after the strategies', () => {
    const doc = { strategies: [{ type: 'q_learning_selector' }, { type: 'sma_cross' }], ensemble: { weighting: { kind: 'rl' } } };
    expect(trainUntilPaths(doc)).toEqual([
      ['strategies', '0', 'params', 'trainUntil'],
      ['ensemble', 'weighting', 'trainUntil'],
    ]);
    expect(trainUntilPaths({ ensemble: { weighting: { kind: 'rl', trainUntil: '2020-01-01' } } })).toEqual([['ensemble', 'weighting', 'trainUntil']]);
    expect(trainUntilPaths({ strategies: [{ type: 'sma_cross' }], ensemble: { weighting: { kind: 'optimizer' } } })).toEqual([]);
    expect(trainUntilPaths({ ensemble: null })).toEqual([]);
  });
  it('finds nothing in a scenario without learning strategies, without strategies, or with unknown types', () => {
    expect(trainUntilPaths({ strategies: [{ type: 'sma_cross' }, { type: 'nope' }, null, { type: 3 }] })).toEqual([]);
    expect(trainUntilPaths({})).toEqual([]);
    expect(trainUntilPaths(null)).toEqual([]);
  });
  it('follows the registry: only q_learning_selector declares a train-until parameter, and it is one of its parameters', () => {
    const learners = Object.keys(STRATEGIES).filter((name) => trainUntilParamOf(name) !== null);
    expect(learners).toEqual(['q_learning_selector']);
    expect(Object.keys(STRATEGIES.q_learning_selector.defaults)).toContain(trainUntilParamOf('q_learning_selector'));
    expect(trainUntilParamOf('unknown')).toBeNull();
  });
});
