import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Enforces the dependency direction of shared/DESIGN.md by scanning import specifiers.
 * A violation names the file, the line and the offending import.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Pure computational packages engine/ may use. */
const ENGINE_PACKAGES = new Set(['seedrandom', 'ml-matrix', 'ml-random-forest', 'quadprog', 'zod']);
const PARALLEL_OR_QUEUE = new Set(['piscina', 'bullmq', 'ioredis', 'node:worker_threads', 'worker_threads']);

interface ImportSite {
  file: string; // relative to ROOT, with '/'
  line: number;
  spec: string;
  target: string | null; // resolved project-relative path for relative imports
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE = /(?:^|[^.\w])(?:import|export)\s*(?:type\s+)?(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(abs: string): ImportSite[] {
  // Block comments (TSDoc examples such as `import { defineStrategy } from 'tapedeck'`) are blanked,
  // keeping their newlines so line numbers still point at the source.
  const text = readFileSync(abs, 'utf8').replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const file = relative(ROOT, abs).split(sep).join('/');
  const sites: ImportSite[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = (m[1] ?? m[2])!;
    const line = text.slice(0, m.index).split('\n').length;
    const target = spec.startsWith('.')
      ? relative(ROOT, resolve(dirname(abs), spec)).split(sep).join('/')
      : null;
    sites.push({ file, line, spec, target });
  }
  return sites;
}

function packageName(spec: string): string {
  if (spec.startsWith('node:')) return spec;
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function sourceFiles(top: string): string[] {
  try {
    return walk(join(ROOT, top), []);
  } catch {
    return [];
  }
}

const under = (path: string | null, ...prefixes: string[]): boolean =>
  path !== null && prefixes.some((p) => path === p || path.startsWith(`${p}/`) || path === `${p}.ts` || path === `${p}.js`);

function check(top: string, rule: (s: ImportSite) => string | null): string[] {
  const problems: string[] = [];
  for (const f of sourceFiles(top)) {
    for (const s of importsOf(f)) {
      const why = rule(s);
      if (why) problems.push(`${s.file}:${s.line} imports '${s.spec}': ${why}`);
    }
  }
  return problems;
}

describe('import direction (shared/DESIGN.md)', () => {
  it('engine/ imports no other project folder, no node module and no I/O library', () => {
    const problems = check('engine', (s) => {
      if (s.target !== null) return under(s.target, 'engine') ? null : 'engine/ may not import outside engine/';
      if (BUILTINS.has(s.spec)) return 'engine/ may not import node built-ins';
      return ENGINE_PACKAGES.has(packageName(s.spec)) ? null : 'engine/ may only use pure computational packages';
    });
    expect(problems).toEqual([]);
  });

  it('engine/strategies see only engine/{core,model,indicators,models} and the strategy context', () => {
    const problems = check('engine/strategies', (s) =>
      s.target === null || under(s.target, 'engine/core', 'engine/model', 'engine/indicators', 'engine/models', 'engine/strategies')
        ? null
        : 'strategies see only core, model, indicators, models and their StrategyContext',
    );
    expect(problems).toEqual([]);
  });

  it('sim/ imports only engine/ and sim/; sim/venue only engine/{core,model}', () => {
    const problems = check('sim', (s) => {
      if (s.target !== null) {
        if (s.file.startsWith('sim/venue/'))
          return under(s.target, 'sim/venue', 'engine/core', 'engine/model') ? null : 'sim/venue sees only engine/{core,model}';
        return under(s.target, 'sim', 'engine') ? null : 'sim/ may import only engine/';
      }
      if (!s.file.startsWith('sim/research/') && PARALLEL_OR_QUEUE.has(packageName(s.spec)))
        return 'worker threads and Redis belong in sim/research/ only';
      return null;
    });
    expect(problems).toEqual([]);
  });

  it('datasets/ imports only engine/{core,model} of the project', () => {
    const problems = check('datasets', (s) =>
      s.target === null || under(s.target, 'datasets', 'engine/core', 'engine/model') ? null : 'datasets/ sees only engine/{core,model}',
    );
    expect(problems).toEqual([]);
  });

  it('reports/ reads run results and imports no data, simulation or CLI code', () => {
    const problems = check('reports', (s) =>
      s.target === null || under(s.target, 'reports', 'engine') ? null : 'reports/ may import only engine/ types',
    );
    expect(problems).toEqual([]);
  });

  it('live/ imports only engine/, datasets/, sim/, reports/ (the report types its session fills) and the run assembly (cli/compose)', () => {
    const problems = check('live', (s) =>
      s.target === null || under(s.target, 'live', 'engine', 'datasets', 'sim', 'reports', 'cli/compose') ? null : 'live/ sees only engine/, datasets/, sim/, reports/ and cli/compose',
    );
    expect(problems).toEqual([]);
  });

  it('nothing but the CLI commands imports live/ (engine, sim, datasets, reports and the run assembly never do)', () => {
    const problems = ['engine', 'sim', 'datasets', 'reports', 'scenarios', 'cli/compose'].flatMap((top) =>
      check(top, (s) => (under(s.target, 'live') ? `${top}/ may not import live/ (live depends on it, not the other way)` : null)),
    );
    expect(problems).toEqual([]);
  });

  it('live/ reads the wall clock and arms timers only in live/clock.ts (behind LiveTimers, so tests drive them)', () => {
    const banned = /\b(Date\.now|performance\.now|Math\.random|setTimeout|setInterval|setImmediate)\b|new\s+Date\s*\(\s*\)/;
    const problems: string[] = [];
    for (const f of sourceFiles('live')) {
      const rel = relative(ROOT, f).split(sep).join('/');
      if (rel === 'live/clock.ts') continue;
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '');
          if (banned.test(code)) problems.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(sourceFiles('live').map((f) => relative(ROOT, f).split(sep).join('/'))).toContain('live/clock.ts');
    expect(problems).toEqual([]);
  });

  it('no wall clock or ambient randomness in engine/ or sim/ outside sim/research', () => {
    const banned = /\b(Date\.now|performance\.now|Math\.random)\b|new\s+Date\s*\(\s*\)/;
    const problems: string[] = [];
    for (const f of [...sourceFiles('engine'), ...sourceFiles('sim')]) {
      const rel = relative(ROOT, f).split(sep).join('/');
      if (rel.startsWith('sim/research/')) continue;
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '');
          if (banned.test(code)) problems.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(problems).toEqual([]);
  });

  it('the scanner itself catches a forbidden import (guards against a test that cannot fail)', () => {
    const fake: ImportSite = { file: 'engine/x.ts', line: 1, spec: 'node:fs', target: null };
    expect(BUILTINS.has(fake.spec)).toBe(true);
    expect(ENGINE_PACKAGES.has(packageName('@duckdb/node-api'))).toBe(false);
    expect(under('datasets/catalog', 'engine')).toBe(false);
    const text = `import { a } from '../../datasets/x.js';\nexport * from "./y.js";\nconst m = await import('piscina');`;
    const specs = [...text.matchAll(IMPORT_RE)].map((m) => m[1] ?? m[2]);
    expect(specs).toEqual(['../../datasets/x.js', './y.js', 'piscina']);
  });
});

