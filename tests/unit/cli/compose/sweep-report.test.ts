import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reproduceCommand, shellWord } from '../../../../cli/compose/sweep-report.js';

/**
 * The printed reproduce command is pasted into bash: whatever a --set value holds (JSON with commas,
 * quotes, braces, spaces, `$`, backslashes, single quotes, `!`, newlines), bash must hand tapedeck the
 * intended arguments. Checked for real: bash runs the command with `tapedeck` defined as a function that
 * prints its argument count and its arguments NUL-separated, once as a script (`bash -c`) and once as
 * typed into an interactive shell (`bash -i` reading the line, with history expansion on, as a paste).
 */

/** The arguments bash gives `tapedeck` when it runs `command`; `interactive`: as a line typed into an interactive shell. */
function argvSeenByBash(command: string, interactive: boolean): string[] {
  const define = `tapedeck() { printf '%s\\0' "$#" "$@"; }`;
  const r = interactive
    ? spawnSync('bash', ['--norc', '--noprofile', '-i'], { input: `${define}\n${command}\nexit\n`, encoding: 'utf8', env: { PATH: process.env.PATH, HISTFILE: '/dev/null', LC_ALL: 'C.UTF-8' } })
    : spawnSync('bash', ['--norc', '--noprofile', '-c', `${define}\n${command}`], { encoding: 'utf8', env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8' } });
  if (r.error) throw r.error;
  const parts = r.stdout.split('\0');
  const n = Number(parts[0]);
  // One count, that many arguments, and nothing else (a broken quote would run something more, or nothing).
  expect(parts.length, `bash printed ${JSON.stringify(r.stdout)} (stderr ${JSON.stringify(r.stderr)})`).toBe(n + 2);
  return parts.slice(1, n + 1);
}

const NASTY: readonly string[] = [
  'strategies[0].params={"fast":5,"slow":[10,20]}',
  'data.symbols=["AAA","BBB"]',
  `a.b="it's"`,
  "a.b='single'",
  'a.b={"x": "two words", "y": 1}',
  'a.b=$HOME ${PATH} $(echo hi) `echo hi`',
  'a.b=back\\slash \\" \\\\ \\n',
  'a.b=!! !$ !-1 ^x^y',
  "a.b=''",
  "'",
  "''''",
  'a.b=line one\nline two\ttab',
  'a.b=*?[]{a,b}~ # ; & | < > ( )',
  'a.b=ünïcødé 日本 😀',
  '',
  ' ',
  '-x',
  'a.b=%s %d',
  'a.b=ctrl \x01 \x03 \x04 \x15 \x17 \x1b[A \x7f \r end',
  'a.b=tab\tand bang! and quote \' and backslash \\ with a newline\n',
];

describe('the reproduce command pasted into bash', () => {
  it('gives tapedeck the intended arguments for nasty --set values, in a script and typed interactively', () => {
    const command = reproduceCommand('scenarios/my file.json', NASTY, 7);
    const intended = ['run', 'scenarios/my file.json', ...NASTY.flatMap((s) => ['--set', s]), '--seed', '7'];
    expect(argvSeenByBash(command, false)).toEqual(intended);
    expect(argvSeenByBash(command, true)).toEqual(intended);
  });

  it('leaves plain words unquoted, so the usual command reads as typed', () => {
    expect(reproduceCommand('scenarios/sma-cross.json', ['strategies[0].params.fast=5', 'risk.max=0.5'], 3)).toBe(
      "tapedeck run scenarios/sma-cross.json --set 'strategies[0].params.fast=5' --set risk.max=0.5 --seed 3",
    );
    expect(shellWord('a.b=1,2')).toBe('a.b=1,2');
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(shellWord("a\tb'!\\")).toBe(`$'a\\x09b\\'\\x21\\\\'`);
  });

  it('gives bash the intended arguments for any strings (property)', () => {
    // Any well-formed Unicode string without NUL (which no argument can hold).
    const value = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0') && Buffer.from(s, 'utf8').toString('utf8') === s);
    fc.assert(
      fc.property(value, fc.array(value, { maxLength: 3 }), fc.integer({ min: -5, max: 1_000_000 }), (file, sets, seed) => {
        const intended = ['run', file, ...sets.flatMap((s) => ['--set', s]), '--seed', String(seed)];
        const command = reproduceCommand(file, sets, seed);
        expect(argvSeenByBash(command, false)).toEqual(intended);
        expect(argvSeenByBash(command, true)).toEqual(intended);
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
