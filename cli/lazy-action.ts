/**
 * Returns a commander action that imports the command's implementation when the command runs. The
 * command tree (names, options, help) is built from light modules only, so `tapedeck --help` and
 * every command load only what they use: a run never loads the worker pool or the Redis queue, and
 * help loads neither DuckDB nor ECharts. Commander passes the arguments, the options and the command;
 * they are handed on unchanged.
 */
export function lazyAction<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void>>): (...args: A) => Promise<void> {
  return async (...args: A) => (await load())(...args);
}
