import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TrialResult, TrialRunner, TrialTask } from './trial.js';

/** Returns the first line of an error's message (trial errors are stored and compared as one line). */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!;
}

/**
 * Runs one task on a runner and returns its result: a trial that throws becomes a failed result
 * carrying the error's first line, so one bad parameter combination never stops a sweep.
 */
export async function executeTrial(runner: TrialRunner, task: TrialTask & { readonly shared?: unknown }): Promise<TrialResult> {
  try {
    const options = { ...(task.measureFromUs !== undefined ? { measureFromUs: task.measureFromUs } : {}), ...(task.shared !== undefined && task.shared !== null ? { shared: task.shared } : {}) };
    const out = Object.keys(options).length === 0 ? await runner.runTrial(task.scenario, task.params, task.seed) : await runner.runTrial(task.scenario, task.params, task.seed, options);
    return { status: 'ok', key: task.key, params: task.params, seed: task.seed, metrics: out.metrics, runHash: out.runHash, returns: out.returns };
  } catch (err) {
    return { status: 'failed', key: task.key, params: task.params, seed: task.seed, error: errorLine(err) };
  }
}

/**
 * Imports a trial runner module (absolute path or file URL) and creates its runner. A .ts module is
 * loaded with require: on Node 20, tsx's ESM hooks do not reach worker threads, its CommonJS hook
 * does (and require of ES modules is supported since Node 20.19).
 */
export async function loadTrialRunner(moduleUrl: string): Promise<TrialRunner> {
  let mod: { createTrialRunner?: unknown };
  if (moduleUrl.endsWith('.ts')) {
    const path = moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
    mod = createRequire(import.meta.url)(path) as { createTrialRunner?: unknown };
  } else {
    mod = (await import(moduleUrl)) as { createTrialRunner?: unknown };
  }
  if (typeof mod.createTrialRunner !== 'function') {
    throw new TypeError(`trial runner module ${moduleUrl} does not export createTrialRunner()`);
  }
  return (await (mod.createTrialRunner as () => Promise<TrialRunner> | TrialRunner)()) as TrialRunner;
}
