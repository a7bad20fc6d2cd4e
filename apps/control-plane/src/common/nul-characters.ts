/**
 * Postgres text and jsonb cannot hold U+0000 (error 22021 / 22P05), so a NUL character anywhere in
 * a request would otherwise surface as a 500 from whichever write or filter first touched it. The
 * control plane refuses it once, at the edge: a hook checks the decoded path parameters, query
 * and parsed body of every request (multipart fields are checked where they are read), and the
 * answer is 400 VALIDATION_FAILED naming the field, e.g. `body.tags.1: must not contain NUL
 * characters`.
 */
import type { FastifyRequest } from 'fastify';
import type { DomainError } from './domain-error.js';
import { type InputLocation, validationError } from './validation.js';

const NUL_MESSAGE = 'must not contain NUL characters';

/** A path segment as shown in the error; a NUL in an object key is spelled `\u0000`. */
function segment(key: string): string {
  return key.replaceAll('\u0000', '\\u0000');
}

/**
 * Path to the first string (or object key) in `value` holding a NUL character, or undefined.
 * Walks iteratively: a parsed JSON body may nest deeper than the call stack allows.
 */
function findNulCharacter(value: unknown): string[] | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return path;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: [...path, String(i)] });
    } else if (current !== null && typeof current === 'object' && !Buffer.isBuffer(current)) {
      const entries = Object.entries(current);
      const badKey = entries.find(([key]) => key.includes('\u0000'));
      if (badKey) return [...path, badKey[0]];
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
    }
  }
  return undefined;
}

/** The 400 for a NUL character at `path` (segments below `where`). */
function nulCharacterError(where: InputLocation, path: readonly string[]): DomainError {
  return validationError([
    { path: `/${[where, ...path.map(segment)].join('/')}`, message: NUL_MESSAGE, errorCode: 'nul_character.validation' },
  ]);
}

/** Throws the 400 when `value` (found at `where`) holds a NUL character anywhere. */
export function assertNoNulCharacter(value: unknown, where: InputLocation, prefix: readonly string[] = []): void {
  const path = findNulCharacter(value);
  if (path) throw nulCharacterError(where, [...prefix, ...path]);
}

/** Fastify `preValidation` hook: runs after body parsing, before guards, pipes and handlers. */
export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
  assertNoNulCharacter(request.params, 'params');
  assertNoNulCharacter(request.query, 'query');
  assertNoNulCharacter(request.body, 'body');
}
