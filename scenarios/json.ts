/**
 * Parses JSON text as a user's editor saved it: a leading UTF-8 byte order mark (which some Windows
 * editors write, and which CSV import already accepts) is dropped first. Use it for every JSON file a
 * user writes: scenarios, space files, model bundles.
 */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
