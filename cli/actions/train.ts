import { ConfigError, parseIsoUs } from '../../engine/core/index.js';
import { readFile } from 'node:fs/promises';
import { ClassifierSpecSchema, checkFeatureNames, featureMatrix, upLabels, type ClassifierSpec } from '../../engine/models/index.js';
import { parseJsonText } from '../../scenarios/json.js';
import { validateClassifier, type ValidationResult } from '../../sim/research/classifier-validation.js';
import { modelParams } from '../compose/bundles.js';
import { openDataPath } from '../compose/data-sources.js';
import { loadDatasets } from '../compose/lazy-datasets.js';
import { loadScenario } from '../compose/load-scenario.js';
import { UsageError } from '../errors.js';
import { usage } from '../flags.js';
import { removeStaleOutputs, writeOutputs } from '../output.js';

/** Version of train.json. */
export const TRAIN_SCHEMA_VERSION = 1;

export interface TrainCommandOptions {
  readonly model: string;
  readonly features: string;
  readonly out: string;
  readonly target?: string;
  readonly cv?: string;
  readonly folds?: number;
  readonly purge?: number;
  readonly embargo?: number;
  readonly threshold?: string;
  readonly trees?: number;
  readonly maxDepth?: number;
  readonly minSamplesLeaf?: number;
  readonly maxFeatures?: string;
  readonly bootstrap?: boolean;
  readonly maxSamples?: string;
  readonly classWeight?: string;
  readonly C?: string;
  /** A JSON file of model hyperparameters under scikit-learn's names, or a seed-004 bundle whose Params to use. */
  readonly params?: string;
  readonly seed?: number;
  readonly set?: readonly string[];
  readonly quiet?: boolean;
  readonly json?: boolean;
}

function numberFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag}: expected a number, was ${JSON.stringify(text)}`);
  return v;
}

/** Reads the model flags into a spec, refusing a flag of the other model. */
export function specFromFlags(o: TrainCommandOptions): ClassifierSpec {
  const rfFlags: [keyof TrainCommandOptions, string][] = [['trees', '--trees'], ['maxDepth', '--max-depth'], ['minSamplesLeaf', '--min-samples-leaf'], ['maxFeatures', '--max-features'], ['maxSamples', '--max-samples'], ['classWeight', '--class-weight']];
  if (o.model === 'logit') {
    for (const [key, flag] of rfFlags) if (o[key] !== undefined) throw new UsageError(`${flag}: applies to --model rf, not logit`);
    if (o.bootstrap === false) throw new UsageError('--no-bootstrap: applies to --model rf, not logit');
    const C = numberFlag(o.C, '--C') ?? 1;
    if (!(C > 0)) throw new UsageError(`--C: not > 0, was ${o.C}`);
    return { kind: 'logit', C };
  }
  if (o.model !== 'rf') throw new UsageError(`--model: expected rf or logit, was ${JSON.stringify(o.model)}`);
  if (o.C !== undefined) throw new UsageError('--C: applies to --model logit, not rf');
  const positive = (v: number | undefined, flag: string, fallback: number): number => {
    if (v === undefined) return fallback;
    if (!(v >= 1)) throw new UsageError(`${flag}: not a positive integer, was ${v}`);
    return v;
  };
  let maxFeatures: 'sqrt' | 'log2' | number | null = 'sqrt';
  if (o.maxFeatures !== undefined) {
    if (o.maxFeatures === 'sqrt' || o.maxFeatures === 'log2') maxFeatures = o.maxFeatures;
    else if (o.maxFeatures === 'all') maxFeatures = null;
    else {
      const v = numberFlag(o.maxFeatures, '--max-features')!;
      if (!(v > 0 && (v < 1 || Number.isInteger(v)))) throw new UsageError(`--max-features: expected sqrt, log2, all, a count >= 1 or a share in (0, 1), was ${o.maxFeatures}`);
      maxFeatures = v;
    }
  }
  const maxSamples = numberFlag(o.maxSamples, '--max-samples') ?? null;
  if (maxSamples !== null && !(maxSamples > 0 && maxSamples <= 1)) throw new UsageError(`--max-samples: not a share in (0, 1], was ${o.maxSamples}`);
  const classWeight = o.classWeight ?? null;
  if (classWeight !== null && classWeight !== 'balanced' && classWeight !== 'balanced_subsample') throw new UsageError(`--class-weight: expected balanced or balanced_subsample, was ${JSON.stringify(classWeight)}`);
  const bootstrap = o.bootstrap !== false;
  if (!bootstrap && maxSamples !== null) throw new UsageError('--max-samples: sizes the bootstrap samples; it has no effect with --no-bootstrap');
  if (!bootstrap && classWeight !== null) throw new UsageError('--class-weight: balances the bootstrap samples; it has no effect with --no-bootstrap');
  return {
    kind: 'rf',
    nEstimators: positive(o.trees, '--trees', 100),
    maxDepth: positive(o.maxDepth, '--max-depth', 5),
    minSamplesLeaf: positive(o.minSamplesLeaf, '--min-samples-leaf', 5),
    maxFeatures,
    bootstrap,
    maxSamples,
    classWeight,
  };
}

/** scikit-learn's hyperparameter names, the flag that sets the same and the spec field. */
const SKLEARN_NAMES: Readonly<Record<string, { flag: keyof TrainCommandOptions; field: string; model: 'rf' | 'logit' }>> = {
  n_estimators: { flag: 'trees', field: 'nEstimators', model: 'rf' },
  max_depth: { flag: 'maxDepth', field: 'maxDepth', model: 'rf' },
  min_samples_leaf: { flag: 'minSamplesLeaf', field: 'minSamplesLeaf', model: 'rf' },
  max_features: { flag: 'maxFeatures', field: 'maxFeatures', model: 'rf' },
  bootstrap: { flag: 'bootstrap', field: 'bootstrap', model: 'rf' },
  max_samples: { flag: 'maxSamples', field: 'maxSamples', model: 'rf' },
  class_weight: { flag: 'classWeight', field: 'classWeight', model: 'rf' },
  C: { flag: 'C', field: 'C', model: 'logit' },
  penalty: { flag: 'model', field: '', model: 'logit' },
};

/**
 * Reads `--params FILE` (hyperparameters under scikit-learn's names, or a seed-004 bundle's `Params`)
 * over the spec from the flags: a key the model does not have, a value of the wrong kind, or a key also
 * given by its flag is refused naming the file and the key. Strategy parameters in a bundle's Params
 * (ibs_entry_high, ...) are not the model's and are skipped.
 */
export async function specWithParamsFile(o: TrainCommandOptions, fromFlags: ClassifierSpec): Promise<ClassifierSpec> {
  if (o.params === undefined) return fromFlags;
  let doc: unknown;
  try {
    doc = parseJsonText(await readFile(o.params, 'utf8'));
  } catch (err) {
    throw new UsageError(`--params ${o.params}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const record = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const params = record(doc) ? (record(doc['Params']) ? doc['Params'] : record(doc['params']) ? doc['params'] : doc) : null;
  if (params === null) throw new UsageError(`--params ${o.params}: expected an object of hyperparameters (scikit-learn's names) or a bundle with Params`);
  const spec: Record<string, unknown> = { ...fromFlags };
  for (const [key, value] of Object.entries(params)) {
    const known = SKLEARN_NAMES[key];
    if (known === undefined) continue;
    if (known.model !== fromFlags.kind) throw new UsageError(`--params ${o.params}: ${key}: a hyperparameter of --model ${known.model}, not ${fromFlags.kind}`);
    if (key === 'penalty') {
      if (value !== 'l2') throw new UsageError(`--params ${o.params}: penalty: only 'l2' is implemented, was ${JSON.stringify(value)}`);
      continue;
    }
    const flagGiven = known.flag === 'bootstrap' ? o.bootstrap === false : o[known.flag] !== undefined;
    if (flagGiven) throw new UsageError(`--params ${o.params}: ${key}: also given by its flag; give one of the two`);
    spec[known.field] = value;
  }
  const parsed = ClassifierSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const name = Object.entries(SKLEARN_NAMES).find(([, v]) => v.field === field)?.[0] ?? field;
    throw new UsageError(`--params ${o.params}: ${name}: ${issue.message}`);
  }
  return parsed.data;
}

/** Parses `--target up:H`. */
export function parseTarget(text: string): { kind: 'up'; horizon: number } {
  const m = /^up:(\d+)$/.exec(text.trim());
  const h = m ? Number(m[1]) : Number.NaN;
  if (!m || !(h >= 1) || !Number.isSafeInteger(h)) throw new UsageError(`--target: expected up:H with H a positive number of bars (e.g. up:1), was ${JSON.stringify(text)}`);
  return { kind: 'up', horizon: h };
}

/** One symbol's training result in train.json. */
export interface TrainSymbolResult extends ValidationResult {
  readonly symbol: string;
  readonly bars: number;
  /** Rows with every feature and a label (the rest: feature warm-up, and the last H bars without a future). */
  readonly rows: number;
  readonly bundle: string;
}

/** train.json. */
export interface TrainJson {
  readonly schemaVersion: number;
  readonly generator: 'tapedeck';
  readonly kind: 'train';
  readonly scenario: string;
  readonly scenarioFile: string;
  readonly sets: readonly string[];
  readonly seed: number;
  readonly model: ClassifierSpec;
  readonly features: readonly string[];
  readonly target: string;
  readonly threshold: number;
  readonly cv: { readonly scheme: 'kfold' | 'walkforward'; readonly folds: number; readonly purge: number; readonly embargo: number };
  readonly symbols: readonly TrainSymbolResult[];
}

/**
 * Runs `tapedeck train`: reads each symbol's bars from the scenario's data, builds the feature rows
 * and labels, validates the classifier out of sample (sim/research/classifier-validation.ts), trains
 * the final model on every labelled row and writes the bundles and train.json into DIR together
 * (staged, then renamed; only files Tapedeck wrote there are replaced).
 */
export async function trainAndWrite(scenarioFile: string, o: TrainCommandOptions, progress: (line: string) => void = () => {}): Promise<{ doc: TrainJson; files: string[] }> {
  const spec = await specWithParamsFile(o, specFromFlags(o));
  const features = usage(() => [...checkFeatureNames(o.features.split(',').map((s) => s.trim()).filter((s) => s !== ''), '--features')]);
  const targetText = o.target ?? 'up:1';
  const target = parseTarget(targetText);
  const scheme = o.cv ?? 'kfold';
  if (scheme !== 'kfold' && scheme !== 'walkforward') throw new UsageError(`--cv: expected kfold or walkforward, was ${JSON.stringify(scheme)}`);
  const folds = o.folds ?? 5;
  if (!(folds >= 2)) throw new UsageError(`--folds: expected an integer >= 2, was ${folds}`);
  const purge = o.purge ?? target.horizon;
  if (purge < 0) throw new UsageError(`--purge: not >= 0, was ${purge}`);
  if (scheme === 'walkforward' && o.embargo !== undefined && o.embargo > 0) throw new UsageError(`--embargo: a walk-forward never trains after its test block, so an embargo would change nothing; give 0 or --cv kfold (was ${o.embargo})`);
  const embargo = scheme === 'walkforward' ? 0 : (o.embargo ?? target.horizon);
  if (embargo < 0) throw new UsageError(`--embargo: not >= 0, was ${embargo}`);
  const threshold = numberFlag(o.threshold ?? '0.5', '--threshold')!;
  if (!(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold: not a probability in [0, 1], was ${o.threshold}`);
  const scenario = await loadScenario(scenarioFile, { overrides: o.set ?? [] });
  const seed = o.seed ?? scenario.seed;
  if (scenario.data.bars === undefined) throw new ConfigError('data.bars', 'tapedeck train reads bars; the scenario names none');
  const start = scenario.data.start !== undefined ? parseIsoUs(scenario.data.start, 'data.start') : undefined;
  const end = scenario.data.end !== undefined ? parseIsoUs(scenario.data.end, 'data.end') : undefined;
  const opened = await openDataPath(scenario.data.bars, 'bars', 'bars', scenario.data.symbols);
  const results: TrainSymbolResult[] = [];
  const files: { name: string; data: string }[] = [];
  try {
    const available = [...new Set(opened.manifest.files.filter((f) => f.kind === 'bars').map((f) => f.symbol))].sort();
    const symbols = scenario.data.symbols ? [...scenario.data.symbols] : available;
    for (const [i, s] of symbols.entries()) {
      if (!available.includes(s)) throw new ConfigError(`data.symbols[${i}]`, `symbol '${s}' is not in the data (available: ${available.join(', ')})`);
    }
    const { readAll } = await loadDatasets();
    for (const symbol of symbols) {
      const bars = await readAll(opened.dir, { kind: 'bars', symbols: [symbol], ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) });
      const c = bars.columns;
      const fm = featureMatrix({ high: c['high']!, low: c['low']!, close: c['close']!, volume: c['volume']! }, features);
      const labels = upLabels(c['close']!, target.horizon);
      const k = features.length;
      const usable: number[] = [];
      for (let t = 0; t < bars.length; t++) if (fm.ready[t] === 1 && !Number.isNaN(labels[t]!)) usable.push(t);
      const n = usable.length;
      const x = new Float64Array(n * k);
      const y = new Float64Array(n);
      usable.forEach((t, r) => {
        x.set(fm.x.subarray(t * k, (t + 1) * k), r * k);
        y[r] = labels[t]!;
      });
      if (n < 2 * folds) throw new ConfigError('data.bars', `${symbol}: only ${n} labelled rows with every feature (of ${bars.length} bars), too few for ${folds} folds`);
      progress(`${symbol}: ${n} rows, ${folds} ${scheme} folds, purge ${purge}, embargo ${embargo}`);
      const v = usage(() => validateClassifier(spec, x, y, n, { scheme, folds, purge, embargo, seed, features, symbol }));
      const bundleName = `${symbol}_best.json`;
      const oos = v.result.outOfSample;
      const bundle = {
        Symbol: symbol,
        Prod_Threshold: threshold,
        Features: features,
        Params: modelParams(spec),
        Target: targetText,
        Metrics: { ...(oos.auc !== null ? { oosAuc: oos.auc } : {}), oosLogLoss: oos.logLoss, oosAccuracy: oos.accuracy, oosRows: oos.rows },
        Model: v.model,
      };
      files.push({ name: bundleName, data: `${JSON.stringify(bundle)}\n` });
      results.push({ symbol, bars: bars.length, rows: n, bundle: bundleName, ...v.result });
      progress(`${symbol}: out-of-sample AUC ${oos.auc === null ? '-' : oos.auc.toFixed(4)}, log loss ${oos.logLoss.toFixed(4)}, accuracy ${oos.accuracy.toFixed(4)}`);
    }
  } finally {
    await opened.cleanup();
  }
  const doc: TrainJson = {
    schemaVersion: TRAIN_SCHEMA_VERSION,
    generator: 'tapedeck',
    kind: 'train',
    scenario: scenario.name,
    scenarioFile,
    sets: o.set ?? [],
    seed,
    model: spec,
    features,
    target: targetText,
    threshold,
    cv: { scheme, folds, purge, embargo },
    symbols: results,
  };
  files.push({ name: 'train.json', data: `${JSON.stringify(doc, null, 2)}\n` });
  await writeOutputs(o.out, 'train', files);
  // A bundle an earlier run wrote for a symbol not trained now would be loaded as if current: remove it.
  await removeStaleOutputs(o.out, 'train', files.map((f) => f.name), (name) => name.endsWith('_best.json'));
  return { doc, files: files.map((f) => f.name) };
}

/** The commander action of `tapedeck train`. */
export async function trainAction(scenarioFile: string, opts: TrainCommandOptions): Promise<void> {
  const progress = opts.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const { doc, files } = await trainAndWrite(scenarioFile, opts, progress);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ out: opts.out, files, symbols: doc.symbols.map((s) => ({ symbol: s.symbol, rows: s.rows, outOfSample: s.outOfSample })) })}\n`);
    return;
  }
  const lines = [`${doc.model.kind} on ${doc.features.join(', ')} -> ${doc.target}; ${doc.cv.scheme} ${doc.cv.folds} folds, purge ${doc.cv.purge}, embargo ${doc.cv.embargo} (out-of-sample)`];
  lines.push('symbol  oos    AUC     logloss  accuracy  top feature (importance, MI nats)');
  for (const s of doc.symbols) {
    const top = [...s.features].sort((a, b) => b.importance - a.importance)[0]!;
    const o = s.outOfSample;
    lines.push(`${s.symbol.padEnd(7)} ${String(o.rows).padEnd(6)} ${(o.auc === null ? '-' : o.auc.toFixed(4)).padEnd(7)} ${o.logLoss.toFixed(4).padEnd(8)} ${o.accuracy.toFixed(4).padEnd(9)} ${top.name} (${top.importance.toFixed(3)}, ${top.mutualInformation.toFixed(4)})`);
  }
  lines.push(`wrote ${files.map((f) => `${opts.out}/${f}`).join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

