/**
 * `client-id-enforcement` (contract §7, §10.6): only client applications with an approved
 * contract on the instance pass, identified by their client id and secret (client-applications.ts:
 * the `Authorization: Basic` header with `credentialsOriginHasHttpBasicAuthenticationHeader:
 * httpBasicAuthenticationHeader`, else `clientIdExpression` / `clientSecretExpression`).
 *
 * - Missing or wrong credentials: 401 with `WWW-Authenticate: Basic realm="<API>"` for the header
 *   origin, `Client-Id realm="<API>"` for expressions.
 * - The identity left for later policies: principal and client id the client id, the
 *   application's name. Basic credentials are not sent upstream.
 */
import type { ExchangeContext, HeaderEdit } from '../../policy-contract/context.js';
import { IDENTITY_ATTRIBUTE } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import {
  ClientCredentials,
  type ClientRefusal,
  type ContractedApplication,
  contractedApplications,
  refusedClient,
} from '../client-applications.js';
import { AUTHORIZATION_CONSUMED } from '../credentials.js';

interface ClientIdConfig {
  credentialsOriginHasHttpBasicAuthenticationHeader?: 'customExpression' | 'httpBasicAuthenticationHeader';
  clientIdExpression?: string;
  clientSecretExpression?: string;
}

export const clientIdEnforcementFactory: PolicyFactory<ClientIdConfig> = {
  type: 'client-id-enforcement',
  compile(config, ctx) {
    const basic = config.credentialsOriginHasHttpBasicAuthenticationHeader === 'httpBasicAuthenticationHeader';
    const credentials = new ClientCredentials(
      { basic, clientIdExpression: config.clientIdExpression, clientSecretExpression: config.clientSecretExpression },
      contractedApplications(ctx.managed, (application) => application),
      ctx.clock,
    );
    const judge = (exchange: ExchangeContext, checked: ContractedApplication | ClientRefusal): Verdict<HeaderEdit> => {
      if (typeof checked === 'string') return refusedClient(checked, basic ? 'Basic' : 'Client-Id', exchange);
      exchange.attributes.set(IDENTITY_ATTRIBUTE, checked.identity);
      return basic ? AUTHORIZATION_CONSUMED : PASS;
    };
    return {
      warnings: [],
      policy: {
        name: 'client-id-enforcement',
        onHttpRequest({ exchange }) {
          const checked = credentials.check(exchange);
          return checked instanceof Promise ? checked.then((c) => judge(exchange, c)) : judge(exchange, checked);
        },
      },
    };
  },
};
