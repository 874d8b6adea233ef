import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../engine/core/index.js';
import { parseJsonText } from '../../scenarios/json.js';

/**
 * Per-instrument model bundles (seed 004): a directory holding `{SYMBOL}_best.json` per symbol, with
 * the production threshold, the feature list, the strategy parameters and the metrics the bundle
 * was selected on. Both the lower-case layout below and the seed's layout (`Symbol`,
 * `Prod_Threshold`, `Features`, `Params`, `Sharpe`, `Profit_Factor`, `Trades`) are accepted.
 *
 * ```json
 * { "symbol": "AAA", "threshold": 0.55, "features": ["rsi", "ibs"], "params": { "fast": 12 },
 *   "metrics": { "sharpe": 0.94, "profitFactor": 1.6, "trades": 875 } }
 * ```
 */
export const ModelBundleSchema = z.strictObject({
  symbol: z.string().min(1),
  threshold: z.number().min(0).max(1),
  features: z.array(z.string().min(1)),
  params: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.number()).default({}),
});

export type ModelBundle = z.output<typeof ModelBundleSchema>;

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
  const metrics: Record<string, unknown> = {};
  for (const [from, to] of [['Sharpe', 'sharpe'], ['Profit_Factor', 'profitFactor'], ['Trades', 'trades']] as const) {
    if (from in d) {
      metrics[to] = d[from];
      delete d[from];
    }
  }
  out.metrics = metrics;
  return { ...d, ...out };
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
  const parsed = ModelBundleSchema.safeParse(fromSeedLayout(doc));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const what = issue.code === 'unrecognized_keys' ? `unknown key(s) ${(issue as { keys: string[] }).keys.map((k) => `'${k}'`).join(', ')}` : issue.message;
    throw new ConfigError('bundles.dir', `malformed model bundle ${file}: ${where}: ${what}`);
  }
  if (parsed.data.symbol !== symbol) {
    throw new ConfigError('bundles.dir', `malformed model bundle ${file}: symbol is '${parsed.data.symbol}', expected '${symbol}'`);
  }
  return parsed.data;
}

/** Loads the bundles of every symbol, in the order given. */
export async function loadModelBundles(dir: string, symbols: readonly string[]): Promise<Map<string, ModelBundle>> {
  const out = new Map<string, ModelBundle>();
  for (const s of symbols) out.set(s, await loadModelBundle(dir, s));
  return out;
}
