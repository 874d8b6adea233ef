import { InvalidArgumentError } from '../core/index.js';
import type { Strategy } from './context.js';

/**
 * The snapshots of the strategies that persist state (those with `snapshot()`), by strategy id, in
 * the strategies' order. Each value is checked to survive a JSON round trip unchanged in kind (no
 * function, no NaN or Infinity, no cycle): a snapshot that JSON would silently alter is refused
 * naming the strategy, so what a session saves is what `restore()` gets back.
 */
export function strategySnapshots(strategies: readonly Strategy[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of strategies) {
    if (typeof s.snapshot !== 'function') continue;
    const id = String(s.id);
    if (Object.prototype.hasOwnProperty.call(out, id)) throw new InvalidArgumentError(`strategy ${id}: two strategies share this id, their snapshots would overwrite each other`);
    let value: unknown;
    try {
      value = s.snapshot();
    } catch (err) {
      throw new InvalidArgumentError(`strategy ${id}: snapshot() threw: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    checkJson(value, `strategy ${id}: snapshot()`, new Set());
    out[id] = value;
  }
  return out;
}

/** Throws naming the place where `v` is not a JSON value JSON.stringify would keep as it is. */
function checkJson(v: unknown, path: string, stack: Set<object>): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`${path}: ${v} is not a JSON number (encode it, e.g. as a string)`);
    return;
  }
  if (typeof v !== 'object') throw new InvalidArgumentError(`${path}: a ${typeof v} is not JSON`);
  if (stack.has(v)) throw new InvalidArgumentError(`${path}: refers back to itself (a cycle is not JSON)`);
  stack.add(v);
  if (Array.isArray(v)) v.forEach((x, i) => checkJson(x, `${path}[${i}]`, stack));
  else {
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== Object.prototype && proto !== null) throw new InvalidArgumentError(`${path}: a ${proto.constructor?.name ?? 'class instance'} is not plain JSON (use plain objects and arrays)`);
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      checkJson(x, `${path}.${k}`, stack);
    }
  }
  stack.delete(v);
}

/**
 * Hands each snapshot to the `restore()` of the strategy with its id, in the strategies' order (call
 * it before `onStart`). Refuses, before restoring anything, a snapshot whose id is no strategy of the
 * run or whose strategy has no `restore()`; a strategy with `restore()` but no snapshot starts fresh.
 * An error thrown by `restore()` is rethrown naming the strategy.
 */
export function restoreStrategies(strategies: readonly Strategy[], snapshots: Readonly<Record<string, unknown>>): void {
  const byId = new Map(strategies.map((s) => [String(s.id), s]));
  for (const id of Object.keys(snapshots)) {
    const s = byId.get(id);
    if (s === undefined) throw new InvalidArgumentError(`strategies.${id}: the saved state has a snapshot for strategy ${id}, which is not a strategy of this run (ids: ${[...byId.keys()].join(', ') || 'none'})`);
    if (typeof s.restore !== 'function') throw new InvalidArgumentError(`strategies.${id}: the saved state has a snapshot for strategy ${id}, which has no restore(): it cannot take it back`);
  }
  for (const s of strategies) {
    const id = String(s.id);
    if (!Object.prototype.hasOwnProperty.call(snapshots, id)) continue;
    try {
      s.restore!(snapshots[id]);
    } catch (err) {
      throw new InvalidArgumentError(`strategies.${id}: restore() refused the snapshot: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
  }
}
