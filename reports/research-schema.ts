import { z } from 'zod';

/**
 * The zod schemas of the research outputs, sweep.json (`tapedeck sweep`, built by
 * cli/compose/sweep-report.ts) and walkforward.json (`tapedeck walkforward`, cli/actions/walkforward.ts),
 * and the JSON Schemas generated from them (reports/sweep.schema.json, reports/walkforward.schema.json,
 * kept equal to the generated text by a test). reports/ may not import sim/ or cli/, so the writers'
 * types are not visible here; tests/unit/reports/research-schema.test.ts checks at compile time that
 * each schema and its writer's type describe the same fields, and validates real outputs.
 *
 * Objects are strict (an unknown key is an error) except where the writer stores an opaque value (the
 * optimizer summary, the per-fold table of the walk-forward summary).
 *
 * Regenerate reports/sweep.schema.json and reports/walkforward.schema.json after a change with
 * `npm run schema` (scenarios/write-schema.ts, which writes every generated JSON Schema).
 */

/** Version of sweep.json this schema reads. */
export const SWEEP_JSON_VERSION = 1;
/** Version of walkforward.json this schema reads. */
export const WALKFORWARD_JSON_VERSION = 1;

const int = () => z.number().int();
const nullableNumber = () => z.number().nullable();

/** A parameter value of a trial: a number or a categorical value. */
export const ParamValueSchema = z.union([z.number(), z.string(), z.boolean()]);

/** Parameter values of one trial by dotted scenario path. */
export const TrialParamsSchema = z.record(z.string(), ParamValueSchema).describe('Parameter values by dotted scenario path (the --set paths)');

/** The metrics a trial reports (sim/research TrialMetrics). */
export const TrialMetricsSchema = z
  .strictObject({
    finalEquity: z.number(),
    totalReturn: z.number(),
    sharpe: nullableNumber(),
    sortino: nullableNumber(),
    maxDrawdown: z.number(),
    tradeCount: int(),
    winRate: nullableNumber(),
    profitFactor: nullableNumber(),
    cagr: nullableNumber(),
    observations: int(),
    periodSharpe: nullableNumber(),
    skewness: nullableNumber(),
    kurtosis: nullableNumber(),
    ruinedAt: z.string().nullable().optional().describe("When the trial's account was ruined (ISO-8601; trading ended then), null when never; absent in sweeps run before accounts existed."),
  })
  .describe('Trial metrics: a subset of report.json metrics (annualized Sharpe, Sortino, CAGR) plus the per-period moments the DSR needs');

const IntParameterSchema = z.strictObject({ kind: z.literal('int'), path: z.string(), min: int(), max: int(), step: int() });
const FloatParameterSchema = z.strictObject({
  kind: z.literal('float'),
  path: z.string(),
  min: z.number(),
  max: z.number(),
  log: z.boolean(),
  step: nullableNumber(),
  count: int().nullable(),
});
const CategoricalParameterSchema = z.strictObject({ kind: z.literal('categorical'), path: z.string(), values: z.array(ParamValueSchema) });

/** One parameter of a search space, as parsed (sim/research Parameter). */
export const ParameterSchema = z.discriminatedUnion('kind', [IntParameterSchema, FloatParameterSchema, CategoricalParameterSchema]);

const ConstraintSchema = z.strictObject({
  text: z.string(),
  left: z.string(),
  op: z.enum(['<=', '>=', '==', '!=', '<', '>']),
  right: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('parameter'), path: z.string() }), z.strictObject({ kind: z.literal('number'), value: z.number() })]),
});

/** A validated search space (parameters in the order of the space file). */
export const SearchSpaceSchema = z.strictObject({
  parameters: z.array(ParameterSchema),
  constraints: z.array(ConstraintSchema),
  /** The space file's optimizer settings (sim/research/optimizer-settings.ts), when it gives any. */
  optimizer: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.number())])).optional(),
});

const trialFields = {
  key: z.string().describe('First 16 hex digits of SHA-256 over the canonical params'),
  params: TrialParamsSchema,
  seed: int(),
  status: z.enum(['ok', 'failed']),
  metrics: TrialMetricsSchema.nullable(),
  runHash: z.string().nullable(),
  error: z.string().optional().describe('The one-line error of a failed trial'),
  fitness: nullableNumber().describe('null when not finite (a failed trial, an undefined metric)'),
};

/** A trial as sweep.json lists it. */
export const SweepTrialSchema = z.strictObject(trialFields);

const DeflatedSharpeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('value'),
    value: z.number().describe("Probability that the best trial's true Sharpe exceeds the expected maximum of N zero-Sharpe trials"),
    key: z.string(),
    sharpe: z.number(),
    observations: int(),
    skewness: z.number(),
    kurtosis: z.number(),
    trials: int(),
    trialSharpeVariance: z.number(),
    expectedMaxSharpe: z.number(),
  }),
  z.strictObject({ kind: z.literal('undefined'), reason: z.string() }),
]);

const PboSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('value'),
    value: z.number().describe('Probability of backtest overfitting by CSCV'),
    blocks: int(),
    splits: int(),
    configurations: int(),
    observations: int(),
    probabilityOfLoss: z.number(),
    degradation: z.strictObject({ slope: z.number(), intercept: z.number() }).nullable(),
  }),
  z.strictObject({ kind: z.literal('undefined'), reason: z.string() }),
]);

export const SweepJsonSchema = z
  .strictObject({
    schemaVersion: z.literal(SWEEP_JSON_VERSION) as unknown as z.ZodType<number>,
    generator: z.literal('tapedeck'),
    kind: z.literal('sweep'),
    scenario: z.string(),
    method: z.string(),
    seed: int(),
    fitness: z.string(),
    space: SearchSpaceSchema,
    configHash: z.string(),
    trialCount: int(),
    failedCount: int(),
    combinedHash: z.string(),
    best: z.strictObject({ ...trialFields, reproduce: z.string() }).nullable(),
    deflatedSharpe: DeflatedSharpeSchema,
    pbo: PboSchema,
    optimizer: z.unknown().describe("The optimizer's summary for ga/de/mcmc/bayes, null otherwise"),
    trials: z.array(SweepTrialSchema).describe('Every trial, failed ones too, sorted by key'),
  })
  .describe(`Tapedeck sweep result (sweep.json), schemaVersion ${SWEEP_JSON_VERSION}`);

export type SweepJsonReport = z.output<typeof SweepJsonSchema>;
export type SweepTrialRow = z.output<typeof SweepTrialSchema>;

const IsoSpanSchema = z.strictObject({ start: int(), end: int(), startIso: z.string(), endIso: z.string() });

const OutOfSampleSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('ok'),
    metrics: TrialMetricsSchema,
    runHash: z.string(),
    annualizedReturn: nullableNumber(),
    fitness: nullableNumber().describe('null when not finite'),
    returns: z.array(z.number()).describe('Per-period returns of the test run (with warm start, of its test window only)'),
  }),
  z.strictObject({ status: z.literal('failed'), error: z.string() }),
  z.strictObject({ status: z.literal('skipped'), reason: z.string() }),
]);

export const WalkForwardFoldSchema = z.strictObject({
  index: int(),
  train: IsoSpanSchema,
  test: IsoSpanSchema,
  purgedUs: int(),
  embargoUs: int(),
  warmStart: z
    .strictObject({ replayFrom: int(), replayFromIso: z.string(), trainUntil: int(), trainUntilIso: z.string(), paths: z.array(z.string()) })
    .optional()
    .describe('With warm start: the test run replays from replayFrom, the fields at paths set to trainUntil (the train end), and is measured from the test start'),
  warmUp: z
    .strictObject({ from: int(), fromIso: z.string(), tradeFromIso: z.string() })
    .optional()
    .describe('With a warm-up: the test run replayed from `from` (strategies fed, no trading) and traded and was measured from tradeFromIso (the test start)'),
  sweep: z.strictObject({ combinedHash: z.string(), trials: int(), failed: int() }),
  update: z
    .strictObject({
      incumbent: z.strictObject({ params: TrialParamsSchema, trialKey: z.string(), fitness: nullableNumber() }).nullable(),
      candidate: z.strictObject({ params: TrialParamsSchema, trialKey: z.string(), fitness: z.number(), observations: int() }).nullable(),
      adopted: z.boolean(),
      reason: z.string(),
    })
    .optional()
    .describe('With --improvement-threshold/--min-observations: whether the fold adopted its re-optimized parameters (candidate) over the ones in force (incumbent), and why'),
  params: TrialParamsSchema.nullable(),
  trialKey: z.string().nullable(),
  trialSeed: int().nullable(),
  inSample: z.strictObject({ fitness: z.number(), metrics: TrialMetricsSchema, runHash: z.string(), annualizedReturn: nullableNumber() }).nullable(),
  outOfSample: OutOfSampleSchema,
  efficiency: nullableNumber().describe('Annualized OOS return / annualized IS return of the fold'),
});

export const WalkForwardJsonSchema = z
  .strictObject({
    schemaVersion: z.literal(WALKFORWARD_JSON_VERSION) as unknown as z.ZodType<number>,
    generator: z.literal('tapedeck').optional().describe('Always written; absent in files from before the field'),
    kind: z.literal('walkforward').optional().describe('Always written; absent in files from before the field'),
    scenario: z.string(),
    scenarioFile: z.string(),
    sets: z.array(z.string()),
    method: z.string(),
    trialsPerFold: int().nullable(),
    seed: int(),
    fitness: z.string(),
    windows: z.strictObject({ train: z.string(), test: z.string(), anchored: z.boolean(), purge: z.string(), embargo: z.string() }),
    warmStart: z
      .boolean()
      .optional()
      .describe("True when each test run replayed its train window first (learning strategies stopping at the train end) and only the test window was measured; absent in files from before the field"),
    warmUp: z
      .string()
      .optional()
      .describe("Warm-up of the test runs (--warmup): how far before each test window the strategies were fed bars without trading, e.g. '180d'; '0' for none. Absent in files from before the field"),
    autoUpdate: z
      .strictObject({ improvementThreshold: z.number(), minObservations: int() })
      .nullable()
      .optional()
      .describe('The automatic update rule (--improvement-threshold, --min-observations), null without it; absent in files from before the field'),
    combinedHash: z.string(),
    efficiency: nullableNumber().describe('Walk-forward efficiency: OOS annualized return / mean IS annualized return'),
    isAnnualizedReturn: nullableNumber(),
    oosAnnualizedReturn: nullableNumber(),
    folds: z.array(WalkForwardFoldSchema),
    stitched: z.strictObject({
      equity: z.array(z.number()).describe('Out-of-sample equity, 1 before the first test return'),
      foldOffsets: z.array(int()).describe("Index in equity where each fold's test returns start"),
    }),
    table: z.array(z.record(z.string(), z.unknown())).describe('One summary row per fold, as the command prints it'),
  })
  .describe(`Tapedeck walk-forward result (walkforward.json), schemaVersion ${WALKFORWARD_JSON_VERSION}`);

export type WalkForwardJsonReport = z.output<typeof WalkForwardJsonSchema>;
export type WalkForwardFoldRow = z.output<typeof WalkForwardFoldSchema>;

/** Where a document failed validation: the dotted path of the first bad field and zod's reason. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

function validateWith<T>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; issue: SchemaIssue; issues: number } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues[0]!;
  return { ok: false, issue: { path: formatIssuePath(first.path), message: first.message }, issues: r.error.issues.length };
}

/** Validates a parsed sweep.json; returns it or the first issue (path and reason). */
export function validateSweepJson(value: unknown): { ok: true; value: SweepJsonReport } | { ok: false; issue: SchemaIssue; issues: number } {
  return validateWith(SweepJsonSchema, value);
}

/** Validates a parsed walkforward.json; returns it or the first issue (path and reason). */
export function validateWalkForwardJson(value: unknown): { ok: true; value: WalkForwardJsonReport } | { ok: false; issue: SchemaIssue; issues: number } {
  return validateWith(WalkForwardJsonSchema, value);
}

function jsonSchemaText(schema: z.ZodType, title: string): string {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12' });
  return `${JSON.stringify({ $schema: generated.$schema, title, ...generated }, null, 2)}\n`;
}

/** Returns the JSON Schema of sweep.json as committed in reports/sweep.schema.json. */
export function sweepJsonSchemaText(): string {
  return jsonSchemaText(SweepJsonSchema, 'Tapedeck sweep result (sweep.json)');
}

/** Returns the JSON Schema of walkforward.json as committed in reports/walkforward.schema.json. */
export function walkForwardJsonSchemaText(): string {
  return jsonSchemaText(WalkForwardJsonSchema, 'Tapedeck walk-forward result (walkforward.json)');
}
