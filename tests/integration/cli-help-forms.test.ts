import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHelpForms, type HelpForm } from '../../cli/program.js';
import { REPO } from '../support/cli.js';
import { buildDist } from '../support/dist.js';

/**
 * The bin prints help and the version from texts the build rendered with commander (scripts/build.mjs,
 * cli/program.ts renderHelpForms), without loading commander or the command tree. They must be what the CLI
 * prints: the stored table equals commander's live rendering of the sources, and the bin's output equals the
 * CLI run from the sources, for the stored forms and for the forms that fall through to commander.
 */

const BIN = join(REPO, 'dist', 'cli', 'main.js');

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node [flags] script args` in the repository. */
function node(flags: readonly string[], script: string, args: readonly string[]): Output {
  const r = spawnSync(process.execPath, [...flags, script, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const bin = (args: readonly string[], flags: readonly string[] = []): Output => node(flags, BIN, args);
const sources = (args: readonly string[], flags: readonly string[] = []): Output => node([...flags, '--import', 'tsx'], resolve(REPO, 'cli/main.ts'), args);

/** The table the build wrote into the bin: each argument list (joined by NUL) -> [stream, text index, exit code]. */
function storedForms(): Map<string, Output> {
  const main = readFileSync(BIN, 'utf8');
  const literal = /const \{ texts, forms \} = (.*);\n/.exec(main);
  expect(literal, 'the bin stores the help forms').not.toBeNull();
  const { texts, forms } = JSON.parse(literal![1]!) as { texts: string[]; forms: Record<string, [1 | 2, number, number]> };
  return new Map(Object.entries(forms).map(([key, [fd, text, code]]) => [key, { code, stdout: fd === 1 ? texts[text]! : '', stderr: fd === 2 ? texts[text]! : '' }]));
}

/** A preload that makes the child's stdout a terminal `columns` wide, as commander sees it. */
const terminal = (columns: number): string[] => ['--import', `data:text/javascript,process.stdout.isTTY=true;process.stdout.columns=${columns};`];

let live: HelpForm[];

beforeAll(async () => {
  buildDist();
  live = await renderHelpForms();
}, 600_000);

describe('the help the bin stores', () => {
  it("covers every form a user types, and equals commander's rendering of the sources for each", () => {
    const stored = storedForms();
    const typed = [[], ['--help'], ['-h'], ['help'], ['help', 'run'], ['run', '--help'], ['run', '-h'], ['data', '--help'], ['data', 'import', '--help'], ['portfolio', 'search', '-h'], ['-V'], ['--version']];
    for (const args of typed) expect(stored.has(args.join('\0')), args.join(' ')).toBe(true);
    expect([...stored.keys()].sort()).toEqual(live.map((f) => f.args.join('\0')).sort());
    for (const f of live) expect(stored.get(f.args.join('\0')), f.args.join(' ')).toEqual({ code: f.exitCode, stdout: f.stdout, stderr: f.stderr });
  });

  it('prints what the CLI from the sources prints: stored forms, and forms commander answers (exit codes and stderr included)', () => {
    const forms = [[], ['--help'], ['-h'], ['help'], ['help', 'run'], ['run', '--help'], ['data', 'import', '--help'], ['help', 'data', 'import'], ['-V'], ['--version'], ['--bogus'], ['run'], ['run', 'x.json', '--help'], ['--verbose', '--help']];
    const stored = storedForms();
    for (const args of forms) {
      const a = bin(args);
      expect(a, args.join(' ')).toEqual(sources(args));
      const s = stored.get(args.join('\0'));
      if (s !== undefined) expect(a, args.join(' ')).toEqual(s);
    }
    // The forms above print help, the version and usage errors, with exit codes 0 and 2.
    expect(new Set(forms.map((args) => bin(args).code))).toEqual(new Set([0, 2]));
  }, 300_000);

  it('leaves help on a terminal wider than 80 columns to commander, which wraps it to the width', () => {
    for (const args of [['--help'], ['data', 'import', '--help']]) {
      const wide = bin(args, terminal(160));
      expect(wide.code).toBe(0);
      expect(wide.stdout).not.toBe(storedForms().get(args.join('\0'))!.stdout);
      expect(wide).toEqual(sources(args, terminal(160)));
      // A terminal 80 columns wide is the stored text's width.
      expect(bin(args, terminal(80))).toEqual(storedForms().get(args.join('\0')));
    }
  }, 120_000);

  it('ends quietly, exit 0, when the reader of its help has closed the pipe', () => {
    // The reader closes its end at once, long before node starts and writes: the write fails with EPIPE.
    const pipeline = `{ "${process.execPath}" "${BIN}" --help; echo "exit $?" >&2; } | { exec 0<&-; sleep 1; }`;
    const r = spawnSync('sh', ['-c', pipeline], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stderr).toBe('exit 0\n');
  });
});
