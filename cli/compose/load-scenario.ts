import type { PredictiveFilterConfig } from '../../engine/models/index.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, TapedeckError, parseDurationUs, printable, resolveCalendar, shownValue } from '../../engine/core/index.js';
import { validateRiskConfig } from '../../engine/risk/index.js';
import type { QualifiedRiskConfig, RiskConfig } from '../../engine/risk/index.js';
import type { DefinedStrategy } from '../../engine/strategies/index.js';
import { OverrideError, applyOverride, formatPath, parseOverride } from '../../scenarios/overrides.js';
import { parseJsonText } from '../../scenarios/json.js';
import { ScenarioSchema } from '../../scenarios/schema.js';
import type { ParsedScenario } from '../../scenarios/schema.js';
import { venueConfig } from '../../sim/venue/index.js';
import { qualifyL2Venue } from './l2-venue.js';
import { qualifyInstruments } from './instruments.js';
import type { InstrumentSpec } from '../../engine/model/index.js';
import type { StrategyAccountSection } from '../../engine/portfolio/account-schema.js';
import { parseTimeframes } from './timeframes.js';
import { checkTradeFrom } from './trade-from.js';
import { applyPlanRules } from './plan-rules.js';
import { qualifyAlgorithmConfig } from '../../engine/execution/index.js';
import type { AlgorithmConfig } from '../../engine/execution/index.js';
import type { VenueConfigInput } from '../../sim/venue/index.js';
import { checkParams, moduleSourcesOf, parseShippedModules, resolveModuleTypes, resolveStrategy } from './strategy-modules.js';
import type { QualifiedDefinition, ShippedModules, StrategyModuleRef } from './strategy-modules.js';

export { parseJsonText };

/** Scenario fields that hold file or directory paths. */
const PATH_FIELDS = ['bars', 'quotes', 'trades', 'book', 'options', 'sentiment'] as const;

/** A scenario after validation: every default applied, every section qualified by its owner. */
export interface QualifiedScenario extends Omit<ParsedScenario, 'venue' | 'risk' | 'strategies' | 'execution'> {
  readonly strategies: readonly {
    readonly id: string;
    readonly type: string;
    readonly symbols?: readonly string[];
    readonly params: Readonly<Record<string, unknown>>;
    /** This strategy's execution algorithm (its own, else the scenario default), when one is set. */
    readonly execution?: AlgorithmConfig;
    /** The code that runs it: a built-in's definition or the user module's (serialises to nothing). */
    readonly definition: QualifiedDefinition;
    /** For a user module: its absolute path and the SHA-256 of its source (part of the run's identity). */
    readonly module?: StrategyModuleRef;
    /** The strategy's own account: it trades a separate book (cli/compose/books.ts). All strategies have one, or none. */
    readonly account?: StrategyAccountSection;
    /** The strategy's predictive filters (engine/kernel/predictive-filter-gate.ts), when it has any. */
    readonly filters?: readonly PredictiveFilterConfig[];
  }[];
  /** The scenario's default execution algorithm, qualified. */
  readonly execution?: AlgorithmConfig;
  /** Venue settings as given (barIntervalUs is filled in from the data at run time). */
  readonly venue: VenueConfigInput;
  readonly risk: QualifiedRiskConfig;
  /** Where the scenario came from, for messages. */
  readonly file: string;
  /**
   * The instrument of every symbol that has one (scenario `instruments` over `instrumentsFile`,
   * defaults applied, rules checked: cli/compose/instruments.ts); absent or empty: none.
   */
  readonly instrumentSpecs?: Readonly<Record<string, InstrumentSpec>>;
}

export interface LoadOptions {
  /** `--set dotted.path=value` overrides, applied in order. */
  readonly overrides?: readonly string[];
  /** `--seed N`, applied after the overrides. */
  readonly seed?: number;
  /** Directory `--set` paths are relative to (the user's working directory). */
  readonly cwd?: string;
}

/** How {@link qualify} finds strategy code beyond the built-ins. */
export interface QualifyOptions {
  /** Directory relative strategy module paths are resolved against (default: the scenario file's, else the working directory). */
  readonly baseDir?: string;
  /** Where a worker caches module sources shipped with a job (default: the working directory). */
  readonly cwd?: string;
  /** Strategy definitions handed over as objects (`backtest()`), by the `type` their entries use. */
  readonly objects?: ReadonlyMap<string, DefinedStrategy<object>>;
}

/**
 * Reads, overrides and validates a scenario file. Paths in the file are relative to the file's
 * directory; paths given with `--set` are relative to `cwd`. Every problem is a ConfigError naming
 * the file and the dotted path of the field.
 */
export async function loadScenario(file: string, options: LoadOptions = {}): Promise<QualifiedScenario> {
  return qualify(await loadScenarioDocument(file, options), file);
}

/**
 * Reads a scenario file and applies the overrides and the seed, without validating it: the document
 * `qualify` takes (data paths made absolute). Sweeps send it to their trials, which apply their own
 * parameters to it the same way.
 */
export async function loadScenarioDocument(file: string, options: LoadOptions = {}): Promise<unknown> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, file);
  let text: string;
  try {
    // Read synchronously (and the data paths checked so, in qualify): a scenario is a small file, and an awaited
    // read is four round trips through libuv's thread pool (open, fstat, read, close) that a starting run waits for
    // with nothing else to do: 0.3-4 ms at idle, 5-9 ms under load on 2 cores, against ~0.15 ms here (bench/RESULTS.md,
    // twelfth pass, s12-boot).
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('', `cannot read scenario ${file}: ${code === 'ENOENT' ? 'no such file' : String((err as Error).message)}`);
  }
  let doc: unknown;
  try {
    doc = parseJsonText(text);
  } catch (err) {
    throw new ConfigError('', `${file}: not valid JSON (${printable((err as Error).message, 120)})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('', `${file}: a scenario is a JSON object`);
  doc = resolveModuleTypes(resolveDataPaths(doc as Record<string, unknown>, dirname(path)), dirname(path));
  for (const text of options.overrides ?? []) {
    const o = parseOverride(text, '--set');
    let value = o.value;
    const isPath = (o.path.length === 2 && o.path[0] === 'data' && (PATH_FIELDS as readonly unknown[]).includes(o.path[1])) || (o.path.length === 1 && o.path[0] === 'instrumentsFile');
    if (isPath && typeof value === 'string') {
      value = isAbsolute(value) ? value : resolve(cwd, value);
    }
    doc = applyOverride(doc, { ...o, value });
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new OverrideError(`--seed: expected an integer between ${-Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}, was ${options.seed}`);
  }
  if (options.seed !== undefined) doc = applyOverride(doc, { path: ['seed'], value: options.seed, text: String(options.seed), flag: '--seed' });
  // A module set with --set is relative to the working directory, like a data path.
  doc = resolveModuleTypes(doc as Record<string, unknown>, cwd);
  // The sources of its strategy modules travel with the document, so a sweep's queue worker on a
  // machine without the files runs the same code (and their hashes are part of the sweep's config).
  const modules = await moduleSourcesOf(doc);
  if (Object.keys(modules).length > 0) doc = { ...(doc as Record<string, unknown>), modules };
  return doc;
}

/** Returns the document with its relative data paths (data.bars, ...) and `instrumentsFile` made absolute against `baseDir`. */
export function resolveDataPaths(doc: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const f = doc.instrumentsFile;
  if (typeof f === 'string' && f.length > 0 && !isAbsolute(f)) doc = { ...doc, instrumentsFile: resolve(baseDir, f) };
  const data = doc.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return doc;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const f of PATH_FIELDS) {
    const v = out[f];
    if (typeof v === 'string' && v.length > 0 && !isAbsolute(v)) out[f] = resolve(baseDir, v);
  }
  return { ...doc, data: out };
}

/**
 * Refuses a `__proto__` key anywhere in a scenario document. JSON.parse makes it an ordinary own
 * key, but spreading, cloning and validating treat it as the object's prototype (zod drops it from a
 * record silently), so what would run is not what the file says. Walks without recursion, so a deeply
 * nested document cannot overflow the stack here.
 */
function checkNoProtoKeys(doc: unknown, file: string): void {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: doc, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw new ConfigError(formatPath([...path, key]), `'__proto__' is not allowed as a key (in ${file})`);
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
}

/** Formats the first zod issue as `path: message`, naming unknown keys. */
function zodMessage(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0]!;
  const base = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    const where = keys.map((k) => (base ? `${base}.${k}` : k));
    // A section may name its keys in its own words (risk: `unknown risk limit (known: ...)`).
    if (/^unknown /.test(issue.message)) return { path: where[0]!, message: issue.message };
    return { path: where[0]!, message: `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}` };
  }
  // zod says a missing field was "received undefined": say it is missing, in the user's words.
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return { path: base || '(scenario)', message: `missing (expected ${(issue as { expected: string }).expected})` };
  // Show the value the user wrote (parsed with reportInput), as the sections' own checks do.
  const input = (issue as { input?: unknown }).input;
  if (input !== undefined && issue.code !== 'invalid_union' && !/, was /.test(issue.message)) return { path: base || '(scenario)', message: `${issue.message.replace(/, received \w+$/, '')}, was ${shownValue(input)}` };
  return { path: base || '(scenario)', message: issue.message };
}

/** Validates a raw scenario document (already overridden). */
export async function qualify(doc: unknown, file = 'scenario', options: QualifyOptions = {}): Promise<QualifiedScenario> {
  checkNoProtoKeys(doc, file);
  // `modules` (module path -> {sourceHash, source}) is what loadScenarioDocument adds for workers; not a scenario field.
  let shipped: ShippedModules | undefined;
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && Object.hasOwn(doc, 'modules')) {
    const { modules, ...rest } = doc as Record<string, unknown>;
    shipped = parseShippedModules(modules, file);
    doc = rest;
  }
  // Without zod's compiled fast path (`jitless`): zod writes and compiles a parser (`new Function`) for each object
  // schema the first time it parses with it, ~5 ms of every run for a document parsed once per process (V8's code
  // cache cannot hold code made at run time). The values and issues are the same either way.
  const parsed = ScenarioSchema.safeParse(doc, { reportInput: true, jitless: true });
  if (!parsed.success) {
    const { path, message } = zodMessage(parsed.error);
    throw new ConfigError(path, `${message} (in ${file})`);
  }
  const s = parsed.data;
  if (s.data.bars === undefined && s.data.quotes === undefined && s.data.trades === undefined && s.data.book === undefined) {
    throw new ConfigError('data', `give at least one of data.bars, data.quotes, data.trades or data.book (in ${file})`);
  }
  if (s.data.sentiment !== undefined && s.data.book !== undefined) {
    throw new ConfigError('data.sentiment', `sentiment scores replay with bars, quotes or trades; an L2 run (data.book) does not take them (in ${file})`);
  }
  if (s.data.book !== undefined && (s.data.bars !== undefined || s.data.quotes !== undefined)) {
    throw new ConfigError('data.book', `an L2 run replays book rows and optional trades, not bars or quotes: remove data.${s.data.bars !== undefined ? 'bars' : 'quotes'} (in ${file})`);
  }
  for (const f of PATH_FIELDS) {
    const p = s.data[f];
    if (p === undefined) continue;
    try {
      statSync(p);
    } catch {
      throw new ConfigError(`data.${f}`, `no such file or directory: ${p} (in ${file})`);
    }
  }
  for (const f of ['interval', 'barTimestamp'] as const) {
    if (s.data[f] !== undefined && s.data.bars === undefined) throw new ConfigError(`data.${f}`, `applies to bars and this run has none (${s.data.book !== undefined ? 'an L2 run replays book rows' : 'give data.bars, or remove it'}) (in ${file})`);
  }
  if (s.data.interval !== undefined) positiveDuration(s.data.interval, 'data.interval', file);
  if (s.data.timeframes !== undefined) {
    if (s.data.bars === undefined) throw new ConfigError('data.timeframes', `coarser intervals are resampled from bars: ${s.data.book !== undefined ? 'an L2 run (data.book) has none' : 'give data.bars'} (in ${file})`);
    parseTimeframes(s.data.timeframes, file);
  }
  positiveDuration(s.engine.equityEvery, 'engine.equityEvery', file);
  checkTradeFrom(s, file);
  if (s.calendar !== undefined) rethrowAsConfig('calendar', file, () => resolveCalendar(s.calendar!, 'calendar'));
  const risk = rethrowAsConfig('risk', file, () => validateRiskConfig(s.risk as RiskConfig, 'risk'));
  if (s.data.book !== undefined) rethrowAsConfig('venue', file, () => qualifyL2Venue(s.venue));
  else rethrowAsConfig('venue', file, () => venueConfig({ ...(s.venue as VenueConfigInput), ...(s.venue.marketFill === 'close' ? { barIntervalUs: 1 } : {}) }, 'venue'));
  const defaultExecution = s.execution !== undefined ? rethrowAsConfig('execution', file, () => qualifyAlgorithmConfig(s.execution, 'execution')) : undefined;
  const baseDir = options.baseDir ?? (file !== 'scenario' && existsSync(file) ? dirname(resolve(file)) : process.cwd());
  const instrumentSpecs = await qualifyInstruments(s.instrumentsFile !== undefined && !isAbsolute(s.instrumentsFile) ? { ...s, instrumentsFile: resolve(baseDir, s.instrumentsFile) } : s, file);
  const seen = new Map<string, number>();
  const typeCount = new Map<string, number>();
  for (const st of s.strategies) typeCount.set(st.type, (typeCount.get(st.type) ?? 0) + 1);
  const typeSeen = new Map<string, number>();
  const strategies = [];
  for (const [i, st] of s.strategies.entries()) {
    const resolved = await resolveStrategy(st.type, `strategies[${i}].type`, file, {
      baseDir,
      ...(shipped !== undefined ? { modules: shipped } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.objects !== undefined ? { objects: options.objects } : {}),
    });
    const { definition } = resolved;
    // A module's instances are named after the module file (`breakout`), a built-in's after its type.
    const label = resolved.module !== undefined ? definition.name : st.type;
    const n = (typeSeen.get(st.type) ?? 0) + 1;
    typeSeen.set(st.type, n);
    const id = st.id ?? ((typeCount.get(st.type) ?? 0) > 1 ? `${label}-${n}` : label);
    if (seen.has(id)) throw new ConfigError(`strategies[${i}].id`, `duplicate strategy id '${id}' (also strategies[${seen.get(id)}]) (in ${file})`);
    seen.set(id, i);
    // Validate the params now (with a placeholder symbol) so errors name the scenario path.
    // A parameter's message names the parameter; one about the symbols names the strategy's symbols field.
    const defaults = definition.defaults as object;
    const fieldOf = (name: string): string => {
      const head = name.split(/[.[]/)[0]!;
      if (Object.hasOwn(defaults, head) || Object.hasOwn(st.params, head)) return `strategies[${i}].params.${name}`;
      if (head === 'symbols' || head === st.type) return `strategies[${i}].symbols${name.slice(head.length)}`;
      return `strategies[${i}]`;
    };
    const where = resolved.module !== undefined ? `${file}, strategy module ${resolved.module.path}` : file;
    rethrowAsConfig(`strategies[${i}].params`, where, () => checkParams(definition, id, st.symbols ?? null, st.params), fieldOf);
    const execution = st.execution !== undefined ? rethrowAsConfig(`strategies[${i}].execution`, file, () => qualifyAlgorithmConfig(st.execution, `strategies[${i}].execution`)) : defaultExecution;
    strategies.push({
      id,
      type: st.type,
      ...(st.symbols ? { symbols: st.symbols } : {}),
      params: st.params,
      ...(execution !== undefined ? { execution } : {}),
      definition,
      ...(resolved.module !== undefined ? { module: resolved.module } : {}),
      ...(st.account !== undefined ? { account: st.account } : {}),
      ...(st.filters !== undefined ? { filters: st.filters } : {}),
    });
  }
  if (s.data.options !== undefined && s.data.bars === undefined) throw new ConfigError('data.options', `option chains replay with the underlyings' bars: give data.bars too (in ${file})`);
  const { execution: _rawExecution, ...rest } = s;
  const qualified: QualifiedScenario = Object.freeze({
    ...rest,
    strategies,
    venue: s.venue as VenueConfigInput,
    risk,
    file,
    ...(defaultExecution !== undefined ? { execution: defaultExecution } : {}),
    ...(Object.keys(instrumentSpecs).length > 0 ? { instrumentSpecs } : {}),
  });
  // Settings valid on their own but without effect in this scenario are refused, naming the path.
  applyPlanRules(qualified, doc, file);
  return qualified;
}

/** Parses a duration field that must be positive (a bar interval, a sampling step), naming the field and the value. */
function positiveDuration(text: string, path: string, file: string): number {
  const us = rethrowAsConfig(path, file, () => parseDurationUs(text, path));
  if (!(us > 0)) throw new ConfigError(path, `must be longer than zero, was ${printable(text)} (in ${file})`);
  return us;
}

/**
 * Runs a section's own qualifier and rethrows its errors as ConfigErrors at the scenario path the
 * user wrote: an engine-style `invalid 'slow': ...` from a strategy's params becomes
 * `strategies[0].params.slow: ...`, so the path names the field, not just its section.
 */
function rethrowAsConfig<T>(path: string, file: string, fn: () => T, fieldOf?: (name: string) => string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.path || path, `${stripPath(err.message, err.path)} (in ${file})`);
    if (err instanceof TapedeckError) {
      const { field, message } = namedField(err.message, path, fieldOf);
      throw new ConfigError(field, `${message} (in ${file})`);
    }
    throw err;
  }
}

/**
 * Splits an engine-style message, `invalid 'NAME': what, was VALUE` or `invalid parameter 'NAME'
 * for X: what`, into the field it names under `section` and the rest; other messages stay whole.
 * A name that already starts with the section (`venue.fees.rate`) is not repeated.
 */
function namedField(message: string, section: string, fieldOf?: (name: string) => string): { field: string; message: string } {
  const m = /^invalid (?:parameter )?'([^']+)'(?: for [^:]+)?: (.*)$/s.exec(message);
  if (m === null) return { field: section, message };
  const name = m[1]!;
  const field = fieldOf !== undefined ? fieldOf(name) : name === section || name.startsWith(`${section}.`) || name.startsWith(`${section}[`) ? name : `${section}${name.startsWith('[') ? '' : '.'}${name}`;
  // A missing field reads `not a finite number, was undefined` in engine words: say it is missing.
  const missing = /^(.*), was undefined$/s.exec(m[2]!);
  return { field, message: missing !== null ? `missing (${missing[1]})` : m[2]! };
}

function stripPath(message: string, path: string): string {
  return path && message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}
