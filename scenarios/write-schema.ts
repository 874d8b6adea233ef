import { rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportJsonSchemaText } from '../reports/report-schema.js';
import { sweepJsonSchemaText, walkForwardJsonSchemaText } from '../reports/research-schema.js';
import { SCENARIO_JSON_SCHEMA_FILE, scenarioJsonSchemaText } from './json-schema.js';

/**
 * `npm run schema`: writes the JSON Schemas generated from the zod schemas, each staged then renamed
 * into place: scenarios/scenario.schema.json (tests/unit/scenarios/schema-json.test.ts fails when the
 * committed file drifts), reports/report.schema.json (tests/integration/report-cli.test.ts) and
 * reports/sweep.schema.json and reports/walkforward.schema.json (tests/unit/reports/research-schema.test.ts).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_JSON_SCHEMA_FILE = 'reports/report.schema.json';
for (const [file, text] of [
  [SCENARIO_JSON_SCHEMA_FILE, scenarioJsonSchemaText()],
  [REPORT_JSON_SCHEMA_FILE, reportJsonSchemaText()],
  ['reports/sweep.schema.json', sweepJsonSchemaText()],
  ['reports/walkforward.schema.json', walkForwardJsonSchemaText()],
] as const) {
  const target = resolve(root, file);
  await writeFile(`${target}.tmp`, text);
  await rename(`${target}.tmp`, target);
  process.stdout.write(`wrote ${file}\n`);
}
