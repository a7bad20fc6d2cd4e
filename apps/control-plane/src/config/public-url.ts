/**
 * Where links the REST API returns point (Exchange download URLs, publication status links).
 *
 * PORTICO_PUBLIC_URL when set. Otherwise the address this server listens on, as it knows it:
 * PORTICO_HOST (or, when that is a wildcard such as 0.0.0.0, the local address the connection
 * arrived on), the port the connection arrived on, and `https` when it is TLS. Never the request's
 * `Host`, `X-Forwarded-Host` or `X-Forwarded-Proto`: those are the client's to write, and an answer
 * echoing them (kept by a cache, or read by another user) would point its links at a host of the
 * sender's choosing. Behind a proxy or a port mapping, set PORTICO_PUBLIC_URL.
 */
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { unmappedAddress } from '#portico/policy-engine';
import type { Env } from './env.js';

/** Addresses that mean "every interface": not an address a client can reach. */
const WILDCARDS = new Set(['0.0.0.0', '::', '::0']);

/** PORTICO_HOST names every interface, not one address a client can reach. */
export function listensOnEveryInterface(env: Env): boolean {
  return WILDCARDS.has(env.PORTICO_HOST);
}

/** The base URL of links in the answer to `req`, without a trailing slash. */
export function publicBaseUrl(env: Env, req: FastifyRequest): string {
  if (env.PORTICO_PUBLIC_URL) return env.PORTICO_PUBLIC_URL.replace(/\/+$/, '');
  const socket = req.raw.socket;
  const scheme = (socket as TLSSocket).encrypted ? 'https' : 'http';
  const host = listensOnEveryInterface(env) ? unmappedAddress(socket.localAddress ?? '127.0.0.1') : env.PORTICO_HOST;
  return `${scheme}://${isIP(host) === 6 ? `[${host}]` : host}:${socket.localPort ?? env.PORTICO_PORT}`;
}
