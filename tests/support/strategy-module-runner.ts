import { qualify } from '../../cli/compose/load-scenario.js';
import { strategySourceOf } from '../../engine/strategies/index.js';
import type { TrialMetrics, TrialOutput, TrialRunner } from '../../sim/research/trial.js';

/**
 * A trial runner for tests of strategy modules in worker threads: qualifies the task's scenario
 * document (its `cacheDir` field is the worker's cache directory) (loading its strategy modules in the worker, from the file or the shipped source), builds
 * each strategy once and reports, as the "runHash", the instances' ids, source hashes and the value
 * their onStart wrote through the context.
 */
export function createTrialRunner(): TrialRunner {
  return {
    async runTrial(task: unknown): Promise<TrialOutput> {
      // `cacheDir` stands for the worker's working directory (where shipped sources are cached).
      const { cacheDir, ...doc } = task as { cacheDir: string };
      const scenario = await qualify(doc, 'the trial scenario', { cwd: cacheDir });
      const parts: string[] = [];
      for (const st of scenario.strategies) {
        const s = st.definition.create(st.id, ['AAA'], st.params);
        let target = Number.NaN;
        s.onStart?.({ setTarget: (_sym: string, units: number) => void (target = units) } as never);
        parts.push(`${String(s.id)}:${strategySourceOf(s)?.sourceHash ?? 'builtin'}:${target}`);
      }
      return { metrics: {} as TrialMetrics, runHash: parts.join(','), returns: new Float64Array(0) };
    },
  };
}
