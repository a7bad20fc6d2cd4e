/**
 * Which addresses the gateway may connect to upstream (PORTICO_GATEWAY_UPSTREAM_DENY): the deny
 * list of #portico/outbound-address (its contract: checked on each connection's resolved address),
 * its refusals worded for upstreams (`PORTICO_UPSTREAM_DENIED: upstream address … is denied by …`).
 * An instance's upstream URL is whatever its owner typed: without a policy, an API can republish
 * the gateway's own local endpoints (admin, metrics), the control plane's, or a cloud metadata
 * service (instance credentials) to everyone allowed to call it. Off unless configured.
 */
import { AddressPolicy, type ResolveAll } from '#portico/outbound-address';

export { AddressDenied as UpstreamAddressDenied, type ResolveAll } from '#portico/outbound-address';

/** A parsed PORTICO_GATEWAY_UPSTREAM_DENY. */
export class UpstreamAddressPolicy extends AddressPolicy {
  /** `resolve`: the system resolver by default (AddressPolicyOptions.resolve). */
  constructor(entries: readonly string[], resolve?: ResolveAll) {
    super(entries, { purpose: 'upstream', resolve });
  }
}
