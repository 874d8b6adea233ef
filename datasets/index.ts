export * from './schema.js';
export * from './hash.js';
export * from './manifest.js';
export * from './validate.js';
export * from './writer.js';
export * from './reader.js';
export * from './import.js';
export { CsvParser, CsvSyntaxError, type CsvRecord } from './csv.js';
export { writeFileAtomic, writeDirectoryAtomic, swapDirectoryAtomic, temporarySibling } from './atomic.js';
