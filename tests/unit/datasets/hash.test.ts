import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { datasetContentHash, TableHasher } from '../../../datasets/index.js';

function tableHash(cols: Record<string, number[] | string[]>, kind: 'bars' | 'options' = 'bars', symbol = 'X'): string {
  const h = new TableHasher(kind, symbol);
  h.update(cols, (cols['ts'] as number[]).length);
  return h.digest();
}
const BARS = { ts: [1, 2], open: [1, 2], high: [1, 2], low: [1, 2], close: [1, 2], volume: [0, 0] };

describe('content hash', () => {
  it('follows the documented serialization: Float64 LE column digests, then kind, symbol, rows and columns', () => {
    const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
    const f64le = (xs: number[]) => {
      const b = new Uint8Array(xs.length * 8);
      xs.forEach((x, i) => new DataView(b.buffer).setFloat64(i * 8, x, true));
      return b;
    };
    let text = 'tapedeck.table.v1\0bars\0X\x002\0';
    for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume']) {
      text += `${c}\0${c === 'ts' ? 'ts' : 'f64'}\0${sha(f64le(BARS[c as keyof typeof BARS]))}\0`;
    }
    expect(tableHash(BARS)).toBe(sha(text));
    expect(datasetContentHash([{ kind: 'bars', symbol: 'X', contentHash: sha(text) }])).toBe(sha(`tapedeck.dataset.v1\0bars\0X\0${sha(text)}\0`));
  });

  it('differs when the symbol, a value, -0 vs 0 or row order differs', () => {
    const base = tableHash(BARS);
    expect(tableHash(BARS, 'bars', 'Y')).not.toBe(base);
    expect(tableHash({ ...BARS, volume: [0, 1e-300] })).not.toBe(base);
    expect(tableHash({ ...BARS, volume: [0, -0] })).not.toBe(base);
    expect(tableHash({ ...BARS, ts: [2, 1] })).not.toBe(base);
  });

  it('hashes every NaN payload alike', () => {
    const odd = new Float64Array(new BigUint64Array([0x7ff8000000000001n]).buffer)[0]!;
    const greeks = (x: number) => ({ ts: [1], underlying: ['U'], expiry: [2], strike: [1], right: [1], bid: [1], ask: [1], last: [1], volume: [1], openInterest: [1], iv: [x], delta: [x], gamma: [x], vega: [x], theta: [x] });
    expect(tableHash(greeks(odd), 'options')).toBe(tableHash(greeks(Number.NaN), 'options'));
  });

  it('orders tables by kind and symbol, so the dataset hash ignores the order tables are listed in', () => {
    const t = [
      { kind: 'bars', symbol: 'B', contentHash: 'b' },
      { kind: 'bars', symbol: 'A', contentHash: 'a' },
      { kind: 'trades', symbol: 'A', contentHash: 'c' },
    ];
    expect(datasetContentHash(t)).toBe(datasetContentHash([t[2]!, t[0]!, t[1]!]));
    expect(datasetContentHash(t)).not.toBe(datasetContentHash([{ ...t[0]!, contentHash: 'x' }, t[1]!, t[2]!]));
  });
});
