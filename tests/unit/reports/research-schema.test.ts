import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WalkForwardJson } from '../../../cli/actions/walkforward.js';
import type { SweepJson } from '../../../cli/compose/sweep-report.js';
import { sweepJsonSchemaText, validateSweepJson, validateWalkForwardJson, walkForwardJsonSchemaText } from '../../../reports/research-schema.js';
import type { SweepJsonReport, WalkForwardJsonReport } from '../../../reports/research-schema.js';
import { REPO } from '../../support/cli.js';
import { sampleSweep } from './html/sweep-fixture.js';
import { sampleWalkForward } from './html/walkforward-fixture.js';

// Compile-time checks that each schema and its writer's type agree: every document the writer can
// produce is accepted (writer assignable to schema, readonly aside), and both name the same fields at
// every level (so a field added on one side only fails type-checking). Nullability may differ where the
// writer's JSON turns non-finite numbers into null.
type Frozen<T> = T extends readonly (infer E)[] ? readonly Frozen<E>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;
type Fields<T> = T extends readonly (infer E)[] ? Fields<E> : T extends object ? { [K in keyof T]-?: Fields<NonNullable<T[K]>> } : 'leaf';
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sweepAccepted: Frozen<SweepJson> extends Frozen<SweepJsonReport> ? true : false = true;
const sweepFields: Same<Fields<SweepJson>, Fields<SweepJsonReport>> = true;
const walkForwardAccepted: Frozen<WalkForwardJson> extends Frozen<WalkForwardJsonReport> ? true : false = true;
const walkForwardFields: Same<Fields<WalkForwardJson>, Fields<WalkForwardJsonReport>> = true;
void [sweepAccepted, sweepFields, walkForwardAccepted, walkForwardFields];

describe('sweep.json and walkforward.json schemas', () => {
  it('ship reports/sweep.schema.json and reports/walkforward.schema.json exactly as generated from the zod schemas', async () => {
    expect(await readFile(join(REPO, 'reports/sweep.schema.json'), 'utf8')).toBe(sweepJsonSchemaText());
    expect(await readFile(join(REPO, 'reports/walkforward.schema.json'), 'utf8')).toBe(walkForwardJsonSchemaText());
  });

  it('accept the hand-built sweep and walk-forward documents', () => {
    expect(validateSweepJson(JSON.parse(JSON.stringify(sampleSweep())))).toMatchObject({ ok: true });
    expect(validateWalkForwardJson(JSON.parse(JSON.stringify(sampleWalkForward())))).toMatchObject({ ok: true });
  });

  it('reject an unknown field and a wrong type, naming the first bad path', () => {
    const sweep = JSON.parse(JSON.stringify(sampleSweep())) as Record<string, unknown> & { trials: Record<string, unknown>[] };
    sweep.trials[2]!['extra'] = 1;
    const r = validateSweepJson(sweep);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issue.path).toBe('trials[2]');
    const wf = JSON.parse(JSON.stringify(sampleWalkForward())) as { folds: { train: { start: unknown } }[] };
    wf.folds[1]!.train.start = 'monday';
    const w = validateWalkForwardJson(wf);
    expect(w.ok).toBe(false);
    if (!w.ok) expect(w.issue.path).toBe('folds[1].train.start');
  });

  it('reject a document of another version', () => {
    expect(validateSweepJson({ ...sampleSweep(), schemaVersion: 2 })).toMatchObject({ ok: false, issue: { path: 'schemaVersion' } });
  });
});
