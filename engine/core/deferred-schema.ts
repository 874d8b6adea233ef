import { z } from 'zod';

/**
 * A schema built on its first use, for a scenario section or field most scenarios do not have: building
 * the zod schemas of every section cost each run ~15 ms before it read a byte of data, and their objects
 * (kept for the whole run) were young-generation garbage collections' copying work. In engine/core so that
 * the modules owning a section (engine/, sim/venue/, scenarios/) defer their own schemas.
 *
 * z.lazy alone builds them anyway: an object parsing an absent key asks the `.optional()` around the
 * section, which asks the section, whether it accepts (`optin`) or produces (`optout`) undefined, and
 * a z.lazy builds its schema to answer. A section (an object or a record, neither optional nor
 * defaulted) answers neither: stated here, so that only a scenario holding the section builds it,
 * and checked when it is built.
 */
export function deferredSchema<T extends z.ZodType>(build: () => T): z.ZodLazy<T> {
  const schema = z.lazy(() => {
    const built = build();
    if (built._zod.optin !== undefined || built._zod.optout !== undefined) throw new Error('deferredSchema: the schema accepts or produces undefined; make the field optional outside it');
    return built;
  });
  for (const key of ['optin', 'optout'] as const) Object.defineProperty(schema._zod, key, { value: undefined, writable: true, configurable: true });
  return schema;
}
