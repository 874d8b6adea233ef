export * from './schema.js';
export * from './hash.js';
export * from './manifest.js';
export * from './validate.js';
export * from './writer.js';
export * from './reader.js';
export { writeFileAtomic, writeDirectoryAtomic, swapDirectoryAtomic, temporarySibling } from './atomic.js';
