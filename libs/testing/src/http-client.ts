/**
 * Raw HTTP(S) requests for tests that need exact headers (node:http or node:https by the URL's
 * scheme, a new connection each time, so nothing a fetch implementation adds or hides gets in
 * the way).
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

/** TLS settings of an https request. The server certificate is always verified. */
export interface ClientTls {
  /** PEM CAs the server certificate is verified against; default Node's trust store. */
  ca?: string;
  /** PEM client certificate and key, for a server that asks for one (mutual TLS). */
  cert?: string;
  key?: string;
  /** SNI, and the name the server certificate is checked against; default the URL's host. */
  servername?: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** https only: the certificate the server presented. */
  peerCertificate?: PeerCertificate;
}

/** What rawRequest sends; everything has a default (GET, no headers, no body). */
export interface RawRequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Used when the URL is https. */
  tls?: ClientTls;
}

/**
 * Sends one request and reads the whole response. The path is sent as written (no dot-segment
 * normalisation). Rejects when the connection or the TLS handshake fails.
 */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const { origin, hostname, port, protocol } = new URL(url);
  const path = url.slice(origin.length) || '/';
  const https = protocol === 'https:';
  const request = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        ...(https ? { ...options.tls, rejectUnauthorized: true } : {}),
      },
      (res) => {
        const peerCertificate = https ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ...(peerCertificate ? { peerCertificate } : {}),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Headers of an MCP POST (Streamable HTTP). */
export const MCP_POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } as const;

/** POSTs one JSON-RPC message (or any body) with MCP headers; `tls` for an https URL. */
export function postMcp(url: string, body: unknown, headers: OutgoingHttpHeaders = {}, tls?: ClientTls): Promise<RawResponse> {
  return rawRequest(url, {
    method: 'POST',
    headers: { ...MCP_POST_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    tls,
  });
}
