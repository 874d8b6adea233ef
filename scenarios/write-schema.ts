import { rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIO_JSON_SCHEMA_FILE, scenarioJsonSchemaText } from './json-schema.js';

/**
 * `npm run schema`: writes scenarios/scenario.schema.json from the zod schema (staged, then renamed
 * into place). tests/unit/scenarios/schema-json.test.ts fails when the committed file drifts.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(root, SCENARIO_JSON_SCHEMA_FILE);
await writeFile(`${target}.tmp`, scenarioJsonSchemaText());
await rename(`${target}.tmp`, target);
process.stdout.write(`wrote ${SCENARIO_JSON_SCHEMA_FILE}\n`);
