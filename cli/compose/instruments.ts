import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError, printable, resolveCalendar } from '../../engine/core/index.js';
import type { Calendar, CalendarSpec } from '../../engine/core/index.js';
import type { AssetClass, InstrumentSpec } from '../../engine/model/index.js';
import { InstrumentFields, InstrumentsFileSchema } from '../../scenarios/ensemble-schema.js';
import type { ParsedScenario } from '../../scenarios/schema.js';
import { formatPath } from '../../scenarios/overrides.js';
import { parseJsonText } from '../../scenarios/json.js';
import type { VenueConfigInput } from '../../sim/venue/index.js';

/**
 * The instruments of a run: the scenario's `instruments.SYM` fields over its `instrumentsFile`'s,
 * checked across fields, and resolved per run symbol for the replay (ReplayConfig.instruments).
 */

/** The account currency. Every instrument must be priced in it: Tapedeck has no FX conversion. */
export const ACCOUNT_CURRENCY = 'USD';

type Fields = { -readonly [K in keyof typeof InstrumentFields]?: z.output<(typeof InstrumentFields)[K]> };
const FIELD_NAMES = Object.keys(InstrumentFields) as (keyof Fields)[];

/** Where a field was written, for messages: the scenario file or the instruments file. */
interface Written {
  readonly fields: Fields;
  /** Per field, the file that gave it. */
  readonly from: Partial<Record<keyof Fields, string>>;
}

/** Reads and validates an instruments file; errors name the key inside it and the file. */
export async function readInstrumentsFile(path: string, scenarioFile: string): Promise<Record<string, Fields>> {
  const where = `${path}, instrumentsFile of ${scenarioFile}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('instrumentsFile', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : String((err as Error).message)} (in ${scenarioFile})`);
  }
  let doc: unknown;
  try {
    doc = parseJsonText(text);
  } catch (err) {
    throw new ConfigError('instrumentsFile', `${path}: not valid JSON (${printable((err as Error).message, 120)}) (in ${scenarioFile})`);
  }
  const parsed = InstrumentsFileSchema.safeParse(doc, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    let at = formatPath(issue.path);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      at = at ? `${at}.${keys[0]}` : keys[0]!;
      message = `unknown key '${keys[0]}'`;
    } else {
      const input = (issue as { input?: unknown }).input;
      if (input !== undefined) message = `${message.replace(/, received \w+$/, '')}, was ${JSON.stringify(input)}`;
      else if (/received undefined$/.test(message)) message = 'missing';
    }
    throw new ConfigError(at || 'instrumentsFile', `${message} (in ${where})`);
  }
  return parsed.data.instruments as Record<string, Fields>;
}

/**
 * Returns the instrument of every symbol that has one (an `assetClass`, from the scenario or its
 * instruments file), defaults applied and every rule across fields checked: a ConfigError names
 * `instruments.SYM.field` and the file that wrote it.
 */
export async function qualifyInstruments(s: Pick<ParsedScenario, 'instruments' | 'instrumentsFile'>, scenarioFile: string): Promise<Readonly<Record<string, InstrumentSpec>>> {
  const fromFile = s.instrumentsFile !== undefined ? await readInstrumentsFile(s.instrumentsFile, scenarioFile) : {};
  const merged = new Map<string, Written>();
  const add = (sym: string, fields: Fields, file: string) => {
    const w = merged.get(sym) ?? { fields: {}, from: {} };
    for (const k of FIELD_NAMES) {
      if (fields[k] === undefined) continue;
      (w.fields as Record<string, unknown>)[k] = fields[k];
      (w.from as Record<string, string>)[k] = file;
    }
    merged.set(sym, w);
  };
  const fileLabel = `${s.instrumentsFile}, instrumentsFile of ${scenarioFile}`;
  for (const [sym, f] of Object.entries(fromFile)) add(sym, f, fileLabel);
  for (const [sym, entry] of Object.entries(s.instruments ?? {})) {
    const { params: _p, ...fields } = entry;
    add(sym, fields as Fields, scenarioFile);
  }
  const out: Record<string, InstrumentSpec> = {};
  for (const [sym, w] of merged) {
    const spec = qualifyOne(sym, w);
    if (spec !== null) out[sym] = spec;
  }
  return Object.freeze(out);
}

/** The instrument of one symbol from its written fields, or null when none is written. */
function qualifyOne(sym: string, w: Written): InstrumentSpec | null {
  const f = w.fields;
  const given = FIELD_NAMES.filter((k) => f[k] !== undefined);
  if (given.length === 0) return null;
  const fail = (field: keyof Fields, message: string): never => {
    throw new ConfigError(`instruments.${sym}.${field}`, `${message} (in ${w.from[field] ?? w.from[given[0]!]})`);
  };
  const assetClass = f.assetClass as AssetClass | undefined;
  if (assetClass === undefined) fail('assetClass', `missing: ${given.join(', ')} describe an instrument, which needs its assetClass (equity, fx, crypto, future or option)`);
  const contract = assetClass === 'future' || assetClass === 'option';
  if (contract && f.multiplier === undefined) fail('multiplier', `missing: a${assetClass === 'option' ? 'n option' : ' future'} needs its point value (currency per 1.0 of price per contract, e.g. ES 50)`);
  if (!contract && f.multiplier !== undefined && f.multiplier !== 1) {
    fail('multiplier', `a${assetClass === 'equity' ? 'n' : ''} ${assetClass} unit is one unit: the multiplier (point value) is 1 for equity, fx and crypto (futures and options only; use lotSize for board lots), was ${f.multiplier}`);
  }
  if (assetClass === 'future') {
    if (f.initialMargin === undefined) fail('initialMargin', 'missing: a future needs its initial margin per contract (account currency)');
    if (f.maintenanceMargin === undefined) fail('maintenanceMargin', 'missing: a future needs its maintenance margin per contract (account currency)');
  }
  if (f.initialMargin !== undefined && f.maintenanceMargin !== undefined && f.maintenanceMargin > f.initialMargin) {
    fail('maintenanceMargin', `above the initial margin ${f.initialMargin} (maintenance is what a position must keep, at most what opening it takes), was ${f.maintenanceMargin}`);
  }
  const currency = f.currency ?? ACCOUNT_CURRENCY;
  if (currency !== ACCOUNT_CURRENCY) fail('currency', `not the account currency ${ACCOUNT_CURRENCY}: Tapedeck has no FX conversion, so a price in another currency cannot be added to the account, was "${currency}"`);
  let session: Calendar | undefined;
  if (f.session !== undefined) {
    try {
      session = resolveCalendar(f.session as CalendarSpec, `instruments.${sym}.session`);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new ConfigError(err.path, `${err.message.slice(err.path.length + 2)} (in ${w.from.session})`);
    }
  }
  return Object.freeze({
    symbol: sym,
    assetClass: assetClass!,
    multiplier: f.multiplier ?? 1,
    tickSize: f.tickSize ?? 0,
    lotSize: f.lotSize ?? (contract ? 1 : 0),
    currency,
    initialMargin: f.initialMargin ?? null,
    maintenanceMargin: f.maintenanceMargin ?? null,
    ...(session !== undefined ? { session } : {}),
  });
}

/**
 * The instrument of each run symbol (null: none, a spot unit at the venue's tick and lot), or
 * undefined when no replayed symbol has one. Instruments of the instruments file whose symbols are
 * not replayed are left out (a file is a universe); the scenario's own `instruments` entries must be
 * replayed (checked with their params, composeStrategies). Refuses an instrument on an L2 run, a
 * venue tick or lot size written in the scenario that contradicts a replayed symbol's instrument, a
 * session on an option contract of the chain (`run.contracts`) and a '24/7' session that departs
 * from nothing (no `run.calendar`, or a 24/7 one).
 */
export function resolveInstruments(
  specs: Readonly<Record<string, InstrumentSpec>> | undefined,
  runSymbols: readonly string[],
  venue: VenueConfigInput,
  l2: boolean,
  run: { readonly contracts?: readonly string[]; readonly calendar?: Calendar } = {},
): (InstrumentSpec | null)[] | undefined {
  if (specs === undefined) return undefined;
  for (const c of run.contracts ?? []) {
    if (Object.hasOwn(specs, c) && specs[c]!.session !== undefined) {
      throw new ConfigError(`instruments.${c}.session`, 'an option contract of the chain has no trading session of its own: its quotes come from the chain replay, which the session does not gate; remove it');
    }
  }
  const out = runSymbols.map((s) => (Object.hasOwn(specs, s) ? specs[s]! : null));
  const used = out.filter((x): x is InstrumentSpec => x !== null);
  if (used.length === 0) return undefined;
  if (l2) {
    const timed = used.find((x) => x.session !== undefined);
    if (timed !== undefined) throw new ConfigError(`instruments.${timed.symbol}.session`, 'trading sessions are not supported on an L2 run (data.book): the L2 venue fills whenever the book has liquidity; remove the session (or the instrument)');
    throw new ConfigError(`instruments.${used[0]!.symbol}`, 'instruments are not supported on an L2 run (data.book) yet: its tick sizes are venue.tickSizes');
  }
  for (const x of used) {
    if (x.session?.kind === '24/7' && (run.calendar === undefined || run.calendar.kind === '24/7')) {
      throw new ConfigError(`instruments.${x.symbol}.session`, "'24/7' changes nothing in a run without a session calendar (every symbol trades at any time and its DAY orders end at UTC midnight); remove it, or give the run a `calendar` it departs from");
    }
    if (venue.lotSize !== undefined && venue.lotSize !== x.lotSize) {
      throw new ConfigError('venue.lotSize', `${venue.lotSize} contradicts ${x.symbol}'s instrument lot size ${x.lotSize} (instruments.${x.symbol}.lotSize): an instrument's lot size replaces the venue's for its symbol; remove venue.lotSize or make them agree`);
    }
    if (venue.enforceTickSize === false && x.tickSize > 0) {
      throw new ConfigError('venue.enforceTickSize', `false contradicts ${x.symbol}'s instrument tick size ${x.tickSize} (instruments.${x.symbol}.tickSize), which is enforced for its symbol; remove one of them`);
    }
    if (venue.enforceTickSize === true && venue.tickSize !== undefined && venue.tickSize !== x.tickSize) {
      throw new ConfigError('venue.tickSize', `${venue.tickSize} contradicts ${x.symbol}'s instrument tick size ${x.tickSize} (instruments.${x.symbol}.tickSize): an instrument's tick size replaces the venue's for its symbol; remove venue.tickSize or make them agree`);
    }
  }
  return out;
}

/** The report's assumptions about the run's instruments, one line each. */
export function describeInstruments(specs: readonly (InstrumentSpec | null)[]): string[] {
  return specs
    .filter((x): x is InstrumentSpec => x !== null)
    .map((x) => {
      const margins = x.initialMargin !== null ? `, margin ${x.initialMargin} initial / ${x.maintenanceMargin ?? x.initialMargin} maintenance per ${x.assetClass === 'future' ? 'contract' : 'unit'}` : '';
      const settle = x.assetClass === 'future' ? ' (settled by variation margin: cash moves by realized P&L and fees, position value = open P&L)' : '';
      const session = x.session !== undefined ? `; trades only in its session (${x.session.label.replace(/^calendar /, '')})` : '';
      return `Instrument ${x.symbol}: ${x.assetClass}, point value ${x.multiplier} ${x.currency}${settle}${margins}${session}`;
    });
}

/**
 * The instruments as the report's scenario shows them: a resolved session (a Calendar, whose holiday
 * set JSON cannot write) becomes its one-line label; the written form is in `instruments` or the
 * instruments file. Returns `specs` itself when no instrument has a session.
 */
export function instrumentSpecsAsRun(specs: Readonly<Record<string, InstrumentSpec>>): Readonly<Record<string, unknown>> {
  if (!Object.values(specs).some((x) => x.session !== undefined)) return specs;
  return Object.fromEntries(Object.entries(specs).map(([sym, x]) => [sym, x.session !== undefined ? { ...x, session: x.session.label.replace(/^calendar /, '') } : x]));
}
