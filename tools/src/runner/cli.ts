import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

// Command-line parsing for the tools (npm run local, npm run bench): Node's util.parseArgs,
// with bad input returned as a value that names the argument, so each command answers it in
// its own words and with its own usage text instead of Node's exception.

export type ParsedValue = string | boolean | (string | boolean)[] | undefined;

export type ArgumentProblem =
  { kind: 'unknown'; argument: string } | { kind: 'needs-value'; argument: string } | { kind: 'takes-no-value'; argument: string };

export type ParsedCommandLine = { ok: true; values: Record<string, ParsedValue> } | { ok: false; problem: ArgumentProblem };

/** Parses `argv` (no positional arguments) against `options`; the first bad argument is the problem. */
export function parseCommandLine(argv: string[], options: ParseArgsOptionsConfig): ParsedCommandLine {
  // Not strict: util.parseArgs then reports every token instead of throwing at the first
  // surprise, and the checks below say what was wrong.
  const { values, tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') return { ok: false, problem: { kind: 'unknown', argument: token.value } };
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (!spec) return { ok: false, problem: { kind: 'unknown', argument: token.rawName } };
    if (spec.type === 'string' && token.value === undefined)
      return { ok: false, problem: { kind: 'needs-value', argument: token.rawName } };
    if (spec.type === 'boolean' && token.value !== undefined)
      return { ok: false, problem: { kind: 'takes-no-value', argument: token.rawName } };
  }
  return { ok: true, values: { ...values } }; // a plain object: util.parseArgs gives one without a prototype
}

/** The problem in words, as every tool prints it: "unknown option --x", "--rate needs a value". */
export function describeProblem({ kind, argument }: ArgumentProblem): string {
  if (kind === 'unknown') return `unknown option ${argument}`;
  return kind === 'needs-value' ? `${argument} needs a value` : `${argument} takes no value`;
}

/** The value of a numeric option, `fallback` when it was not given; an Error naming it when it is not a positive number. */
export function positiveNumber(values: Record<string, ParsedValue>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got "${String(raw)}"`);
  return value;
}
