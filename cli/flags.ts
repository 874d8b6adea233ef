import { availableParallelism } from 'node:os';
import { TapedeckError, printable } from '../engine/core/index.js';
import { parseOverride } from '../scenarios/overrides.js';
import { redisOptions } from '../sim/research/redis-url.js';
import { UsageError } from './errors.js';

/**
 * Parsers of the flags that several commands share. Each checks its value where it enters (at
 * argument parsing, before any file is read) and throws a UsageError naming the flag: exit code 2.
 */

/** Parses an integer flag or throws a UsageError naming it. */
export function intFlag(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${name}: expected an integer, was ${printable(value)}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new UsageError(`${name}: ${value.trim()} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
    return n;
  };
}

/** Parses a finite number flag (e.g. 0.05) or throws a UsageError naming it. */
export function numberFlag(name: string) {
  return (value: string): number => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name}: expected a number, was ${printable(value)}`);
    return n;
  };
}

/** Collects repeated flags. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Collects repeated `--set path=value` flags, refusing one that is not `dotted.path=value` (exit 2). */
export function collectSet(value: string, previous: string[]): string[] {
  usage(() => parseOverride(value));
  return [...previous, value];
}

/** Largest seed: seeds are non-negative integers that a double holds exactly (trial seeds derive from them). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Parses `--seed`: an integer in [0, 2^53 - 1]. */
export function seedFlag(value: string): number {
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new UsageError(`--seed: expected an integer from 0 to ${MAX_SEED}, was ${printable(value)}`);
  const n = Number(trimmed);
  if (!(n >= 0 && n <= MAX_SEED)) throw new UsageError(`--seed: outside 0..${MAX_SEED}, was ${printable(trimmed)}`);
  return n;
}

/** Worker threads allowed per CPU: more only adds memory (each thread holds its own copy of the data). */
export const WORKERS_PER_CPU = 4;

/** Returns the largest --workers / --concurrency accepted on this machine: 4 per CPU. */
export function maxWorkers(): number {
  return WORKERS_PER_CPU * availableParallelism();
}

/** Checks a worker-thread count flag: a positive integer no larger than {@link maxWorkers}. */
export function checkWorkers(value: number | undefined, flag: string): number {
  const cpus = availableParallelism();
  if (value === undefined) return cpus;
  if (!(Number.isInteger(value) && value >= 1)) throw new UsageError(`${flag}: not a positive integer, was ${value}`);
  const max = maxWorkers();
  if (value > max) throw new UsageError(`${flag}: at most ${max} (${WORKERS_PER_CPU} per CPU, ${cpus} CPU${cpus === 1 ? '' : 's'} here), was ${value}`);
  return value;
}

/** Parses `--queue`: a redis:// or rediss:// URL with a host, a port 1-65535 and a non-negative database. */
export function queueFlag(value: string): string {
  usage(() => redisOptions(value));
  return value;
}

/** Runs `fn`, turning a Tapedeck error about a flag's value into a UsageError with the same message. */
export function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TapedeckError && !(err instanceof UsageError)) throw new UsageError(err.message);
    throw err;
  }
}
