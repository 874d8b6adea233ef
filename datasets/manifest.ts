import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError, formatIsoUs } from '../engine/core/index.js';
import { compareStrings, datasetContentHash } from './hash.js';
import { DATA_KINDS, SYMBOL_PATTERN, type DataKind } from './schema.js';

/** The manifest format written by this version. */
export const FORMAT_VERSION = 1;
/** The manifest's file name inside a dataset directory. */
export const MANIFEST_FILE = 'manifest.json';

/** A JSON object describing what produced some data (generator parameters or an import source). */
export type Provenance = Readonly<Record<string, unknown>>;

/** One Parquet file of a dataset: one kind and one symbol. */
export interface ManifestFile {
  readonly kind: DataKind;
  readonly symbol: string;
  /** Path relative to the dataset directory, always `<kind>/<SYMBOL>.parquet`. */
  readonly path: string;
  readonly rows: number;
  /** First and last `ts` (integer microseconds), null for an empty table. */
  readonly startUs: number | null;
  readonly endUs: number | null;
  readonly start: string | null;
  readonly end: string | null;
  /** Table hash (see hash.ts). */
  readonly contentHash: string;
  /** What produced this file. */
  readonly source: Provenance;
}

/**
 * A dataset's manifest.json. It holds no wall-clock time, so the same inputs always give the same
 * manifest, byte for byte.
 */
export interface Manifest {
  readonly formatVersion: number;
  readonly kinds: readonly DataKind[];
  readonly symbols: readonly string[];
  readonly startUs: number | null;
  readonly endUs: number | null;
  readonly start: string | null;
  readonly end: string | null;
  /** Row counts per kind, then per symbol. */
  readonly rows: Readonly<Partial<Record<DataKind, Readonly<Record<string, number>>>>>;
  readonly files: readonly ManifestFile[];
  /** Dataset content hash (see hash.ts). */
  readonly contentHash: string;
  /** What created the dataset (the first write); each file's `source` says what wrote that file. */
  readonly createdBy: Provenance;
}

/** Returns the relative path of the file holding `kind` and `symbol`. */
export function tablePath(kind: DataKind, symbol: string): string {
  return `${kind}/${symbol}.parquet`;
}

const kindSchema = z.enum(DATA_KINDS as unknown as [DataKind, ...DataKind[]]);
const hashSchema = z.string().regex(/^[0-9a-f]{64}$/);
const tsSchema = z.number().int().nullable();

const fileSchema = z.strictObject({
  kind: kindSchema,
  symbol: z.string().regex(SYMBOL_PATTERN),
  path: z.string(),
  rows: z.number().int().nonnegative(),
  startUs: tsSchema,
  endUs: tsSchema,
  start: z.string().nullable(),
  end: z.string().nullable(),
  contentHash: hashSchema,
  source: z.record(z.string(), z.unknown()),
});

const manifestSchema = z.strictObject({
  formatVersion: z.literal(FORMAT_VERSION),
  kinds: z.array(kindSchema),
  symbols: z.array(z.string()),
  startUs: tsSchema,
  endUs: tsSchema,
  start: z.string().nullable(),
  end: z.string().nullable(),
  rows: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
  files: z.array(fileSchema),
  contentHash: hashSchema,
  createdBy: z.record(z.string(), z.unknown()),
});

/**
 * Returns the manifest of `files` (any order): kinds, symbols and files sorted, the time range, the
 * row counts and the dataset content hash.
 */
export function buildManifest(files: readonly ManifestFile[], createdBy: Provenance): Manifest {
  const sorted = [...files].sort((a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.symbol, b.symbol));
  const kinds = DATA_KINDS.filter((k) => sorted.some((f) => f.kind === k));
  const symbols = [...new Set(sorted.map((f) => f.symbol))].sort(compareStrings);
  let startUs: number | null = null;
  let endUs: number | null = null;
  const rows: Partial<Record<DataKind, Record<string, number>>> = {};
  for (const f of sorted) {
    if (f.startUs !== null && (startUs === null || f.startUs < startUs)) startUs = f.startUs;
    if (f.endUs !== null && (endUs === null || f.endUs > endUs)) endUs = f.endUs;
    (rows[f.kind] ??= {})[f.symbol] = f.rows;
  }
  const orderedRows: Partial<Record<DataKind, Record<string, number>>> = {};
  for (const k of kinds) orderedRows[k] = rows[k]!;
  return {
    formatVersion: FORMAT_VERSION,
    kinds,
    symbols,
    startUs,
    endUs,
    start: startUs === null ? null : formatIsoUs(startUs),
    end: endUs === null ? null : formatIsoUs(endUs),
    rows: orderedRows,
    files: sorted,
    contentHash: datasetContentHash(sorted),
    createdBy,
  };
}

/** Returns the manifest as written to disk: two-space JSON and a final newline. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Parses and checks manifest JSON text; throws DataError naming `file` when it is not a manifest. */
export function parseManifest(text: string, file: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON: ${(err as Error).message}`, { file });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DataError(`not a Tapedeck manifest: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { file });
  }
  const m = parsed.data as Manifest;
  for (const f of m.files) {
    if (f.path !== tablePath(f.kind, f.symbol)) {
      throw new DataError(`file entry ${f.kind}/${f.symbol} has path '${f.path}', expected '${tablePath(f.kind, f.symbol)}'`, { file });
    }
  }
  return m;
}

/** Reads `dir/manifest.json`; throws DataError when the directory holds no readable manifest. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no manifest.json: not a Tapedeck dataset directory' : `unreadable (${code ?? (err as Error).message})`;
    throw new DataError(why, { file });
  }
  return parseManifest(text, file);
}

/** Returns the manifest entry for `kind` and `symbol`, or undefined. */
export function findFile(manifest: Manifest, kind: DataKind, symbol: string): ManifestFile | undefined {
  return manifest.files.find((f) => f.kind === kind && f.symbol === symbol);
}
