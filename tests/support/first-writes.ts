/**
 * The fields `base`'s constructor writes first, caught by setters on a subclass's prototype, with the
 * values written. A class field (ES2022: no number at its definition, `x: number` or `x!: number`) is
 * defined as undefined before the constructor runs, past those setters, and is not listed. V8 then
 * keeps such a field "tagged" and boxes every double written to it later anew (a heap number a write);
 * a field whose first value is a number is a double field, written in place.
 */
export function firstWrites(base: abstract new (...args: never[]) => object, fields: readonly string[], make: (cls: new (...args: never[]) => object) => object): Record<string, unknown> {
  const seen: Record<string, unknown> = {};
  const Probe = class extends (base as unknown as new (...args: never[]) => object) {};
  for (const f of fields) {
    Object.defineProperty(Probe.prototype, f, {
      configurable: true,
      set(this: object, v: unknown) {
        seen[f] = v;
        Object.defineProperty(this, f, { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  make(Probe as unknown as new (...args: never[]) => object);
  return seen;
}
