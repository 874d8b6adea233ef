import { ConfigError } from '../engine/core/index.js';

/**
 * `--set dotted.path=value` overrides. The path addresses scenario fields the way the error
 * messages name them (`strategies.0.params.fast` or `strategies[0].params.fast`); the value is
 * parsed as JSON when it is valid JSON (numbers, booleans, null, arrays, objects) and taken as a
 * string otherwise, so `--set data.bars=prices.csv` and `--set seed=7` both do what they say.
 */
export interface Override {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  /** The text as given, for messages. */
  readonly text: string;
}

/** Splits `a.b[0].c` or `a.b.0.c` into keys and array indexes. */
export function parsePath(dotted: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const raw of dotted.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (raw === '') throw new ConfigError(dotted, 'empty segment in the path');
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

/** Parses `path=value`. */
export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError('--set', `expected dotted.path=value, was ${JSON.stringify(text)}`);
  const dotted = text.slice(0, eq).trim();
  const rawValue = text.slice(eq + 1);
  let value: unknown = rawValue;
  try {
    value = JSON.parse(rawValue);
  } catch {
    value = rawValue;
  }
  return { path: parsePath(dotted), value, text };
}

/** Returns a deep copy of `doc` with the override applied; intermediate objects are created. */
export function applyOverride(doc: unknown, o: Override): unknown {
  const root = structuredClone(doc) as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = root;
  for (let i = 0; i < o.path.length - 1; i++) {
    const key = o.path[i]!;
    let next = cur[key];
    if (next === undefined || next === null) {
      next = typeof o.path[i + 1] === 'number' ? [] : {};
      cur[key] = next;
    }
    if (typeof next !== 'object') {
      throw new ConfigError(formatPath(o.path.slice(0, i + 1)), `--set ${o.text}: cannot set a field inside a ${typeof next}`);
    }
    cur = next as Record<string | number, unknown>;
  }
  cur[o.path[o.path.length - 1]!] = o.value;
  return root;
}
