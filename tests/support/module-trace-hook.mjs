// A module.register() resolve hook that appends every URL the process resolves to the file named by
// TAPEDECK_MODULE_TRACE, one per line. Used by tests/integration/cli-start.test.ts to see which
// packages a command loads. (Hooks run on their own thread: a file is the simplest way back.)
import { appendFileSync } from 'node:fs';

const file = process.env.TAPEDECK_MODULE_TRACE;

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (file) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
