import { InvalidArgumentError } from '../core/index.js';

/**
 * Field-by-field state of an object graph as JSON, for strategies whose state lives in ordinary
 * objects (indicators, per-symbol views, sub-strategies): {@link captureState} copies every own
 * enumerable field and {@link restoreState} writes the copy into a fresh instance built the same way
 * (same class, same parameters), in place. It is exact: numbers keep every bit (NaN and the
 * infinities are tagged, since JSON has none), typed arrays keep their type and length.
 *
 * What is state and what is not:
 * - functions are skipped (behaviour, set by the constructor);
 * - frozen objects and arrays are skipped (constants: validated parameters, symbol lists);
 * - an object reached a second time (a cache such as "the last view returned") is not copied again:
 *   the fresh instance keeps its own reference there, which the constructor made the same way;
 * - numbers, strings, booleans, null and undefined are copied; plain arrays element by element;
 *   Maps entry by entry (objects in place, by key); typed arrays by value (same length).
 * Anything else (a Set, a Date, a class with hidden slots) is refused with the path, so a snapshot is
 * never silently incomplete. A fresh instance whose shape differs (another window length, a missing
 * key) is refused with the path.
 */
export type CapturedState = null | boolean | number | string | CapturedState[] | { [key: string]: CapturedState };

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;

function typedName(v: object): TypedName | null {
  for (const name of Object.keys(TYPED) as TypedName[]) if (v instanceof TYPED[name]) return name;
  return null;
}

function encodeNumber(x: number): CapturedState {
  return Number.isFinite(x) ? x : { $num: String(x) };
}

function decodeNumber(v: CapturedState, path: string): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v['$num'] === 'string') {
    const t = v['$num'];
    if (t === 'NaN') return Number.NaN;
    if (t === 'Infinity') return Number.POSITIVE_INFINITY;
    if (t === '-Infinity') return Number.NEGATIVE_INFINITY;
  }
  throw new InvalidArgumentError(`${path}: expected a number, was ${JSON.stringify(v)}`);
}

/** Returns the state of `value` (see the module comment); `path` names it in errors. */
export function captureState(value: unknown, path = 'state'): CapturedState {
  return capture(value, path, new Set());
}

function capture(value: unknown, path: string, seen: Set<object>): CapturedState {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return encodeNumber(value);
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      throw new InvalidArgumentError(`${path}: cannot capture a ${typeof value}`);
  }
  const obj = value as object;
  if (seen.has(obj)) return { $seen: true };
  seen.add(obj);
  const typed = ArrayBuffer.isView(obj) ? typedName(obj) : null;
  if (typed !== null) return { $typed: typed, values: Array.from(obj as Float64Array, encodeNumber) };
  if (Array.isArray(obj)) return obj.map((x, i) => capture(x, `${path}[${i}]`, seen));
  if (obj instanceof Map) {
    const entries: CapturedState[] = [];
    for (const [k, v] of obj) {
      if (typeof k !== 'string') throw new InvalidArgumentError(`${path}: a Map with a ${typeof k} key cannot be captured`);
      entries.push([k, capture(v, `${path}.get(${JSON.stringify(k)})`, seen)]);
    }
    return { $map: entries };
  }
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (obj instanceof Set || obj instanceof Date || obj instanceof RegExp || obj instanceof Promise || obj instanceof WeakMap || ArrayBuffer.isView(obj)) {
    throw new InvalidArgumentError(`${path}: cannot capture a ${proto?.constructor?.name ?? 'value'}`);
  }
  const out: { [key: string]: CapturedState } = {};
  for (const key of Object.keys(obj)) {
    const v = (obj as Record<string, unknown>)[key];
    if (typeof v === 'function') continue;
    if (v !== null && typeof v === 'object' && Object.isFrozen(v)) continue;
    if (key.startsWith('$')) throw new InvalidArgumentError(`${path}.${key}: a field name starting with '$' cannot be captured`);
    out[key] = capture(v, `${path}.${key}`, seen);
  }
  return out;
}

/**
 * Writes `state` (from {@link captureState} of an instance built like `target`) into `target`, in
 * place. Throws InvalidArgumentError naming the path where the shapes differ.
 */
export function restoreState(target: object, state: CapturedState, path = 'state'): void {
  if (state === null || typeof state !== 'object') throw new InvalidArgumentError(`${path}: expected an object, was ${JSON.stringify(state)}`);
  restoreValue(target, state, path);
}

function isTag(v: CapturedState, tag: string): v is { [key: string]: CapturedState } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && tag in v;
}

/** Returns the value to store at a place currently holding `current`, writing objects in place. */
function restoreValue(current: unknown, state: CapturedState, path: string): unknown {
  if (isTag(state, '$seen')) return current;
  if (current !== null && typeof current === 'object') {
    if (ArrayBuffer.isView(current)) {
      const name = typedName(current);
      if (!isTag(state, '$typed') || state['$typed'] !== name || !Array.isArray(state['values'])) throw new InvalidArgumentError(`${path}: expected a ${name ?? 'typed array'} state`);
      const arr = current as Float64Array;
      const values = state['values'];
      if (values.length !== arr.length) throw new InvalidArgumentError(`${path}: length ${values.length} in the snapshot, ${arr.length} here (was it taken with other parameters?)`);
      for (let i = 0; i < arr.length; i++) arr[i] = decodeNumber(values[i]!, `${path}[${i}]`);
      return current;
    }
    if (Array.isArray(current)) {
      if (!Array.isArray(state)) throw new InvalidArgumentError(`${path}: expected an array, was ${JSON.stringify(state)}`);
      if (current.some((x) => x !== null && typeof x === 'object')) {
        if (state.length !== current.length) throw new InvalidArgumentError(`${path}: ${state.length} entries in the snapshot, ${current.length} here`);
        state.forEach((s, i) => (current[i] = restoreValue(current[i], s, `${path}[${i}]`)));
      } else {
        const values = state.map((s, i) => restoreValue(undefined, s, `${path}[${i}]`));
        current.length = 0;
        current.push(...values);
      }
      return current;
    }
    if (current instanceof Map) {
      if (!isTag(state, '$map') || !Array.isArray(state['$map'])) throw new InvalidArgumentError(`${path}: expected a Map state`);
      const entries = state['$map'] as CapturedState[];
      const objects = [...current.values()].some((x) => x !== null && typeof x === 'object');
      if (objects && entries.length !== current.size) throw new InvalidArgumentError(`${path}: ${entries.length} entries in the snapshot, ${current.size} here`);
      const next = new Map<string, unknown>();
      for (const e of entries) {
        if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') throw new InvalidArgumentError(`${path}: malformed Map entry ${JSON.stringify(e)}`);
        const k = e[0];
        const here = current.get(k);
        if (objects && here === undefined) throw new InvalidArgumentError(`${path}: key ${JSON.stringify(k)} is in the snapshot, not here`);
        next.set(k, restoreValue(here, e[1]!, `${path}.get(${JSON.stringify(k)})`));
      }
      current.clear();
      for (const [k, v] of next) current.set(k, v);
      return current;
    }
    if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new InvalidArgumentError(`${path}: expected an object, was ${JSON.stringify(state)}`);
    restoreInto(current, state, path);
    return current;
  }
  // A primitive here (or nothing yet): the snapshot's primitive.
  if (state === null || typeof state === 'string' || typeof state === 'boolean') return current === undefined && state === null ? undefined : state;
  if (typeof state === 'number' || isTag(state, '$num')) return decodeNumber(state, path);
  if (Array.isArray(state)) return state.map((s, i) => restoreValue(undefined, s, `${path}[${i}]`));
  throw new InvalidArgumentError(`${path}: the snapshot holds an object where this instance holds ${JSON.stringify(current)}`);
}

function restoreInto(target: object, state: { [key: string]: CapturedState }, path: string): void {
  const t = target as Record<string, unknown>;
  for (const key of Object.keys(state)) {
    if (!Object.prototype.hasOwnProperty.call(t, key)) throw new InvalidArgumentError(`${path}.${key}: in the snapshot, not in this instance`);
    const next = restoreValue(t[key], state[key]!, `${path}.${key}`);
    if (next !== t[key]) t[key] = next;
  }
}
