import { resolve } from 'node:path';
import { STRATEGIES } from '../../engine/strategies/index.js';
import type { DefinedStrategy } from '../../engine/strategies/index.js';
import { UsageError } from '../errors.js';
import { isModuleType, loadStrategyModule, ModuleError } from '../compose/strategy-modules.js';

/** A strategy as `tapedeck strategies --json` prints it: what its definition says about itself. */
export interface StrategyListing {
  readonly name: string;
  readonly description: string;
  /** Data beyond bars it needs (`book`, `trades`, `quotes`, `chains`); empty for bar strategies. */
  readonly needs: readonly string[];
  /** Every parameter with its default (a scenario's `params` override them; no other key is accepted). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Its bar warm-up with the defaults (`{ bars, because }`), or null when not counted in bars. */
  readonly warmup: { readonly bars: number; readonly because: string } | null;
  /** The train-until parameter of a learning strategy (set per fold by `walkforward --warm-start`), or null. */
  readonly trainUntilParam: string | null;
}

/** Returns what a definition (a built-in or a module's default export) says about itself. */
export function strategyListing(definition: DefinedStrategy<object>): StrategyListing {
  return {
    name: definition.name,
    description: definition.description,
    needs: [...(definition.needs ?? [])],
    defaults: definition.defaults as Readonly<Record<string, unknown>>,
    warmup: warmupWithDefaults(definition),
    trainUntilParam: definition.trainUntilParam ?? null,
  };
}

/** The warm-up with the defaults; null when not counted in bars, or when a module's warmup fails on its own defaults. */
function warmupWithDefaults(definition: DefinedStrategy<object>): StrategyListing['warmup'] {
  try {
    return definition.warmup?.({}) ?? null;
  } catch {
    return null;
  }
}

/** The listings of the built-in strategies, in registry order. */
export function builtinListings(): StrategyListing[] {
  return Object.values(STRATEGIES).map((d) => strategyListing(d as unknown as DefinedStrategy<object>));
}

/** One strategy in full: name, data it needs, description, warm-up, and each parameter with its default. */
export function formatStrategy(s: StrategyListing): string {
  const lines = [`${s.name}${s.needs.length > 0 ? `  (needs ${s.needs.join(', ')})` : ''}`, `  ${s.description}`];
  if (s.warmup !== null) lines.push(`  warm-up: ${s.warmup.bars} bars with the defaults (${s.warmup.because})`);
  if (s.trainUntilParam !== null) lines.push(`  learns until params.${s.trainUntilParam} (walkforward --warm-start sets it per fold)`);
  lines.push('  params (defaults):');
  const width = Math.max(0, ...Object.keys(s.defaults).map((k) => k.length));
  for (const [k, v] of Object.entries(s.defaults)) lines.push(`    ${k.padEnd(width)}  ${JSON.stringify(v)}`);
  return lines.join('\n');
}

/** What `tapedeck strategies` does once its arguments are parsed (loaded only when the command runs). */
export async function strategiesAction(type: string | undefined, flags: { json?: boolean }): Promise<void> {
  let listings: StrategyListing[];
  if (type === undefined) listings = builtinListings();
  else if (isModuleType(type)) {
    const loaded = await loadStrategyModule(resolve(type)).catch((err: unknown) => {
      throw err instanceof ModuleError ? new UsageError(err.message) : err;
    });
    listings = [strategyListing(loaded.definition)];
  } else {
    const found = builtinListings().find((s) => s.name === type);
    if (found === undefined) throw new UsageError(`strategies: unknown strategy '${type}' (known: ${Object.keys(STRATEGIES).join(', ')}; or a module path such as ./strategies/my-strategy.ts)`);
    listings = [found];
  }
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify(type === undefined ? listings : listings[0], null, 2)}\n`);
    return;
  }
  process.stdout.write(`${listings.map(formatStrategy).join('\n\n')}\n`);
}
