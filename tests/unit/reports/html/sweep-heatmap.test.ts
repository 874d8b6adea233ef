import { describe, expect, it } from 'vitest';
import { buildHeatmap, heatmapAxes, parameterLabel, resolveParameterPath } from '../../../../reports/html/sweep-heatmap.js';
import { sampleSweep } from './sweep-fixture.js';

const FAST = 'strategies.0.params.fast';
const SLOW = 'strategies.0.params.slow';
const MODE = 'strategies.0.params.mode';

describe('resolveParameterPath', () => {
  const space = sampleSweep().space;

  it('takes an exact path or the last segment of exactly one path', () => {
    expect(resolveParameterPath(space, SLOW, 'x')).toBe(SLOW);
    expect(resolveParameterPath(space, 'fast', 'x')).toBe(FAST);
  });

  it('names the flag, the value and the paths for an unknown parameter', () => {
    expect(() => resolveParameterPath(space, 'speed', 'y')).toThrow(`invalid 'y': not a parameter of the sweep (${FAST}, ${SLOW}, ${MODE}), was "speed"`);
  });

  it('refuses a last segment shared by two paths', () => {
    const twin = { parameters: [...space.parameters, { kind: 'int' as const, path: 'strategies.1.params.fast', min: 1, max: 2, step: 1 }], constraints: [] };
    expect(() => resolveParameterPath(twin, 'fast', 'x')).toThrow(/ambiguous, matches strategies\.0\.params\.fast, strategies\.1\.params\.fast/);
  });
});

describe('heatmapAxes', () => {
  it('defaults to the first two numeric parameters', () => {
    const space = { parameters: [sampleSweep().space.parameters[2]!, ...sampleSweep().space.parameters.slice(0, 2)], constraints: [] };
    expect(heatmapAxes(space)).toEqual({ x: FAST, y: SLOW });
  });

  it('fills the axis not chosen with the first other parameter, and refuses the same one twice', () => {
    const space = sampleSweep().space;
    expect(heatmapAxes(space, { x: 'slow' })).toEqual({ x: SLOW, y: FAST });
    expect(heatmapAxes(space, { y: 'fast', x: 'mode' })).toEqual({ x: MODE, y: FAST });
    expect(() => heatmapAxes(space, { x: 'fast', y: FAST })).toThrow(/same parameter as 'x'/);
  });

  it('returns null for a single-parameter space', () => {
    expect(heatmapAxes({ parameters: [sampleSweep().space.parameters[0]!], constraints: [] })).toBeNull();
  });
});

describe('buildHeatmap', () => {
  it('shows, per cell, the metric of the highest-fitness trial among the other parameters', () => {
    const hm = buildHeatmap(sampleSweep().trials, FAST, SLOW, 'fitness');
    expect(hm.xValues).toEqual([5, 10]);
    expect(hm.yValues).toEqual([20, 30]);
    expect(hm.aggregated).toBe(true);
    // long_only adds 0.5, so it wins every cell: fast / 10 + slow / 100 + 0.5.
    expect(hm.cells.map((c) => [c.xi, c.yi, c.value, c.trials, c.failed])).toEqual([
      [0, 0, 0.5 + 0.2 + 0.5, 2, 0],
      [1, 0, 1 + 0.2 + 0.5, 2, 1],
      [0, 1, 0.5 + 0.3 + 0.5, 2, 0],
      [1, 1, 1 + 0.3 + 0.5, 2, 0],
    ]);
  });

  it('takes another metric from the same chosen trial', () => {
    const hm = buildHeatmap(sampleSweep().trials, FAST, SLOW, 'totalReturn');
    expect(hm.cells[3]!.value).toBeCloseTo(0.18, 12);
  });

  it('gives a cell whose trials all failed a null value, keeping its counts', () => {
    const hm = buildHeatmap(sampleSweep().trials, FAST, MODE, 'fitness');
    expect(hm.xValues).toEqual([5, 10]);
    expect(hm.yValues).toEqual(['long_only', 'long_short']);
    const cell = hm.cells.find((c) => c.xi === 1 && c.yi === 1)!;
    // (10, long_short): slow 20 failed, slow 30 ran.
    expect(cell).toMatchObject({ trials: 2, failed: 1, value: 1 + 0.3 });
    const onlyFailed = buildHeatmap(sampleSweep().trials.filter((t) => !(t.params[SLOW] === 30 && t.params[FAST] === 10 && t.params[MODE] === 'long_short')), FAST, MODE, 'fitness');
    expect(onlyFailed.cells.find((c) => c.xi === 1 && c.yi === 1)).toMatchObject({ value: null, trialKey: null, trials: 1, failed: 1 });
  });
});

describe('parameterLabel', () => {
  it('uses the last segment unless another parameter shares it', () => {
    expect(parameterLabel([{ path: 'a.fast' }, { path: 'a.slow' }], 'a.fast')).toBe('fast');
    expect(parameterLabel([{ path: 'a.fast' }, { path: 'b.fast' }], 'b.fast')).toBe('b.fast');
  });
});
