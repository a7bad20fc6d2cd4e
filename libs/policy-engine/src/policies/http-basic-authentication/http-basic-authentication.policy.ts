/**
 * `http-basic-authentication` (contract §10.6): only requests whose `Authorization` header carries
 * the configured username and password (RFC 7617 Basic) pass; any other is answered 401 with
 * `WWW-Authenticate: Basic realm="<API name>"` before its body is read. The comparison is over
 * SHA-256 digests in constant time. The caller's identity (principal: the username) is left for
 * the policies after it, and the credentials are not sent upstream: they were the gateway's.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { IDENTITY_ATTRIBUTE, type Identity } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { AUTHORIZATION_CONSUMED, basicCredentials, realmChallenge } from '../credentials.js';

const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

export const httpBasicAuthenticationFactory: PolicyFactory<{ username: string; password: string }> = {
  type: 'http-basic-authentication',
  compile(config) {
    const expected = digest(`${config.username}:${config.password}`);
    const identity: Identity = Object.freeze({ principal: config.username });
    return {
      warnings: [],
      policy: {
        name: 'http-basic-authentication',
        onHttpRequest({ exchange }) {
          const credentials = basicCredentials(exchange.headers.authorization);
          if (credentials === undefined || !timingSafeEqual(digest(`${credentials.user}:${credentials.password}`), expected)) {
            return {
              kind: 'reject',
              error: {
                kind: 'unauthorized',
                message: credentials === undefined ? 'Basic credentials are required' : 'The credentials are not valid',
                wwwAuthenticate: realmChallenge('Basic', exchange),
              },
            };
          }
          exchange.attributes.set(IDENTITY_ATTRIBUTE, identity);
          return AUTHORIZATION_CONSUMED;
        },
      },
    };
  },
};
