import { describe, expect, it } from 'vitest';
import { schemaFields } from '../../../scenarios/schema-fields.js';
import { DEFAULT_VENUE_CONFIG } from '../../../sim/venue/index.js';

describe('schemaFields', () => {
  const fields = schemaFields();
  const one = (path: string, when: Record<string, unknown> = {}) => {
    const found = fields.filter((f) => f.path === path && JSON.stringify(f.when) === JSON.stringify(when));
    expect(found, path).toHaveLength(1);
    return found[0]!;
  };

  it('lists plain fields with their type, default and description', () => {
    expect(one('engine.lookback')).toMatchObject({ type: 'integer', hasDefault: true, default: 1024, required: false });
    expect(one('engine.tradeFrom')).toMatchObject({ type: 'string', hasDefault: false });
    expect(one('name')).toMatchObject({ type: 'string', required: true, hasDefault: false });
    expect(one('seed').default).toBe(1);
    expect(one('risk.reducingAlwaysAllowed')).toMatchObject({ type: 'boolean', default: true });
    expect(one('risk.maxDrawdown').description).toMatch(/fraction in \(0, 1\)/);
  });

  it("takes the venue defaults from the owner's constants and lists enum values", () => {
    const f = one('venue.marketFill');
    expect(f.default).toBe(DEFAULT_VENUE_CONFIG.marketFill);
    expect(f.values).toEqual(['next_open', 'close']);
    expect(one('venue.queue')).toMatchObject({ type: 'union', default: { kind: 'risk-averse' } });
    expect(one('venue.queue').description).toMatch(/^L2 only\./);
    expect(one('venue.lotSize').description).toMatch(/^Bar\/L1 only\./);
  });

  it('lists each union variant field with the discriminator value that selects it', () => {
    expect(one('venue.fees.rate', { 'venue.fees.kind': 'fraction' })).toMatchObject({ type: 'number', required: true, hasDefault: false });
    expect(one('venue.fees.minimum', { 'venue.fees.kind': 'bps' })).toMatchObject({ default: 0, required: false });
    expect(one('strategies[].execution.sessions', { 'strategies[].execution.algo': 'vwap' }).default).toBe(5);
    expect(one('venue.latency.entry.us', { 'venue.latency.entry.kind': 'constant' }).type).toBe('number');
    // A field of no variant of that kind is not invented.
    expect(fields.some((f) => f.path === 'venue.fees.rate' && f.when['venue.fees.kind'] === 'bps')).toBe(false);
  });

  it('covers nullable sections, records and arrays; every field described, every (path, variant) once', () => {
    expect(one('ensemble.adaptive')).toMatchObject({ type: 'object|null', default: null });
    expect(one('ensemble.adaptive').description).not.toBe('');
    expect(one('instruments.*.params').type).toBe('object');
    expect(one('strategies[].type').required).toBe(true);
    expect(fields.filter((f) => f.description === '')).toEqual([]);
    const keys = fields.map((f) => `${f.path} ${JSON.stringify(f.when)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(fields.length).toBeGreaterThan(250);
  });
});
