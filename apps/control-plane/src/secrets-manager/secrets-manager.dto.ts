/**
 * Secrets Manager bodies, in Portico's form: a TLS context carries its PEM material inline
 * (Anypoint's keystore / truststore secrets are not modelled). Bodies are strict, so a field
 * Portico does not support (`keystore`, `minTlsVersion`, a misspelt `trustedCertificate`) is a 400
 * naming it rather than silently ignored. PEM content is checked by the service (tls-material.ts).
 */
import { isIP } from 'node:net';
import { SECRET_MASK } from '#portico/policy-catalog';
import { z } from 'zod';
import { isoTime } from '../common/audit.js';

const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const name = z.string().min(1).max(255);

export const createSecretGroupBody = z
  .object({
    name,
    downloadable: z
      .literal(false, { error: 'must be false: Portico never returns stored secrets' })
      .optional()
      .describe('always false'),
  })
  .strict();
export type CreateSecretGroupBody = z.output<typeof createSecretGroupBody>;

const tlsFields = {
  trustedCertificates: z
    .string()
    .max(512 * 1024)
    .nullish()
    .describe('PEM CA bundle trusted for the upstream; replaces the system trust store when set'),
  certificate: z
    .string()
    .max(64 * 1024)
    .nullish()
    .describe('PEM client certificate chain (leaf first) presented to upstreams that require mTLS; needs privateKey'),
  privateKey: z
    .string()
    .max(64 * 1024)
    .nullish()
    .describe(
      `unencrypted PEM private key of certificate (sensitive: answered as ${SECRET_MASK}; send ${SECRET_MASK} to keep it)`,
    ),
  serverName: z
    .string()
    .refine((v) => isIP(v) !== 0 || DNS_NAME.test(v), 'must be a DNS name or an IP address, e.g. mcp.internal')
    .nullish()
    .describe('SNI and certificate name to check, when they differ from the upstream host'),
};

const target = z.literal('FlexGateway', { error: 'must be FlexGateway, the only target Portico gateways serve' });

export const createTlsContextBody = z
  .object({
    name,
    target: target.default('FlexGateway'),
    ...tlsFields,
    skipVerify: z.boolean().default(false).describe('do not verify the upstream certificate (testing only)'),
  })
  .strict();
export type CreateTlsContextBody = z.output<typeof createTlsContextBody>;

/** Any subset; `null` removes a value (certificate and privateKey go together). */
export const updateTlsContextBody = z
  .object({
    name: name.optional(),
    target: target.optional(),
    ...tlsFields,
    skipVerify: z.boolean().optional(),
  })
  .strict();
export type UpdateTlsContextBody = z.output<typeof updateTlsContextBody>;

/** Secrets Manager's `meta` block. */
const meta = z.object({ id: z.string(), createdAt: isoTime, modifiedAt: isoTime });

/** A secret group (secrets-manager.view.ts secretGroupView). */
export const secretGroupSchema = z.object({ id: z.string(), name: z.string(), downloadable: z.literal(false), meta });
export type SecretGroup = z.output<typeof secretGroupSchema>;

const certificateDetails = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notBefore: isoTime,
  notAfter: isoTime,
  fingerprintSha256: z.string(),
});

/** A TLS context (secrets-manager.view.ts tlsContextView): its private key never shows, it reads the mask. */
export const tlsContextSchema = z.object({
  id: z.string(),
  name: z.string(),
  target: z.string(),
  secretGroupId: z.string(),
  meta,
  trustedCertificates: z.string().nullable().describe('PEM'),
  certificate: z.string().nullable().describe('PEM'),
  privateKey: z.literal(SECRET_MASK).nullable().describe('the mask when it holds a key'),
  serverName: z.string().nullable(),
  skipVerify: z.boolean(),
  trustedCertificateDetails: z.array(certificateDetails),
  certificateDetails: z.array(certificateDetails),
  expirationDate: isoTime.nullable().describe('when the first of its certificates expires'),
});
export type TlsContext = z.output<typeof tlsContextSchema>;
