#!/usr/bin/env node
/**
 * `npm run build`: the library (tsc: dist/index.js, every module and its .d.ts, as before) and the
 * `tapedeck` bin bundled by esbuild over it (dist/cli/main.js and dist/cli/chunks/): ES module chunks, and
 * the same CLI as one CommonJS script run with a V8 code cache written here (see `bin` below).
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
 * (loaded by every run: engine/models), commander, seedrandom and quadprog (cli-progress is required from
 * node_modules when a progress bar first starts: cli/progress.ts). The packages
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
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages bundled into the CLI (see above); every other package is imported from node_modules. */
const BUNDLED = new Set(['zod', '@duckdb/node-api', 'commander', 'seedrandom', 'quadprog', 'ml-matrix', 'ml-random-forest']);
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
 * The V8 flags the bin sets for a command, before it compiles the script: V8 accepts a code cache only under the
 * flags it was made with, so the warm-up that makes the cache (writeCodeCache) sets them too.
 * `--interrupt-budget` at four times V8 11.3's default (67,584): a function tiers up to TurboFan after running four
 * times as much of its bytecode. TurboFan compiles on V8's worker threads, and on 2 cores those compete with the
 * main thread and DuckDB's: a 62k-bar run optimized ~220 functions, and V8's workers took ~0.65 s of CPU (with its
 * concurrent GC) against ~1 s on the main thread. Under this budget it optimizes ~95, its workers take ~0.35-0.4 s,
 * and its main thread ~0.05-0.1 s more (more of the cold code runs in the baseline tier). The code a long run spends
 * its time in still tiers up early: the 1 M and 2.5 M-bar runs are no slower (bench/RESULTS.md, tenth pass).
 * `--semi-space-growth-factor=3` (V8's default 2): the young generation grows by 3x at a time instead of 2x, up to
 * the same maximum (16 MB a semi-space). A command's start allocates ~15 MB that nearly all lives on (the script's
 * modules, zod's schemas, the command tree): each scavenge of a young generation still 1-8 MB copies most of it and
 * promotes it, and the old generation then reached V8's first limit near the end of a short run, which started an
 * incremental mark-compact. A 200-bar run did 8 scavenges and that mark-compact; now 6 scavenges and none (~6-8%
 * less CPU), and the peak rises ~2 MiB (~3 MiB in a 62k-bar run, which reaches the same young generation either
 * way). The flag is read each time the young generation grows, so setting it once the heap exists works.
 * Tried with these two and dropped, none faster (bench/RESULTS.md, eleventh pass, s11-tier): `--always-sparkplug`,
 * `--no-baseline-batch-compilation`, `--no-lazy-feedback-allocation`, `--invocation-count-for-osr=100` and `=20`,
 * `--max-bytecode-size-for-early-opt=400`, and the budget at 1x, 3x and 6x. `--maglev` is accepted and does nothing:
 * Node 20's V8 is built without Maglev (process.config.variables.v8_enable_maglev is 0).
 * `--concurrent-sparkplug` must not be set here: set after V8 has started, it crashes the process (SIGSEGV) when the
 * first batch of functions goes to Sparkplug.
 */
const BIN_V8_FLAGS = '--interrupt-budget=270336 --semi-space-growth-factor=3';

/**
 * The project loads @duckdb/node-api with a `require` made by createRequire (datasets/duckdb.ts,
 * sim/research/trial-store.ts: importing it would have Node lex its source for named exports), which a
 * bundler does not follow. In the bundle those calls become plain `require('@duckdb/node-api')`, which
 * esbuild bundles and runs where the call is, as before. datasets/duckdb.ts's `require` of @duckdb/node-bindings
 * becomes a plain one too, so that the bundle's module for it (childProcessUnloaded, below) is the one it gets.
 */
const duckdbApiRequire = {
  name: 'duckdb-api-require',
  setup(b) {
    const calls = {
      'datasets/duckdb.ts': { "requireCjs('@duckdb/node-api')": "require('@duckdb/node-api')", "requireCjs('@duckdb/node-bindings')": "require('@duckdb/node-bindings')" },
      'sim/research/trial-store.ts': { "createRequire(import.meta.url)('@duckdb/node-api')": "require('@duckdb/node-api')" },
    };
    b.onLoad({ filter: /[/\\](datasets[/\\]duckdb|sim[/\\]research[/\\]trial-store)\.ts$/ }, (args) => {
      const file = Object.keys(calls).find((f) => args.path.endsWith(f.split('/').join(sep)));
      let text = readFileSync(args.path, 'utf8');
      for (const [call, plain] of Object.entries(file === undefined ? { 'a known file': '' } : calls[file])) {
        if (!text.includes(call)) throw new Error(`${args.path}: expected ${call} (scripts/build.mjs bundles @duckdb/node-api through it)`);
        text = text.replace(call, plain);
      }
      return { contents: text, loader: 'ts' };
    });
  },
};

/**
 * Two parts of zod that the CLI never uses, left out of its bundle. `z.locales`, zod's error messages in 63
 * locales, is 13% of the CLI script's bytes (268 KB minified), which every run reads, copies and initialises: the
 * CLI never names a locale (zod's messages are in English, the default that zod/v4/classic/schemas.js sets from
 * locales/en.js itself), so in the bundle `z.locales` holds `en` alone. `z.fromJSONSchema` (a JSON Schema to zod
 * converter; the CLI converts the other way, z.toJSONSchema) spreads zod's namespaces into objects when it loads,
 * a fifth of zod's initialisation. A user's strategy module imports its own zod from node_modules, all of it.
 * Each file's text is replaced only if it holds the line expected (a new zod fails the build here).
 */
const ZOD_TRIMMED = [
  { file: /[/\\]zod[/\\]v4[/\\]locales[/\\]index\.js$/, line: 'export { default as en } from "./en.js";', contents: (line) => line },
  { file: /[/\\]zod[/\\]v4[/\\]classic[/\\]external\.js$/, line: 'export { fromJSONSchema } from "./from-json-schema.js";\n', contents: (line, text) => text.replace(line, '') },
];
const zodTrimmed = {
  name: 'zod-trimmed',
  setup(b) {
    for (const { file, line, contents } of ZOD_TRIMMED) {
      b.onLoad({ filter: file }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(line)) throw new Error(`${args.path}: expected the line ${JSON.stringify(line)} (scripts/build.mjs trims zod through it)`);
        return { contents: contents(line, text), loader: 'js' };
      });
    }
  },
};

/**
 * node:child_process, with node:dgram, node:net (unless stdout is already a pipe) and their bindings (11-15 of the ~100
 * built-in modules a run loads), was loaded by every command and used by none: ~8-11 ms of a 200-bar run's CPU
 * (bench/RESULTS.md, eleventh pass). Two packages require it when they load:
 * - commander (bundled), for executable subcommands (`spawn`), which the CLI has none of: in the bundle its `spawn`
 *   requires node:child_process on its first call.
 * - detect-libc, which @duckdb/node-bindings (duckdb.js, in node_modules) asks whether Linux's C library is musl
 *   before it requires the platform's binding package: detect-libc reads the ELF interpreter of the running node
 *   (/proc/self/exe) first, and runs `getconf`/`ldd` through child_process only when that says neither. In the bundle,
 *   `require('@duckdb/node-bindings')` is a module that makes detect-libc's first test with detect-libc's own files
 *   (lib/elf.js, lib/filesystem.js) and, when it says glibc, requires the binding package duckdb.js would require,
 *   from duckdb.js's own location (the same file, so the same module a library user's copy loads). Anything else (musl,
 *   another platform, files not where they were) requires @duckdb/node-bindings itself, as before.
 * The build fails if either package's text is not as expected.
 */
const BINDINGS_MODULE = `const { createRequire } = require('node:module');
const main = require.resolve('@duckdb/node-bindings');
const fromBindings = createRequire(main);
module.exports = glibcLinux() ? fromBindings('@duckdb/node-bindings-linux-' + process.arch + '/duckdb.node') : fromBindings(main);
/** Whether this is x64 or arm64 Linux whose node's ELF interpreter is glibc's (detect-libc's familyFromInterpreterSync). */
function glibcLinux() {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return false;
  try {
    const { interpreterPath } = fromBindings('detect-libc/lib/elf.js');
    const { SELF_PATH, readFileSync } = fromBindings('detect-libc/lib/filesystem.js');
    const path = interpreterPath(readFileSync(SELF_PATH));
    return typeof path === 'string' && !path.includes('/ld-musl-') && path.includes('/ld-linux-');
  } catch {
    return false;
  }
}
`;
const childProcessUnloaded = {
  name: 'child-process-unloaded',
  setup(b) {
    const expect = (file, text, what) => {
      if (!text.includes(what)) throw new Error(`${file}: expected ${JSON.stringify(what)} (scripts/build.mjs keeps node:child_process unloaded through it)`);
    };
    const require_ = createRequire(join(root, 'package.json'));
    const bindings = require_.resolve('@duckdb/node-bindings');
    const bindingsText = readFileSync(bindings, 'utf8');
    for (const line of ["require('@duckdb/node-bindings-linux-x64/duckdb.node')", "require('@duckdb/node-bindings-linux-arm64/duckdb.node')", 'isLinuxMusl()', "require('detect-libc')", 'familySync() === MUSL']) expect(bindings, bindingsText, line);
    const detect = createRequire(bindings).resolve('detect-libc');
    const detectText = readFileSync(detect, 'utf8');
    for (const line of ['family = familyFromInterpreterSync();', "const { interpreterPath } = require('./elf');", "const { LDD_PATH, SELF_PATH, readFile, readFileSync } = require('./filesystem');", "if (path.includes('/ld-musl-')) {", "} else if (path.includes('/ld-linux-')) {"]) expect(detect, detectText, line);
    // The module's own require.resolve('@duckdb/node-bindings') stays the package's, in node_modules.
    b.onResolve({ filter: /^@duckdb\/node-bindings$/ }, (args) => (args.kind === 'require-resolve' ? { path: args.path, external: true } : { path: 'duckdb-bindings', namespace: 'duckdb-bindings' }));
    b.onLoad({ filter: /.*/, namespace: 'duckdb-bindings' }, () => ({ contents: BINDINGS_MODULE, loader: 'js', resolveDir: root }));
    const line = "const childProcess = require('node:child_process');";
    b.onLoad({ filter: /[/\\]commander[/\\]lib[/\\]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      expect(args.path, text, line);
      if (/childProcess\.(?!spawn\()/.test(text)) throw new Error(`${args.path}: uses node:child_process beyond spawn (scripts/build.mjs)`);
      return { contents: text.replace(line, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"), loader: 'js' };
    });
  },
};

/**
 * The ECharts file a run's page inlines (reports/html/chart.ts), as a path from dist/cli/chunks/, where the bin's code
 * sits: fixed here so that a run does not resolve the package (~3-5 ms: Node reads echarts' package.json and walks its
 * exports), when Node resolves 'echarts/dist/echarts.min.js' from there to this very file (else left to the resolve).
 * chart.ts reads it there, and resolves the package if it is not (installed elsewhere since).
 */
function echartsFileFromChunks() {
  const chunks = join(outdir, 'chunks');
  const file = join(root, 'node_modules', 'echarts', 'dist', 'echarts.min.js');
  let resolved;
  try {
    resolved = createRequire(join(chunks, 'x.js')).resolve('echarts/dist/echarts.min.js');
  } catch {
    return undefined;
  }
  if (!existsSync(file) || realpathSync(file) !== realpathSync(resolved)) return undefined;
  return relative(chunks, file).split(sep).join('/');
}
const echartsFile = echartsFileFromChunks();

/** What both builds of the CLI share (see the header). */
const common = {
  define: echartsFile === undefined ? {} : { __TAPEDECK_ECHARTS_FILE__: JSON.stringify(echartsFile) },
  absWorkingDir: root,
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external,
  // Class and function names stay as written (minified, and where two modules' names collide):
  // errors print their class name (`ConfigError: ...`), and copies of a class are told apart by it.
  keepNames: true,
  legalComments: 'none',
  // Node compiles every byte of a module it loads: minified, a run loads 1.8 MB instead of 3.2 MB.
  minify: true,
  logLevel: 'warning',
};

const result = await build({
  ...common,
  entryPoints: {
    // The bin's ES module build (dist/cli/main.js imports it for help, --version and --verbose).
    'chunks/cli': 'cli/main.ts',
    // Loaded by path by sim/research/local-executor.ts ('./trial-worker.js') and named by
    // cli/compose/sweep-trial-module.ts ('./sweep-trial.js'), both relative to their own chunk.
    'chunks/trial-worker': 'sim/research/trial-worker.ts',
    'chunks/sweep-trial': 'cli/compose/sweep-trial.ts',
  },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  // A bundled CommonJS package requires Node's built-in modules: give each chunk a real `require`.
  banner: { js: "import { createRequire as __tapedeckCreateRequire } from 'node:module';\nconst require = __tapedeckCreateRequire(import.meta.url);" },
  sourcemap: true,
  // Paths in the maps are relative to dist/cli/: stack traces name the sources (cli/..., engine/...).
  sourcesContent: false,
  plugins: [zodTrimmed, duckdbApiRequire, childProcessUnloaded],
});

/**
 * The same CLI as one script for V8's code cache: a CommonJS function expression
 * `(function (exports, require, module, __filename, __dirname, __tapedeckImport) {...})`, which dist/cli/main.js
 * compiles with vm.Script. It sits in dist/cli/chunks/ like the chunks, so that `import.meta.url` (its file's URL here)
 * names the same directory. Named by a hash of its bytes: V8 checks a cache against its script's length only.
 */
const script = await build({
  ...common,
  entryPoints: ['cli/main.ts'],
  outfile: join(outdir, 'chunks', 'cli-script.js'),
  format: 'cjs',
  // ASCII only, for the bin's latin1 read (see below); esbuild's default, stated because the bin relies on it.
  charset: 'ascii',
  // import.meta.resolve is read where the sources run under tsx only (sim/research/local-executor.ts).
  define: { ...common.define, 'import.meta.url': '__tapedeckImportMetaUrl', 'import.meta.resolve': 'undefined' },
  banner: { js: "const __tapedeckImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [zodTrimmed, duckdbApiRequire, childProcessUnloaded],
});
// Strict as the ES module chunks are (esbuild's CommonJS output leaves a module's top-level functions outside
// the "use strict" of its initializer).
const scriptText = `(function (exports, require, module, __filename, __dirname, __tapedeckImport) {'use strict';${withImportFunction(script.outputFiles[0].text.replace(/^#!.*\n/, ''))}\n})`;

/**
 * Returns the script with each `import(...)` (the packages and user modules it imports, tsx's API) made a call
 * of `__tapedeckImport`, the bin's own `import`: in Node 20, an import() in a script V8 deserialized from a
 * code cache fails ("A dynamic import callback was not specified"), and vm.Script's import callbacks are
 * experimental. The calls are found by TypeScript's parser, not in strings or comments.
 */
function withImportFunction(code) {
  const ts = createRequire(import.meta.url)('typescript');
  const starts = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) starts.push(node.expression.getStart());
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('cli-script.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS));
  let out = '';
  let at = 0;
  for (const start of starts.sort((a, b) => a - b)) {
    out += `${code.slice(at, start)}__tapedeckImport`;
    at = start + 'import'.length;
  }
  return out + code.slice(at);
}
// The bin reads the script as latin1, which V8 takes as it is (reading it as UTF-8 decodes 2 MB on every run):
// esbuild writes every character outside ASCII as an escape (charset: 'ascii').
const nonAscii = /[^\x00-\x7f]/.exec(scriptText);
if (nonAscii !== null) throw new Error(`build: the CLI script holds a character outside ASCII at offset ${nonAscii.index}; the bin reads it as latin1`);
// A .js name: package.json's `files` ships dist/**/*.js.
const scriptName = `cli-script-${createHash('sha256').update(scriptText).digest('hex').slice(0, 12).toUpperCase()}.js`;

/**
 * Dynamic imports left as they are: the help forms' bundle holds the command tree, not what the commands do
 * (cli/lazy-action.ts), which it never runs.
 */
const dynamicImportsExternal = {
  name: 'dynamic-imports-external',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};

/**
 * The help and version texts of cli/program.ts's renderHelpForms, rendered by commander from the command tree
 * (bundled on its own, run here), as the bin stores them: `texts`, each once, and `forms`, each argument list
 * (its arguments joined by NUL, which no argument holds) mapped to [the stream it writes, 1 or 2, the index of
 * its text, its exit code].
 */
async function helpForms() {
  const tree = await build({
    ...common,
    stdin: { contents: "export { renderHelpForms } from './cli/program.ts';", resolveDir: root, loader: 'ts', sourcefile: 'help-forms.ts' },
    format: 'esm',
    banner: { js: "import { createRequire as __tapedeckCreateRequire } from 'node:module';\nconst require = __tapedeckCreateRequire(import.meta.url);" },
    plugins: [zodTrimmed, dynamicImportsExternal],
  });
  const dir = mkdtempSync(join(tmpdir(), 'tapedeck-help-'));
  let rendered;
  try {
    const file = join(dir, 'help-forms.mjs');
    writeFileSync(file, tree.outputFiles[0].contents);
    rendered = await (await import(pathToFileURL(file).href)).renderHelpForms();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const texts = [];
  const forms = {};
  for (const { args, stdout, stderr, exitCode } of rendered) {
    // One stream each: the bin writes the text alone, so nothing can reorder two streams' writes.
    if ((stdout === '') === (stderr === '')) throw new Error(`build: tapedeck ${args.join(' ')} writes ${stdout === '' ? 'nothing' : 'both stdout and stderr'}; the bin stores one text per form`);
    const text = stdout || stderr;
    if (!texts.includes(text)) texts.push(text);
    forms[args.join('\0')] = [stdout === '' ? 2 : 1, texts.indexOf(text), exitCode];
  }
  return { texts, forms };
}

/**
 * dist/cli/main.js, the bin. Help and the version, in the forms a user types (cli/program.ts renderHelpForms),
 * print the texts stored here: commander and the command tree are loaded only for other forms (`run x --help`,
 * an unknown option), or when commander would wrap the help to a terminal other than 80 columns wide. Those,
 * and --verbose, load the ES module build. A command runs the script with the V8 code cache written below:
 * Node 20 compiles every ES module it loads from its source (~0.1 s of a run for the 1.8 MB of chunks, before
 * each function's own compilation when it first runs); a script compiled with V8's code cache skips both for
 * the code the cache holds. V8 rejects a cache made by another V8 version or under other V8 flags, and the
 * script is then compiled from its source, silently. Help does not use the script: deserializing the whole
 * cache costs more than help's few chunks, and --verbose's stack traces need the chunks' source maps. Both are
 * the same program.
 */
const bin = `#!/usr/bin/env node
// The tapedeck bin, written by scripts/build.mjs (see there).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
const args = process.argv.slice(2);
if (args.length === 0 || args[0] === 'help' || args.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version' || a === '--verbose')) {
  if (!printStoredHelp()) await import('./chunks/cli.js');
} else {
  // Set before the script is compiled: its code cache was made under them (see BIN_V8_FLAGS in scripts/build.mjs).
  // node:v8 is loaded here, not imported at the top: help and --version would load it for nothing (~4 ms).
  createRequire(import.meta.url)('node:v8').setFlagsFromString(${JSON.stringify(BIN_V8_FLAGS)});
  const file = fileURLToPath(new URL('./chunks/${scriptName}', import.meta.url));
  // The script and its cache are read through one buffer, the script first: its bytes are copied into its string
  // before the cache is read over them. Each page of memory a process touches for the first time costs a page
  // fault (15-30 us on a VM): two buffers would touch 1.8 MB more.
  const scriptFd = openSync(file, 'r');
  let cacheFd = null;
  try {
    cacheFd = openSync(\`\${file}.v8cache\`, 'r');
  } catch {
    // no cache: compiled from the source
  }
  const scriptSize = fstatSync(scriptFd).size;
  const cacheSize = cacheFd === null ? 0 : fstatSync(cacheFd).size;
  let buffer = Buffer.allocUnsafeSlow(Math.max(scriptSize, cacheSize));
  // The script is ASCII (the build checks): read as latin1, V8 gets it without decoding UTF-8.
  const source = buffer.latin1Slice(0, readWhole(scriptFd, buffer, scriptSize));
  let cachedData = cacheFd === null ? undefined : buffer.subarray(0, readWhole(cacheFd, buffer, cacheSize));
  const script = new vm.Script(source, { filename: file, cachedData });
  // The buffer is not needed past compilation: not kept for the whole run.
  buffer = cachedData = undefined;
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), (specifier) => import(specifier));
}

/** Reads \`size\` bytes of the file open as \`fd\` into \`buffer\` from its start, closes it and returns the bytes read. */
function readWhole(fd, buffer, size) {
  let at = 0;
  for (let n; at < size && (n = readSync(fd, buffer, at, size - at, at)) > 0; ) at += n;
  closeSync(fd);
  return at;
}

/** Prints the stored text of this argument list and returns true, or returns false if it has none (see the build). */
function printStoredHelp() {
  const { texts, forms } = ${JSON.stringify(await helpForms())};
  const form = forms[args.join('\\0')];
  if (form === undefined) return false;
  const [fd, text, exitCode] = form;
  const stream = fd === 1 ? process.stdout : process.stderr;
  // Commander wraps help to a terminal's width, and to 80 columns when the output is not a terminal.
  if (stream.isTTY && (stream.columns ?? 80) !== 80) return false;
  // A reader that stops early (\`tapedeck --help | head\`) closes stdout: end quietly, as cli/main.ts does.
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(exitCode);
    throw err;
  });
  process.exitCode = exitCode;
  stream.write(texts[text]);
  return true;
}
`;
// Written file by file, only where the bytes differ, and the previous build's other chunks removed after:
// a rebuild of unchanged sources (tests build dist/ before they run the bin, several at once) rewrites
// nothing, so a bin running meanwhile never finds a chunk missing. Chunk names carry content hashes.
const written = new Set();
/** Writes `contents` to `path` unless it holds them already; each file is renamed into place whole. */
function writeIfChanged(path, contents) {
  written.add(path);
  let same = false;
  try {
    same = Buffer.compare(readFileSync(path), contents) === 0;
  } catch {
    // not there yet
  }
  if (same) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, contents);
  renameSync(`${path}.tmp`, path);
}
for (const file of result.outputFiles) writeIfChanged(file.path, file.contents);
const scriptPath = join(outdir, 'chunks', scriptName);
writeIfChanged(scriptPath, Buffer.from(scriptText));
writeIfChanged(join(outdir, 'main.js'), Buffer.from(bin));
// tsc's map of cli/main.ts, or an earlier build's of its bundle: the bin has none.
rmSync(join(outdir, 'main.js.map'), { force: true });
writeCodeCache(scriptPath, `${scriptPath}.v8cache`);
written.add(`${scriptPath}.v8cache`);
const chunks = join(outdir, 'chunks');
for (const name of readdirSync(chunks)) if (!written.has(join(chunks, name))) rmSync(join(chunks, name), { force: true });

/**
 * Writes the script's code cache, unless the one there is accepted by this Node under the bin's V8 flags: the
 * cache of a script created after it ran holds the bytecode of every function it ran. The warm-up runs sma-cross
 * on the MSFT fixture (CSV read by DuckDB, replay, report.json and the page, the Parquet tables), in a child
 * process that sets the bin's V8 flags as the bin does (BIN_V8_FLAGS), and checks the cache there first.
 */
function writeCodeCache(file, cacheFile) {
  const out = mkdtempSync(join(tmpdir(), 'tapedeck-build-'));
  const warmUp = `const { readFileSync, writeFileSync, renameSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const vm = require('node:vm');
const [file, cacheFile, flags, ...args] = process.argv.slice(1);
require('node:v8').setFlagsFromString(flags);
const source = readFileSync(file, 'utf8');
let cachedData = null;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // no cache yet
}
if (cachedData !== null && !new vm.Script(source, { filename: file, cachedData }).cachedDataRejected) process.exit(0);
process.argv = [process.argv[0], file, ...args];
const script = new vm.Script(source, { filename: file });
process.on('exit', (code) => {
  if (code !== 0) return;
  writeFileSync(cacheFile + '.tmp', script.createCachedData());
  renameSync(cacheFile + '.tmp', cacheFile);
});
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), (specifier) => import(specifier));`;
  try {
    const args = ['run', 'scenarios/sma-cross.json', '--set', 'data.bars=tests/fixtures/csv/msft.csv', '--set', 'data.symbols=["MSFT"]', '--out', join(out, 'run'), '--quiet'];
    const r = spawnSync(process.execPath, ['-e', warmUp, '--', file, cacheFile, BIN_V8_FLAGS, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    if (r.status !== 0) {
      process.stderr.write(`build: the warm-up run of ${file} for its code cache failed (exit ${r.status}):\n${r.stderr}${r.error ?? ''}\n`);
      process.exit(1);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
