/**
 * `ip-allowlist` and `ip-blocklist` (contract §10.6): requests whose client address is (allowlist:
 * is not) in the listed addresses and CIDR ranges, IPv4 or IPv6 (address-list.ts), are answered
 * 403 before their body is read.
 *
 * The address is `attributes.remoteAddress` by default: the TCP peer, or — when the peer is one of
 * the gateway's trusted proxies (PORTICO_GATEWAY_TRUSTED_PROXIES) — the right-most address of
 * `X-Forwarded-For` that is not a trusted proxy, so a client cannot choose its address by sending
 * the header itself. Another `ipExpression` is evaluated per request (CEL); a comma-separated
 * value counts by its first address. A value that is not an IP address is refused by the
 * allowlist and passed by the blocklist (it cannot be in the list), and logged.
 */
import { compileExpression } from '#portico/policy-catalog';
import { addressList, inAddressList } from '../../address-list.js';
import type { ExchangeContext } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import { evaluateFor } from '../expression-activation.js';

interface IpListConfig {
  ips: string[];
  ipExpression?: string;
}

const DEFAULT_EXPRESSION = '#[attributes.remoteAddress]';
const REFUSED: Verdict<never> = Object.freeze({
  kind: 'reject',
  error: Object.freeze({ kind: 'forbidden', message: 'The client address is not allowed' }),
});

function ipListFactory(type: 'ip-allowlist' | 'ip-blocklist'): PolicyFactory<IpListConfig> {
  const allow = type === 'ip-allowlist';
  return {
    type,
    compile(config) {
      const list = addressList(config.ips);
      const expression =
        config.ipExpression === undefined || config.ipExpression.trim() === DEFAULT_EXPRESSION
          ? undefined
          : compileExpression(config.ipExpression);
      const addressOf = (exchange: ExchangeContext): string => {
        if (!expression) return exchange.clientAddress;
        const value = evaluateFor(expression, exchange);
        return typeof value === 'string' ? (value.split(',')[0] ?? '') : '';
      };
      return {
        warnings: [],
        policy: {
          name: type,
          onHttpRequest({ exchange }) {
            const address = addressOf(exchange);
            const found = inAddressList(list, address);
            if (found === undefined) {
              exchange.logger.warn({ policy: type, address: address.slice(0, 100) }, 'the client address is not an IP address');
              return allow ? REFUSED : PASS;
            }
            return found === allow ? PASS : REFUSED;
          },
        },
      };
    },
  };
}

export const ipAllowlistFactory = ipListFactory('ip-allowlist');
export const ipBlocklistFactory = ipListFactory('ip-blocklist');
