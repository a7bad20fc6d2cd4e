/**
 * Outbound connections to URLs someone else chose (upstreams, webhooks, JWKS): the address deny
 * list (loopback, link-local, metadata, private, IPs, CIDR ranges) checked on every connection's
 * resolved address, and a fetch held to it. Shared by the gateway and the control plane.
 */
export { ADDRESS_KEYWORDS, AddressDenied, AddressPolicy, type AddressPolicyOptions, type ResolveAll } from './address-policy.js';
export { outboundFetch } from './outbound-fetch.js';
