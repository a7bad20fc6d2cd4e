/**
 * The routes a running control plane serves, read from Fastify's own route table, so a spec that
 * walks them covers a route the day it is added.
 *
 * Fastify keeps no public list of its routes: an `onRoute` hook only sees the routes registered
 * after it, and `createControlPlane` registers some (GET /openapi.json) before a caller gets the
 * instance. `printRoutes({ commonPrefix: false })` prints the whole router as a tree, one route
 * node a line (`├── /:apiId (GET, HEAD, PATCH)`) indented four characters a level; that tree is
 * parsed here and every route read from it is checked back with `hasRoute`, so a change in the
 * printed format fails loudly instead of dropping routes.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { isConsoleRoute } from '../../src/console/console.js';

export interface RegisteredRoute {
  /** GET, POST, PUT, PATCH, DELETE… (HEAD and OPTIONS included when registered) */
  method: string;
  /** Fastify's pattern, e.g. `/accounts/api/organizations/:orgId` */
  path: string;
  /** the path parameter names, in path order */
  params: string[];
}

const LINE = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/;

/**
 * The method and path of every REST route `app` serves, sorted by path then method: every route
 * but the web console's page and static files (console/console.ts), which hold no data.
 */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const tree = fastify.printRoutes({ commonPrefix: false });
  const prefixes: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of tree.split('\n')) {
    if (!line.trim()) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`registeredRoutes: cannot read the printRoutes line ${JSON.stringify(line)}`);
    const depth = match[1]!.length / 4;
    const path = `${depth > 0 ? prefixes[depth - 1] : ''}${match[2]}`;
    prefixes.length = depth;
    prefixes.push(path);
    for (const method of match[3]?.split(', ') ?? []) {
      if (!fastify.hasRoute({ method: method as never, url: path })) {
        throw new Error(`registeredRoutes: read ${method} ${path} from printRoutes, but Fastify has no such route`);
      }
      if (isConsoleRoute(path)) continue;
      routes.push({ method, path, params: [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!) });
    }
  }
  if (routes.length === 0) throw new Error('registeredRoutes: printRoutes listed no routes');
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** `path` with each `:name` replaced by `values(name)`, URI-encoded. */
export function fillPath(path: string, values: (name: string) => string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(values(name)));
}
