import { readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { STRATEGIES } from '../../../index.js';
import { isDefinedStrategy } from '../../../engine/strategies/index.js';

/**
 * Issue 12, point 6: the built-in strategies are written against exactly the public API, the
 * package root `index.ts` (what `import ... from 'tapedeck'` gives).
 *
 * The rule, checked with the TypeScript compiler's own module resolution and export tables:
 *
 * - CHECKED are the files of engine/strategies/ except the four that make up the strategy API itself
 *   (MACHINERY: the barrel, the context types, defineStrategy, the user-code identity helpers). So
 *   every built-in, every helper of theirs and the registry are checked, and a file added there is
 *   checked without being listed.
 * - Every import of a CHECKED file (static, `export ... from`, `import type`, `import()` and
 *   `import('...')` types, `require`) must resolve to either
 *   (a) a PUBLIC module: one whose every export (types included) is exported by index.ts, directly
 *       or as a member of a namespace index.ts exports (`indicators`); a package import counts the
 *       same way (`zod` is not public: index.ts re-exports only its `z`); or
 *   (b) another CHECKED file (a helper written by the same rule).
 *   By induction nothing a built-in reaches is private: (b) files are held to the same rule.
 *
 * Beyond the rule, today every CHECKED file is itself public (so (b) is not even needed: whatever a
 * built-in imports, a user imports from 'tapedeck'), and every built-in definition is exported by
 * name from the package root. A probe file, compiled in memory with the real ones, shows the check
 * refusing private imports.
 */

const ROOT = resolve(import.meta.dirname, '../../..');
const STRATEGY_DIR = join(ROOT, 'engine/strategies');
const INDEX = join(ROOT, 'index.ts');
/** engine/strategies files that are the strategy API itself rather than strategies written with it. */
const MACHINERY = new Set(['index.ts', 'context.ts', 'define-strategy.ts', 'strategy-source.ts']);

const rel = (abs: string): string => relative(ROOT, abs).split(sep).join('/');

/** The engine/strategies files held to the rule. */
function checkedFiles(): string[] {
  return readdirSync(STRATEGY_DIR)
    .filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts') && !MACHINERY.has(n))
    .map((n) => join(STRATEGY_DIR, n));
}

/** What the check found: the violations of the rule, and the CHECKED files that are not public themselves. */
interface Findings {
  violations: Violation[];
  privateFiles: string[];
}

interface Violation {
  file: string;
  line: number;
  spec: string;
  why: string;
}

/**
 * Builds a program over index.ts and `files` (plus in-memory `extra` sources, for the test of the
 * checker itself) and returns the violations of the rule by the CHECKED files among them.
 */
function check(files: readonly string[], extra: Readonly<Record<string, string>> = {}): Findings {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (parsed === undefined) throw new Error('cannot read tsconfig.json');
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true };
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (Object.hasOwn(extra, name) ? ts.createSourceFile(name, extra[name]!, lang, true) : getSourceFile(name, lang, ...rest));
  host.fileExists = (name) => Object.hasOwn(extra, name) || fileExists(name);
  const program = ts.createProgram({ rootNames: [INDEX, ...files, ...Object.keys(extra)], options, host });
  const checker = program.getTypeChecker();

  const resolveAlias = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const moduleOf = (file: string): ts.Symbol => {
    const sf = program.getSourceFile(file);
    const sym = sf === undefined ? undefined : checker.getSymbolAtLocation(sf);
    if (sym === undefined) throw new Error(`no module symbol for ${file}`);
    return sym;
  };
  // What index.ts exports, through aliases, with the members of the namespaces it exports.
  const publicSymbols = new Set<ts.Symbol>();
  for (const e of checker.getExportsOfModule(moduleOf(INDEX))) {
    const target = resolveAlias(e);
    publicSymbols.add(target);
    if (target.flags & ts.SymbolFlags.ValueModule) for (const m of checker.getExportsOfModule(target)) publicSymbols.add(resolveAlias(m));
  }
  /** The exports of a module that index.ts does not export (empty: the module is public). */
  const privateExports = (mod: ts.Symbol): string[] =>
    checker
      .getExportsOfModule(mod)
      .filter((e) => !publicSymbols.has(resolveAlias(e)))
      .map((e) => e.name);

  const checked = new Set([...files, ...Object.keys(extra)].filter((f) => rel(f).startsWith('engine/strategies/') && !MACHINERY.has(f.slice(STRATEGY_DIR.length + 1))));
  const out: Violation[] = [];
  for (const file of checked) {
    const sf = program.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      let spec: ts.Expression | undefined;
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) spec = node.moduleSpecifier;
      else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) spec = node.moduleReference.expression;
      else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) spec = node.arguments[0];
      else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) spec = node.argument.literal;
      if (spec !== undefined && ts.isStringLiteralLike(spec)) {
        const line = sf.getLineAndCharacterOfPosition(spec.getStart(sf)).line + 1;
        const where = { file: rel(file), line, spec: spec.text };
        const mod = checker.getSymbolAtLocation(spec);
        const target = mod?.declarations?.[0]?.getSourceFile().fileName;
        if (mod === undefined || target === undefined) out.push({ ...where, why: 'does not resolve to a module' });
        else if (!checked.has(target)) {
          const hidden = privateExports(mod);
          if (hidden.length > 0) out.push({ ...where, why: `not public: index.ts does not export ${hidden.slice(0, 5).join(', ')}${hidden.length > 5 ? ` (+${hidden.length - 5} more)` : ''}` });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  const privateFiles = [...checked].filter((f) => privateExports(moduleOf(f)).length > 0).map((f) => `${rel(f)}: index.ts does not export ${privateExports(moduleOf(f)).join(', ')}`);
  return { violations: out, privateFiles };
}

const show = (v: readonly Violation[]): string[] => v.map((x) => `${x.file}:${x.line} imports '${x.spec}': ${x.why}`);

/** A file the check runs over with the real ones (in memory only), to show the rule can fail. */
const PROBE = join(STRATEGY_DIR, '__probe__.ts');
const PROBE_SOURCE = [
  "import { Sma } from '../indicators/index.js';", // public (the indicators namespace)
  "import { checkSizing } from './position-sizing.js';", // public, and a checked helper
  "import { createStrategy } from './registry.js';", // public
  "import { z } from 'zod';", // public: zod exports nothing that is not a member of z, which index.ts exports
  "import type { StrategyRouter } from '../../sim/backtest/backtest.js';", // partly public: only BacktestResult is
  "export { EnsembleRouter } from '../ensemble/index.js';", // private module
  "const later = () => import('../kernel/index.js');", // private, dynamically
  'export const used = [Sma, checkSizing, createStrategy, z, later];',
  'export type T = StrategyRouter;',
].join('\n');

describe('built-in strategies use only the public API (index.ts)', () => {
  let real: string[];
  let probe: string[];
  let privateFiles: string[];
  beforeAll(() => {
    const found = check(checkedFiles(), { [PROBE]: PROBE_SOURCE });
    privateFiles = found.privateFiles.filter((f) => !f.startsWith('engine/strategies/__probe__.ts:'));
    const all = show(found.violations);
    probe = all.filter((v) => v.startsWith('engine/strategies/__probe__.ts:'));
    real = all.filter((v) => !probe.includes(v));
  }, 120_000);

  it('every import of every built-in strategy, helper and the registry is public or another such file', () => {
    expect(checkedFiles().map(rel)).toEqual(expect.arrayContaining(['engine/strategies/registry.ts', 'engine/strategies/sma-cross.ts', 'engine/strategies/q-learning-selector.ts', 'engine/strategies/position-sizing.ts']));
    expect(real).toEqual([]);
  });

  it('and today no helper is private either: every such file is itself public (what a built-in uses, a user imports from tapedeck)', () => {
    expect(privateFiles).toEqual([]);
  });

  it('every built-in is a defineStrategy definition, exported by name from the package root', async () => {
    const root = (await import('../../../index.js')) as Record<string, unknown>;
    const exported = new Set(Object.values(root));
    for (const [name, definition] of Object.entries(STRATEGIES)) {
      expect(isDefinedStrategy(definition), name).toBe(true);
      expect(definition.name).toBe(name);
      expect(exported.has(definition), name).toBe(true);
    }
  });

  it('the check refuses a private module, a partly public one (type import) and a dynamic import (the rule can fail)', () => {
    expect(probe).toHaveLength(3);
    expect(probe[0]).toMatch(/^engine\/strategies\/__probe__\.ts:5 imports '\.\.\/\.\.\/sim\/backtest\/backtest\.js': not public: index\.ts does not export runBacktest/);
    expect(probe[1]).toMatch(/^engine\/strategies\/__probe__\.ts:6 imports '\.\.\/ensemble\/index\.js': not public/);
    expect(probe[2]).toMatch(/^engine\/strategies\/__probe__\.ts:7 imports '\.\.\/kernel\/index\.js': not public/);
  });
});
