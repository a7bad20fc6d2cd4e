/**
 * `header-injection` and `header-removal` (contract §10.1, Flex property names): headers added to
 * or removed from the request sent upstream (`inboundHeaders`) and the answer sent to the client
 * (`outboundHeaders`), the gateway's own answers included.
 *
 * - An injected value is a literal or an expression (`#[uuid()]`, `#[authentication.clientId]`),
 *   evaluated per request; one without a value (an absent claim) injects nothing. An injected
 *   header replaces one of the same name. Names are lower-cased; hop-by-hop names are never set.
 * - Literal-only edits are built once per configuration push, so they cost a request no allocation.
 */
import { compileExpression, type PolicyExpression } from '#portico/policy-catalog';
import type { ExchangeContext, HeaderEdit } from '../../policy-contract/context.js';
import type { Policy, PolicyFactory } from '../../policy-contract/policy.js';
import type { Verdict } from '../../policy-contract/verdict.js';
import { evaluateFor } from '../expression-activation.js';

interface HeaderValue {
  key: string;
  value: string;
}

/** What a header edit is made of: a constant verdict, or one made per exchange. */
type EditSource = (exchange: ExchangeContext) => Verdict<HeaderEdit>;

function constant(edit: HeaderEdit): EditSource {
  const verdict: Verdict<HeaderEdit> = Object.freeze({ kind: 'mutate', message: Object.freeze(edit) });
  return () => verdict;
}

/** The injection of `headers`; undefined when there is none. */
function injection(headers: readonly HeaderValue[] | undefined): EditSource | undefined {
  if (!headers?.length) return undefined;
  const literal: Record<string, string> = {};
  const computed: [string, PolicyExpression][] = [];
  for (const { key, value } of headers) {
    const name = key.toLowerCase();
    if (value.trim().startsWith('#[')) computed.push([name, compileExpression(value)]);
    else literal[name] = value;
  }
  if (computed.length === 0) return constant({ set: literal });
  return (exchange) => {
    const set = { ...literal };
    for (const [name, expression] of computed) {
      const value = evaluateFor(expression, exchange);
      if (value === undefined || value === null) continue;
      set[name] = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/[\r\n\0]/g, ' ');
    }
    return { kind: 'mutate', message: { set } };
  };
}

/** The removal of `names`; undefined when there is none. */
function removal(names: readonly string[] | undefined): EditSource | undefined {
  return names?.length ? constant({ remove: names.map((name) => name.toLowerCase()) }) : undefined;
}

/** A policy applying `inbound` to the upstream request and `outbound` to the client's answer. */
function headerPolicy(name: string, inbound: EditSource | undefined, outbound: EditSource | undefined): Policy {
  return {
    name,
    ...(inbound ? { onHttpRequest: ({ exchange }) => inbound(exchange) } : {}),
    ...(outbound ? { onHttpResponse: ({ exchange }) => outbound(exchange) } : {}),
  };
}

export const headerInjectionFactory: PolicyFactory<{ inboundHeaders?: HeaderValue[]; outboundHeaders?: HeaderValue[] }> = {
  type: 'header-injection',
  compile(config) {
    return {
      warnings: [],
      policy: headerPolicy('header-injection', injection(config.inboundHeaders), injection(config.outboundHeaders)),
    };
  },
};

export const headerRemovalFactory: PolicyFactory<{ inboundHeaders?: string[]; outboundHeaders?: string[] }> = {
  type: 'header-removal',
  compile(config) {
    return {
      warnings: [],
      policy: headerPolicy('header-removal', removal(config.inboundHeaders), removal(config.outboundHeaders)),
    };
  },
};
