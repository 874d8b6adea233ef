import { join } from 'node:path';
import { printable } from '../../engine/core/index.js';
import { applyOverride, parseOverride } from '../../scenarios/overrides.js';
import { parseFitness, fitnessOf } from '../../sim/research/fitness.js';
import { greedyPortfolioSearch } from '../../sim/research/greedy-search.js';
import type { GreedyStep } from '../../sim/research/greedy-search.js';
import { createLocalExecutor } from '../../sim/research/local-executor.js';
import { canonicalJson, sha256Hex } from '../../sim/research/trial.js';
import type { TrialMetrics, TrialResult, TrialTask } from '../../sim/research/trial.js';
import { ensembleRouting } from '../compose/ensemble-compose.js';
import { loadScenarioDocument, qualify } from '../compose/load-scenario.js';
import { prepareSharedData } from '../compose/sweep-shared-data.js';
import { SWEEP_TRIAL_MODULE } from '../compose/sweep-trial-module.js';
import { reproduceCommand } from '../compose/sweep-report.js';
import { UsageError } from '../errors.js';
import { checkWorkers, usage } from '../flags.js';
import { prepareOutputDir, writeOutputs } from '../output.js';
import { shutdownSignal, stopsOnShutdown } from '../shutdown.js';
import { NothingProducedError } from './sweep.js';

/** Version of portfolio.json. */
export const PORTFOLIO_SCHEMA_VERSION = 1;

export interface PortfolioCommandOptions {
  readonly out: string;
  /** Comma-separated max-positions values (`--max-positions 1,2,3`). */
  readonly maxPositions: string;
  readonly over: string;
  readonly maxPositionsPath: string;
  readonly minImprovement?: number;
  readonly maxSubset?: number;
  readonly fitness: string;
  readonly workers?: number;
  readonly seed?: number;
  readonly set: readonly string[];
  readonly quiet?: boolean;
  readonly signal?: AbortSignal;
}

/** One evaluation of the search, as portfolio.json lists it. */
export interface PortfolioStep {
  readonly phase: 'add' | 'max-positions';
  readonly round: number;
  readonly candidate: string | null;
  readonly subset: readonly string[];
  readonly maxPositions: number;
  /** The fitness; null when the run failed or a weighted metric is undefined. */
  readonly fitness: number | null;
  readonly chosen: boolean;
  readonly runHash: string | null;
  readonly metrics: TrialMetrics | null;
  readonly error: string | null;
}

/** The content of DIR/portfolio.json. */
export interface PortfolioJson {
  readonly schemaVersion: number;
  readonly generator: 'tapedeck';
  readonly kind: 'portfolio';
  readonly scenario: string;
  readonly scenarioFile: string;
  readonly sets: readonly string[];
  readonly over: 'strategies' | 'symbols';
  readonly candidates: readonly string[];
  readonly maxPositionsPath: string;
  readonly maxPositions: readonly number[];
  readonly minImprovement: number;
  readonly maxSubset: number;
  readonly seed: number;
  readonly fitness: string;
  /** The chosen selection and max positions, null when no evaluation had a finite fitness. */
  readonly result: { readonly subset: readonly string[]; readonly maxPositions: number; readonly fitness: number; readonly runHash: string | null; readonly reproduce: string } | null;
  /** Runs made (the max-positions value of the selection is not run again). */
  readonly evaluations: number;
  readonly steps: readonly PortfolioStep[];
}

function parseList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  const bad = parts.findIndex((p, i) => !(Number.isSafeInteger(values[i]) && values[i]! >= 1) || p === '');
  if (bad >= 0) throw new UsageError(`--max-positions: expected positive integers separated by commas, was ${printable(text)}`);
  const dup = values.findIndex((v, i) => values.indexOf(v) !== i);
  if (dup >= 0) throw new UsageError(`--max-positions: ${values[dup]} is given twice`);
  return values;
}

/**
 * Runs `tapedeck portfolio search`: checks the flags and the scenario (every max-positions value must make a
 * valid scenario), runs the greedy search over the strategies (or data.symbols) on a worker pool, one
 * round's evaluations in parallel, and writes DIR/portfolio.json atomically.
 */
export async function portfolioAndWrite(scenarioFile: string, opts: PortfolioCommandOptions, progress: (line: string) => void = () => {}): Promise<{ doc: PortfolioJson; outFile: string }> {
  if (opts.over !== 'strategies' && opts.over !== 'symbols') throw new UsageError(`--over: expected 'strategies' or 'symbols', was ${printable(opts.over)}`);
  const over = opts.over;
  const maxPositions = parseList(opts.maxPositions);
  const workers = checkWorkers(opts.workers, '--workers');
  const minImprovement = opts.minImprovement ?? 0;
  if (!(Number.isFinite(minImprovement) && minImprovement >= 0)) throw new UsageError(`--min-improvement: not a non-negative number, was ${minImprovement}`);
  const fitness = usage(() => parseFitness(opts.fitness));
  const pathOverride = (m: number) => usage(() => parseOverride(`${opts.maxPositionsPath}=${m}`, '--max-positions-path'));
  pathOverride(maxPositions[0]!);
  const doc = (await loadScenarioDocument(scenarioFile, { overrides: opts.set })) as Record<string, unknown>;
  const scenario = await qualify(doc, scenarioFile);
  const seed = opts.seed ?? scenario.seed;
  // The candidates and how a selection is written into the scenario.
  let candidates: string[];
  let select: (subset: readonly string[]) => { path: string; value: unknown };
  if (over === 'strategies') {
    candidates = scenario.strategies.map((s) => s.id);
    const raw = doc['strategies'] as unknown[];
    select = (subset) => ({ path: 'strategies', value: subset.map((id) => raw[candidates.indexOf(id)]) });
  } else {
    const symbols = scenario.data.symbols;
    if (symbols === undefined || symbols.length === 0) throw new UsageError(`--over symbols: the scenario lists no data.symbols to select from (${scenarioFile}); give them in the file or with --set data.symbols='["A","B"]'`);
    candidates = [...symbols];
    select = (subset) => ({ path: 'data.symbols', value: [...subset] });
  }
  if (candidates.length < 2) throw new UsageError(`--over ${over}: the scenario has ${candidates.length} ${over === 'strategies' ? 'strategy' : 'symbol'}, nothing to choose between (${scenarioFile})`);
  const maxSubset = opts.maxSubset ?? candidates.length;
  if (!(Number.isSafeInteger(maxSubset) && maxSubset >= 1 && maxSubset <= candidates.length)) {
    throw new UsageError(`--max-subset: not an integer from 1 to the ${candidates.length} candidates, was ${maxSubset}`);
  }
  if (opts.maxSubset !== undefined && opts.maxSubset === candidates.length) {
    throw new UsageError(`--max-subset: ${opts.maxSubset} is every candidate, which the search allows anyway; give fewer or leave it out`);
  }
  const build = (subset: readonly string[], m: number): unknown => {
    const s = select(subset);
    return applyOverride(applyOverride(doc, { path: s.path.split('.'), value: s.value, text: `${s.path}=${JSON.stringify(s.value)}` }), pathOverride(m));
  };
  // Every max-positions value, with the whole selection, must make a scenario: refused before any run.
  // The scenario itself qualified above, so a refusal here is the flags' doing: a usage error naming them.
  for (const m of maxPositions) {
    try {
      await qualify(build(candidates, m), scenarioFile);
    } catch (err) {
      throw new UsageError(`--max-positions-path ${opts.maxPositionsPath}=${m}: ${(err as Error).message.split('\n')[0]!}`);
    }
  }
  const selectionMax = Math.max(...maxPositions);
  // The search starts from single candidates: a scenario that refuses a selection of one (an ensemble
  // whose weight cap needs more strategies, a strategy naming a symbol left out) could never start.
  for (const c of candidates) {
    try {
      const one = await qualify(build([c], selectionMax), scenarioFile);
      // The ensemble's own rules (checked when a run is composed) apply to the selection's size.
      ensembleRouting(one, one.strategies.map((s) => s.id));
    } catch (err) {
      throw new UsageError(`--over ${over}: the search starts from one ${over === 'strategies' ? 'strategy' : 'symbol'}, and the scenario with only ${c} is refused: ${(err as Error).message.split('\n')[0]!}`);
    }
  }

  const executor = createLocalExecutor({ workers, runnerModule: SWEEP_TRIAL_MODULE, shared: () => shared });
  let shared: Promise<unknown> = Promise.resolve(null);
  shared = prepareSharedData(doc);
  const results = new Map<string, Promise<TrialResult>>();
  const keyOf = (subset: readonly string[], m: number) => sha256Hex(canonicalJson({ subset, m })).slice(0, 16);
  /** Runs the evaluations not yet started together (in parallel on the pool); each key's promise settles with its result. */
  const start = (pairs: readonly (readonly [readonly string[], number])[]): void => {
    const tasks: TrialTask[] = [];
    const settle = new Map<string, (r: TrialResult) => void>();
    for (const [subset, m] of pairs) {
      const key = keyOf(subset, m);
      if (results.has(key)) continue;
      results.set(key, new Promise<TrialResult>((res) => settle.set(key, res)));
      // The trial's own parameters are empty: the selection and the max positions are in its scenario.
      tasks.push({ key, scenario: build(subset, m), params: {}, seed });
    }
    if (tasks.length === 0) return;
    const done = executor.run(tasks, (r) => settle.get(r.key)!(r), opts.signal);
    done.catch((err: unknown) => {
      for (const t of tasks) settle.get(t.key)!({ status: 'failed', key: t.key, params: {}, seed, error: (err as Error).message });
    });
  };
  const evaluate = async (subset: readonly string[], m: number): Promise<TrialResult> => {
    if (m === selectionMax) {
      // A forward-selection round: its other candidates are run beside this one.
      const base = subset.slice(0, -1);
      start(candidates.filter((c) => !base.includes(c)).map((c) => [[...base, c], m] as const));
    } else {
      start(maxPositions.filter((v) => v !== selectionMax).map((v) => [subset, v] as const));
    }
    return results.get(keyOf(subset, m))!;
  };

  let outDir: string;
  let search: Awaited<ReturnType<typeof greedyPortfolioSearch<string>>>;
  const trialOf = new Map<string, TrialResult>();
  try {
    outDir = await prepareOutputDir(opts.out, 'portfolio');
    search = await greedyPortfolioSearch<string>({
      candidates,
      maxPositions,
      selectionMaxPositions: selectionMax,
      minImprovement,
      maxSubsetSize: maxSubset,
      evaluate: async (subset, m) => {
        const r = await evaluate(subset, m);
        trialOf.set(keyOf(subset, m), r);
        if (r.status === 'failed') throw new Error(r.error.split('\n')[0]!);
        const f = fitnessOf(fitness, r);
        return Number.isFinite(f) ? f : null;
      },
      onStep: (s: GreedyStep<string>) => progress(`${s.phase === 'add' ? `round ${s.round}: + ${s.candidate}` : `max positions ${s.maxPositions}`}  [${s.subset.join(', ')}]  fitness ${Number.isFinite(s.metric) ? s.metric.toFixed(4) : 'n/a'}`),
    });
    opts.signal?.throwIfAborted();
  } finally {
    await executor.close();
  }
  const steps: PortfolioStep[] = search.steps.map((s) => {
    const r = trialOf.get(keyOf(s.subset, s.maxPositions)) ?? null;
    return {
      phase: s.phase,
      round: s.round,
      candidate: s.candidate,
      subset: s.subset,
      maxPositions: s.maxPositions,
      fitness: Number.isFinite(s.metric) ? s.metric : null,
      chosen: s.chosen,
      runHash: r !== null && r.status === 'ok' ? r.runHash : null,
      metrics: r !== null && r.status === 'ok' ? r.metrics : null,
      error: s.error ?? (r !== null && r.status === 'failed' ? r.error.split('\n')[0]! : null),
    };
  });
  const chosenRun = search.subset.length > 0 ? (trialOf.get(keyOf(search.subset, search.maxPositions)) ?? null) : null;
  const chosenSelect = select(search.subset);
  const out: PortfolioJson = {
    schemaVersion: PORTFOLIO_SCHEMA_VERSION,
    generator: 'tapedeck',
    kind: 'portfolio',
    scenario: scenario.name,
    scenarioFile,
    sets: opts.set,
    over,
    candidates,
    maxPositionsPath: opts.maxPositionsPath,
    maxPositions,
    minImprovement,
    maxSubset,
    seed,
    fitness: fitness.text,
    result:
      search.subset.length > 0 && Number.isFinite(search.metric)
        ? {
            subset: search.subset,
            maxPositions: search.maxPositions,
            fitness: search.metric,
            runHash: chosenRun !== null && chosenRun.status === 'ok' ? chosenRun.runHash : null,
            reproduce: reproduceCommand(scenarioFile, [...opts.set, `${chosenSelect.path}=${JSON.stringify(chosenSelect.value)}`, `${opts.maxPositionsPath}=${search.maxPositions}`], seed),
          }
        : null,
    evaluations: search.evaluations,
    steps,
  };
  const outFile = join(outDir, 'portfolio.json');
  await writeOutputs(outDir, 'portfolio', [{ name: 'portfolio.json', data: `${JSON.stringify(out, null, 1)}\n` }]);
  return { doc: out, outFile };
}

/** A short human summary for stdout. */
export function summarizePortfolio(doc: PortfolioJson, outFile: string): string {
  const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
  const lines = [
    `scenario      ${doc.scenario}`,
    `search        greedy over ${doc.candidates.length} ${doc.over} (${doc.candidates.join(', ')}), max positions ${doc.maxPositions.join(',')} at ${doc.maxPositionsPath}, min improvement ${doc.minImprovement}`,
    `seed          ${doc.seed}   fitness ${doc.fitness}   evaluations ${doc.evaluations}`,
    'step  phase          subset                                    max pos  fitness',
  ];
  for (const [i, s] of doc.steps.entries()) {
    lines.push(`${String(i + 1).padEnd(5)} ${(s.phase === 'add' ? `round ${s.round}` : 'max-positions').padEnd(14)} ${s.subset.join(',').slice(0, 40).padEnd(41)} ${String(s.maxPositions).padStart(7)}  ${fmt(s.fitness).padStart(8)}${s.chosen ? '  *' : ''}`);
  }
  if (doc.result) {
    lines.push(`chosen        ${doc.result.subset.join(', ')} with max positions ${doc.result.maxPositions}: fitness ${fmt(doc.result.fitness)}`);
    lines.push(`runHash       ${doc.result.runHash ?? 'n/a'}`);
    lines.push(`reproduce     ${doc.result.reproduce}`);
  } else {
    lines.push('chosen        none (no evaluation had a finite fitness)');
  }
  lines.push(`report        ${outFile}`);
  return lines.join('\n');
}

/** What `tapedeck portfolio search` does once its arguments are parsed. */
export async function portfolioAction(file: string, opts: Omit<PortfolioCommandOptions, 'signal'> & { json?: boolean }): Promise<void> {
  const done = stopsOnShutdown();
  try {
    const progress = opts.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
    const { doc, outFile } = await portfolioAndWrite(file, { ...opts, signal: shutdownSignal() }, progress);
    process.stdout.write(opts.json ? `${JSON.stringify({ result: doc.result, evaluations: doc.evaluations, report: outFile }, null, 2)}\n` : `${summarizePortfolio(doc, outFile)}\n`);
    if (doc.result === null) {
      const first = doc.steps.find((s) => s.error !== null);
      throw new NothingProducedError(`no evaluation had a finite fitness${first ? `; the first error: ${printable(first.error!, 200)}` : ''} (steps in ${outFile})`);
    }
  } finally {
    done();
  }
}
