import { z } from 'zod';
import { isoTime } from '../common/audit.js';

/** Comma-separated query values (`a,b`), each checked against `item`. */
export function commaList<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));
}

/** GET .../gateway-targets (contract §8.1). `pageNumber` is 0-based. Deleted targets are never listed. */
export const gatewayTargetsQuery = z.object({
  name: z.string().max(255).optional(),
  pageNumber: z.coerce.number().int().min(0).default(0),
  pageSize: z.coerce.number().int().min(1).max(250).default(100),
  kind: z.enum(['flex', 'mule']).optional(),
  excludeStatus: commaList(z.enum(['RUNNING', 'DISCONNECTED', 'DELETED'])).optional(),
});
export type GatewayTargetsQuery = z.output<typeof gatewayTargetsQuery>;

/**
 * GET .../gateway-targets/{targetId}: anypoint-cli's `api deploy` repeats the path's ids as
 * `enviromentId` (sic) and `targetId`. They select nothing more; each must name the path's own
 * environment or target (checked by the controller), so a mismatch is never answered with another.
 */
export const gatewayTargetQuery = z.object({
  environmentId: z.string().max(64).optional(),
  enviromentId: z.string().max(64).optional().describe('anypoint-cli spelling of environmentId'),
  targetId: z.string().max(64).optional(),
});
export type GatewayTargetQuery = z.output<typeof gatewayTargetQuery>;

/** Standalone API paging; the size rules ("Wrong page size") are checked by the service. */
export const standalonePageQuery = z.object({
  pageNumber: z.coerce.number().int().min(0).default(0),
  pageSize: z.coerce.number().int().default(30),
});
export type StandalonePageQuery = z.output<typeof standalonePageQuery>;

/** Gateway Manager's experience API list also filters by kind (the api/v1 list refuses `kind`, as live). */
export const gatewayManagerListQuery = standalonePageQuery.extend({
  kind: z.enum(['selfManaged', 'managed'], { error: 'must be selfManaged or managed' }).optional(),
});
export type GatewayManagerListQuery = z.output<typeof gatewayManagerListQuery>;

const GATEWAY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** POST .../gateways: a Portico extension, so a target can exist before a gateway registers. */
export const createGatewayBody = z.strictObject({
  name: z.string().regex(GATEWAY_NAME, "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"),
});
export type CreateGatewayBody = z.output<typeof createGatewayBody>;

/** A `rows[]` entry of GET …/gateway-targets (gateway-target.view.ts targetRowView, contract §8.1). */
const gatewayTargetRow = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.literal('flex'),
  targetType: z.literal('self-managed'),
  type: z.literal('self-managed'),
  status: z.enum(['RUNNING', 'DISCONNECTED']),
  ready: z.boolean(),
  running: z.boolean(),
  version: z.string().describe('the newest version its replicas report, else the bundled gateway’s'),
  gatewayVersion: z.string(),
  organizationId: z.string(),
  environmentId: z.string(),
  lastConnectedDate: isoTime.nullable(),
  replicas: z.number().int().describe('connected replicas'),
  droppedEvents: z.number().int().describe('access events its replicas dropped, as each last reported it'),
});
export type GatewayTargetRow = z.output<typeof gatewayTargetRow>;

export const gatewayTargetList = z.object({ total: z.number().int(), rows: z.array(gatewayTargetRow) });

const replicaGroup = z.object({
  status: z.enum(['CONNECTED', 'DISCONNECTED']),
  count: z.number().int(),
  certificateExpirationDates: z.array(isoTime),
});

/** A standalone gateway object (gateway-target.view.ts gatewayView, contract §9.5). */
const standaloneGateway = z.object({
  organizationId: z.string(),
  id: z.string(),
  name: z.string(),
  status: z.enum(['CONNECTED', 'DISCONNECTED', 'DELETED']),
  tags: z.array(z.string()),
  lastUpdate: isoTime,
  replicas: z.array(replicaGroup),
  droppedEvents: z.number().int(),
});
export type StandaloneGateway = z.output<typeof standaloneGateway>;

/** A replica of a standalone gateway (gateway-target.view.ts replicaView). */
export const gatewayReplica = z.object({
  id: z.string(),
  targetId: z.string(),
  name: z.string(),
  nodeId: z.string(),
  gatewayVersion: z.string().nullable(),
  status: z.enum(['CONNECTED', 'DISCONNECTED']),
  connectedAt: isoTime.nullable(),
  disconnectedAt: isoTime.nullable(),
  configurationStatus: z.object({
    status: z.enum(['PENDING', 'APPLYING', 'UP_TO_DATE', 'FAILED']),
    message: z.string().nullable().describe('the NACK message while FAILED'),
  }),
  appliedRevision: z.number().int().nullable(),
  appliedHash: z.string().nullable(),
  desiredRevision: z.number().int(),
  lastSeenAt: isoTime.nullable(),
  lastError: z.string().nullable(),
  failedApis: z
    .array(z.object({ apiId: z.string(), error: z.string() }))
    .describe('APIs of its applied revision it does not serve, each with the reason'),
  capabilities: z.array(z.string()).describe('the policy types its build implements'),
  certificateExpirationDate: isoTime.nullable(),
  droppedEvents: z.number().int(),
});
export type GatewayReplica = z.output<typeof gatewayReplica>;

/** GET …/gateways/{id}/replicas: one page of replicas and the gateway. */
export const gatewayReplicaPage = z.object({
  content: z.array(gatewayReplica),
  totalElements: z.number().int(),
  pageNumber: z.number().int(),
  pageSize: z.number().int(),
  gateway: standaloneGateway,
});

/** POST …/gatewaytokens (contract §9.1): the token, shown only here, and when it stops registering. */
export const registrationTokenAnswer = z.object({
  registrationToken: z.string(),
  expiresAt: isoTime.describe('after this the token registers no gateway (PORTICO_REGISTRATION_TOKEN_TTL_SECONDS)'),
});
export type RegistrationTokenAnswer = z.output<typeof registrationTokenAnswer>;
