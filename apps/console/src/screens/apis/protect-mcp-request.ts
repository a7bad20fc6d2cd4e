/**
 * Seed 000's "Protect MCP server" choices and the REST requests they become: an Exchange asset
 * when a new MCP server is registered, then one POST …/apis (xapi) with the listener, the
 * upstream route and, on Save & Deploy, the deployment to the chosen gateway.
 */
import type { GatewayTarget } from '../../api/resources';
import { placeErrors } from '../../components/form-errors';

export interface McpChoices {
  target?: GatewayTarget;
  server:
    | { kind: 'exchange'; groupId: string; assetId: string; version: string; name: string }
    | { kind: 'new'; name: string }
    | undefined;
  protocol: 'http' | 'https';
  inboundTls: string;
  port: string;
  basePath: string;
  instanceLabel: string;
  upstreamUrl: string;
  /** `<secretGroupId>/<tlsContextId>`, or '' for none */
  outboundTls: string;
}

export const STEPS = ['Gateway', 'MCP server', 'Downstream', 'Upstream', 'Review'] as const;
export type Step = (typeof STEPS)[number];

/** A new server's asset id: its name in lower-case words joined by dashes. */
export function assetIdOf(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The form's own checks, by field, before anything is sent (the server checks them again). */
export function localErrors(step: Step, c: McpChoices): Record<string, string> {
  const errors: Record<string, string> = {};
  if (step === 'Gateway' && !c.target) errors.target = 'Select a gateway';
  if (step === 'MCP server') {
    if (!c.server) errors.server = 'Select an MCP server from Exchange or register a new one';
    else if (c.server.kind === 'new' && !assetIdOf(c.server.name)) errors.name = 'Enter a MCP server name';
  }
  if (step === 'Downstream') {
    const port = Number(c.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = 'Enter a port from 1 to 65535';
    if (!/^\/[A-Za-z0-9._~\-/]*$/.test(c.basePath)) errors.basePath = 'Start the base path with / (letters, digits, - . _ ~ /)';
    if (c.protocol === 'https' && !c.inboundTls) errors.inboundTls = 'Select the TLS context HTTPS listens with';
  }
  if (step === 'Upstream') {
    if (!/^https?:\/\/\S+$/.test(c.upstreamUrl)) errors.upstreamUrl = 'Enter an http:// or https:// URL';
    else if (!c.upstreamUrl.endsWith('/')) errors.upstreamUrl = 'The MCP server upstream URL must end with a /';
  }
  return errors;
}

function tlsRef(value: string) {
  const [secretGroupId, tlsContextId] = value.split('/');
  return secretGroupId && tlsContextId ? { secretGroupId, tlsContextId } : null;
}

export function spec(c: McpChoices, orgId: string) {
  if (!c.server) throw new Error('no MCP server chosen');
  return c.server.kind === 'exchange'
    ? { groupId: c.server.groupId, assetId: c.server.assetId, version: c.server.version }
    : { groupId: orgId, assetId: assetIdOf(c.server.name), version: '1.0.0' };
}

/** The body of POST /apimanager/xapi/v1/…/apis; with `deploy`, the inline deployment too. */
export function instanceBody(c: McpChoices, orgId: string, envId: string, deploy: boolean) {
  const inbound = c.protocol === 'https' ? tlsRef(c.inboundTls) : null;
  const target = c.target!;
  return {
    technology: 'flexGateway' as const,
    spec: spec(c, orgId),
    instanceLabel: c.instanceLabel.trim() || null,
    endpoint: {
      deploymentType: 'HY' as const,
      type: 'mcp',
      isCloudHub: null,
      proxyUri: `${c.protocol}://0.0.0.0:${c.port}${c.basePath}`,
      tlsContexts: inbound ? { inbound } : {},
    },
    routing: [{ upstreams: [{ uri: c.upstreamUrl, weight: 100, tlsContext: tlsRef(c.outboundTls) }] }],
    ...(deploy && {
      deployment: {
        environmentId: envId,
        type: 'HY' as const,
        expectedStatus: 'deployed' as const,
        targetId: target.id,
        targetName: target.name,
        gatewayVersion: target.version,
      },
    }),
  };
}

/** Where a message of the wizard shows: a step and a field of it. */
interface StepField {
  step: Step;
  field: string;
}

/** Errors without a field that still belong to one: the listener taken on that gateway. */
const FIELD_OF_CODE: Record<string, StepField> = {
  API_PROXY_CONFLICT: { step: 'Downstream', field: 'port' },
  DEPLOYMENT_ALREADY_EXISTS: { step: 'Gateway', field: 'target' },
};

/**
 * Where a failed save's messages belong: each REST validation message at the step and field its
 * dotted body path names, or the whole message at the field its code concerns; none when it
 * belongs to no field (the review shows it then).
 */
export const placeSaveFailure = (error: unknown) => placeErrors(error, placeOf, FIELD_OF_CODE).placed;

function placeOf(field: string): StepField | undefined {
  if (field.startsWith('routing'))
    return { step: 'Upstream', field: field.endsWith('tlsContext') ? 'outboundTls' : 'upstreamUrl' };
  if (field === 'endpoint.uri') return { step: 'Upstream', field: 'upstreamUrl' };
  if (field.startsWith('endpoint.tlsContexts')) return { step: 'Downstream', field: 'inboundTls' };
  if (field.startsWith('endpoint')) return { step: 'Downstream', field: 'port' };
  if (field === 'instanceLabel') return { step: 'Downstream', field: 'instanceLabel' };
  if (field.startsWith('spec')) return { step: 'MCP server', field: 'server' };
  if (field.startsWith('deployment')) return { step: 'Gateway', field: 'target' };
  return undefined;
}
