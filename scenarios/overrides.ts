import { TapedeckError, printable } from '../engine/core/index.js';

/**
 * `--set dotted.path=value` overrides. The path addresses scenario fields the way the error
 * messages name them (`strategies.0.params.fast` or `strategies[0].params.fast`); the value is
 * parsed as JSON when it is valid JSON (numbers, booleans, null, arrays, objects) and taken as a
 * string otherwise, so `--set data.bars=prices.csv` and `--set seed=7` both do what they say.
 *
 * A bad override is the user's flag, not the scenario file: every refusal here is an
 * {@link OverrideError} (code 'usage', exit 2) whose one-line message starts with the flag as given.
 */
export interface Override {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  /** The text as given, for messages. */
  readonly text: string;
  /** The flag the text came from (`--set`, `--seed`, a space file's parameter...), for messages; default `--set`. */
  readonly flag?: string;
}

/** A malformed or unsafe override: a usage error (exit 2) naming the flag and the text as given. */
export class OverrideError extends TapedeckError {
  constructor(message: string) {
    super('usage', message);
  }
}

/**
 * Path segments that would reach an object's prototype (`__proto__`, `constructor.prototype`)
 * instead of a scenario field: refused wherever a user-given dotted path walks a document, so no
 * key a user writes can change Object.prototype.
 */
export const FORBIDDEN_PATH_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Splits `a.b[0].c` or `a.b.0.c` into keys and array indexes. Throws an {@link OverrideError}
 * (prefixed with `flag`, default `--set`) on an empty segment or a forbidden one
 * ({@link FORBIDDEN_PATH_SEGMENTS}).
 */
export function parsePath(dotted: string, flag = '--set'): (string | number)[] {
  const parts: (string | number)[] = [];
  // `[key]` in any form is a segment too, so `data[__proto__]` cannot slip past the check below.
  for (const raw of dotted.replace(/\[([^\]]*)\]/g, '.$1').split('.')) {
    if (raw === '') throw new OverrideError(`${flag} ${shownFlagText(dotted)}: empty segment in the path`);
    if (FORBIDDEN_PATH_SEGMENTS.has(raw)) throw new OverrideError(`${flag} ${shownFlagText(dotted)}: '${raw}' is not allowed in a path (it is not a scenario field)`);
    parts.push(/^\d+$/.test(raw) ? Number(raw) : raw);
  }
  return parts;
}

/** Formats a path as messages show it: `strategies[0].params.fast`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** Shows a flag's text in a message: as typed when it is plain, else escaped and quoted (see printable). */
export function shownFlagText(text: string): string {
  const p = printable(text, 200);
  return p === `"${text}"` ? text : p;
}

/** Formats a path as the user writes it on the command line: `strategies.0.params.fast`. */
function dottedPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Parses `path=value`; throws an {@link OverrideError} naming `flag` (default `--set`) when malformed. */
export function parseOverride(text: string, flag = '--set'): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new OverrideError(`${flag}: expected dotted.path=value, was ${printable(JSON.stringify(text))}`);
  const dotted = text.slice(0, eq).trim();
  const rawValue = text.slice(eq + 1);
  let value: unknown = rawValue;
  try {
    value = JSON.parse(rawValue);
  } catch {
    value = rawValue;
  }
  // The path is checked with the whole text in the message: `--set __proto__.x=1: ...`.
  let path: (string | number)[];
  try {
    path = parsePath(dotted, flag);
  } catch (err) {
    if (err instanceof OverrideError) throw new OverrideError(`${flag} ${shownFlagText(text)}: ${err.message.slice(err.message.indexOf(': ') + 2)}`);
    throw err;
  }
  return { path, value, text, flag };
}

/**
 * Returns a deep copy of `doc` with the override applied; intermediate objects are created, and an
 * array can grow by one entry (its next index), never leave a hole. The walk reads own properties
 * only, and refuses forbidden segments again (an Override can be built without parsePath), so it
 * never writes through a prototype.
 */
export function applyOverride(doc: unknown, o: Override): unknown {
  const flag = o.flag ?? '--set';
  const fail = (message: string): never => {
    throw new OverrideError(`${flag} ${shownFlagText(o.text)}: ${message}`);
  };
  if (o.path.length === 0) fail('empty path');
  for (const key of o.path) if (typeof key === 'string' && FORBIDDEN_PATH_SEGMENTS.has(key)) fail(`'${key}' is not allowed in a path (it is not a scenario field)`);
  const root = structuredClone(doc) as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = root;
  for (let i = 0; i < o.path.length; i++) {
    const key = o.path[i]!;
    const last = i === o.path.length - 1;
    if (Array.isArray(cur)) {
      if (typeof key !== 'number') fail(`${dottedPath(o.path.slice(0, i))} is an array: address an entry by its index (0 to ${cur.length - 1})`);
      else if (key > cur.length) fail(`${dottedPath(o.path.slice(0, i))} has ${cur.length} entr${cur.length === 1 ? 'y' : 'ies'}`);
    }
    if (last) {
      Object.defineProperty(cur, key, { value: o.value, writable: true, enumerable: true, configurable: true });
      break;
    }
    let next = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    if (next === undefined || next === null) {
      next = typeof o.path[i + 1] === 'number' ? [] : {};
      Object.defineProperty(cur, key, { value: next, writable: true, enumerable: true, configurable: true });
    }
    if (typeof next !== 'object') fail(`${dottedPath(o.path.slice(0, i + 1))} is a ${typeof next}: it has no fields to set`);
    cur = next as Record<string | number, unknown>;
  }
  return root;
}
