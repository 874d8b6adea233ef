import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalExecutor } from '../../../../sim/research/index.js';
import type { TrialResult, TrialTask } from '../../../../sim/research/index.js';

const RUNNER = join(import.meta.dirname, '..', '..', '..', 'support', 'echo-runner.ts');

const tasks = (n: number, delayMs = 0): TrialTask[] => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, scenario: { delayMs }, params: { i }, seed: i }));

describe('createLocalExecutor', () => {
  it('hands every task the shared data, its typed arrays still on their SharedArrayBuffer', async () => {
    const values = new Float64Array(new SharedArrayBuffer(16));
    values[0] = 2.5;
    let calls = 0;
    const executor = createLocalExecutor({
      workers: 2,
      runnerModule: RUNNER,
      shared: (batch) => {
        calls++;
        return { tag: `batch-of-${batch.length}`, values };
      },
    });
    try {
      const results: TrialResult[] = [];
      await executor.run(tasks(4), (r) => void results.push(r));
      expect(results.map((r) => (r.status === 'ok' ? r.runHash : r.error)).sort()).toEqual(['0|batch-of-4:2.5:true', '1|batch-of-4:2.5:true', '2|batch-of-4:2.5:true', '3|batch-of-4:2.5:true']);
      // Asked once per batch, not per task.
      expect(calls).toBe(1);
    } finally {
      await executor.close();
    }
  }, 60_000);

  it('gives a worker its next task while the previous result is still being handled', async () => {
    // The first result's handler waits until every other result has arrived: a pool that waited for
    // each handler before handing out the next task would never get there (one worker).
    const executor = createLocalExecutor({ workers: 1, runnerModule: RUNNER });
    try {
      const arrived: string[] = [];
      let allArrived!: () => void;
      const all = new Promise<void>((r) => (allArrived = r));
      const handled: string[] = [];
      await executor.run(tasks(3), async (r) => {
        arrived.push(r.key);
        if (arrived.length === 3) allArrived();
        if (r.key === 'k0') await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error('the pool waited for the handler')), 20_000))]);
        handled.push(r.key);
      });
      expect(arrived).toEqual(['k0', 'k1', 'k2']);
      expect(handled.sort()).toEqual(['k0', 'k1', 'k2']);
    } finally {
      await executor.close();
    }
  }, 60_000);

  it('resolves only once every result was handled, and rejects with a handler error', async () => {
    const executor = createLocalExecutor({ workers: 2, runnerModule: RUNNER });
    try {
      const handled: string[] = [];
      await executor.run(tasks(3), async (r) => {
        await new Promise((res) => setTimeout(res, 50));
        handled.push(r.key);
      });
      expect(handled.sort()).toEqual(['k0', 'k1', 'k2']);
      await expect(
        executor.run(tasks(2), (r) => {
          if (r.key === 'k1') throw new Error('cannot store k1');
        }),
      ).rejects.toThrow('cannot store k1');
    } finally {
      await executor.close();
    }
  }, 60_000);
});
