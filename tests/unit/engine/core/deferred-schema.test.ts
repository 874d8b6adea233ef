import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { deferredSchema } from '../../../../engine/core/deferred-schema.js';

const Section = () => z.strictObject({ n: z.number().int().min(1).default(3), tag: z.string().optional() });

describe('deferredSchema', () => {
  it('builds its schema only when a value for it is parsed', () => {
    const build = vi.fn(Section);
    const Outer = z.strictObject({ section: deferredSchema(build).optional().describe('a section'), x: z.number().default(1) });
    expect(Outer.parse({})).toEqual({ x: 1 });
    expect(Outer.parse({ x: 2 })).toEqual({ x: 2 });
    expect(build).not.toHaveBeenCalled();
    expect(Outer.parse({ section: {} })).toEqual({ section: { n: 3 }, x: 1 });
    expect(Outer.parse({ section: { n: 5, tag: 'a' } })).toEqual({ section: { n: 5, tag: 'a' }, x: 1 });
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('reports the issues, and writes the JSON Schema, of the schema built at once', () => {
    const deferred = z.strictObject({ section: deferredSchema(Section).optional().describe('a section') });
    const eager = z.strictObject({ section: Section().optional().describe('a section') });
    for (const value of [{ section: { n: 0 } }, { section: { n: 'a', extra: 1 } }, { section: 3 }, { other: 1 }, {}]) {
      expect(deferred.safeParse(value)).toEqual(eager.safeParse(value));
    }
    expect(z.toJSONSchema(deferred)).toEqual(z.toJSONSchema(eager));
  });

  it('refuses, when built, a schema that accepts or produces undefined', () => {
    const Outer = z.strictObject({ section: deferredSchema(() => Section().optional()).optional() });
    expect(() => Outer.parse({ section: {} })).toThrow('deferredSchema: the schema accepts or produces undefined; make the field optional outside it');
    expect(() => z.strictObject({ section: deferredSchema(() => Section().default({ n: 1 })).optional() }).parse({ section: {} })).toThrow(/deferredSchema/);
  });
});

describe('the scenario sections built on first use', () => {
  it('are not built by parsing a scenario without them, and each builds when used', async () => {
    vi.resetModules();
    const sections = await import('../../../../scenarios/ensemble-schema.js');
    const { CalendarSchema, MetricsSectionSchema } = await import('../../../../scenarios/calendar-schema.js');
    const { PredictiveFilterSchema, PredictiveFiltersSchema } = await import('../../../../engine/models/predictive-filter-schema.js');
    const { StrategyAccountSchema } = await import('../../../../engine/portfolio/account-schema.js');
    const { SlippageSchema, QueueSchema, ImpactSchema, LatencySchema, L2LatencySchema } = await import('../../../../sim/venue/venue-schema.js');
    const { ScenarioSchema, OptionsSectionSchema } = await import('../../../../scenarios/schema.js');
    const ensembleSections = Object.entries(sections).filter(([name]) => name.endsWith('Schema'));
    expect(ensembleSections.map(([name]) => name).sort()).toEqual(['BundlesSectionSchema', 'EnsembleSectionSchema', 'InstrumentsFileSchema', 'InstrumentsSectionSchema', 'PortfolioSectionSchema', 'RegimesSectionSchema']);
    const deferred = [
      ...ensembleSections,
      ...Object.entries({ CalendarSchema, MetricsSectionSchema, PredictiveFilterSchema, PredictiveFiltersSchema, StrategyAccountSchema, SlippageSchema, QueueSchema, ImpactSchema, LatencySchema, L2LatencySchema, OptionsSectionSchema }),
    ] as [string, z.ZodLazy][];
    // zod keeps a z.lazy's built schema on its definition.
    const built = () => deferred.filter(([, s]) => (s._zod.def as { _cachedInner?: unknown })._cachedInner !== undefined).map(([name]) => name);
    const scenario = JSON.parse(readFileSync(new URL('../../../../scenarios/sma-cross.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(ScenarioSchema.safeParse(scenario).success).toBe(true);
    expect(built()).toEqual([]);
    expect(ScenarioSchema.safeParse({ ...scenario, bundles: { dir: 'b' } }).success).toBe(true);
    expect(built()).toEqual(['BundlesSectionSchema']);
    expect(ScenarioSchema.safeParse({ ...scenario, calendar: 'XNYS', venue: { slippage: { kind: 'fixed_bps', bps: 1 } } }).success).toBe(true);
    expect(built()).toEqual(['BundlesSectionSchema', 'CalendarSchema', 'SlippageSchema']);
    // Each section's schema passes deferredSchema's check when built.
    for (const [, schema] of deferred) expect(schema._zod.innerType).toBeInstanceOf(z.ZodType);
    expect(built()).toHaveLength(deferred.length);
  });
});
