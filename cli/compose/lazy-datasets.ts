/**
 * The dataset layer (DuckDB), loaded when data is first read rather than with the run assembly: a
 * sweep worker replaying data the main thread read for it (cli/compose/sweep-shared-data.ts) never
 * loads DuckDB. A worker thread running from sources has only tsx's CommonJS hook (Node 20: its ESM
 * hooks do not reach worker threads), so there the import finds no `.js` file and the module is
 * required instead, through that hook (the rest of that thread was loaded the same way). The path is
 * handed to require as a value so that the CLI's bundle (scripts/build.mjs) follows the import only.
 */
type Datasets = typeof import('../../datasets/index.js');
type Resample = typeof import('../../datasets/resample.js');

function requiredInstead(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && typeof require === 'function';
}

const DATASETS = '../../datasets/index.js';
const RESAMPLE = '../../datasets/resample.js';

/** Returns datasets/index (readers, import, manifests). */
export async function loadDatasets(): Promise<Datasets> {
  try {
    return await import('../../datasets/index.js');
  } catch (err) {
    if (requiredInstead(err)) return require(DATASETS) as Datasets;
    throw err;
  }
}

/** Returns datasets/resample. */
export async function loadResample(): Promise<Resample> {
  try {
    return await import('../../datasets/resample.js');
  } catch (err) {
    if (requiredInstead(err)) return require(RESAMPLE) as Resample;
    throw err;
  }
}
