import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../engine/core/index.js';
import { describeRiskConfig, RiskEngine, validateRiskConfig, type RiskConfig } from '../../../../engine/risk/index.js';

function errorOf(config: unknown, path?: string): ConfigError {
  try {
    validateRiskConfig(config as RiskConfig, path);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('validateRiskConfig', () => {
  it('rejects a negative limit, naming the path and the value', () => {
    const e = errorOf({ maxPositionUnits: -5 });
    expect(e.path).toBe('risk.maxPositionUnits');
    expect(e.message).toBe('risk.maxPositionUnits: must be a positive finite number, was -5');
  });

  it('rejects a zero daily loss limit', () => {
    expect(errorOf({ dailyLossLimit: 0 }).message).toBe('risk.dailyLossLimit: must be a positive finite number, was 0');
  });

  it('rejects a non-finite notional limit', () => {
    expect(errorOf({ maxOrderNotional: Number.POSITIVE_INFINITY }).path).toBe('risk.maxOrderNotional');
  });

  it.each([0, 1, 1.5, -0.1, Number.NaN])('rejects maxDrawdown %s outside (0, 1)', (dd) => {
    const e = errorOf({ maxDrawdown: dd });
    expect(e.path).toBe('risk.maxDrawdown');
    expect(e.message).toContain('must be a fraction in (0, 1)');
  });

  it('rejects a fractional maxOpenPositions', () => {
    expect(errorOf({ maxOpenPositions: 1.5 }).message).toBe('risk.maxOpenPositions: must be a positive integer, was 1.5');
  });

  it('rejects drawdownResetAfterUs without maxDrawdown', () => {
    expect(errorOf({ drawdownResetAfterUs: 1_000_000 }).message).toBe(
      'risk.drawdownResetAfterUs: is set but maxDrawdown is not: there is no drawdown halt to reset',
    );
  });

  it('rejects an empty or duplicated allowedSymbols list', () => {
    expect(errorOf({ allowedSymbols: [] }).path).toBe('risk.allowedSymbols');
    expect(errorOf({ allowedSymbols: ['ES', 'CL', 'ES'] }).message).toBe('risk.allowedSymbols[2]: duplicate symbol "ES"');
  });

  it('rejects an unknown key, listing the known ones', () => {
    const e = errorOf({ maxPosition: 5 });
    expect(e.path).toBe('risk.maxPosition');
    expect(e.message).toContain('unknown risk limit (known: maxPositionUnits,');
  });

  it('uses the given path prefix', () => {
    expect(errorOf({ maxOrderUnits: -1 }, 'strategies[0].risk').path).toBe('strategies[0].risk.maxOrderUnits');
  });

  it('accepts maxOrderUnits above maxPositionUnits', () => {
    expect(validateRiskConfig({ maxOrderUnits: 500, maxPositionUnits: 100 }).maxOrderUnits).toBe(500);
  });

  it('applies the reducingAlwaysAllowed default and freezes the result', () => {
    const c = validateRiskConfig({ allowedSymbols: ['ES'] });
    expect(c.reducingAlwaysAllowed).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.allowedSymbols)).toBe(true);
  });

  it('is applied by the RiskEngine constructor', () => {
    expect(() => new RiskEngine({ maxDrawdown: 2 })).toThrow(ConfigError);
  });
});

describe('describeRiskConfig', () => {
  it('states each limit in force in words', () => {
    const lines = describeRiskConfig(validateRiskConfig({ maxPositionUnits: 100, dailyLossLimit: 2500, maxDrawdown: 0.2 }));
    expect(lines).toEqual([
      'No position may exceed 100 units in absolute value, counting working orders on the same side as filled.',
      'A loss of 2500 from the equity at the start of the UTC day halts new risk until the next UTC day.',
      'A drawdown of 20% from the equity peak halts new risk for the rest of the run.',
      'Orders that only reduce a position always pass, even while new risk is halted. An order that breaks a limit is denied whole, never clipped.',
    ]);
  });

  it('says so when no limit applies', () => {
    expect(describeRiskConfig(validateRiskConfig({}))).toEqual(['No pre-trade risk limit applies.']);
  });
});
