import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../engine/core/index.js';
import { parseClassifier, type ClassifierModel, type ClassifierSpec } from '../../engine/models/index.js';
import { parseJsonText } from '../../scenarios/json.js';

/**
 * Per-instrument model bundles (seed 004): a directory holding `{SYMBOL}_best.json` per symbol, with
 * the production threshold, the feature list, the parameters, the metrics the bundle was selected on
 * and (written by `tapedeck train`) the trained model as JSON data. Both the lower-case layout below
 * and the seed's layout (`Symbol`, `Prod_Threshold`, `Features`, `Params`, `Model`, `Target`,
 * `Metrics`, `Sharpe`, `Profit_Factor`, `Trades`) are accepted.
 *
 * ```json
 * { "symbol": "AAA", "threshold": 0.55, "features": ["rsi14", "ibs"],
 *   "params": { "n_estimators": 100, "max_depth": 5, "ibs_entry_high": 0.3 },
 *   "model": { "format": "tapedeck-classifier/1", "kind": "rf", ... },
 *   "metrics": { "sharpe": 0.94, "profitFactor": 1.6, "trades": 875 } }
 * ```
 *
 * `params` holds the model's hyperparameters under scikit-learn's names (checked against the model:
 * {@link MODEL_PARAMS}) and strategy parameters (seed 004's IBS names are mapped for `ibs`:
 * {@link IBS_PARAM_ALIASES}). A model is data, validated by parseClassifier; a bundle with anything
 * that looks like code or a pickle is refused.
 */
export const ModelBundleSchema = z.strictObject({
  symbol: z.string().min(1),
  threshold: z.number().min(0).max(1),
  features: z.array(z.string().min(1)),
  params: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.number()).default({}),
  model: z.unknown().optional(),
  target: z.string().min(1).optional(),
});

/** A loaded bundle: its fields (the model validated) and the file it came from. */
export type ModelBundle = Omit<z.output<typeof ModelBundleSchema>, 'model'> & { readonly model?: ClassifierModel; readonly file: string };

/** Seed 004's IBS parameter names and the `ibs` strategy's. */
export const IBS_PARAM_ALIASES: Readonly<Record<string, string>> = {
  ibs_entry_high: 'entryThreshold',
  ibs_exit_high: 'exitThreshold',
  stop_perc: 'stopLossPct',
  tp_perc: 'takeProfitPct',
};

/**
 * The model hyperparameters a bundle's `params` may carry (scikit-learn's names), each read from the
 * model's spec. A bundle with a model must agree with it; one without a model cannot carry them.
 */
export const MODEL_PARAMS: Readonly<Record<string, (spec: ClassifierSpec) => unknown>> = {
  n_estimators: (s) => (s.kind === 'rf' ? s.nEstimators : undefined),
  max_depth: (s) => (s.kind === 'rf' ? s.maxDepth : undefined),
  min_samples_leaf: (s) => (s.kind === 'rf' ? s.minSamplesLeaf : undefined),
  max_features: (s) => (s.kind === 'rf' ? s.maxFeatures : undefined),
  bootstrap: (s) => (s.kind === 'rf' ? s.bootstrap : undefined),
  max_samples: (s) => (s.kind === 'rf' ? s.maxSamples : undefined),
  class_weight: (s) => (s.kind === 'rf' ? s.classWeight : undefined),
  C: (s) => (s.kind === 'logit' ? s.C : undefined),
  penalty: (s) => (s.kind === 'logit' ? 'l2' : undefined),
};

/** Returns the bundle `params` of a spec, under scikit-learn's names (what `tapedeck train` writes). */
export function modelParams(spec: ClassifierSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(MODEL_PARAMS)) {
    const v = read(spec);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Maps the seed-004 layout onto the lower-case one (other keys are left for the strict schema to reject). */
function fromSeedLayout(doc: unknown): unknown {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('Symbol' in doc)) return doc;
  const d = { ...(doc as Record<string, unknown>) };
  const out: Record<string, unknown> = {};
  const take = (from: string, to: string): void => {
    if (from in d) {
      out[to] = d[from];
      delete d[from];
    }
  };
  take('Symbol', 'symbol');
  take('Prod_Threshold', 'threshold');
  take('Features', 'features');
  take('Params', 'params');
  take('Model', 'model');
  take('Target', 'target');
  const metrics: Record<string, unknown> = {};
  if ('Metrics' in d) {
    const m = d['Metrics'];
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return { ...d, ...out, metrics: m };
    Object.assign(metrics, m);
    delete d['Metrics'];
  }
  for (const [from, to] of [['Sharpe', 'sharpe'], ['Profit_Factor', 'profitFactor'], ['Trades', 'trades']] as const) {
    if (from in d) {
      metrics[to] = d[from];
      delete d[from];
    }
  }
  out.metrics = metrics;
  return { ...d, ...out };
}

/** Code or a serialized object a loader would execute: a bundle holds data only. */
const EXECUTABLE = /\bfunction\b|=>|\b(?:require|import|eval)\s*\(|__reduce__|^gASV|^\x80[\x02-\x05]|<script/i;

/** Returns the path of the first string in `value` that looks like code or a pickle, or null. */
function executableAt(value: unknown, path: string): string | null {
  if (typeof value === 'string') return EXECUTABLE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = executableAt(v, `${path}[${i}]`);
      if (hit !== null) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (EXECUTABLE.test(key)) return path === '' ? key : `${path}.${key}`;
      const hit = executableAt(v, path === '' ? key : `${path}.${key}`);
      if (hit !== null) return hit;
    }
  }
  return null;
}

/**
 * Loads and validates the bundle of `symbol` from `dir`. Throws a ConfigError naming the file for a
 * missing file, invalid JSON, a schema violation (with the field's path) or a bundle whose symbol
 * is not the one its file name says.
 */
export async function loadModelBundle(dir: string, symbol: string): Promise<ModelBundle> {
  const file = join(dir, `${symbol}_best.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('bundles.dir', `missing model bundle for ${symbol}: ${file} (${code === 'ENOENT' ? 'no such file' : (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseJsonText(text);
  } catch (err) {
    throw new ConfigError('bundles.dir', `malformed model bundle ${file}: not valid JSON (${(err as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new ConfigError('bundles.dir', `malformed model bundle ${file}: ${what}`);
  };
  const mapped = fromSeedLayout(doc);
  const code = executableAt(mapped, '');
  if (code !== null) fail(`${code}: looks like executable content (code or a pickle); a bundle holds data only`);
  const parsed = ModelBundleSchema.safeParse(mapped);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') : '(root)';
    const what = issue.code === 'unrecognized_keys' ? `unknown key(s) ${(issue as { keys: string[] }).keys.map((k) => `'${k}'`).join(', ')}` : issue.message;
    fail(`${where}: ${what}`);
  }
  const b = parsed.data!;
  if (b.symbol !== symbol) fail(`symbol is '${b.symbol}', expected '${symbol}'`);
  let model: ClassifierModel | undefined;
  if (b.model !== undefined) {
    try {
      model = parseClassifier(b.model, 'model');
    } catch (err) {
      return fail((err as Error).message);
    }
    if (model.symbol !== null && model.symbol !== symbol) fail(`model.symbol: the model was trained for '${model.symbol}', this bundle is for '${symbol}'`);
    if (b.features.length !== model.features.length || b.features.some((f, i) => f !== model!.features[i])) {
      fail(`features: ${JSON.stringify(b.features)} are not the model's features ${JSON.stringify(model.features)} (in order)`);
    }
  }
  for (const [key, read] of Object.entries(MODEL_PARAMS)) {
    if (!Object.hasOwn(b.params, key)) continue;
    if (model === undefined) fail(`params.${key}: a model hyperparameter, but the bundle has no model (seed 004's {SYMBOL}_rf_model.pkl is a pickle, which Tapedeck never loads: train a JSON model with \`tapedeck train\`)`);
    const expected = read(model!.spec);
    if (expected === undefined) fail(`params.${key}: not a hyperparameter of a ${model!.kind} model`);
    if (b.params[key] !== expected) fail(`params.${key}: is ${JSON.stringify(b.params[key])}, but the model was trained with ${JSON.stringify(expected)}`);
  }
  const { model: _raw, ...rest } = b;
  return { ...rest, ...(model !== undefined ? { model } : {}), file };
}

/** The strategy parameters of a bundle: its `params` without the model hyperparameters, seed names mapped for `ibs`. */
export function strategyParamsOf(bundle: ModelBundle, strategyType: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(bundle.params)) {
    if (Object.hasOwn(MODEL_PARAMS, key)) continue;
    out[strategyType === 'ibs' && Object.hasOwn(IBS_PARAM_ALIASES, key) ? IBS_PARAM_ALIASES[key]! : key] = value;
  }
  return out;
}

/** Loads the bundles of every symbol, in the order given. */
export async function loadModelBundles(dir: string, symbols: readonly string[]): Promise<Map<string, ModelBundle>> {
  const out = new Map<string, ModelBundle>();
  for (const s of symbols) out.set(s, await loadModelBundle(dir, s));
  return out;
}
