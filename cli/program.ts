import { Command, CommanderError } from 'commander';
import { registerCompare } from './commands/compare.js';
import { registerDataGenerate } from './commands/data-generate.js';
import { registerDataImport } from './commands/data-import.js';
import { registerDataInspect } from './commands/data-inspect.js';
import { registerDataResample } from './commands/data-resample.js';
import { registerDataValidate } from './commands/data-validate.js';
import { dataCommand } from './commands/data.js';
import { registerDemo } from './commands/demo.js';
import { registerFeed } from './commands/feed.js';
import { registerLive } from './commands/live.js';
import { registerInit } from './commands/init.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerStrategies } from './commands/strategies.js';
import { registerSweep } from './commands/sweep.js';
import { registerTrain } from './commands/train.js';
import { registerWalkForward } from './commands/walkforward.js';
import { registerPortfolio } from './commands/portfolio.js';
import { registerWorker } from './commands/worker.js';
import { installOutFlagChecks } from './out-flag.js';

/** Each top-level command's name and what registers it (the `data` subcommands under `data`), in help's order. */
const COMMANDS: readonly (readonly [name: string, register: (program: Command) => void])[] = [
  ['run', registerRun],
  ['demo', registerDemo],
  ['init', registerInit],
  ['sweep', registerSweep],
  ['walkforward', registerWalkForward],
  ['train', registerTrain],
  ['portfolio', registerPortfolio],
  ['worker', registerWorker],
  ['report', registerReport],
  ['compare', registerCompare],
  ['strategies', registerStrategies],
  [
    'data',
    (program) => {
      registerDataGenerate(dataCommand(program));
      registerDataImport(dataCommand(program));
      registerDataInspect(dataCommand(program));
      registerDataResample(dataCommand(program));
      registerDataValidate(dataCommand(program));
    },
  ],
  ['feed', registerFeed],
  ['live', registerLive],
];

/**
 * The command an argument list (without node and the script) runs, for {@link buildProgram}: its first
 * argument, after the program's own `--verbose`; undefined when that is another option (`-V`, `--help`, an
 * unknown one: commander answers those from the whole tree).
 */
export function commandToRun(args: readonly string[]): string | undefined {
  const first = args.find((a) => a !== '--verbose');
  return first === undefined || first.startsWith('-') ? undefined : first;
}

/**
 * Builds the `tapedeck` command tree. Each command's name, arguments, options and help live in
 * cli/commands/ and import only light modules (commander, flag parsers, constants); what the command
 * does lives in cli/actions/ and is imported when the command runs (see lazyAction), so that help and
 * each command load only what they use. Actions stay thin and call into datasets/, sim/, engine/ and
 * reports/.
 *
 * `only`: the name of the top-level command about to run (see {@link commandToRun}). The tree then holds
 * that command alone, parsed, checked and run as in the whole tree, and the other commands' options, help
 * texts and parsers are never built (a few ms of every command's start). Any other value (none, `help`,
 * an unknown or mistyped name, whose error suggests the nearest of every name) builds the whole tree.
 */
export function buildProgram(only?: string): Command {
  const program = new Command('tapedeck')
    .description('Deterministic event-driven replay simulator and backtesting harness')
    .version('0.1.0')
    .option('--verbose', 'print stack traces with errors')
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tapedeck demo                                          # generate demo data, run it, write out/demo/report.html',
        '  $ tapedeck init my-strategies                            # a project with a strategy of your own, a scenario and a test',
        '  $ tapedeck run scenarios/quickstart.json --set data.bars=prices.csv',
        '  $ tapedeck sweep scenarios/sma-cross.json --space space.json --out out/sweep',
        '  $ tapedeck report out/sweep --x fast --y slow           # rebuild an HTML report from its JSON',
        '  $ tapedeck <command> --help                              # options and examples of a command',
        '',
        'Progress goes to stderr (--quiet silences it); results go to stdout (--json for machine-readable output) and files.',
      ].join('\n'),
    );

  const named = COMMANDS.filter(([name]) => name === only);
  for (const [, register] of named.length > 0 ? named : COMMANDS) register(program);
  // After every command is registered: `--out ''` is a usage error everywhere (one shared check).
  installOutFlagChecks(program);

  return program;
}

/**
 * Makes `command` and every subcommand throw a CommanderError instead of exiting, so that a usage error
 * anywhere exits with the code of {@link usageExitCode}.
 */
export function throwOnExit(command: Command): void {
  command.exitOverride();
  command.commands.forEach(throwOnExit);
}

/** The exit code of a CommanderError: 0 after help or the version, 2 for a usage error (commander printed its message). */
export function usageExitCode(err: CommanderError): number {
  return err.exitCode === 0 ? 0 : 2;
}

/** What the CLI prints and its exit code for one argument list that commander answers alone (help, the version). */
export interface HelpForm {
  args: string[];
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Every help and version form a user types, answered by commander as the CLI answers it (cli/main.ts) when
 * its output is not a terminal, or one 80 columns wide (commander wraps help to the terminal's width): no
 * arguments, -V, --version, and for the program and each (sub)command C, `C --help`, `C -h` and `help C`.
 * scripts/build.mjs stores them in the bin, which prints them without loading commander or the command
 * tree; a test holds them equal to the CLI's own output.
 */
export async function renderHelpForms(): Promise<HelpForm[]> {
  const paths: string[][] = [];
  const visit = (c: Command, path: string[]): void => {
    paths.push(path);
    for (const sub of c.commands) visit(sub, [...path, sub.name()]);
  };
  visit(buildProgram(), []);
  const forms = [[], ['-V'], ['--version'], ...paths.flatMap((p) => [[...p, '--help'], [...p, '-h'], ['help', ...p]])];
  const rendered: HelpForm[] = [];
  for (const args of forms) {
    // A fresh tree for each form: commander keeps what it parsed.
    const program = buildProgram();
    const form: HelpForm = { args, stdout: '', stderr: '', exitCode: -1 };
    const capture = (c: Command): void => {
      c.configureOutput({
        writeOut: (s) => void (form.stdout += s),
        writeErr: (s) => void (form.stderr += s),
        getOutHelpWidth: () => 80,
        getErrHelpWidth: () => 80,
        getOutHasColors: () => false,
        getErrHasColors: () => false,
      });
      c.commands.forEach(capture);
    };
    capture(program);
    throwOnExit(program);
    try {
      await program.parseAsync(['node', 'tapedeck', ...args]);
    } catch (err) {
      if (err instanceof CommanderError) form.exitCode = usageExitCode(err);
      else throw err;
    }
    if (form.exitCode < 0) throw new Error(`tapedeck ${args.join(' ')}: ran a command instead of printing help or the version`);
    rendered.push(form);
  }
  return rendered;
}
