/**
 * Regular expressions of routes, pointcuts and policy configurations: RE2 syntax (the dialect of
 * Flex Gateway's Envoy), run by re2js in time linear in the input. A pattern such as `(a+)+b`,
 * which backtracks exponentially in V8's engine, therefore cannot stall a gateway; RE2 refuses
 * what it cannot run in linear time (backreferences, lookaround), and the control plane answers
 * such a pattern 400 when it is applied.
 */
import { RE2JS } from 're2js';

/** A compiled pattern that must match the whole input. */
export interface FullMatch {
  test(input: string): boolean;
}

/** `pattern` compiled by RE2; throws an Error saying why RE2 refuses it. */
function compileRe2(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    throw new Error(regexMessage(error));
  }
}

/** Compiles `pattern` as a full match; throws an Error saying why RE2 refuses it. */
export function compileFullMatch(pattern: string): FullMatch {
  const compiled = compileRe2(pattern);
  return { test: (input) => compiled.matches(input) };
}

/** A compiled pattern whose capturing groups are read on a whole-input match. */
export interface FullMatchGroups {
  /** Group 0 (the input) and every capturing group ('' for one that did not take part), or undefined. */
  exec(input: string): string[] | undefined;
}

/** Like {@link compileFullMatch}, with the capturing groups. */
export function compileFullMatchGroups(pattern: string): FullMatchGroups {
  const compiled = compileRe2(pattern);
  return {
    exec(input) {
      const matcher = compiled.matcher(input);
      if (!matcher.matches()) return undefined;
      const groups: string[] = [];
      for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? '');
      return groups;
    },
  };
}

/** A compiled pattern searched for anywhere in the input. */
export interface Search {
  /** Calls `found` with the [start, end) of every match, left to right, none overlapping. */
  forEach(input: string, found: (start: number, end: number) => void): void;
}

/** `pattern` compiled for searching; throws an Error saying why RE2 refuses it. */
export function compileSearch(pattern: string): Search {
  const compiled = compileRe2(pattern);
  return {
    forEach(input, found) {
      const matcher = compiled.matcher(input);
      while (matcher.find()) found(matcher.start(), matcher.end());
    },
  };
}

/** undefined when `pattern` is valid RE2 syntax, else why not (e.g. "invalid or unsupported Perl syntax: `(?=`"). */
export function regexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return regexMessage(error);
  }
}

function regexMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^error parsing regexp: /, '');
}
