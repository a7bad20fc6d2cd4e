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

/** Compiles `pattern` as a full match; throws an Error saying why RE2 refuses it. */
export function compileFullMatch(pattern: string): FullMatch {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new Error(regexMessage(error));
  }
  return { test: (input) => compiled.matches(input) };
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
