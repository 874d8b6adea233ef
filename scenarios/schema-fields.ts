import { scenarioJsonSchema } from './json-schema.js';

/** One documented field of the scenario schema, as {@link schemaFields} lists it. */
export interface SchemaField {
  /**
   * Dotted path of the field: `[]` stands for any array element (`strategies[].params`), `*` for any
   * key of a record (`instruments.*.params`). A field of one variant of a union appears once per
   * variant that has it, with the variant's selector in {@link SchemaField.when}.
   */
  readonly path: string;
  /** JSON Schema type(s): `string`, `number`, `integer`, `boolean`, `object`, `array`, `null`, or `union` for a choice of shapes. */
  readonly type: string;
  /** The allowed values of an enum (or the single value of a constant, such as a union's discriminator). */
  readonly values?: readonly unknown[];
  /** True when the schema documents a default (then in {@link SchemaField.default}). */
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly description: string;
  /** True when the field must be given (within its parent, in its variant). */
  readonly required: boolean;
  /**
   * The discriminator values that select the union variant this field belongs to, by path, e.g.
   * `{ "venue.fees.kind": "fraction" }` for `venue.fees.rate`; empty outside unions.
   */
  readonly when: Readonly<Record<string, unknown>>;
  /** The field's JSON Schema node (ranges, patterns, items), `$ref`s resolved one level. */
  readonly schema: Readonly<Record<string, unknown>>;
}

type Node = Record<string, unknown>;

/**
 * Lists every documented field of the scenario schema (from the published JSON Schema, so what it
 * lists is what editors see), depth first in declaration order, with its type, default and
 * description. Containers (objects, arrays, unions) are listed too, before their fields. Recursive
 * shapes (a composite slippage's parts) are entered once.
 */
export function schemaFields(schema: Node = scenarioJsonSchema()): SchemaField[] {
  const defs = (schema.$defs ?? {}) as Record<string, Node>;
  const resolve = (n: Node): { node: Node; ref: string | null } => {
    const ref = typeof n.$ref === 'string' ? n.$ref : null;
    if (ref === null) return { node: n, ref: null };
    const target = defs[ref.replace('#/$defs/', '')];
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    // Keywords beside the $ref (description, default) describe this use of the shared shape.
    const { $ref: _r, ...rest } = n;
    return { node: { ...target, ...rest }, ref };
  };
  const out: SchemaField[] = [];
  const typeOf = (n: Node): string => {
    if (Array.isArray(n.oneOf) || Array.isArray(n.anyOf)) {
      const options = ((n.oneOf ?? n.anyOf) as Node[]).map((o) => resolve(o).node);
      const nonNull = options.filter((o) => o.type !== 'null');
      if (nonNull.length === 1) return `${typeOf(nonNull[0]!)}|null`;
      return 'union';
    }
    if (Array.isArray(n.type)) return n.type.join('|');
    if (typeof n.type === 'string') return n.type;
    if (n.const !== undefined) return typeof n.const;
    return 'any';
  };
  // A nullable field is `anyOf: [shape, null]`: its description is the shape's when not its own.
  const describe = (n: Node): string => {
    if (typeof n.description === 'string') return n.description;
    const options = (n.oneOf ?? n.anyOf) as Node[] | undefined;
    const nonNull = Array.isArray(options) ? options.map((o) => resolve(o).node).filter((o) => o.type !== 'null') : [];
    return nonNull.length === 1 ? describe(nonNull[0]!) : '';
  };
  const visit = (raw: Node, path: string, required: boolean, when: Record<string, unknown>, seen: ReadonlySet<string>, listSelf: boolean): void => {
    const { node, ref } = resolve(raw);
    if (ref !== null && seen.has(ref)) return;
    const inner = ref !== null ? new Set([...seen, ref]) : seen;
    if (listSelf) {
      const values = Array.isArray(node.enum) ? (node.enum as unknown[]) : node.const !== undefined ? [node.const] : undefined;
      out.push({
        path,
        type: typeOf(node),
        ...(values !== undefined ? { values } : {}),
        hasDefault: Object.hasOwn(node, 'default'),
        ...(Object.hasOwn(node, 'default') ? { default: node.default } : {}),
        description: describe(node),
        required,
        when,
        schema: node,
      });
    }
    const options = (node.oneOf ?? node.anyOf) as Node[] | undefined;
    if (Array.isArray(options)) {
      for (const o of options) {
        const opt = resolve(o).node;
        if (opt.type === 'null') continue;
        const props = (opt.properties ?? {}) as Record<string, Node>;
        // A discriminated variant: the constant property selects it.
        const disc = Object.entries(props).find(([, p]) => p.const !== undefined);
        const w = disc !== undefined ? { ...when, [`${path}.${disc[0]}`]: disc[1].const } : when;
        visit(o, path, required, w, inner, false);
      }
      return;
    }
    if (node.type === 'object' || node.properties !== undefined) {
      const req = new Set((node.required ?? []) as string[]);
      for (const [k, p] of Object.entries((node.properties ?? {}) as Record<string, Node>)) visit(p, path ? `${path}.${k}` : k, req.has(k), when, inner, true);
      const extra = node.additionalProperties;
      // A record's values: listed when they have a shape (`{}` is any value, e.g. a strategy's params, validated by the strategy).
      if (extra !== undefined && extra !== false && extra !== null && typeof extra === 'object' && Object.keys(extra).length > 0) visit(extra as Node, `${path}.*`, false, when, inner, true);
      return;
    }
    if (node.type === 'array' && node.items !== undefined && typeof node.items === 'object') visit(node.items as Node, `${path}[]`, false, when, inner, false);
  };
  visit(schema, '', true, {}, new Set(), false);
  return out;
}
