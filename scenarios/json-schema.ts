import { z } from 'zod';
import { ScenarioSchema } from './schema.js';

/** Where the published JSON Schema of scenario files lives, relative to the repository root. */
export const SCENARIO_JSON_SCHEMA_FILE = 'scenarios/scenario.schema.json';

/**
 * Returns the JSON Schema (draft 2020-12) of scenario files, generated from {@link ScenarioSchema}
 * by zod: the input side (a field with a default is optional and shows its `default`), every field
 * with its description. Editors complete and check a scenario through its `"$schema"` key.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ScenarioSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, title: 'Tapedeck scenario' };
}

/** The file's text: {@link scenarioJsonSchema} as 2-space JSON with a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
