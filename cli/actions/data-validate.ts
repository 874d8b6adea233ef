import { validateDataset } from '../../datasets/validate-dataset.js';

/** What `tapedeck data validate` does once its arguments are parsed (loaded only when the command runs). */
export async function dataValidateAction(dir: string, flags: { json?: boolean }): Promise<void> {
  const v = await validateDataset(dir);
  if (flags.json === true) {
    const json = { ok: true, dataset: dir, files: v.files, rows: v.rows, kinds: v.manifest.kinds, symbols: v.manifest.symbols, contentHash: v.contentHash };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  process.stdout.write(`OK ${dir}: ${v.files} files, ${v.rows} rows, kinds ${v.manifest.kinds.join(',')}, symbols ${v.manifest.symbols.join(',')}, contentHash ${v.contentHash}\n`);
}
