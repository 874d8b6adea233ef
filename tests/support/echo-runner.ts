import type { TrialMetrics, TrialOutput, TrialRunOptions, TrialRunner } from '../../sim/research/trial.js';

/**
 * A trial runner for tests of the local pool itself: each trial waits `delayMs` (from the task's
 * scenario document) and reports, as its "runHash", the trial's key parameter and what the task
 * carried as `shared` (JSON; the first element of a shared Float64Array, to show it arrived).
 */
export function createTrialRunner(): TrialRunner {
  return {
    async runTrial(scenario: unknown, params: Record<string, unknown>, _seed: number, options?: TrialRunOptions): Promise<TrialOutput> {
      const delayMs = (scenario as { delayMs?: number }).delayMs ?? 0;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const shared = options?.shared as { tag?: string; values?: Float64Array } | undefined;
      const seen = shared === undefined ? 'none' : `${shared.tag}:${shared.values?.[0]}:${shared.values?.buffer instanceof SharedArrayBuffer}`;
      return { metrics: {} as TrialMetrics, runHash: `${String(params.i)}|${seen}`, returns: new Float64Array(0) };
    },
  };
}
