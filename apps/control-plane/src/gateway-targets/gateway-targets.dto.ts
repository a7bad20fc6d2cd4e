import { z } from 'zod';

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
