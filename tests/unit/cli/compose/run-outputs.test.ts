import { describe, expect, it } from 'vitest';
import { constantColumns } from '../../../../cli/compose/run-outputs.js';

describe('constantColumns', () => {
  it('finds the columns of one value: the same double (NaN, the sign of zero), the same string or null', () => {
    const columns = {
      price: Float64Array.of(1.5, 1.5, 2),
      nan: Float64Array.of(Number.NaN, Number.NaN, Number.NaN),
      zero: Float64Array.of(0, 0, 0),
      signed: Float64Array.of(0, -0, 0),
      negative: Float64Array.of(-0, -0, -0),
      symbol: ['AAA', 'AAA', 'AAA'],
      tag: [null, null, null],
      side: ['buy', 'sell', 'buy'],
      partly: [null, 'x', null],
    };
    const found = constantColumns(columns, 3);
    expect(Object.keys(found)).toEqual(['nan', 'zero', 'negative', 'symbol', 'tag']);
    expect(found['nan']).toBeNaN();
    expect(Object.is(found['negative'], -0)).toBe(true);
    expect(Object.is(found['zero'], 0)).toBe(true);
    expect(found['symbol']).toBe('AAA');
    expect(found['tag']).toBeNull();
  });

  it('reads only the first n rows, leaves the first column staged when every column is constant, and finds none in an empty table', () => {
    expect(constantColumns({ a: Float64Array.of(1, 1, 9), b: ['x', 'x', 'y'] }, 2)).toEqual({ b: 'x' });
    expect(constantColumns({ a: Float64Array.of(1, 2), b: ['x', 'x'] }, 2)).toEqual({ b: 'x' });
    expect(constantColumns({ a: Float64Array.of(), b: [] }, 0)).toEqual({});
  });
});
