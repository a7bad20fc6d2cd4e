/**
 * The parser of every `application/json` request body. On top of Fastify's own (which keeps its
 * prototype-poisoning checks) it has two rules:
 *
 * - An empty body is "no body": Anypoint clients POST bodiless requests with
 *   `Content-Type: application/json` (contract §9.1 gatewaytokens).
 * - A body whose arrays and objects nest deeper than PORTICO_BODY_MAX_DEPTH is refused with 400
 *   MALFORMED_BODY naming the limit, before it is parsed. What handles a body afterwards (the NUL
 *   check, validation, audit snapshots, JSON columns, canonical hashing of configurations) walks it
 *   level by level, often recursively: thousands of levels overflowed the stack there (a 500) or
 *   took seconds of CPU. One limit here keeps every route safe, whatever it does with its body.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from '../common/domain-error.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether the JSON `text` nests arrays and objects deeper than `maxDepth` (`[]` and `{}` are one
 * level; brackets inside strings do not count). One pass, nothing allocated: it runs before the
 * text is parsed, so a refused body never becomes objects.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** Makes the parser above the app's `application/json` parser. */
export function useJsonBodyParser(app: NestFastifyApplication, limits: { bodyLimit: number; maxDepth: number }): void {
  const json = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: limits.bodyLimit }, (req, body, done) => {
    if (body.length === 0) return done(null, undefined);
    const text = body.toString('utf8');
    if (nestsDeeperThan(text, limits.maxDepth)) {
      return done(
        new DomainError('MALFORMED_BODY', `JSON body nests arrays and objects deeper than ${limits.maxDepth} levels`),
        undefined,
      );
    }
    json(req as never, text, done);
  });
}
