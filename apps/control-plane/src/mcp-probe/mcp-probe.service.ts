/**
 * Custom MCP auth probing (issue 20): the control plane calls a URL a user typed, and the URLs that
 * server's answers name, from inside its network. Every connection is held to PORTICO_PROBE_DENY
 * (#portico/outbound-address, on the address each connection resolves to; default: this host,
 * link-local, metadata services and private ranges). A probed URL the policy refuses is a 400
 * naming the rule, so the caller learns it was policy, not a server that is down; a URL the
 * server named that the policy refuses is reported in the verdict, never fetched.
 *
 * Each probe has an undici Agent of its own, destroyed when the probe ends: no connection to a
 * probed server outlives its probe. (outboundFetch's Agent cannot be closed, hence the connector
 * used directly.)
 */
import { Inject, Injectable } from '@nestjs/common';
import { Agent, fetch as undiciFetch } from 'undici';
import { AddressPolicy } from '#portico/outbound-address';
import { DomainError } from '../common/domain-error.js';
import { ENV, type Env } from '../config/env.js';
import type { ProbeBody, ProbeVerdict } from './mcp-probe.dto.js';
import { ProbeAddressDenied, probeMcpServer } from './mcp-probe.js';

/** The whole probe: every exchange, redirects and metadata documents included. */
const PROBE_DEADLINE_MS = 10_000;
/** One connection's TCP and TLS set-up. */
const CONNECT_TIMEOUT_MS = 5_000;
const POLICY_NAME = 'PORTICO_PROBE_DENY';

@Injectable()
export class McpProbeService {
  private readonly policy: AddressPolicy;

  constructor(@Inject(ENV) env: Env) {
    this.policy = new AddressPolicy(env.PORTICO_PROBE_DENY, { purpose: 'probe' });
  }

  /** Probes `body.url`; throws MCP_PROBE_ADDRESS_DENIED when PORTICO_PROBE_DENY refuses it. */
  async probe(body: ProbeBody): Promise<ProbeVerdict> {
    const url = new URL(body.url);
    const agent = new Agent({ connect: this.policy.connector({ timeout: CONNECT_TIMEOUT_MS }, () => undefined) });
    // undici's fetch is the global fetch's implementation; its types are declared apart.
    const fetch = ((input: string, init?: RequestInit) =>
      undiciFetch(input, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher: agent,
      })) as unknown as typeof globalThis.fetch;
    try {
      return await probeMcpServer(url, {
        fetch,
        signal: AbortSignal.timeout(PROBE_DEADLINE_MS),
        deadlineMs: PROBE_DEADLINE_MS,
        deniedLiteral: (host) => this.policy.deniedLiteral(host),
        policyName: POLICY_NAME,
      });
    } catch (error) {
      if (!(error instanceof ProbeAddressDenied)) throw error;
      const message = error.resolved
        ? `${error.host} has no address probes may reach (${POLICY_NAME}: ${error.rule})`
        : `${error.host} is an address probes may not reach (${POLICY_NAME}: ${error.rule})`;
      throw new DomainError('MCP_PROBE_ADDRESS_DENIED', `body.url: ${message}`, [
        { path: '/body/url', message, errorCode: 'MCP_PROBE_ADDRESS_DENIED' },
      ]);
    } finally {
      await agent.destroy().catch(() => undefined);
    }
  }
}
