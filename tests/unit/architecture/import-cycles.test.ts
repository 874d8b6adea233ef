import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 12: no runtime import cycle in the composition root (cli/compose) or the replay
 * (sim/backtest). A cycle there meant two files each needed the other to be loaded first (the run
 * and the L2 run did); type-only imports are erased and do not count.
 */

const ROOT = resolve(import.meta.dirname, '../../..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Runtime (not type-only) relative imports of a file, as project-relative .ts paths. */
function runtimeImports(abs: string): string[] {
  const text = readFileSync(abs, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s*)?['"](\.[^'"]+)['"]/gm)) {
    out.push(relative(ROOT, resolve(dirname(abs), m[1]!)).split(sep).join('/').replace(/\.js$/, '.ts'));
  }
  return out;
}

/** Every elementary cycle reachable from `start` that returns to it, as a path of files. */
function cyclesThrough(start: string, graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const stack = [start];
  const onPath = new Set([start]);
  const visit = (node: string): void => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) found.push([...stack, start]);
      else if (!onPath.has(next) && graph.has(next)) {
        onPath.add(next);
        stack.push(next);
        visit(next);
        stack.pop();
        onPath.delete(next);
      }
    }
  };
  visit(start);
  return found;
}

describe('import cycles', () => {
  it('no runtime import cycle passes through cli/compose or sim/backtest', () => {
    const files = ['cli', 'sim', 'engine', 'datasets', 'reports', 'scenarios'].flatMap((d) => sources(join(ROOT, d)));
    const graph = new Map(files.map((f) => [relative(ROOT, f).split(sep).join('/'), runtimeImports(f)]));
    const cycles = [...graph.keys()]
      .filter((f) => f.startsWith('cli/compose/') || f.startsWith('sim/backtest/'))
      .flatMap((f) => cyclesThrough(f, graph).map((c) => c.join(' -> ')));
    expect(cycles).toEqual([]);
  });
});
