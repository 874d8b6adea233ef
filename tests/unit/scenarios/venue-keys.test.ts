import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../../cli/compose/load-scenario.js';
import { schemaFields } from '../../../scenarios/schema-fields.js';
import { BAR_VENUE_KEYS, L2_VENUE_KEYS, VenueSchema } from '../../../sim/venue/index.js';

/**
 * One `venue` object holds the keys of both venues (the published schema documents which is which);
 * a run refuses, by path, a key of the venue it does not use instead of ignoring it.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(`${tmpdir()}/tapedeck-venue-keys-`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scenario = (data: Record<string, unknown>, venue: Record<string, unknown>) => ({ name: 'v', data, strategies: [{ type: 'sma_cross' }], venue });

describe('venue keys by run kind', () => {
  it('the schema has exactly the bar/L1 keys and the L2 keys, each documented as such', () => {
    expect(Object.keys(VenueSchema.shape).sort()).toEqual([...new Set([...BAR_VENUE_KEYS, ...L2_VENUE_KEYS])].sort());
    const described = (k: string): string => schemaFields().find((f) => f.path === `venue.${k}`)!.description;
    for (const k of BAR_VENUE_KEYS.filter((k) => !(L2_VENUE_KEYS as readonly string[]).includes(k))) expect(described(k), k).toMatch(/^Bar\/L1 only\./);
    for (const k of L2_VENUE_KEYS.filter((k) => !(BAR_VENUE_KEYS as readonly string[]).includes(k))) expect(described(k), k).toMatch(/^L2 only\./);
  });

  it('a bar run refuses an L2 key at its path, and an L2 run a bar key', async () => {
    await expect(qualify(scenario({ bars: dir }, { queue: { kind: 'prob' } }), 'bar.json')).rejects.toThrow(/^venue\.queue: unknown key \(allowed: marketFill, .*\) \(in bar\.json\)$/);
    await expect(qualify(scenario({ bars: dir }, { latency: { entry: { kind: 'constant', us: 5 } } }), 'bar.json')).rejects.toThrow(/^venue\.latency: unknown key/);
    await expect(qualify(scenario({ book: dir }, { marketFill: 'close' }), 'l2.json')).rejects.toThrow(/^venue\.marketFill: unknown key \(allowed: tickSize, .*\) \(in l2\.json\)$/);
    await expect(qualify(scenario({ book: dir }, { queue: { kind: 'prob', n: 2 }, latency: { entry: { kind: 'constant', us: 5 } }, tickSize: 0.05 }), 'l2.json')).resolves.toBeDefined();
    // A bar run's tickSize only checks prices with enforceTickSize (plan-rules.ts refuses it alone).
    await expect(qualify(scenario({ bars: dir }, { marketFill: 'close', fees: { kind: 'bps', bps: 1 }, tickSize: 0.05, enforceTickSize: true }), 'bar.json')).resolves.toBeDefined();
  });
});
