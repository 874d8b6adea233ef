// `node --import tsx --import ./tests/support/module-trace.mjs ...`: records every resolved module URL
// (see module-trace-hook.mjs).
import { register } from 'node:module';

register(new URL('./module-trace-hook.mjs', import.meta.url));
