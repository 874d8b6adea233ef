import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../cli/compose/load-scenario.js';
import { TapedeckError } from '../../engine/core/index.js';

/**
 * Standing fuzz test of scenario qualification: random and mutated scenario documents and random
 * `--set` overrides go through loadScenario in-process. Every case must either qualify or be refused
 * with a one-line TapedeckError (code 'config' or 'usage') that names a path, and no case may write
 * to Object.prototype or Array.prototype.
 *
 * Runs TAPEDECK_FUZZ_RUNS cases (default 150) from seed TAPEDECK_FUZZ_SEED (default fixed); a failure
 * prints the seed and the shrunk case. Run longer with e.g.
 * `TAPEDECK_FUZZ_RUNS=20000 npx vitest run tests/fuzz/scenario.test.ts`.
 */
const RUNS = Number(process.env.TAPEDECK_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.TAPEDECK_FUZZ_SEED ?? 20261203);
const REPO = resolve(import.meta.dirname, '../..');
const CSV = resolve(REPO, 'tests/fixtures/csv/daily-ohlcv.csv');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-fuzz-scenario-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The repository's scenarios, with their data pointed at a file that exists (so qualification gets past the stat). */
const BASES: Record<string, unknown>[] = readdirSync(resolve(REPO, 'scenarios'))
  .filter((f) => f.endsWith('.json') && !f.endsWith('.space.json') && !f.endsWith('.instruments.json'))
  .map((f) => {
    const doc = JSON.parse(readFileSync(resolve(REPO, 'scenarios', f), 'utf8')) as Record<string, unknown>;
    const data = { ...(doc.data as Record<string, unknown>) };
    for (const k of ['bars', 'quotes', 'trades', 'book', 'options']) if (k in data) data[k] = CSV;
    return { ...doc, data };
  });

/** Snapshot of the built-in prototypes' own properties: a prototype write changes it. */
function prototypeSnapshot(): string[] {
  const out: string[] = [];
  for (const [name, proto] of [['Object', Object.prototype], ['Array', Array.prototype], ['Function', Function.prototype]] as const) {
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      out.push(`${name}.${String(key)}:${typeof d.value}:${d.enumerable}`);
    }
  }
  return out.sort();
}
const CLEAN = prototypeSnapshot();
const protoValues = new Map(Reflect.ownKeys(Object.prototype).map((k) => [k, Object.getOwnPropertyDescriptor(Object.prototype, k)!.value as unknown]));

function expectPrototypesUntouched(): void {
  expect(prototypeSnapshot()).toEqual(CLEAN);
  for (const [k, v] of protoValues) expect(Object.getOwnPropertyDescriptor(Object.prototype, k)!.value).toBe(v);
  const probe = {};
  // eslint-disable-next-line no-restricted-syntax, guard-for-in
  for (const k in probe) throw new Error(`Object.prototype gained an enumerable key '${k}'`);
}

// ---------------------------------------------------------------- arbitraries

const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\u0000', '\uFEFF', '\u2028', 'é', '𝔘', '../../etc/passwd', '1d', '0d', '-1h', '1e309d', 'NaN', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
);
const nastyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, -1, 1e12, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE, 1.5, NaN, Infinity, -Infinity, 1e7, 1e7 + 1),
);
/** Random JSON-like values, nested (depth bounded by fast-check's depth size). */
const { value: jsonish } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyString, fc.constantFrom('__proto__', 'constructor', 'params', 'type', 'data', 'bars')), tie('value'), { maxKeys: 4 }),
  ),
}));
/**
 * A value nested thousands of levels deep, as a placeholder string the case's JSON text expands (so
 * fast-check never has to print or shrink the nested value itself).
 */
const DEEP = /"\u0001deep:(\d+):(a|o)"/g;
const deep = fc.tuple(fc.integer({ min: 100, max: 5000 }), fc.boolean()).map(([depth, arrays]) => `\u0001deep:${depth}:${arrays ? 'a' : 'o'}`);
function expandDeep(json: string): string {
  return json.replace(DEEP, (_, n: string, kind: string) => (kind === 'a' ? `${'['.repeat(Number(n))}1${']'.repeat(Number(n))}` : `${'{"a":'.repeat(Number(n))}1${'}'.repeat(Number(n))}`));
}

type Path = (string | number)[];
/** Every path into a document (objects and arrays), for picking a field to mutate. */
function pathsOf(doc: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (doc !== null && typeof doc === 'object' && prefix.length < 8) {
    if (Array.isArray(doc)) doc.forEach((v, i) => pathsOf(v, [...prefix, i], out));
    else for (const [k, v] of Object.entries(doc)) pathsOf(v, [...prefix, k], out);
  }
  return out;
}

type Mutation = { kind: 'delete' | 'set'; pick: number; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'set'),
  pick: fc.nat(),
  value: fc.oneof(jsonish, nastyNumber, nastyString, deep),
});

function mutate(base: unknown, ms: readonly Mutation[]): unknown {
  let doc = structuredClone(base);
  for (const m of ms) {
    const paths = pathsOf(doc);
    const path = paths[m.pick % paths.length]!;
    if (path.length === 0) {
      if (m.kind === 'set') doc = m.value;
      continue;
    }
    let parent = doc as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else {
      Object.defineProperty(parent, last, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return doc;
}

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('strategies', 'params', 'fast', 'slow', 'period', 'data', 'bars', 'symbols', 'interval', 'venue', 'fees', 'risk', 'engine', 'lookback', 'equityEvery', 'seed', 'name', 'instruments', 'ensemble', 'execution', 'type', 'id') },
  { weight: 3, arbitrary: fc.oneof(fc.nat({ max: 3 }), fc.constantFrom(5, 99, 1e6, 2 ** 31, Number.MAX_SAFE_INTEGER)).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '', '[0]', '[__proto__]', '[]', 'toString', 'hasOwnProperty', 'é', '𝔘', ' ', '\u0000') },
  { weight: 1, arbitrary: nastyString },
);
const setText = fc
  .tuple(
    fc.array(segment, { minLength: 0, maxLength: 6 }),
    fc.constantFrom('.', '.', '.', '..', '['),
    fc.oneof(jsonish.map((v) => JSON.stringify(v) ?? 'null'), nastyString, fc.constantFrom('1e12', '-1', 'NaN', '{"__proto__":{"polluted":1}}', '[1,2', '"x"')),
    fc.boolean(),
  )
  .map(([segs, sep, value, withEq]) => (withEq ? `${segs.join(sep)}=${value}` : segs.join(sep)));

const scenarioDoc = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 0, maxLength: 4 })).map(([b, ms]) => mutate(b, ms)) },
  { weight: 2, arbitrary: jsonish },
  { weight: 1, arbitrary: deep },
);

const fuzzCase = fc.record({
  doc: scenarioDoc,
  sets: fc.array(setText, { maxLength: 3 }),
  seed: fc.option(fc.oneof(fc.integer(), fc.constantFrom(1e300, 2 ** 60, -0, 1.5)), { nil: undefined }),
  bom: fc.boolean(),
});

// ---------------------------------------------------------------- the property

let caseNo = 0;
async function check(c: { doc: unknown; sets: string[]; seed: number | undefined; bom: boolean }): Promise<void> {
  const file = join(dir, `case-${caseNo++ % 8}.json`);
  const text = expandDeep(JSON.stringify(c.doc) ?? 'null');
  await writeFile(file, c.bom ? `\uFEFF${text}` : text);
  try {
    await loadScenario(file, { overrides: c.sets, ...(c.seed !== undefined ? { seed: c.seed } : {}), cwd: dir });
  } catch (err) {
    if (!(err instanceof TapedeckError)) throw new Error(`not a TapedeckError: ${String(err)}`, { cause: err });
    expect(['config', 'usage']).toContain(err.code);
    expect(err.message).not.toMatch(/[\n\r]/);
    if (err.code === 'usage') expect(err.message).toMatch(/^--(set|seed)\b/);
    else {
      // A scenario refusal names the field's path, or the file itself when it is not a scenario at all.
      const path = (err as TapedeckError & { path: string }).path;
      expect(path !== '' || err.message.includes(file), err.message).toBe(true);
      expect(err.message).not.toMatch(/\[object Object\]|received undefined/);
    }
  } finally {
    expectPrototypesUntouched();
  }
}

describe('fuzz: scenario documents and --set overrides through qualification', () => {
  it('never throws anything but a one-line config/usage TapedeckError naming a path, never writes a prototype', async () => {
    await fc.assert(fc.asyncProperty(fuzzCase, check), { seed: SEED, numRuns: RUNS });
  }, 120_000);

  it('the known hostile overrides are refused as usage errors, prototypes untouched', async () => {
    for (const set of ['__proto__.x=1', 'constructor.prototype.polluted=1', 'strategies.0.__proto__.x=1', 'strategies[__proto__].x=1', 'a..b=1', '=1', 'strategies.99999999.type=x']) {
      const file = join(dir, 'hostile.json');
      await writeFile(file, JSON.stringify(BASES[0]));
      await expect(loadScenario(file, { overrides: [set] })).rejects.toMatchObject({ code: 'usage' });
      expectPrototypesUntouched();
    }
  });
});
