import { z } from 'zod';
import { CALENDAR_NAMES, isKnownTimeZone } from '../engine/core/index.js';
import { deferredSchema } from '../engine/core/deferred-schema.js';

/**
 * The trading calendar of a scenario (engine/core/calendar.ts resolves it): `24/7`, `fx-24/5`, `XNYS`
 * or an exchange session. Its own file so that an instrument's trading session can reuse it. Built on
 * first use (see deferredSchema): most scenarios and instruments have none.
 */
function buildCalendarSchema() {
  const SessionCalendarSchema = z
    .strictObject({
      timeZone: z
        .string()
        .min(1)
        .refine((tz) => isKnownTimeZone(tz), 'unknown time zone (an IANA name such as America/New_York)')
        .describe('IANA time zone the session times and holidays are read in, e.g. America/New_York (daylight saving follows the time zone database).'),
      open: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day HH:MM').describe('Local time the session opens, HH:MM.'),
      close: z
        .string()
        .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected a time of day HH:MM (24:00 allowed)')
        .describe('Local time the session closes, HH:MM, after `open` on the same day (24:00 allowed).'),
      weekdays: z
        .array(z.number().int().min(1).max(7))
        .min(1)
        .optional()
        .describe('ISO weekdays with a session, 1 = Monday .. 7 = Sunday. Default [1, 2, 3, 4, 5].'),
      holidays: z
        .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'))
        .optional()
        .describe('Local dates without a session (your exchange\'s holiday list; none is built in). They lower the sessions per year by their average count per year.'),
    })
    .describe('An exchange session: a time zone, open and close times, weekdays and holidays.');

  return z
    .union([z.enum(CALENDAR_NAMES), SessionCalendarSchema], {
      error: (iss) => `expected ${CALENDAR_NAMES.map((n) => `'${n}'`).join(', ')} or an exchange session { timeZone, open, close, weekdays?, holidays? }, was ${JSON.stringify(iss.input)}`,
    })
    .describe(
      "Trading calendar: '24/7', 'fx-24/5' (Sunday 17:00 to Friday 17:00 America/New_York), 'XNYS' (America/New_York 09:30-16:00, Monday to Friday, no holidays) or an exchange session { timeZone, open, close, weekdays?, holidays? }. It sets the annualization of intraday and daily bars (trading periods per year), the session day of DAY orders and daily loss limits, and the default time zone of strategy session windows. Default: none (UTC days, annualization from the bar spacing).",
    );
}

export const CalendarSchema = deferredSchema(buildCalendarSchema);

export type CalendarInput = z.input<typeof CalendarSchema>;

/** Metric settings of a run: they change the report's metrics and trial metrics, never what is traded. Built on first use. */
export const MetricsSectionSchema = deferredSchema(() =>
  z
    .strictObject({
      periodsPerYear: z
        .number()
        .positive()
        .finite()
        .optional()
        .describe('Periods per year that annualize Sharpe, Sortino, volatility and CAGR; overrides the rule of the calendar or of the bar spacing.'),
      riskFreeRate: z.number().finite().min(-1).optional().describe('Annual risk-free rate as a fraction (default 0), de-annualized per bar as (1 + rf)^(1/P) - 1 in Sharpe and Sortino.'),
    })
    .describe('How the metrics are computed: periods per year and the risk-free rate.'),
);
