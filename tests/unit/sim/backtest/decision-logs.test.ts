import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, Signal } from '../../../../engine/model/index.js';
import { AuditLog, SignalLog } from '../../../../sim/backtest/decision-logs.js';

/** The record as JSON would see it, and its keys in order (a key present with undefined included). */
function exactly(x: object): [string[], unknown[]] {
  const keys = Object.keys(x);
  return [keys, keys.map((k) => (x as Record<string, unknown>)[k])];
}

const text = fc.constantFrom('AAA', 'BBB', 'sma', 'ens', 'SMA(10) crossed above SMA(20)', 'a denial naming 100 at 101.5');
const num = fc.oneof(fc.double(), fc.constantFrom(-0, 0, 1, -1, Number.NaN));

/** A record of random fields of `fields`, in a random order, some present with undefined. */
function shuffled(fields: Record<string, fc.Arbitrary<unknown>>, required: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const optional = Object.keys(fields).filter((k) => !required.includes(k));
  return fc
    .record({
      values: fc.record(fields),
      present: fc.subarray(optional),
      undefinedOnes: fc.subarray(optional),
      order: fc.shuffledSubarray(Object.keys(fields), { minLength: Object.keys(fields).length }),
    })
    .map(({ values, present, undefinedOnes, order }) => {
      const out: Record<string, unknown> = {};
      for (const k of order) {
        if (required.includes(k) || present.includes(k)) out[k] = values[k];
        else if (undefinedOnes.includes(k)) out[k] = undefined;
      }
      return out;
    });
}

const signal = shuffled({ ts: num, strategyId: text, symbol: text, direction: fc.constantFrom(-1, 0, 1, -0), strength: num, confidence: num, reason: text, metadata: fc.dictionary(text, fc.oneof(num, text, fc.constant(null))) }, [
  'ts',
  'strategyId',
  'symbol',
  'direction',
  'strength',
  'confidence',
]);
const audit = shuffled({ ts: num, kind: text, message: text, strategyId: text, symbol: text, orderId: text, details: fc.dictionary(text, num) }, ['ts', 'kind', 'message']);

describe('SignalLog and AuditLog', () => {
  it('list every record as recorded: its keys in order, present-but-undefined ones included, its values to the bit (property)', () => {
    fc.assert(
      fc.property(fc.array(signal, { maxLength: 30 }), fc.array(audit, { maxLength: 30 }), (signals, entries) => {
        const s = new SignalLog();
        for (const x of signals) s.push(x as unknown as Signal);
        const a = new AuditLog();
        for (const x of entries) a.push(x as unknown as AuditEntry);
        expect(s.length).toBe(signals.length);
        expect(a.length).toBe(entries.length);
        // Object.is per value: -0 and NaN kept.
        s.list().forEach((x, i) => {
          const [keys, values] = exactly(x);
          const [wantKeys, wantValues] = exactly(signals[i]!);
          expect(keys).toEqual(wantKeys);
          values.forEach((v, j) => expect(Object.is(v, wantValues[j]) || v === wantValues[j]).toBe(true));
        });
        a.list().forEach((x, i) => {
          const [keys, values] = exactly(x);
          const [wantKeys, wantValues] = exactly(entries[i]!);
          expect(keys).toEqual(wantKeys);
          values.forEach((v, j) => expect(Object.is(v, wantValues[j]) || v === wantValues[j]).toBe(true));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('keep a record with a key or a value type they have no column for whole', () => {
    const s = new SignalLog();
    const odd = { ts: 1, strategyId: 's', symbol: 'AAA', direction: 1, strength: 1, confidence: 1, extra: 'kept' } as unknown as Signal;
    const numericId = { ts: 2, strategyId: 7, symbol: 'AAA', direction: 1, strength: 1, confidence: 1 } as unknown as Signal;
    s.push(odd);
    s.push({ ts: 3, strategyId: 's', symbol: 'AAA', direction: -1, strength: 0.5, confidence: 1 } as Signal);
    s.push(numericId);
    const list = s.list();
    expect(list[0]).toBe(odd);
    expect(list[1]).toEqual({ ts: 3, strategyId: 's', symbol: 'AAA', direction: -1, strength: 0.5, confidence: 1 });
    expect(list[2]).toBe(numericId);
    const a = new AuditLog();
    const e = { ts: 1, kind: 'k', message: 'm', orderId: 12 } as unknown as AuditEntry;
    a.push(e);
    a.push({ ts: 2, kind: 'k', message: 'n' });
    expect(a.list()[0]).toBe(e);
    expect(a.list()[1]).toEqual({ ts: 2, kind: 'k', message: 'n' });
  });

  it('start empty again when cleared', () => {
    const s = new SignalLog();
    s.push({ ts: 1, strategyId: 's', symbol: 'AAA', direction: 1, strength: 1, confidence: 1, metadata: { filter: 'pass' } } as unknown as Signal);
    s.clear();
    s.push({ ts: 2, strategyId: 's', symbol: 'AAA', direction: 1, strength: 1, confidence: 1 } as unknown as Signal);
    expect(s.list()).toEqual([{ ts: 2, strategyId: 's', symbol: 'AAA', direction: 1, strength: 1, confidence: 1 }]);
    expect('metadata' in s.list()[0]!).toBe(false);
    const a = new AuditLog();
    a.push({ ts: 1, kind: 'k', message: 'm', details: { x: 1 } });
    a.clear();
    a.push({ ts: 2, kind: 'k', message: 'n' });
    expect(a.list()).toEqual([{ ts: 2, kind: 'k', message: 'n' }]);
  });
});
