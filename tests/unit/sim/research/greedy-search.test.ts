import { describe, expect, it } from 'vitest';
import { greedyPortfolioSearch } from '../../../../sim/research/greedy-search.js';

const VALUE: Record<string, number> = { A: 3, B: 2, C: -1, D: 1 };

/** Sum of the best `m` symbol values held, minus 0.1 per symbol traded and 0.05 per position slot. */
async function metric(subset: readonly string[], m: number): Promise<number> {
  const values = subset.map((s) => VALUE[s]!).sort((a, b) => b - a);
  return values.slice(0, m).reduce((s, v) => s + v, 0) - 0.1 * subset.length - 0.05 * m;
}

describe('greedy portfolio search', () => {
  it('adds the best candidate each round, stops when nothing improves, then picks max positions (hand-computed)', async () => {
    const r = await greedyPortfolioSearch({ candidates: ['A', 'B', 'C', 'D'], maxPositions: [1, 2, 3, 4], evaluate: metric });
    expect(r.subset).toEqual(['A', 'B', 'D']);
    expect(r.maxPositions).toBe(3);
    expect(r.metric).toBeCloseTo(5.55, 12);
    // Rounds of 4, 3, 2 and 1 trials, then max positions 1, 2, 3 (4 was measured during selection).
    expect(r.evaluations).toBe(13);
    const chosenAdds = r.steps.filter((s) => s.phase === 'add' && s.chosen).map((s) => s.candidate);
    expect(chosenAdds).toEqual(['A', 'B', 'D']);
    const lastRound = r.steps.filter((s) => s.round === 4);
    expect(lastRound).toHaveLength(1);
    expect(lastRound[0]).toMatchObject({ candidate: 'C', chosen: false });
    expect(lastRound[0]!.metric).toBeCloseTo(4.4, 12);
    expect(r.steps.filter((s) => s.phase === 'max-positions').map((s) => s.maxPositions)).toEqual([1, 2, 3, 4]);
  });
  it('a minimum improvement stops selection earlier', async () => {
    const r = await greedyPortfolioSearch({ candidates: ['A', 'B', 'C', 'D'], maxPositions: [4], evaluate: metric, minImprovement: 1 });
    expect(r.subset).toEqual(['A', 'B']);
  });
  it('failed and null evaluations count as -Infinity and keep their error', async () => {
    const r = await greedyPortfolioSearch({
      candidates: ['A', 'B', 'X'],
      maxPositions: [2],
      evaluate: async (subset, m) => {
        if (subset.includes('X')) throw new Error('no data for X');
        return subset.includes('B') && subset.length === 1 ? null : metric(subset, m);
      },
    });
    expect(r.subset).toEqual(['A', 'B']);
    const x = r.steps.find((s) => s.candidate === 'X' && s.round === 1)!;
    expect(x.metric).toBe(Number.NEGATIVE_INFINITY);
    expect(x.error).toBe('no data for X');
  });
  it('ties go to the earlier candidate, and a maximum subset size is respected', async () => {
    const r = await greedyPortfolioSearch({ candidates: ['P', 'Q', 'R'], maxPositions: [3], evaluate: async (s) => s.length, maxSubsetSize: 2 });
    expect(r.subset).toEqual(['P', 'Q']);
  });
  it('rejects bad options, naming them', async () => {
    await expect(greedyPortfolioSearch({ candidates: [], maxPositions: [1], evaluate: metric })).rejects.toThrow(/'candidates'/);
    await expect(greedyPortfolioSearch({ candidates: ['A', 'A'], maxPositions: [1], evaluate: metric })).rejects.toThrow(/duplicates/);
    await expect(greedyPortfolioSearch({ candidates: ['A'], maxPositions: [0], evaluate: metric })).rejects.toThrow(/'maxPositions\[0\]'/);
  });
});
