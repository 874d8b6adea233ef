// `node --import tsx --import ./tests/support/module-trace.mjs ...`: records every resolved module URL
// to the file named by TAPEDECK_MODULE_TRACE: ES modules through a resolve hook (module-trace-hook.mjs),
// CommonJS modules loaded with require (DuckDB's packages are: datasets/duckdb.ts) through
// Module._resolveFilename, which no ESM hook sees.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register(new URL('./module-trace-hook.mjs', import.meta.url));

const file = process.env.TAPEDECK_MODULE_TRACE;
if (file) {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const resolved = resolveFilename.call(this, request, ...rest);
    if (typeof resolved === 'string' && resolved.startsWith('/')) appendFileSync(file, `${pathToFileURL(resolved).href}\n`);
    return resolved;
  };
}
