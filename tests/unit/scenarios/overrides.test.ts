import { describe, expect, it } from 'vitest';
import { TapedeckError } from '../../../engine/core/index.js';
import { applyOverride, parseOverride, parsePath } from '../../../scenarios/overrides.js';

/** Own keys of Object.prototype and whether `x` reads through it, to see a prototype write. */
function prototypeIsClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return Object.getOwnPropertyNames(Object.prototype).every((k) => ['constructor', '__proto__', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__'].includes(k)) && probe.x === undefined && probe.polluted === undefined;
}

const doc = () => ({ name: 's', data: { bars: 'x.csv' }, strategies: [{ type: 'sma_cross', params: {} }, { type: 'ema_cross', params: {} }] });

describe('--set overrides', () => {
  it.each(['__proto__.x=1', 'constructor.prototype.x=1', 'strategies.0.__proto__.polluted=1', 'data[__proto__]=1', 'a.prototype=1', 'strategies[0].constructor.prototype.polluted=true'])(
    'D10: --set %s is a usage error naming the flag, and Object.prototype is untouched',
    (text) => {
      let caught: unknown;
      try {
        applyOverride(doc(), parseOverride(text));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(TapedeckError);
      expect((caught as TapedeckError).code).toBe('usage');
      expect((caught as Error).message).toContain(`--set ${text}`);
      expect((caught as Error).message).toMatch(/not allowed/);
      expect((caught as Error).message.split('\n')).toHaveLength(1);
      expect(prototypeIsClean()).toBe(true);
    },
  );

  it('D10: a value holding a __proto__ key sets no prototype', () => {
    const out = applyOverride(doc(), parseOverride('strategies.0.params={"__proto__":{"polluted":1}}')) as ReturnType<typeof doc>;
    expect(prototypeIsClean()).toBe(true);
    expect(Object.getPrototypeOf(out.strategies[0]!.params)).toBe(Object.prototype);
  });

  it('D14: an index past the end of an array names the path the user wrote and the array length, as a usage error', () => {
    let caught: unknown;
    try {
      applyOverride(doc(), parseOverride('strategies.5.params.fast=3'));
    } catch (err) {
      caught = err;
    }
    expect((caught as TapedeckError).code).toBe('usage');
    expect((caught as Error).message).toBe('--set strategies.5.params.fast=3: strategies has 2 entries');
  });

  it('D14: the next index appends an entry; a key on an array is refused', () => {
    const out = applyOverride(doc(), parseOverride('strategies.2.type=rsi_reversion')) as ReturnType<typeof doc>;
    expect(out.strategies).toHaveLength(3);
    expect(() => applyOverride(doc(), parseOverride('strategies.first.type=x'))).toThrow(/--set strategies\.first\.type=x: strategies is an array/);
  });

  it('malformed paths and texts are usage errors naming --set', () => {
    for (const text of ['no-equals', '=1', 'a..b=1', 'a.=1', '.a=1']) {
      let caught: unknown;
      try {
        applyOverride(doc(), parseOverride(text));
      } catch (err) {
        caught = err;
      }
      expect((caught as TapedeckError).code, text).toBe('usage');
      expect((caught as Error).message, text).toMatch(/^--set/);
    }
    expect(parsePath('strategies[0].params.fast')).toEqual(['strategies', 0, 'params', 'fast']);
  });
});
