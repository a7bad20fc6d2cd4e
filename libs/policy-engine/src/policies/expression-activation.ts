/**
 * What a policy expression (#portico/policy-catalog expressions.ts) reads about an exchange and,
 * in an MCP message phase, the message judged. Built only when a policy has an expression to
 * evaluate; the identity comes from whatever authentication policy ran before.
 */
import type { ExpressionActivation, PolicyExpression } from '#portico/policy-catalog';
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type Identity } from '../policy-contract/context.js';

const NONE: Readonly<Record<string, unknown>> = Object.freeze({});

/** The first value of each query parameter. */
function queryParams(query: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query)) if (!(name in params)) params[name] = value;
  return params;
}

/** The message part of an activation: its method, the name it calls, its arguments. */
export interface McpSubject {
  method: string;
  name?: string;
  arguments?: Readonly<Record<string, unknown>>;
}

/**
 * The activation for `exchange`; `mcp` is the message judged (a policy filtering a list may
 * change its `name` between evaluations: evaluation is synchronous).
 */
export function expressionActivation(exchange: ExchangeContext, mcp: McpSubject | undefined): ExpressionActivation {
  const identity = exchange.attributes.get(IDENTITY_ATTRIBUTE) as Identity | undefined;
  return {
    attributes: {
      headers: exchange.headers,
      // A literal with a lazy getter costs some hundred ns to create; most requests have no query.
      queryParams: exchange.query === '' ? NONE : queryParams(exchange.query),
      method: exchange.httpMethod,
      requestPath: exchange.restPath,
      remoteAddress: exchange.clientAddress,
    },
    vars: { claimSet: identity?.claims ?? NONE },
    authentication: identity
      ? {
          principal: identity.principal,
          clientId: identity.clientId,
          clientName: identity.clientName,
          properties: identity.properties ?? NONE,
        }
      : NONE,
    mcp: (mcp as Readonly<Record<string, unknown>> | undefined) ?? NONE,
  };
}

/**
 * `expression`'s value for `exchange` (`mcp`: the message judged): a header read directly when
 * that is all the expression does (PolicyExpression.header), else evaluated on the activation.
 */
export function evaluateFor(expression: PolicyExpression, exchange: ExchangeContext, mcp?: McpSubject): unknown {
  return expression.header !== undefined
    ? exchange.headers[expression.header]
    : expression.evaluate(expressionActivation(exchange, mcp));
}
