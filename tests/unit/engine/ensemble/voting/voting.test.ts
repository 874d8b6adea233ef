import { describe, expect, it } from 'vitest';
import { vote } from '../../../../../engine/ensemble/index.js';
import type { Vote } from '../../../../../engine/ensemble/index.js';

const v = (strategyId: string, direction: -1 | 0 | 1, confidence: number, weight = 1): Vote => ({ strategyId, direction, confidence, weight });
const loose = { voteRatio: 0, minConfidence: 0 };

describe('majority vote', () => {
  it('buys when two of three strategies say buy and the ratio 2/3 meets 0.66', () => {
    const r = vote([v('a', 1, 0.8), v('b', 1, 0.6), v('c', -1, 0.9)], 'majority_vote', { voteRatio: 0.66, minConfidence: 0 });
    expect(r.decision).toBe('buy');
    expect(r.contributing).toEqual(['a', 'b']);
    expect(r.voteCounts).toEqual({ buy: 2, sell: 1, flat: 0 });
    expect(r.ratio).toBeCloseTo(2 / 3, 15);
    expect(r.confidence).toBeCloseTo(0.7, 15);
  });

  it('holds when the winning share is below the vote ratio', () => {
    const r = vote([v('a', 1, 1), v('b', 1, 1), v('c', -1, 1)], 'majority_vote', { voteRatio: 0.7, minConfidence: 0 });
    expect(r.decision).toBe('hold');
    expect(r.contributing).toEqual([]);
  });

  it('holds on a tie between buy and sell', () => {
    expect(vote([v('a', 1, 1), v('b', -1, 1)], 'majority_vote', loose).decision).toBe('hold');
  });

  it('decides flat when the flat voters win', () => {
    expect(vote([v('a', 0, 1), v('b', 0, 1), v('c', 1, 1)], 'majority_vote', loose).decision).toBe('flat');
  });

  it('holds when the winners are less confident than the minimum', () => {
    const r = vote([v('a', 1, 0.5), v('b', 1, 0.5)], 'majority_vote', { voteRatio: 0.5, minConfidence: 0.6 });
    expect(r.decision).toBe('hold');
    expect(r.confidence).toBe(0.5);
  });

  it('holds on an empty vote', () => {
    expect(vote([], 'majority_vote', loose).decision).toBe('hold');
  });
});

describe('weighted vote', () => {
  it('lets one heavy seller outvote two light buyers (0.6 of the weight)', () => {
    const r = vote([v('a', 1, 1, 0.2), v('b', 1, 1, 0.2), v('c', -1, 0.9, 0.6)], 'weighted_vote', { voteRatio: 0.5, minConfidence: 0 });
    expect(r.decision).toBe('sell');
    expect(r.ratio).toBeCloseTo(0.6, 15);
    expect(r.totalWeight).toBeCloseTo(1, 15);
    expect(r.confidence).toBeCloseTo(0.9, 15);
    expect(r.weights).toEqual({ a: 0.2, b: 0.2, c: 0.6 });
  });

  it('weights the winning confidence by weight', () => {
    const r = vote([v('a', 1, 1, 3), v('b', 1, 0.5, 1)], 'weighted_vote', loose);
    expect(r.confidence).toBeCloseTo((3 * 1 + 1 * 0.5) / 4, 15);
  });

  it('rejects a negative weight naming the strategy', () => {
    expect(() => vote([v('a', 1, 1, -1)], 'weighted_vote', loose)).toThrow(/weight of a/);
  });
});

describe('confidence average', () => {
  it('scores sum(w x direction x confidence) / sum(w): (0.8 + 0.6 - 0.9) / 3 = 1/6', () => {
    const r = vote([v('a', 1, 0.8), v('b', 1, 0.6), v('c', -1, 0.9)], 'confidence_average', { voteRatio: 0, minConfidence: 0.1 });
    expect(r.decision).toBe('buy');
    expect(r.confidence).toBeCloseTo(0.5 / 3, 15);
  });

  it('holds when |score| is below the minimum confidence', () => {
    expect(vote([v('a', 1, 0.8), v('b', 1, 0.6), v('c', -1, 0.9)], 'confidence_average', { voteRatio: 0, minConfidence: 0.2 }).decision).toBe('hold');
  });
});
