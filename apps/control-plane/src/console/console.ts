/**
 * The web console (apps/console): its built files served at /console/ of the API's own origin, and
 * its page also at `/`. The console is a client of the REST API like any other: it signs in at
 * /accounts/login and sends the bearer token, so it sees exactly what its user may see. Its routes
 * live in the URL fragment (`/#/…`), so they never collide with REST paths.
 *
 * Files are sent by @fastify/send (the engine of @fastify/static, whose ESM-only dependency Jest
 * cannot load on Node 20): it confines paths to the root, answers ETag/Range/HEAD, and sets types.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import send from '@fastify/send';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findUpward } from '../common/find-upward.js';
import type { Env } from '../config/env.js';

export const CONSOLE_PREFIX = '/console/';
const CONSOLE_ASSETS = `${CONSOLE_PREFIX}assets/`;

/** Whether a route pattern is one of the console's (its page and files, no data): not a REST route. */
export function isConsoleRoute(pattern: string): boolean {
  return pattern === '/' || pattern === '/console' || pattern.startsWith(CONSOLE_PREFIX);
}

/**
 * What the page may load: its own scripts, styles and API, nothing inline, never framed. Styles
 * set from script (React's `style` prop, chart canvases) are not inline styles to CSP.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

/** The console's build directory: PORTICO_CONSOLE_DIR, else apps/console/dist above this module. */
export function consoleDir(env: Env): string | undefined {
  if (env.PORTICO_CONSOLE_DIR) return path.resolve(env.PORTICO_CONSOLE_DIR);
  return findUpward(path.join('apps', 'console', 'dist'));
}

/** The directory of a built console (one with its index.html), or undefined. */
export function builtConsoleDir(env: Env): string | undefined {
  const dir = consoleDir(env);
  return dir && existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

/** Sends `file` (relative to `root`) with @fastify/send's status, headers and body, plus `headers`. */
async function sendFile(request: FastifyRequest, reply: FastifyReply, root: string, file: string, headers: object) {
  const sent = await send(request.raw, file, { root, dotfiles: 'deny', index: false, cacheControl: false });
  void reply
    .code(sent.statusCode)
    .headers({ ...sent.headers, 'x-content-type-options': 'nosniff', ...(sent.statusCode < 300 && headers) });
  return reply.send(sent.stream);
}

export function serveConsole(app: NestFastifyApplication, env: Env): void {
  const dir = builtConsoleDir(env);
  const fastify = app.getHttpAdapter().getInstance();
  if (!dir) {
    // The REST API works without it; say plainly what is missing instead of a bare 404.
    fastify.get('/', (_request, reply) => {
      void reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built. Run `npm run build` (or set PORTICO_CONSOLE_DIR).\n');
    });
    return;
  }
  const page = (request: FastifyRequest, reply: FastifyReply) => sendFile(request, reply, dir, '/index.html', PAGE_HEADERS);
  fastify.get('/', page);
  fastify.get(CONSOLE_PREFIX, page);
  // Vite writes every asset flat into assets/, named by its content hash: cached for good.
  fastify.get(`${CONSOLE_ASSETS}:file`, (request: FastifyRequest<{ Params: { file: string } }>, reply) =>
    sendFile(request, reply, path.join(dir, 'assets'), `/${request.params.file}`, {
      'cache-control': 'public, max-age=31536000, immutable',
    }),
  );
}
