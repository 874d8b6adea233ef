import { readFile, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO_JSON_SCHEMA_FILE, scenarioJsonSchema, scenarioJsonSchemaText } from '../../../scenarios/json-schema.js';
import { ScenarioSchema } from '../../../scenarios/schema.js';
import { schemaFields } from '../../../scenarios/schema-fields.js';
import { checkSchemaKeywords, validate } from '../../support/json-schema.js';

const REPO = resolve(import.meta.dirname, '../../..');

/** The shipped scenarios: every scenarios/*.json with a `name` (the *.space.json files are sweep spaces, the *.instruments.json files instrument universes). */
async function shippedScenarios(): Promise<{ file: string; doc: Record<string, unknown> }[]> {
  const dir = resolve(REPO, 'scenarios');
  const out = [];
  for (const f of (await readdir(dir)).sort()) {
    if (!f.endsWith('.json') || f.endsWith('.space.json') || f.endsWith('.instruments.json') || f === 'scenario.schema.json') continue;
    out.push({ file: f, doc: JSON.parse(await readFile(resolve(dir, f), 'utf8')) as Record<string, unknown> });
  }
  return out;
}

describe('scenarios/scenario.schema.json', () => {
  it('is what `npm run schema` generates from ScenarioSchema (fails when the committed file drifts)', async () => {
    const committed = await readFile(resolve(REPO, SCENARIO_JSON_SCHEMA_FILE), 'utf8');
    expect(committed).toBe(scenarioJsonSchemaText());
  });

  it('is well formed: only keywords it knows, every $ref resolves, every field described', () => {
    const schema = scenarioJsonSchema();
    expect(checkSchemaKeywords(schema)).toEqual([]);
    const undescribed = schemaFields(schema).filter((f) => f.description === '').map((f) => f.path);
    expect(undescribed).toEqual([]);
    // Every top-level scenario field is in it.
    expect(Object.keys(schema.properties as object).sort()).toEqual(Object.keys(ScenarioSchema.shape).sort());
  });

  it('every shipped scenario names it in "$schema", passes the JSON Schema and parses with ScenarioSchema', async () => {
    const schema = scenarioJsonSchema();
    const shipped = await shippedScenarios();
    expect(shipped.map((s) => s.file)).toEqual(['demo.json', 'ensemble-19.json', 'ensemble.json', 'futures.json', 'l2-demo.json', 'multi-alpha.json', 'options-demo.json', 'q-learning.json', 'quickstart.json', 'sma-cross.json']);
    for (const { file, doc } of shipped) {
      expect(doc.$schema, file).toBe('./scenario.schema.json');
      expect(validate(schema, doc), file).toBeNull();
      expect(ScenarioSchema.safeParse(doc).success, file).toBe(true);
    }
  });

  it('the JSON Schema refuses what ScenarioSchema refuses (unknown keys, wrong types, bad discriminators)', async () => {
    const schema = scenarioJsonSchema();
    const base = (await shippedScenarios()).find((s) => s.file === 'sma-cross.json')!.doc;
    const cases: [unknown, string][] = [
      [{ ...base, venue: { fees: { kind: 'fraction', rate: -0.1 } } }, '$.venue.fees.rate: below 0'],
      [{ ...base, venue: { queue: { kind: 'fifo' } } }, '$.venue.queue.kind: expected "risk-averse"'],
      [{ ...base, risk: { maxDrawdown: 1 } }, '$.risk.maxDrawdown: not below 1'],
      [{ ...base, execution: { algo: 'twap', slices: 3, parts: 2 } }, '$.execution.slices: unknown key'],
      [{ ...base, execution: { algo: 'iceberg' } }, '$.execution.algo: expected "direct"'],
      [{ ...base, engine: { lookback: 10, tradeFrom: 'yesterday' } }, '$.engine.tradeFrom: does not match'],
      [{ ...base, venue: { slippage: { kind: 'composite', parts: [{ kind: 'fixed_bps', bps: 'ten' }] } } }, '$.venue.slippage.parts[0].bps: expected number'],
      [{ ...base, colour: 'red' }, '$.colour: unknown key'],
    ];
    for (const [doc, message] of cases) {
      expect(validate(schema, doc)).toContain(message);
      expect(ScenarioSchema.safeParse(doc).success).toBe(false);
    }
  });
});
