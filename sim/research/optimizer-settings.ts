import { z } from 'zod';
import { ConfigError, InvalidArgumentError, randomStream } from '../../engine/core/index.js';
import { createOptimizer } from './optimizers/index.js';
import type { SweepMethod } from './sweep-methods.js';

/**
 * The `optimizer` block of a space file: settings of the ask/tell search methods (population sizes
 * and rates of the genetic algorithm and differential evolution, chains, burn-in and temperature of
 * MCMC, the Bayesian optimizer's design and model), passed to the optimizer the sweep's --method
 * names. A setting the chosen method does not take, or one that could not change the search (a
 * generation limit the budget never reaches, a blend width with uniform crossover, ...), is refused
 * with its path: no silent settings.
 */

const positiveInt = z.number().refine((x) => Number.isSafeInteger(x) && x >= 1, 'not a positive integer');
const nonNegativeInt = z.number().refine((x) => Number.isSafeInteger(x) && x >= 0, 'not a non-negative integer');
const positive = z.number().refine((x) => Number.isFinite(x) && x > 0, 'not a positive number');
const nonNegative = z.number().refine((x) => Number.isFinite(x) && x >= 0, 'not a non-negative number');
const unit = z.number().refine((x) => Number.isFinite(x) && x >= 0 && x <= 1, 'not a number in [0, 1]');

/** The optimizer block's schema: every setting of every method, each typed; unknown keys are refused. */
export const OptimizerSettingsSchema = z.strictObject({
  // ga and de
  populationSize: positiveInt.optional(),
  generations: positiveInt.optional(),
  crossoverRate: unit.optional(),
  patience: positiveInt.optional(),
  tolerance: nonNegative.optional(),
  minDiversity: nonNegative.optional(),
  // ga
  tournamentSize: positiveInt.optional(),
  crossover: z.enum(['blend', 'uniform']).optional(),
  blendAlpha: nonNegative.optional(),
  mutationRate: unit.optional(),
  mutationScale: positive.optional(),
  elitism: nonNegativeInt.optional(),
  // de
  differentialWeight: positive.optional(),
  bounds: z.enum(['reflect', 'clip']).optional(),
  // mcmc
  temperature: positive.optional(),
  chains: positiveInt.optional(),
  step: positive.optional(),
  adaptStep: z.boolean().optional(),
  targetAcceptance: z.number().refine((x) => Number.isFinite(x) && x >= 0.01 && x <= 0.99, 'not a number in [0.01, 0.99]').optional(),
  burnIn: nonNegativeInt.optional(),
  thin: positiveInt.optional(),
  // bayes
  initialPoints: positiveInt.optional(),
  batchSize: positiveInt.optional(),
  kernel: z.enum(['matern52', 'rbf']).optional(),
  lengthScales: z.array(positive).min(1, 'empty: give at least one length scale').optional(),
  noises: z.array(positive).min(1, 'empty: give at least one noise variance').optional(),
  candidates: positiveInt.optional(),
  refineSteps: nonNegativeInt.optional(),
  xi: nonNegative.optional(),
  outputTransform: z.enum(['none', 'rank']).optional(),
});

/** Validated optimizer settings (only the keys the file gives). */
export type OptimizerSettings = Readonly<z.infer<typeof OptimizerSettingsSchema>>;
export type OptimizerSettingName = keyof z.infer<typeof OptimizerSettingsSchema>;

const CONVERGENCE = ['patience', 'tolerance', 'minDiversity'] as const;

/** The settings each ask/tell method takes (as its optimizer's options). */
export const OPTIMIZER_SETTINGS_BY_METHOD: Readonly<Record<'ga' | 'de' | 'mcmc' | 'bayes', readonly OptimizerSettingName[]>> = Object.freeze({
  ga: ['populationSize', 'generations', 'tournamentSize', 'crossoverRate', 'crossover', 'blendAlpha', 'mutationRate', 'mutationScale', 'elitism', ...CONVERGENCE],
  de: ['populationSize', 'generations', 'differentialWeight', 'crossoverRate', 'bounds', ...CONVERGENCE],
  mcmc: ['temperature', 'chains', 'step', 'adaptStep', 'targetAcceptance', 'burnIn', 'thin'],
  bayes: ['initialPoints', 'batchSize', 'kernel', 'lengthScales', 'noises', 'candidates', 'refineSteps', 'xi', 'outputTransform'],
});

/** Proposals per chain between two step adaptations of MCMC (see metropolis-hastings.ts). */
const MCMC_ADAPT_INTERVAL = 10;

function methodsTaking(name: string): string[] {
  return Object.entries(OPTIMIZER_SETTINGS_BY_METHOD)
    .filter(([, names]) => (names as readonly string[]).includes(name))
    .map(([m]) => m);
}

/**
 * Checks the optimizer settings of a space against the sweep's method and trial budget (per fold for
 * a walk-forward) before anything runs; throws ConfigError naming `optimizer.<setting>` and the file:
 * a setting of another method, any setting with grid or random, a value the optimizer refuses, or a
 * setting that could not change the search with this budget.
 */
export function checkOptimizerSettings(settings: OptimizerSettings | undefined, options: { readonly method: SweepMethod; readonly trials?: number; readonly dimensions: number; readonly file?: string }): void {
  const { method } = options;
  const file = options.file ?? 'the space';
  const d = options.dimensions;
  if (settings === undefined) return;
  const names = Object.keys(settings) as OptimizerSettingName[];
  if (names.length === 0) return;
  const fail = (name: string, message: string): never => {
    throw new ConfigError(`optimizer.${name}`, `${message} (in ${file})`);
  };
  if (method === 'grid' || method === 'random') {
    fail(names[0]!, `the ${method} method takes no optimizer settings; ${names[0]!} applies to --method ${methodsTaking(names[0]!).join(' or ')}`);
  }
  const known = OPTIMIZER_SETTINGS_BY_METHOD[method as 'ga' | 'de' | 'mcmc' | 'bayes'];
  for (const name of names) {
    if (!known.includes(name)) fail(name, `applies to --method ${methodsTaking(name).join(' or ')}, not ${method}`);
  }
  const budget = options.trials ?? 1;
  // The optimizer itself checks ranges that depend on other settings (elitism below the population, ...).
  try {
    createOptimizer(method, { ...settings, dimensions: d, rng: randomStream(0, 'sweep', 'settings-check'), budget });
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    const m = /^invalid '([A-Za-z]+)[^']*': (.*)$/.exec(err.message);
    fail(m?.[1] ?? names[0]!, m?.[2] ?? err.message);
  }
  const s = settings;
  switch (method) {
    case 'ga':
    case 'de': {
      const pop = s.populationSize ?? (method === 'ga' ? 20 : Math.max(10, 10 * d));
      const elitism = method === 'ga' ? (s.elitism ?? Math.max(1, Math.round(0.1 * pop))) : 0;
      if (s.populationSize !== undefined && s.populationSize >= budget) {
        fail('populationSize', `a population of ${s.populationSize} uses the whole budget of ${budget} trials on its first generation, so the search never evolves; give fewer members or more --trials`);
      }
      if (s.generations !== undefined) {
        const needed = pop + (s.generations - 1) * (pop - elitism);
        if (needed >= budget) {
          fail('generations', `${s.generations} generations of ${pop} need ${needed} evaluations, no fewer than the budget of ${budget} trials, so the limit never stops the search; give fewer generations or more --trials`);
        }
      }
      // The stall test compares the best now with the best `patience` generations ago: it needs more generations than that.
      const reachable = Math.min(s.generations ?? Infinity, budget <= pop ? 1 : 1 + Math.ceil((budget - pop) / (pop - elitism)));
      const patience = s.patience ?? 20;
      for (const name of ['patience', 'tolerance'] as const) {
        if (s[name] !== undefined && reachable <= patience) {
          fail(name, `the search stalls when its best has not improved over ${patience} generations (patience), and ${budget} trials give at most ${reachable} generations of ${pop}; give a smaller patience or more --trials`);
        }
      }
      if (method === 'ga' && s.blendAlpha !== undefined && s.crossover === 'uniform') fail('blendAlpha', "sets the width of blend crossover, and crossover is 'uniform'");
      break;
    }
    case 'mcmc': {
      const chains = s.chains ?? 4;
      const perChain = Math.max(0, Math.floor(budget / chains) - 1);
      const burnIn = s.burnIn ?? Math.floor(0.2 * perChain);
      if (s.adaptStep === false && s.targetAcceptance !== undefined) fail('targetAcceptance', 'is what the step adaptation aims at, and adaptStep is false');
      for (const name of ['adaptStep', 'targetAcceptance'] as const) {
        if (s[name] !== undefined && burnIn < MCMC_ADAPT_INTERVAL) {
          fail(name, `the step adapts every ${MCMC_ADAPT_INTERVAL} burn-in proposals per chain, and burn-in is ${burnIn} proposals per chain (${budget} trials over ${chains} chains): it never adapts; give a burnIn of at least ${MCMC_ADAPT_INTERVAL} or more --trials`);
        }
      }
      if (s.burnIn !== undefined && s.burnIn > perChain) fail('burnIn', `larger than the ${perChain} proposals each of the ${chains} chains gets from ${budget} trials, so every proposal is burn-in and no sample is kept`);
      if (s.chains !== undefined && s.chains > budget) fail('chains', `more chains than the budget of ${budget} trials can start`);
      break;
    }
    case 'bayes': {
      const initial = s.initialPoints ?? Math.max(5, 2 * d + 1);
      if (s.initialPoints !== undefined && s.initialPoints > budget) fail('initialPoints', `more than the budget of ${budget} trials`);
      if (Math.min(initial, budget) >= budget) {
        const model = names.find((n) => n !== 'initialPoints');
        if (model !== undefined) fail(model, `the initial design of ${Math.min(initial, budget)} points uses the whole budget of ${budget} trials, so the model never picks a point`);
      }
      break;
    }
  }
}
