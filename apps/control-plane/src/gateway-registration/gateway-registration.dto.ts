import { z } from 'zod';
import { createGatewayBody } from '../gateway-targets/gateway-targets.dto.js';

/** A PEM CSR is well under 4 KiB; the cap keeps a bad client from making us parse megabytes. */
const MAX_CSR_LENGTH = 16 * 1024;

/**
 * POST /amc/registration-facade/api/v1/registrations. The real facade's bodies are not public
 * (contract §9.2), so this shape is Portico's. The CSR is checked by the CA (signature, key).
 */
export const registrationBody = z.object({
  registrationToken: z.string().min(1, 'is required').max(512),
  /** same rules as POST .../gateways */
  name: createGatewayBody.shape.name,
  csr: z.string().min(1, 'is required').max(MAX_CSR_LENGTH),
});
export type RegistrationBody = z.output<typeof registrationBody>;

/** 201 of a registration: what `portico gateway register` writes into registration.yaml. */
export interface RegistrationResult {
  gatewayId: string;
  name: string;
  organizationId: string;
  environmentId: string;
  /** host:port of the gRPC sync service (mTLS) */
  syncAddress: string;
  certificate: string;
  caCertificate: string;
  certificateSerialNumber: string;
  certificateExpiresAt: string;
}
