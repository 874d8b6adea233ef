import { InvalidArgumentError } from '../core/index.js';

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value !== null && typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** Throws InvalidArgumentError in the engine/core style: `invalid 'name': what, was value`. */
export function failParam(name: string, what: string, value: unknown): never {
  throw new InvalidArgumentError(`invalid '${name}': ${what}, was ${shown(value)}`);
}

/** Returns `value` after checking it is a boolean. */
export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') failParam(name, 'not true or false', value);
  return value;
}

/**
 * Returns a copy of `defaults` overlaid with the defined fields of `params`. Throws, naming the
 * key, when `params` is not an object or has a key `defaults` does not know, so a misspelt
 * parameter is an error rather than a silently ignored default.
 */
export function withDefaults<P extends object>(strategy: string, defaults: P, params: Partial<P> | undefined): P {
  const out = { ...defaults } as Record<string, unknown>;
  if (params === undefined) return out as P;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    failParam('params', `expected an object of ${strategy} parameters`, params);
  }
  for (const [key, value] of Object.entries(params)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      throw new InvalidArgumentError(
        `invalid parameter '${key}' for ${strategy}: unknown (known: ${Object.keys(defaults).join(', ')})`,
      );
    }
    if (value !== undefined) out[key] = value;
  }
  return out as P;
}
