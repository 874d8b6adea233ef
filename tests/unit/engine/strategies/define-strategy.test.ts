import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidArgumentError } from '../../../../engine/core/index.js';
import { defineStrategy, isDefinedStrategy, STRATEGIES } from '../../../../engine/strategies/index.js';
import type { StrategyContext, StrategyInit } from '../../../../engine/strategies/index.js';

const breakout = defineStrategy({
  name: 'breakout',
  description: 'test strategy',
  defaults: { lookback: 20, units: 100, tag: 'x' },
  params: z.object({ lookback: z.number().int().min(2), units: z.number().positive(), tag: z.string() }),
  warmup: (p) => ({ bars: p.lookback + 1, because: `lookback=${p.lookback}` }),
  create: () => ({ onBar() {} }),
});

describe('defineStrategy', () => {
  it('overlays the scenario params on the defaults and validates the result with the zod schema', () => {
    expect(breakout.qualifyParams({ lookback: 5 })).toEqual({ lookback: 5, units: 100, tag: 'x' });
    expect(breakout.qualifyParams()).toEqual({ lookback: 20, units: 100, tag: 'x' });
    expect(breakout.defaults).toEqual({ lookback: 20, units: 100, tag: 'x' });
    expect(breakout.warmup!({ lookback: 7 })).toEqual({ bars: 8, because: 'lookback=7' });
  });

  it('takes a check function as `params` (the built-ins do): it gets every parameter and its errors pass through as they are', () => {
    const seen: unknown[] = [];
    const checked = defineStrategy({
      name: 'checked',
      description: 'test strategy',
      defaults: { period: 10, units: 1 },
      params: (p) => {
        seen.push(p);
        if (!Number.isInteger(p.period) || p.period < 1) throw new InvalidArgumentError(`invalid 'period': not a positive integer, was ${String(p.period)}`);
        return Object.freeze({ ...p });
      },
      create: () => ({ onBar() {} }),
    });
    expect(checked.qualifyParams({ units: 3 })).toEqual({ period: 10, units: 3 });
    expect(seen).toEqual([{ period: 10, units: 3 }]);
    expect(Object.isFrozen(checked.qualifyParams())).toBe(true);
    expect(() => checked.qualifyParams({ period: 0 })).toThrow(new InvalidArgumentError("invalid 'period': not a positive integer, was 0"));
    expect(() => checked.qualifyParams({ perod: 3 })).toThrow("invalid parameter 'perod' for checked: unknown (known: period, units)");
    expect(() => defineStrategy({ name: 'x', description: '', defaults: {}, params: 5 as never, create: () => ({}) })).toThrow("defineStrategy(x): invalid 'params': expected a zod schema or a function (params) => params");
  });

  it('refuses an unknown key, naming it and the known ones', () => {
    expect(() => breakout.qualifyParams({ lokback: 5 })).toThrow(new InvalidArgumentError("invalid parameter 'lokback' for breakout: unknown (known: lookback, units, tag)"));
  });

  it("turns the schema's first issue into `invalid 'NAME': message, was VALUE`", () => {
    expect(() => breakout.qualifyParams({ lookback: 1 })).toThrow(/^invalid 'lookback': .*2.*, was 1$/);
    expect(() => breakout.qualifyParams({ units: -3 })).toThrow(/^invalid 'units': .*, was -3$/);
    expect(() => breakout.qualifyParams({ tag: 4 })).toThrow(/^invalid 'tag': .*, was 4$/);
    // create validates the same way before any user code runs
    let created = 0;
    const counted = defineStrategy({ name: 'counted', description: '', defaults: { n: 1 }, params: z.object({ n: z.number().min(1) }), create: () => (created++, {}) });
    expect(() => counted.create('c', ['AAA'], { n: 0 })).toThrow(/^invalid 'n': /);
    expect(created).toBe(0);
  });

  it('gives create the id, the symbols (frozen) and the qualified params; the instance carries the id and symbols', () => {
    const seen: StrategyInit<{ k: number }>[] = [];
    const calls: string[] = [];
    const d = defineStrategy({
      name: 'probe',
      description: 'records what it is given',
      defaults: { k: 1 },
      create: (init) => {
        seen.push(init);
        return { onBar: (ctx: StrategyContext) => void calls.push(String(ctx.now)) };
      },
    });
    const s = d.create('probe-1', ['AAA', 'BBB'], { k: 3 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.id).toBe('probe-1');
    expect(seen[0]!.symbols).toEqual(['AAA', 'BBB']);
    expect(Object.isFrozen(seen[0]!.symbols)).toBe(true);
    expect(seen[0]!.params).toEqual({ k: 3 });
    expect(s.id).toBe('probe-1');
    expect(s.symbols).toEqual(['AAA', 'BBB']);
    s.onBar!({ now: 42 } as unknown as StrategyContext, {} as never);
    expect(calls).toEqual(['42']);
  });

  it('wraps a frozen handler object, keeping `this` bound to it', () => {
    const handlers = Object.freeze({
      hits: [] as number[],
      onBar(this: { hits: number[] }) {
        this.hits.push(1);
      },
    });
    const d = defineStrategy({ name: 'frozen', description: '', defaults: {}, create: () => handlers });
    const s = d.create('f', ['AAA']);
    expect(s).not.toBe(handlers);
    expect(s.id).toBe('f');
    expect(s.symbols).toEqual(['AAA']);
    s.onBar!({} as StrategyContext, {} as never);
    s.onBar!({} as StrategyContext, {} as never);
    expect(handlers.hits).toEqual([1, 1]);
  });

  it('refuses a malformed spec and a create that returns no object', () => {
    expect(() => defineStrategy({ name: '9lives', description: '', defaults: {}, create: () => ({}) })).toThrow(/^defineStrategy: invalid 'name'/);
    expect(() => defineStrategy({ name: 'x', description: '', defaults: [] as never, create: () => ({}) })).toThrow(/invalid 'defaults'/);
    const bad = defineStrategy({ name: 'bad', description: '', defaults: {}, create: () => null as never });
    expect(() => bad.create('b', ['AAA'])).toThrow('strategy bad: create() must return an object of callbacks (onBar, onTrade, ...), returned null');
  });

  it('isDefinedStrategy tells a defineStrategy result (every built-in is one) from anything else', () => {
    expect(isDefinedStrategy(breakout)).toBe(true);
    expect(isDefinedStrategy(STRATEGIES.sma_cross)).toBe(true);
    expect(isDefinedStrategy({ description: 'x', defaults: {}, create() {} })).toBe(false);
    expect(isDefinedStrategy({ ...breakout })).toBe(true); // the brand is a registered symbol, it survives copies
    expect(isDefinedStrategy(null)).toBe(false);
    expect(isDefinedStrategy({ name: 'x', create() {} })).toBe(false);
  });
});
