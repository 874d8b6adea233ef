import { RandomForestClassifier } from 'ml-random-forest';
import { z } from 'zod';
import { InvalidArgumentError, randomStream } from '../core/index.js';
import { FEATURE_NAMES, checkFeatureNames, type FeatureName } from './features.js';
import { fitLogistic, sigmoid } from './logistic.js';

/**
 * Direction classifiers (logistic regression and random forest) trained on bar features, their
 * serialized form and its validated loader. A trained model is plain JSON data (numbers, names,
 * flat tree arrays), never code: {@link parseClassifier} accepts exactly the shapes below and
 * nothing else, and {@link compileClassifier} turns one into an allocation-free predictor.
 */

/** Version tag of the serialized models. */
export const CLASSIFIER_FORMAT = 'tapedeck-classifier/1';

/** Hyperparameters of the logistic regression (scikit-learn's names in the bundles: `C`, `penalty`). */
export interface LogitSpec {
  readonly kind: 'logit';
  /** Inverse L2 strength, as scikit-learn's C. */
  readonly C: number;
}

/**
 * Hyperparameters of the random forest, scikit-learn's (seed 004's bundle `Params`) mapped onto
 * ml-random-forest / ml-cart, where the two differ as documented per field.
 */
export interface RandomForestSpec {
  readonly kind: 'rf';
  /** Trees (`n_estimators`). */
  readonly nEstimators: number;
  /** Deepest split level (`max_depth`); null: unlimited. */
  readonly maxDepth: number | null;
  /**
   * `min_samples_leaf`: ml-cart has no leaf minimum, it stops splitting a node of at most
   * `minNumSamples` rows; a node is split only when it has at least 2 x min_samples_leaf rows
   * (the smallest node whose split could leave that many on each side).
   */
  readonly minSamplesLeaf: number;
  /**
   * Features per tree (`max_features`): 'sqrt', 'log2', a count (integer >= 1) or a share (0, 1);
   * null: all. ml-random-forest draws them once per tree, not at every split as scikit-learn does.
   */
  readonly maxFeatures: 'sqrt' | 'log2' | number | null;
  /** Each tree trains on a bootstrap sample (`bootstrap`); false: on every row. */
  readonly bootstrap: boolean;
  /** Bootstrap sample size as a share of the rows (`max_samples`, (0, 1]); null: as many as the rows. */
  readonly maxSamples: number | null;
  /**
   * `class_weight`: 'balanced' and 'balanced_subsample' draw each tree's bootstrap sample half from
   * each class (a balanced random forest: ml-cart takes no sample weights); null: plain bootstrap.
   */
  readonly classWeight: 'balanced' | 'balanced_subsample' | null;
}

/** What to train. */
export type ClassifierSpec = LogitSpec | RandomForestSpec;

/**
 * Builds the schemas below. Built on first use, not when the module loads: every run imports this
 * module (through engine/models), and few scenarios hold a classifier.
 */
function buildSchemas() {
  const finite = z.number().refine(Number.isFinite, 'not a finite number');
  const FeatureList = z.array(z.enum(FEATURE_NAMES)).min(1);

  const LogitSpecSchema = z.strictObject({ kind: z.literal('logit'), C: finite.refine((c) => c > 0, 'not > 0') });
  const RandomForestSpecSchema = z.strictObject({
    kind: z.literal('rf'),
    nEstimators: z.number().int().min(1).max(10_000),
    maxDepth: z.number().int().min(1).nullable(),
    minSamplesLeaf: z.number().int().min(1),
    maxFeatures: z.union([z.literal('sqrt'), z.literal('log2'), finite.refine((v) => v > 0 && (v < 1 || Number.isInteger(v)), 'a share in (0, 1) or a whole count >= 1')]).nullable(),
    bootstrap: z.boolean(),
    maxSamples: finite.refine((v) => v > 0 && v <= 1, 'not in (0, 1]').nullable(),
    classWeight: z.enum(['balanced', 'balanced_subsample']).nullable(),
  });

  /** The fields every serialized model has: the format tag, the symbol it was trained for (null: any) and its features in column order. */
  const MODEL_HEADER = { format: z.literal(CLASSIFIER_FORMAT), symbol: z.string().min(1).nullable(), features: FeatureList };

  const LogitModelSchema = z.strictObject({
    ...MODEL_HEADER,
    kind: z.literal('logit'),
    spec: LogitSpecSchema,
    /** Training mean and standard deviation of each feature: the model sees (x - mean) / scale. */
    mean: z.array(finite),
    scale: z.array(finite.refine((v) => v > 0, 'not > 0')),
    intercept: finite,
    coefficients: z.array(finite),
  });

  const TreeSchema = z.strictObject({
    /** Split feature of each node (an index into `features`), -1 at a leaf. */
    feature: z.array(z.number().int().min(-1)),
    /** A row goes left when its feature is below the threshold. */
    threshold: z.array(finite),
    left: z.array(z.number().int().min(-1)),
    right: z.array(z.number().int().min(-1)),
    /** Probability of class 1 at each leaf (0 at inner nodes). */
    value: z.array(finite.refine((v) => v >= 0 && v <= 1, 'not in [0, 1]')),
  });

  const RandomForestModelSchema = z.strictObject({
    ...MODEL_HEADER,
    kind: z.literal('rf'),
    spec: RandomForestSpecSchema,
    seed: z.number().int(),
    trees: z.array(TreeSchema).min(1),
  });

  return {
    spec: z.discriminatedUnion('kind', [LogitSpecSchema, RandomForestSpecSchema]),
    model: z.discriminatedUnion('kind', [LogitModelSchema, RandomForestModelSchema]),
    logitModel: LogitModelSchema,
    forestModel: RandomForestModelSchema,
    tree: TreeSchema,
  };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;
/** The schemas, built on the first call. */
function classifierSchemas(): Schemas {
  schemas ??= buildSchemas();
  return schemas;
}

/** Validates a {@link ClassifierSpec}. */
export const ClassifierSpecSchema = z.lazy(() => classifierSchemas().spec);

/** The serialized form of a trained classifier (JSON). */
export const ClassifierModelSchema = z.lazy(() => classifierSchemas().model);
export type ClassifierModel = z.output<Schemas['model']>;
export type LogitModel = z.output<Schemas['logitModel']>;
export type RandomForestModel = z.output<Schemas['forestModel']>;
export type ClassifierTree = z.output<Schemas['tree']>;

/** Formats the first zod issue as `path: message` (path relative to `where`). */
function firstIssue(error: z.ZodError, where: string): string {
  const issue = error.issues[0]!;
  let path = where;
  for (const key of issue.path) path = typeof key === 'number' ? `${path}[${key}]` : path === '' ? String(key) : `${path}.${String(key)}`;
  const what = issue.code === 'unrecognized_keys' ? `unknown key(s) ${(issue as { keys: string[] }).keys.map((k) => `'${k}'`).join(', ')}` : issue.message;
  return `${path || '(root)'}: ${what}`;
}

/** Checks a tree's arrays: equal lengths, children after their parent and in range, leaves marked, features in range. */
function checkTree(t: ClassifierTree, features: number, where: string): void {
  const n = t.feature.length;
  if (n === 0) throw new InvalidArgumentError(`${where}: a tree has no nodes`);
  for (const key of ['threshold', 'left', 'right', 'value'] as const) {
    if (t[key].length !== n) throw new InvalidArgumentError(`${where}.${key}: has ${t[key].length} entries, feature has ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const f = t.feature[i]!;
    const l = t.left[i]!;
    const r = t.right[i]!;
    if (f === -1) {
      if (l !== -1 || r !== -1) throw new InvalidArgumentError(`${where}.left[${i}]: a leaf (feature -1) has children`);
      continue;
    }
    if (f >= features) throw new InvalidArgumentError(`${where}.feature[${i}]: feature index ${f} is outside the ${features} features`);
    // Children strictly after their parent: a walk from the root always ends at a leaf.
    if (!(l > i && l < n)) throw new InvalidArgumentError(`${where}.left[${i}]: child ${l} is not a node after ${i}`);
    if (!(r > i && r < n)) throw new InvalidArgumentError(`${where}.right[${i}]: child ${r} is not a node after ${i}`);
  }
}

/**
 * Validates a serialized classifier and returns it typed. Throws an InvalidArgumentError naming the
 * field (prefixed by `where`) for anything but the documented shape: an unknown key, a wrong type, a
 * string where a number belongs, tree arrays that do not form a tree, coefficient counts that do not
 * match the features. A model is data; nothing in it is ever evaluated.
 */
export function parseClassifier(value: unknown, where = 'model'): ClassifierModel {
  const parsed = classifierSchemas().model.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(firstIssue(parsed.error, where));
  const m = parsed.data;
  checkFeatureNames(m.features, `${where}.features`);
  const k = m.features.length;
  if (m.kind === 'logit') {
    for (const key of ['mean', 'scale', 'coefficients'] as const) {
      if (m[key].length !== k) throw new InvalidArgumentError(`${where}.${key}: has ${m[key].length} entries for ${k} features`);
    }
  } else {
    if (m.trees.length !== m.spec.nEstimators) throw new InvalidArgumentError(`${where}.trees: has ${m.trees.length} trees, spec.nEstimators says ${m.spec.nEstimators}`);
    m.trees.forEach((t, i) => checkTree(t, k, `${where}.trees[${i}]`));
  }
  return m;
}

/** A trained classifier ready to predict. */
export interface CompiledClassifier {
  readonly features: readonly FeatureName[];
  /** Returns P(class 1) for one feature row (in the order of `features`); allocates nothing. */
  probability(row: ArrayLike<number>, offset?: number): number;
}

/** Turns a validated model into a predictor (see {@link parseClassifier}). */
export function compileClassifier(model: ClassifierModel): CompiledClassifier {
  const features = model.features;
  if (model.kind === 'logit') {
    const mean = Float64Array.from(model.mean);
    const scale = Float64Array.from(model.scale);
    const coef = Float64Array.from(model.coefficients);
    const b = model.intercept;
    return {
      features,
      probability(row, offset = 0) {
        let z = b;
        for (let j = 0; j < coef.length; j++) z += coef[j]! * ((row[offset + j]! - mean[j]!) / scale[j]!);
        return sigmoid(z);
      },
    };
  }
  const trees = model.trees.map((t) => ({
    feature: Int32Array.from(t.feature),
    threshold: Float64Array.from(t.threshold),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    value: Float64Array.from(t.value),
  }));
  return {
    features,
    probability(row, offset = 0) {
      let sum = 0;
      for (let i = 0; i < trees.length; i++) {
        const t = trees[i]!;
        let node = 0;
        while (t.feature[node]! >= 0) node = row[offset + t.feature[node]!]! < t.threshold[node]! ? t.left[node]! : t.right[node]!;
        sum += t.value[node]!;
      }
      return sum / trees.length;
    },
  };
}

/** What {@link trainClassifier} returns: the model and each feature's importance (shares summing to 1). */
export interface TrainedClassifier {
  readonly model: ClassifierModel;
  readonly importance: Float64Array;
}

/** Options of {@link trainClassifier}. */
export interface TrainOptions {
  /** Feature names of the columns of x. */
  readonly features: readonly string[];
  /** The symbol the model is for (recorded in it); null: any. */
  readonly symbol?: string | null;
  /** Seed of the random forest's draws (bootstrap samples, features per tree). */
  readonly seed?: number;
}

/**
 * Trains a classifier on the rows of `x` (row-major, n x features) with 0/1 labels `y`. Logistic
 * regression standardizes each feature with the training mean and standard deviation (so C means the
 * same whatever a feature's units) and fits {@link fitLogistic}; the random forest trains each tree
 * with ml-random-forest on its own seeded bootstrap sample ({@link RandomForestSpec}), so a seed
 * fixes every draw. Importance: |standardized coefficient| shares (logit), the mean decrease in Gini
 * impurity (rf, see addImpurityDecrease).
 */
export function trainClassifier(spec: ClassifierSpec, x: ArrayLike<number>, y: ArrayLike<number>, n: number, options: TrainOptions): TrainedClassifier {
  const checked = classifierSchemas().spec.safeParse(spec);
  if (!checked.success) throw new InvalidArgumentError(firstIssue(checked.error, 'spec'));
  const features = [...checkFeatureNames(options.features)];
  const k = features.length;
  if (x.length !== n * k) throw new InvalidArgumentError(`trainClassifier: x has ${x.length} values, expected ${n} rows x ${k} features`);
  if (y.length !== n) throw new InvalidArgumentError(`trainClassifier: y has ${y.length} labels, expected ${n}`);
  if (n < 2) throw new InvalidArgumentError(`trainClassifier: needs at least 2 rows, has ${n}`);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new InvalidArgumentError(`trainClassifier: y[${i}] is not 0 or 1, was ${y[i]}`);
    positives += y[i]!;
  }
  if (positives === 0 || positives === n) throw new InvalidArgumentError(`trainClassifier: the training labels are all ${positives === 0 ? 0 : 1}; a classifier needs both classes`);
  const symbol = options.symbol ?? null;
  const s = checked.data;
  if (s.kind === 'logit') {
    const mean = new Float64Array(k);
    const scale = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += x[i * k + j]!;
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (x[i * k + j]! - m) ** 2;
      const sd = Math.sqrt(v / n);
      mean[j] = m;
      scale[j] = sd > 0 ? sd : 1;
    }
    const z = new Float64Array(n * k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) z[i * k + j] = (x[i * k + j]! - mean[j]!) / scale[j]!;
    const fit = fitLogistic(z, y, n, k, { C: s.C });
    const abs = Array.from(fit.coefficients, Math.abs);
    const total = abs.reduce((a, b) => a + b, 0);
    const model: LogitModel = {
      format: CLASSIFIER_FORMAT,
      kind: 'logit',
      symbol,
      features,
      spec: s,
      mean: Array.from(mean),
      scale: Array.from(scale),
      intercept: fit.intercept,
      coefficients: Array.from(fit.coefficients),
    };
    return { model, importance: Float64Array.from(abs, (a) => (total > 0 ? a / total : 1 / k)) };
  }
  return trainForest(s, x, y, n, k, features, symbol, options.seed ?? 0);
}

function featuresPerTree(s: RandomForestSpec, k: number): number {
  const m = s.maxFeatures;
  if (m === null) return k;
  if (m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(k)));
  if (m === 'log2') return Math.max(1, Math.floor(Math.log2(k)));
  if (m < 1) return Math.max(1, Math.floor(m * k));
  if (m > k) throw new InvalidArgumentError(`invalid 'maxFeatures': ${m} features per tree, but there are only ${k} features`);
  return m;
}

interface CartNode {
  left?: CartNode;
  right?: CartNode;
  splitColumn?: number;
  splitValue?: number;
  distribution?: { columns: number; get(r: number, c: number): number };
}

function flattenTree(root: CartNode, used: readonly number[]): ClassifierTree {
  const t: ClassifierTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  // Preorder: a node's children get indices after its own.
  const visit = (node: CartNode): number => {
    const i = t.feature.length;
    t.feature.push(-1);
    t.threshold.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.value.push(0);
    if (node.left !== undefined && node.right !== undefined && node.splitColumn !== undefined) {
      t.feature[i] = used[node.splitColumn]!;
      t.threshold[i] = node.splitValue!;
      t.left[i] = visit(node.left);
      t.right[i] = visit(node.right);
    } else {
      const d = node.distribution;
      // ml-cart sums 1/n shares, which can land a rounding error above 1.
      t.value[i] = d !== undefined && d.columns > 1 ? Math.min(1, Math.max(0, d.get(0, 1))) : 0;
    }
    return i;
  };
  visit(root);
  return t;
}

/**
 * Adds each split's decrease in Gini impurity, weighted by its rows (n gini(node) - n_l gini(left) -
 * n_r gini(right)), over the tree's own training sample, to its feature's total. Summed over trees and
 * normalized at the end (not per tree: a tree drawing one weak feature then weighs little).
 */
function addImpurityDecrease(t: ClassifierTree, sample: readonly number[], rows: readonly number[][], labels: readonly number[], out: Float64Array): void {
  const nodes = t.feature.length;
  const count = new Float64Array(nodes);
  const pos = new Float64Array(nodes);
  for (let s = 0; s < sample.length; s++) {
    const row = rows[sample[s]!]!;
    let node = 0;
    for (;;) {
      count[node]! += 1;
      pos[node]! += labels[s]!;
      if (t.feature[node]! < 0) break;
      node = row[t.feature[node]!]! < t.threshold[node]! ? t.left[node]! : t.right[node]!;
    }
  }
  const weighted = (i: number): number => (count[i]! > 0 ? 2 * pos[i]! * (1 - pos[i]! / count[i]!) : 0);
  for (let i = 0; i < nodes; i++) {
    if (t.feature[i]! < 0) continue;
    out[t.feature[i]!]! += weighted(i) - weighted(t.left[i]!) - weighted(t.right[i]!);
  }
}

function trainForest(s: RandomForestSpec, x: ArrayLike<number>, y: ArrayLike<number>, n: number, k: number, features: FeatureName[], symbol: string | null, seed: number): TrainedClassifier {
  if (s.classWeight !== null && !s.bootstrap) throw new InvalidArgumentError(`invalid 'classWeight': '${s.classWeight}' balances the bootstrap samples, so it needs bootstrap: true`);
  if (s.maxSamples !== null && !s.bootstrap) throw new InvalidArgumentError(`invalid 'maxSamples': it sizes the bootstrap samples, so it needs bootstrap: true`);
  const perTree = featuresPerTree(s, k);
  const rng = randomStream(seed, 'classifier', 'random-forest');
  const rows: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, j) => x[i * k + j]!));
  const byClass: number[][] = [[], []];
  for (let i = 0; i < n; i++) byClass[y[i]!]!.push(i);
  const size = s.bootstrap ? Math.max(2, Math.round((s.maxSamples ?? 1) * n)) : n;
  const trees: ClassifierTree[] = [];
  const importance = new Float64Array(k);
  for (let t = 0; t < s.nEstimators; t++) {
    let sample: number[];
    if (!s.bootstrap) sample = Array.from({ length: n }, (_, i) => i);
    else if (s.classWeight !== null) {
      sample = [];
      for (let i = 0; i < size; i++) {
        const cls = byClass[i % 2]!;
        sample.push(cls[rng.int(0, cls.length - 1)]!);
      }
    } else sample = Array.from({ length: size }, () => rng.int(0, n - 1));
    const labels = sample.map((i) => y[i]!);
    const treeSeed = rng.int(0, 2 ** 31 - 1);
    const positives = labels.reduce((a, b) => a + b, 0);
    if (positives === 0 || positives === labels.length) {
      // One class only: ml-cart cannot split it; the tree is a single leaf.
      trees.push({ feature: [-1], threshold: [0], left: [-1], right: [-1], value: [positives === 0 ? 0 : 1] });
      continue;
    }
    const rf = new RandomForestClassifier({
      nEstimators: 1,
      seed: treeSeed,
      maxFeatures: perTree === k ? 1 : (perTree + 0.5) / k,
      replacement: false,
      useSampleBagging: false,
      noOOB: true,
      treeOptions: { maxDepth: s.maxDepth ?? Infinity, minNumSamples: 2 * s.minSamplesLeaf - 1 },
    });
    rf.train(sample.map((i) => rows[i]!), labels);
    const used = (rf.indexes as number[][])[0]!;
    const est = (rf.estimators as unknown as { root: CartNode }[])[0]!;
    const tree = flattenTree(est.root, used);
    trees.push(tree);
    addImpurityDecrease(tree, sample, rows, labels, importance);
  }
  const total = importance.reduce((a, b) => a + b, 0);
  for (let j = 0; j < k; j++) importance[j] = total > 0 ? importance[j]! / total : 1 / k;
  const model: RandomForestModel = { format: CLASSIFIER_FORMAT, kind: 'rf', symbol, features, spec: s, seed, trees };
  return { model, importance };
}

/** Returns P(class 1) of each row of `x` (row-major, n x features) under `model`. */
export function predictProbabilities(model: ClassifierModel | CompiledClassifier, x: ArrayLike<number>, n: number): Float64Array {
  const c = 'probability' in model ? model : compileClassifier(model);
  const k = c.features.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = c.probability(x, i * k);
  return out;
}
