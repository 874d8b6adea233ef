import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, TapedeckError, printable } from '../../engine/core/index.js';
import { STRATEGIES, builtinStrategy, isDefinedStrategy, strategyFailure, withStrategySource } from '../../engine/strategies/index.js';
import type { DefinedStrategy, Strategy, StrategyDefinition, StrategySource, StrategyWarmup } from '../../engine/strategies/index.js';

/**
 * A scenario strategy's `type` resolved to the code that runs it: a built-in of the registry, a
 * user module named by path (`./strategies/breakout.ts`), or a definition handed to `backtest()` as
 * an object. Every place that builds strategies from a qualified scenario builds them from here.
 */

/** File extensions a strategy module may have (TypeScript runs through tsx, without a build step). */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/**
 * A strategy definition as a qualified scenario carries it: the registry's (or defineStrategy's)
 * definition, plus `qualifyParams` when it was made by defineStrategy. It serialises to nothing, so a
 * report's `scenario.strategies` shows the type and params, not the code.
 */
export type QualifiedDefinition = StrategyDefinition<object> & {
  readonly name: string;
  readonly qualifyParams?: (params?: Readonly<Record<string, unknown>>) => object;
  /** A built-in: its create runs no user code, so checkParams builds one (checking its symbols too). */
  readonly builtin?: true;
};

/** Where a user strategy's code came from: the module path (absolute) and the SHA-256 of its source. */
export interface StrategyModuleRef {
  readonly path: string;
  readonly sourceHash: string;
}

/** A strategy type resolved: its definition and, for a user module, where it came from. */
export interface ResolvedStrategy {
  readonly definition: QualifiedDefinition;
  readonly module?: StrategyModuleRef;
}

/** A module's source as a job carries it to a worker that may not have the file. */
export interface ShippedModule {
  readonly sourceHash: string;
  readonly source: string;
}

/** The sources of a scenario's user modules, by absolute module path (the scenario document's `modules`). */
export type ShippedModules = Readonly<Record<string, ShippedModule>>;

/** Returns the SHA-256 (hex) of a module's source text. */
export function sourceHash(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

/**
 * Returns true when a strategy `type` names a module rather than a built-in: a relative or absolute
 * path, or a name ending in one of {@link MODULE_EXTENSIONS}. Built-in names are plain identifiers.
 */
export function isModuleType(type: string): boolean {
  return type.startsWith('./') || type.startsWith('../') || isAbsolute(type) || MODULE_EXTENSIONS.some((e) => type.endsWith(e));
}

/** Returns a module type as an absolute path (relative ones against `baseDir`, the scenario file's directory). */
export function modulePath(type: string, baseDir: string): string {
  return isAbsolute(type) ? type : resolve(baseDir, type);
}

/** A definition serialising to nothing (see QualifiedDefinition). */
function qualified(definition: StrategyDefinition<object> & { name?: string }, name: string): QualifiedDefinition {
  return Object.freeze({ ...definition, name: definition.name ?? name, toJSON: () => undefined }) as QualifiedDefinition;
}

const builtins = new Map<string, QualifiedDefinition>();

/**
 * Returns the definition of a built-in strategy, or null when `name` is not one. A built-in is a
 * defineStrategy(...) definition like a user module's default export and is qualified the same way;
 * it only carries no StrategySource (its code is Tapedeck's, so built-in runHashes stay as they were).
 */
export function builtinDefinition(name: string): QualifiedDefinition | null {
  const defined = builtinStrategy(name);
  if (defined === null) return null;
  let d = builtins.get(name);
  if (d === undefined) {
    d = qualified({ ...defined, builtin: true } as StrategyDefinition<object> & { name: string }, name);
    builtins.set(name, d);
  }
  return d;
}

/**
 * Wraps a user definition so each instance carries its {@link StrategySource} (folded into the
 * runHash, named when it fails) and a throw in `create` becomes a StrategyError naming the module,
 * the strategy id and the user's stack frame.
 */
function sourced(definition: DefinedStrategy<object>, source: StrategySource): QualifiedDefinition {
  const create = (id: string, symbols: readonly string[], params?: Partial<object>): Strategy => {
    let instance: Strategy;
    try {
      instance = definition.create(id, symbols, params);
    } catch (err) {
      // A bad parameter keeps its engine wording, so the scenario loader names the parameter's path.
      if (err instanceof TapedeckError && /^invalid (?:parameter )?'/.test(err.message)) throw err;
      throw strategyFailure({ id: id as never }, source, 'create', null, err);
    }
    return withStrategySource(instance, source);
  };
  return qualified({ ...definition, create } as StrategyDefinition<object> & { name: string }, definition.name);
}

/** The identity of a definition handed over as an object: its name and its create function's text. */
export function objectSourceHash(definition: DefinedStrategy<object>): string {
  return sourceHash(`${definition.name}\n${String((definition as { create: unknown }).create)}`);
}

/** Returns the definition of a strategy handed to `backtest()` as an object (it hashes by name and create's text). */
export function objectDefinition(definition: DefinedStrategy<object>): ResolvedStrategy {
  const hash = objectSourceHash(definition);
  const module = `${definition.name} (object)`;
  return { definition: sourced(definition, { module, sourceHash: hash }), module: { path: module, sourceHash: hash } };
}

export interface ResolveOptions {
  /** Directory relative module paths are resolved against (the scenario file's). */
  readonly baseDir: string;
  /** Sources shipped with a job (the document's `modules`): used when the file is missing or differs here. */
  readonly modules?: ShippedModules;
  /** Where a worker caches shipped sources (`<cwd>/.tapedeck/strategies/<hash>/<file>`); default process.cwd(). */
  readonly cwd?: string;
  /** Definitions handed over as objects, by the name their scenario entry uses as `type`. */
  readonly objects?: ReadonlyMap<string, DefinedStrategy<object>>;
}

/**
 * Resolves a scenario strategy `type`: a definition handed over as an object, a built-in name, or a
 * module path (loaded and checked). Throws a ConfigError at `path` (`strategies[0].type`) naming the
 * module and the scenario `file` when the module is missing, does not default-export
 * `defineStrategy(...)` or fails to import; an unknown built-in name lists the known ones.
 */
export async function resolveStrategy(type: string, path: string, file: string, options: ResolveOptions): Promise<ResolvedStrategy> {
  const object = options.objects?.get(type);
  if (object !== undefined) return objectDefinition(object);
  if (!isModuleType(type)) {
    const d = builtinDefinition(type);
    if (d === null) throw new ConfigError(path, `unknown strategy '${type}' (known: ${Object.keys(STRATEGIES).join(', ')}; or a module path such as ./strategies/my-strategy.ts) (in ${file})`);
    return { definition: d };
  }
  const abs = modulePath(type, options.baseDir);
  const loaded = await loadStrategyModule(abs, { ...(options.modules?.[abs] !== undefined ? { shipped: options.modules[abs] } : {}), ...(options.cwd !== undefined ? { cwd: options.cwd } : {}) }).catch((err: unknown) => {
    if (err instanceof ModuleError) throw new ConfigError(path, `${err.message} (in ${file})`);
    throw err;
  });
  return { definition: sourced(loaded.definition, { module: abs, sourceHash: loaded.sourceHash, file: loaded.file }), module: { path: abs, sourceHash: loaded.sourceHash } };
}

/** A module could not be used; the message names it (the caller adds the scenario path and file). */
export class ModuleError extends TapedeckError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}

/** A loaded strategy module: its definition, the SHA-256 of its source and the file it ran from. */
export interface LoadedModule {
  readonly definition: DefinedStrategy<object>;
  readonly sourceHash: string;
  /** The module itself, or its copy in the cache when the source came with the job. */
  readonly file: string;
}

const loadedModules = new Map<string, Promise<DefinedStrategy<object>>>();

/**
 * Loads the strategy module at `path` (absolute). With `shipped` (the source a job carries), a
 * module missing here or with other content is written to the content-addressed cache
 * `<cwd>/.tapedeck/strategies/<hash>/<file name>` and loaded from there, so a bare
 * `import ... from 'tapedeck'` resolves through the cwd's node_modules. Throws ModuleError naming the module.
 */
export async function loadStrategyModule(path: string, options: { shipped?: ShippedModule; cwd?: string } = {}): Promise<LoadedModule> {
  if (!MODULE_EXTENSIONS.some((e) => path.endsWith(e))) throw new ModuleError(`strategy module ${path}: expected a ${MODULE_EXTENSIONS.join(', ')} file`);
  const shipped = options.shipped;
  if (shipped !== undefined && sourceHash(shipped.source) !== shipped.sourceHash) {
    throw new ModuleError(`strategy module ${path}: the shipped source does not match its sourceHash ${shipped.sourceHash.slice(0, 12)}`);
  }
  let source: string | null = null;
  try {
    source = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (shipped === undefined) throw new ModuleError(`strategy module ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${printable((err as Error).message, 120)})`}`);
  }
  let file = path;
  let hash: string;
  if (source !== null && (shipped === undefined || sourceHash(source) === shipped.sourceHash)) {
    hash = sourceHash(source);
  } else {
    hash = shipped!.sourceHash;
    file = await cacheShipped(path, shipped!, options.cwd ?? process.cwd());
  }
  const key = `${file}#${hash}`;
  let p = loadedModules.get(key);
  if (p === undefined) {
    p = importDefinition(path, file, hash);
    p.catch(() => loadedModules.delete(key));
    loadedModules.set(key, p);
  }
  return { definition: await p, sourceHash: hash, file };
}

/** Writes a shipped source into the cache (once: concurrent workers rename the same content into place) and checks its relative imports. */
async function cacheShipped(path: string, shipped: ShippedModule, cwd: string): Promise<string> {
  const dir = join(cwd, '.tapedeck', 'strategies', shipped.sourceHash);
  const file = join(dir, basename(path));
  for (const { spec, line } of relativeImports(shipped.source)) {
    const target = resolve(dir, spec);
    const candidates = [target, ...MODULE_EXTENSIONS.map((e) => `${target}${e}`), ...MODULE_EXTENSIONS.map((e) => join(target, `index${e}`))];
    if (!candidates.some((c) => existsSync(c))) {
      throw new ModuleError(
        `strategy module ${path}: not on this machine, and its source (sent with the job) imports '${spec}' (line ${line}), which is not: only the module's own source is sent, so keep a strategy for other machines in one file (or install it there at the same path)`,
      );
    }
  }
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    const staged = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(staged, shipped.source, 'utf8');
    await rename(staged, file);
  }
  return file;
}

/** The relative specifiers a module imports (`from './x'`, `import('./x')`, `require('./x')`), with their lines. */
export function relativeImports(source: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    out.push({ spec: m[2]!, line: source.slice(0, m.index).split('\n').length });
  }
  return out;
}

let typeScriptHooks: Promise<void> | null = null;

/**
 * Makes this thread able to import TypeScript: tsx's ESM hooks, registered once per thread (main or
 * worker) and not scoped to one import. Not scoped, so a user module's `import ... from 'tapedeck'`
 * resolves to the very modules this process runs (one TapedeckError class, one registry), where
 * tsImport's namespace would load a second copy. The CLI run from sources (`node --import tsx`) has
 * the hooks in its main thread already; its worker threads do not (Node 20), so they register here.
 */
function registerTypeScript(): Promise<void> {
  if (typeScriptHooks === null) {
    typeScriptHooks = (async () => {
      // node:worker_threads is loaded here only, for the sources' case: at the top it cost every run ~1 ms.
      if (import.meta.url.endsWith('.ts') && (await import('node:worker_threads')).isMainThread) return;
      // Both hooks, as the tsx command has them: a .ts file outside a "type": "module" package (a
      // worker's cache, say) is CommonJS to Node, and only the CommonJS hook compiles it then.
      const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
      esm.register();
      cjs.register();
    })();
  }
  return typeScriptHooks;
}

/** Imports `file` (TypeScript through tsx) and returns its default export, checked to be a defineStrategy(...) result. */
async function importDefinition(path: string, file: string, hash: string): Promise<DefinedStrategy<object>> {
  let mod: Record<string, unknown>;
  try {
    const url = `${pathToFileURL(file).href}?sourceHash=${hash.slice(0, 16)}`;
    if (file.endsWith('.ts') || file.endsWith('.mts')) await registerTypeScript();
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error;
    const text = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(err);
    throw new ModuleError(`strategy module ${path}: cannot import it: ${printable(text.split('\n').find((l) => l.trim() !== '') ?? text, 300)}`, { cause: err });
  }
  let value = mod.default;
  // A CommonJS build of the module may nest it once more.
  if (!isDefinedStrategy(value) && value !== null && typeof value === 'object' && isDefinedStrategy((value as Record<string, unknown>).default)) value = (value as Record<string, unknown>).default;
  if (!isDefinedStrategy(value)) {
    const what = value === undefined ? 'has no default export' : `default-exports ${value === null ? 'null' : typeof value}`;
    throw new ModuleError(`strategy module ${path}: ${what}; it must \`export default defineStrategy({ name, description, defaults, create })\` (import { defineStrategy } from 'tapedeck')`);
  }
  return value;
}

/**
 * Reads the sources of the user modules a scenario document names (types already absolute), for a
 * job to carry to workers that may not have them: the document's `modules` map. Missing files are
 * left out (qualify reports them where the scenario names them).
 */
export async function moduleSourcesOf(doc: unknown): Promise<Record<string, ShippedModule>> {
  const out: Record<string, ShippedModule> = {};
  const strategies = doc !== null && typeof doc === 'object' ? (doc as { strategies?: unknown }).strategies : undefined;
  if (!Array.isArray(strategies)) return out;
  for (const st of strategies) {
    const type = st !== null && typeof st === 'object' ? (st as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !isModuleType(type) || !isAbsolute(type) || Object.hasOwn(out, type)) continue;
    try {
      const source = await readFile(type, 'utf8');
      out[type] = { sourceHash: sourceHash(source), source };
    } catch {
      // reported by qualify
    }
  }
  return out;
}

/** Returns the document's strategy module types made absolute against `baseDir` (the scenario file's directory). */
export function resolveModuleTypes(doc: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const strategies = doc.strategies;
  if (!Array.isArray(strategies)) return doc;
  let changed = false;
  const out = strategies.map((st: unknown) => {
    if (st === null || typeof st !== 'object' || Array.isArray(st)) return st;
    const type = (st as { type?: unknown }).type;
    if (typeof type !== 'string' || !isModuleType(type) || isAbsolute(type)) return st;
    changed = true;
    return { ...(st as Record<string, unknown>), type: modulePath(type, baseDir) };
  });
  return changed ? { ...doc, strategies: out } : doc;
}

/** Checks a document's `modules` map (path -> {sourceHash, source}), naming the entry that is malformed. */
export function parseShippedModules(value: unknown, file: string): ShippedModules {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError('modules', `expected an object of module path -> { sourceHash, source } (in ${file})`);
  const out: Record<string, ShippedModule> = {};
  for (const [path, m] of Object.entries(value as Record<string, unknown>)) {
    const where = `modules[${JSON.stringify(path)}]`;
    if (!isAbsolute(path) || !MODULE_EXTENSIONS.some((e) => path.endsWith(e))) throw new ConfigError(where, `expected an absolute ${MODULE_EXTENSIONS.join(', ')} path (in ${file})`);
    const { sourceHash: hash, source } = (m ?? {}) as { sourceHash?: unknown; source?: unknown };
    if (typeof source !== 'string' || typeof hash !== 'string') throw new ConfigError(where, `expected { sourceHash, source } strings (in ${file})`);
    if (sourceHash(source) !== hash) throw new ConfigError(`${where}.sourceHash`, `does not match the SHA-256 of its source (in ${file})`);
    out[path] = { sourceHash: hash, source };
  }
  return out;
}

/** A strategy spec that may carry its definition (every qualified one does). */
export interface DefinedSpec {
  readonly type: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly definition?: QualifiedDefinition;
}

/** The definition of a spec: its own, else the built-in its type names (an unknown one is a ConfigError). */
export function definitionOf(spec: DefinedSpec): QualifiedDefinition {
  if (spec.definition !== undefined) return spec.definition;
  const d = builtinDefinition(spec.type);
  if (d === null) throw new ConfigError('', `unknown strategy '${spec.type}' (known: ${Object.keys(STRATEGIES).join(', ')})`);
  return d;
}

/** Returns the bars a spec's strategy needs before it can act (StrategyDefinition.warmup), or null. */
export function warmupOf(spec: DefinedSpec): StrategyWarmup | null {
  return definitionOf(spec).warmup?.(spec.params) ?? null;
}

/**
 * Checks a strategy's params without building it when its definition can (defineStrategy's
 * qualifyParams: no user code runs); a built-in, or a definition without qualifyParams, is built
 * once on `symbols` and dropped (a built-in's create qualifies its params and checks its symbols).
 * `symbols` null: the strategy's symbols are not known yet (they come from the data), so a built-in
 * only has its params qualified; the run checks its symbols when it builds it ({@link checkSymbolsOf}).
 */
export function checkParams(definition: QualifiedDefinition, id: string, symbols: readonly string[] | null, params: Readonly<Record<string, unknown>>): void {
  if (definition.qualifyParams !== undefined && (definition.builtin !== true || symbols === null)) definition.qualifyParams(params);
  else definition.create(id, symbols ?? ['_'], params);
}

/**
 * Builds a built-in strategy once on the symbols the run gives it (the data's, when the scenario
 * names none) and drops it, so a built-in that refuses them (pairs given one symbol) is refused as
 * a ConfigError naming `strategies[i].symbols`. Other errors propagate as they are.
 */
export function checkSymbolsOf(definition: QualifiedDefinition, index: number, id: string, symbols: readonly string[], params: Readonly<Record<string, unknown>>): void {
  if (definition.builtin !== true) return;
  try {
    definition.create(id, symbols, params);
  } catch (err) {
    const m = err instanceof TapedeckError ? /^invalid 'symbols(\[\d+\])?': (.*)$/s.exec(err.message) : null;
    if (m === null) throw err;
    throw new ConfigError(`strategies[${index}].symbols${m[1] ?? ''}`, `${m[2]!} (the data's symbols: the strategy names none)`);
  }
}
