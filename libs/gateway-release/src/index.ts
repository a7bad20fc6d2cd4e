/**
 * Portico gateway releases. The control plane and the gateway ship together, so a target that
 * registered with this control plane runs PORTICO_GATEWAY_VERSION until a replica reports
 * otherwise. Deployments naming a version outside KNOWN_GATEWAY_VERSIONS are refused with
 * "Policy implementations cannot be set because runtime version is unknown".
 */

/** The gateway release bundled with this control plane. */
export const PORTICO_GATEWAY_VERSION = '1.0.0';

/** Every gateway release this control plane can configure, oldest first. */
export const KNOWN_GATEWAY_VERSIONS: readonly string[] = ['1.0.0'];

export function isKnownGatewayVersion(version: string): boolean {
  return KNOWN_GATEWAY_VERSIONS.includes(version);
}
