import type { Command } from 'commander';
import { DEFAULT_GENERATED_KINDS, GENERATED_KINDS } from '../../datasets/schema.js';
import { DEFAULT_DAYS, DEFAULT_START, DEFAULT_SYMBOLS } from '../../datasets/synthetic/config.js';
import { lazyAction } from '../lazy-action.js';

const HELP_AFTER = `
Defaults (a demo dataset in a few seconds):
  symbols ${DEFAULT_SYMBOLS.join(',')}, ${DEFAULT_DAYS} trading days (about two years) of 1d bars from ${DEFAULT_START};
  trades, quotes and an L2 book (10 levels, snapshot every 60 s) for the first symbol over the last 3 days;
  end-of-day option chains (4 monthly expiries, 15 strikes, calls and puts) on the first symbol.
  On request (--kinds ...,sentiment): a sentiment score in [-1, 1] and a mentions count per bar and symbol,
  stamped at the bar's close, correlated with the return of the next --sentiment-horizon bars by about
  --sentiment-correlation (0: no information).

Calendar: weekdays are trading days (no holidays); the session is 09:30-16:00, exchange time written
as UTC. Daily bars are stamped at UTC midnight of their day, intraday bars at their open time.
The same --seed always gives the same data (and contentHash); each kind draws from its own random
stream, so adding a kind never changes another kind's data.

Example:
  $ tapedeck data generate --seed 7 --out data/demo
  $ tapedeck data generate --seed 8 --out data/intraday --symbols SPY,QQQ --days 20 --interval 1m --kinds bars,trades,quotes
  $ tapedeck data generate --seed 9 --out data/sentiment --kinds bars,sentiment --sentiment-correlation 0.3
`;

/** Registers `data generate` on the shared `data` command. */
export function registerDataGenerate(data: Command): void {
  data
    .command('generate')
    .description('generate a seeded synthetic market dataset (Parquet + manifest.json)')
    .requiredOption('--out <dir>', 'output directory (new or empty, or with --force a dataset to replace)')
    .option('--seed <n>', 'random seed (integer)', '7')
    .option('--symbols <list>', 'comma-separated symbols', DEFAULT_SYMBOLS.join(','))
    .option('--start <date>', 'first trading day (ISO date)', DEFAULT_START)
    .option('--days <n>', 'number of trading days', String(DEFAULT_DAYS))
    .option('--interval <i>', 'bar interval: 1m, 1h or 1d', '1d')
    .option('--kinds <list>', `kinds to generate, subset of ${GENERATED_KINDS.join(',')}`, DEFAULT_GENERATED_KINDS.join(','))
    .option('--intraday-symbols <list>', 'symbols with trades, quotes and book (default: the first symbol)')
    .option('--intraday-days <n>', 'trailing trading days with trades, quotes and book', '3')
    .option('--trades-per-day <n>', 'expected trades per symbol and session', '4000')
    .option('--quotes-per-day <n>', 'expected quote updates per symbol and session', '8000')
    .option('--book-events-per-day <n>', 'expected book events per symbol and session', '12000')
    .option('--book-levels <n>', 'price levels per book side', '10')
    .option('--underlying <symbol>', 'underlying of the option chains (default: the first symbol)')
    .option('--expiries <n>', 'monthly expiries per option chain', '4')
    .option('--sentiment-correlation <c>', "correlation of each symbol's sentiment score with its return over the next --sentiment-horizon bars (kind sentiment), -1 to 1", '0.1')
    .option('--sentiment-horizon <n>', 'bars ahead the sentiment score informs about', '1')
    .option('--force', 'replace an existing dataset at --out (atomically; files Tapedeck did not write are kept)')
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText('after', HELP_AFTER)
    .action(lazyAction(async () => (await import('../actions/data-generate.js')).dataGenerateAction));
}
