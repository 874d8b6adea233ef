import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../engine/core/index.js';
import { DuckSession, sqlString } from './duckdb.js';
import { datasetContentHash, TableHasher } from './hash.js';
import { MANIFEST_FILE, readManifest, type Manifest, type ManifestFile } from './manifest.js';
import { openReader } from './reader.js';
import { columnsOf, DATA_KINDS, type ColumnType } from './schema.js';
import { TableValidator } from './validate.js';

/** The Parquet (DuckDB) type each column type must have on disk. */
const STORAGE_TYPE: Readonly<Record<ColumnType, string>> = { ts: 'BIGINT', f64: 'DOUBLE', i8: 'TINYINT', str: 'VARCHAR' };

/** What `validateDataset` checked. */
export interface DatasetValidation {
  readonly manifest: Manifest;
  readonly files: number;
  readonly rows: number;
  readonly contentHash: string;
}

/**
 * Re-reads every file of the dataset at `dir`: checks its Parquet schema, runs every data check of
 * TableValidator, recomputes each table hash and the dataset content hash and compares them, the row
 * counts and the time ranges with the manifest. Also refuses Parquet files the manifest does not list.
 * Throws the first problem as a DataError naming the file (and row and column where there is one).
 */
export async function validateDataset(dir: string, options: { batchRows?: number } = {}): Promise<DatasetValidation> {
  const manifest = await readManifest(dir);
  const manifestFile = join(dir, MANIFEST_FILE);
  await checkNoStrayFiles(dir, manifest);
  let rows = 0;
  const session = await DuckSession.open({ threads: 1 });
  try {
    for (const f of manifest.files) await checkSchema(session, dir, f);
  } finally {
    session.close();
  }
  for (const f of manifest.files) rows += await checkTable(dir, f, options.batchRows ?? 65536);
  const recomputed = datasetContentHash(manifest.files);
  if (recomputed !== manifest.contentHash) {
    throw new DataError(`contentHash ${manifest.contentHash} does not match the files' content (${recomputed})`, { file: manifestFile });
  }
  const expectedRows = manifest.files.reduce<Record<string, Record<string, number>>>((acc, f) => {
    (acc[f.kind] ??= {})[f.symbol] = f.rows;
    return acc;
  }, {});
  if (JSON.stringify(sortKeys(expectedRows)) !== JSON.stringify(sortKeys(manifest.rows as Record<string, Record<string, number>>))) {
    throw new DataError('rows per kind and symbol do not match the files listed', { file: manifestFile });
  }
  return { manifest, files: manifest.files.length, rows, contentHash: recomputed };
}

function sortKeys(o: Record<string, Record<string, number>>): Array<[string, Array<[string, number]>]> {
  return Object.keys(o)
    .sort()
    .map((k) => [k, Object.entries(o[k]!).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

async function checkNoStrayFiles(dir: string, manifest: Manifest): Promise<void> {
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const kind of DATA_KINDS) {
    let names: string[];
    try {
      names = await readdir(join(dir, kind));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (name.endsWith('.parquet') && !listed.has(`${kind}/${name}`)) {
        throw new DataError('Parquet file not listed in manifest.json', { file: join(dir, kind, name) });
      }
    }
  }
}

async function checkSchema(session: DuckSession, dir: string, f: ManifestFile): Promise<void> {
  const file = join(dir, f.path);
  let described: Array<[string, string]>;
  try {
    const r = await session.conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
    described = r.getRows().map((row) => [String(row[0]), String(row[1])]);
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    throw new DataError(`unreadable Parquet file: ${first}`, { file }, { cause: err });
  }
  const specs = columnsOf(f.kind);
  for (const spec of specs) {
    const found = described.find(([name]) => name === spec.name);
    if (!found) throw new DataError(`missing column '${spec.name}' (kind ${f.kind})`, { file, column: spec.name });
    if (found[1] !== STORAGE_TYPE[spec.type]) {
      throw new DataError(`column type ${found[1]}, expected ${STORAGE_TYPE[spec.type]}`, { file, column: spec.name });
    }
  }
  for (const [name] of described) {
    if (!specs.some((s) => s.name === name)) throw new DataError(`unexpected column '${name}' for kind ${f.kind}`, { file, column: name });
  }
  // NULL is allowed only in optional columns; the fast read path would otherwise turn it into NaN.
  const required = specs.filter((s) => s.optional !== true);
  const nullChecks = required.map((s) => `count(*) FILTER (WHERE "${s.name}" IS NULL)`).join(', ');
  const r = await session.conn.runAndReadAll(`SELECT ${nullChecks} FROM read_parquet(${sqlString(file)})`);
  const counts = r.getRows()[0]!;
  required.forEach((s, i) => {
    if (Number(counts[i]) > 0) {
      throw new DataError(`${counts[i]} missing (NULL) values in a required column`, { file, column: s.name });
    }
  });
}

async function checkTable(dir: string, f: ManifestFile, batchRows: number): Promise<number> {
  const file = join(dir, f.path);
  const validator = new TableValidator(f.kind, file);
  const hasher = new TableHasher(f.kind, f.symbol);
  const reader = await openReader(dir, { kind: f.kind, symbols: [f.symbol], batchRows });
  let first: number | null = null;
  let last: number | null = null;
  for await (const batch of reader) {
    const cols: Record<string, Float64Array | string[]> = { ...batch.columns };
    for (const name of reader.stringColumns) {
      const dict = reader.dictionaries[name]!;
      cols[name] = Array.from(batch.codes[name]!, (c) => dict[c] ?? '');
    }
    validator.update(cols, batch.length);
    hasher.update(cols, batch.length);
    const ts = batch.columns['ts']!;
    if (batch.length > 0) {
      first ??= ts[0]!;
      last = ts[batch.length - 1]!;
    }
  }
  validator.finish();
  if (validator.rows !== f.rows) throw new DataError(`has ${validator.rows} rows, manifest.json says ${f.rows}`, { file });
  if (first !== f.startUs || last !== f.endUs) {
    throw new DataError(`time range ${first}..${last} does not match manifest.json (${f.startUs}..${f.endUs})`, { file });
  }
  const hash = hasher.digest();
  if (hash !== f.contentHash) throw new DataError(`content hash ${hash} does not match manifest.json (${f.contentHash}): the file was changed`, { file });
  return validator.rows;
}
