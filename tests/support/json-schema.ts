/**
 * A small JSON Schema (draft 2020-12) checker for the keywords zod's `z.toJSONSchema` emits, so the
 * published scenario schema can be checked without a validator package. `checkSchemaKeywords`
 * refuses any keyword it does not know (so a schema it cannot judge fails loudly instead of passing);
 * `validate` returns the first violation as `path: what`, or null.
 */
type Node = Record<string, unknown>;

const KEYWORDS = new Set([
  '$schema', '$ref', '$defs', 'title', 'description', 'default', 'type', 'const', 'enum', 'properties', 'required',
  'additionalProperties', 'propertyNames', 'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'oneOf', 'anyOf',
]);

/** Returns the unknown keywords and unresolved `$ref`s of `schema`, as `path: problem` lines. */
export function checkSchemaKeywords(schema: Node): string[] {
  const problems: string[] = [];
  const defs = (schema.$defs ?? {}) as Record<string, Node>;
  const walk = (n: unknown, path: string): void => {
    if (n === null || typeof n !== 'object' || Array.isArray(n)) return void problems.push(`${path}: not a schema object`);
    for (const [k, v] of Object.entries(n as Node)) {
      if (!KEYWORDS.has(k)) problems.push(`${path}: unknown keyword ${k}`);
      if (k === '$ref' && (typeof v !== 'string' || defs[v.replace('#/$defs/', '')] === undefined)) problems.push(`${path}: unresolved $ref ${String(v)}`);
      if (k === 'properties' || k === '$defs') for (const [p, s] of Object.entries(v as Node)) walk(s, `${path}.${k}.${p}`);
      if ((k === 'additionalProperties' && typeof v === 'object') || k === 'items' || k === 'propertyNames') walk(v, `${path}.${k}`);
      if (k === 'oneOf' || k === 'anyOf') (v as unknown[]).forEach((s, i) => walk(s, `${path}.${k}[${i}]`));
    }
  };
  walk(schema, '#');
  return problems;
}

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    default:
      return false;
  }
}

/** Validates `value` against `schema` (root holding `$defs`); returns the first violation or null. */
export function validate(root: Node, value: unknown): string | null {
  const defs = (root.$defs ?? {}) as Record<string, Node>;
  const check = (s: Node, v: unknown, path: string): string | null => {
    if (typeof s.$ref === 'string') {
      const r = check(defs[s.$ref.replace('#/$defs/', '')]!, v, path);
      if (r !== null) return r;
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => typeMatches(t, v))) return `${path}: expected ${types.join('|')}`;
    }
    if (s.const !== undefined && v !== s.const) return `${path}: expected ${JSON.stringify(s.const)}`;
    if (Array.isArray(s.enum) && !s.enum.includes(v)) return `${path}: not one of ${s.enum.join(', ')}`;
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) return `${path}: below ${s.minimum}`;
      if (typeof s.maximum === 'number' && v > s.maximum) return `${path}: above ${s.maximum}`;
      if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) return `${path}: not above ${s.exclusiveMinimum}`;
      if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) return `${path}: not below ${s.exclusiveMaximum}`;
    }
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && v.length < s.minLength) return `${path}: shorter than ${s.minLength}`;
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) return `${path}: does not match ${s.pattern}`;
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) return `${path}: fewer than ${s.minItems} items`;
      if (s.items !== undefined) {
        for (const [i, item] of v.entries()) {
          const r = check(s.items as Node, item, `${path}[${i}]`);
          if (r !== null) return r;
        }
      }
    }
    if (typeMatches('object', v) && (s.properties !== undefined || s.additionalProperties !== undefined || s.required !== undefined)) {
      const o = v as Node;
      const props = (s.properties ?? {}) as Record<string, Node>;
      for (const k of (s.required ?? []) as string[]) if (!Object.hasOwn(o, k)) return `${path}.${k}: missing`;
      for (const [k, x] of Object.entries(o)) {
        if (Object.hasOwn(props, k)) {
          const r = check(props[k]!, x, `${path}.${k}`);
          if (r !== null) return r;
        } else if (s.additionalProperties === false) {
          return `${path}.${k}: unknown key`;
        } else if (s.additionalProperties !== undefined && typeof s.additionalProperties === 'object') {
          const r = check(s.additionalProperties as Node, x, `${path}.${k}`);
          if (r !== null) return r;
        }
      }
    }
    if (Array.isArray(s.oneOf)) {
      const results = (s.oneOf as Node[]).map((o) => check(o, v, path));
      const ok = results.filter((r) => r === null).length;
      if (ok > 1) return `${path}: matches ${ok} variants of oneOf`;
      if (ok === 0) {
        // Report the variant whose discriminator (a constant property) the value has, else the first failure.
        const selected = (s.oneOf as Node[]).findIndex((o) => {
          const props = (o.properties ?? {}) as Record<string, Node>;
          return typeMatches('object', v) && Object.entries(props).some(([k, p]) => p.const !== undefined && (v as Node)[k] === p.const);
        });
        return results[selected >= 0 ? selected : 0]!;
      }
    }
    if (Array.isArray(s.anyOf)) {
      const results = (s.anyOf as Node[]).map((o) => check(o, v, path));
      if (!results.includes(null)) return results[0]!;
    }
    return null;
  };
  return check(root, value, '$');
}
