import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * What the bar-path boxing tests share (tests/unit/engine/strategies/ma-cross-boxing.test.ts and
 * bar-path-boxing.test.ts): a child process with V8 forbidden to inline any function over 32 bytes of
 * bytecode, so that a number a strategy's bar path passes to or returns from a callee is boxed on every bar
 * whatever V8 would have inlined; and, in the child, what it measures with.
 */

const REPO = resolve(import.meta.dirname, '../..');

/**
 * Prepended to a child's script: `R` (the repository), `Line` (a plot line whose `set` and `setFrom` are over
 * 32 bytes of bytecode: calls, never inlined), and `allocated(run, from, to)`, the bytes `run(from, to)`
 * allocates by the sampling heap profiler (every 1 KiB, objects collected by either GC included).
 */
const PRELUDE = `
import { Session } from 'node:inspector/promises';
const R = process.env.TAPEDECK_REPO;
const pad = Array.from({ length: 12 }, (_, i) => 'this.buf[(this.n + ' + i + ') & 1023] = v;').join(' ');
const Line = new Function('return class Line { value = 0; n = 0; buf = new Float64Array(1024); set(v) { this.value = v; ' + pad + ' this.n++; } setFrom(s) { const v = s.value; this.value = v; ' + pad + ' this.n++; } }')();
const session = new Session();
session.connect();
async function allocated(run, from, to) {
  await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  run(from, to);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  let total = 0;
  (function walk(node) { total += node.selfSize; for (const c of node.children) walk(c); })(profile.head);
  return total;
}
`;

/** Runs `script` (after the prelude) in a no-inline child; returns the JSON object its last line of stdout prints. */
export function runNoInlineChild<T>(script: string): T {
  const r = spawnSync(process.execPath, ['--max-inlined-bytecode-size=32', '--import', 'tsx', '--input-type=module', '-e', PRELUDE + script], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '', TAPEDECK_REPO: REPO },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the no-inline child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}
