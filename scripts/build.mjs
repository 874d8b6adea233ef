#!/usr/bin/env node
/**
 * `npm run build`: the library (tsc: dist/index.js, every module and its .d.ts, as before) and the
 * `tapedeck` bin bundled by esbuild over it (dist/cli/main.js and dist/cli/chunks/).
 *
 * Why a bundle: compiled by tsc alone, the CLI is ~400 ES modules, and Node 20 (no compile cache)
 * spent ~0.4 s of every `tapedeck run` resolving, statting, reading and compiling them. The bundle
 * loads the few chunks a command uses. Each command is still imported when it runs (cli/lazy-action.ts):
 * the dynamic imports become chunks, so `--help` loads the command tree only.
 *
 * npm packages stay outside the bundle, loaded from node_modules as before, except the pure JavaScript
 * ones in BUNDLED, made of many small files that cost more to load one by one than the code they hold:
 * zod (95 ES modules), DuckDB's JavaScript API (@duckdb/node-api, 181 CommonJS modules; its native
 * binding, @duckdb/node-bindings, stays outside), ml-random-forest with ml-matrix and their helpers
 * (loaded by every run: engine/models), commander, cli-progress, seedrandom and quadprog. The packages
 * that load files by path (piscina's worker, BullMQ's Lua scripts, tsx's loaders, ECharts' script,
 * DuckDB's binding) stay outside, and so does apache-arrow, whose tables a user's code receives. The
 * library (dist/index.js) and a user's strategy module importing it use the packages in node_modules:
 * nothing crosses between the two copies but plain values (a strategy's zod schema is parsed by the
 * library's own defineStrategy) and errors (TapedeckError's instanceof holds across copies).
 *
 * Every file whose path the code builds from its own location (`new URL('./x.js', import.meta.url)`)
 * sits in dist/cli/chunks/ with the code that names it: the worker entry points (the piscina trial
 * worker and the sweep's trial runner module) are entry points of the bundle, written there by name.
 * Source maps point stack traces at the .ts sources: the CLI enables them with --verbose, the flag that
 * prints stack traces (see cli/main.ts; reading them costs every run ~40 ms otherwise).
 *
 * Usage: node scripts/build.mjs [--bundle-only]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages bundled into the CLI (see above); every other package is imported from node_modules. */
const BUNDLED = new Set(['zod', '@duckdb/node-api', 'commander', 'cli-progress', 'seedrandom', 'quadprog', 'ml-matrix', 'ml-random-forest']);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

if (!process.argv.includes('--bundle-only')) {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

const outdir = join(root, 'dist', 'cli');

/**
 * The project loads @duckdb/node-api with a `require` made by createRequire (datasets/duckdb.ts,
 * sim/research/trial-store.ts: importing it would have Node lex its source for named exports), which a
 * bundler does not follow. In the bundle those calls become plain `require('@duckdb/node-api')`, which
 * esbuild bundles and runs where the call is, as before.
 */
const duckdbApiRequire = {
  name: 'duckdb-api-require',
  setup(b) {
    const calls = { 'datasets/duckdb.ts': "requireCjs('@duckdb/node-api')", 'sim/research/trial-store.ts': "createRequire(import.meta.url)('@duckdb/node-api')" };
    b.onLoad({ filter: /[/\\](datasets[/\\]duckdb|sim[/\\]research[/\\]trial-store)\.ts$/ }, (args) => {
      const file = Object.keys(calls).find((f) => args.path.endsWith(f.split('/').join(sep)));
      const text = readFileSync(args.path, 'utf8');
      if (file === undefined || !text.includes(calls[file])) throw new Error(`${args.path}: expected ${file ? calls[file] : 'a known file'} (scripts/build.mjs bundles @duckdb/node-api through it)`);
      return { contents: text.replace(calls[file], "require('@duckdb/node-api')"), loader: 'ts' };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  write: false,
  entryPoints: {
    main: 'cli/main.ts',
    // Loaded by path by sim/research/local-executor.ts ('./trial-worker.js') and named by
    // cli/compose/sweep-trial-module.ts ('./sweep-trial.js'), both relative to their own chunk.
    'chunks/trial-worker': 'sim/research/trial-worker.ts',
    'chunks/sweep-trial': 'cli/compose/sweep-trial.ts',
  },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // A bundled CommonJS package requires Node's built-in modules: give each chunk a real `require`.
  banner: { js: "import { createRequire as __tapedeckCreateRequire } from 'node:module';\nconst require = __tapedeckCreateRequire(import.meta.url);" },
  sourcemap: true,
  // Paths in the maps are relative to dist/cli/: stack traces name the sources (cli/..., engine/...).
  sourcesContent: false,
  // Class and function names stay as written (minified, and where two modules' names collide):
  // errors print their class name (`ConfigError: ...`), and copies of a class are told apart by it.
  keepNames: true,
  legalComments: 'none',
  // Node compiles every byte of a module it loads: minified, a run loads 1.8 MB instead of 3.2 MB.
  minify: true,
  plugins: [duckdbApiRequire],
  logLevel: 'warning',
});

// Written file by file, only where the bytes differ, and the previous build's other chunks removed after:
// a rebuild of unchanged sources (tests build dist/ before they run the bin, several at once) rewrites
// nothing, so a bin running meanwhile never finds a chunk missing. Chunk names carry content hashes.
const written = new Set();
for (const file of result.outputFiles) {
  written.add(file.path);
  let same = false;
  try {
    same = Buffer.compare(readFileSync(file.path), file.contents) === 0;
  } catch {
    // not there yet
  }
  if (same) continue;
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.contents);
}
const chunks = join(outdir, 'chunks');
for (const name of readdirSync(chunks)) if (!written.has(join(chunks, name))) rmSync(join(chunks, name), { force: true });
