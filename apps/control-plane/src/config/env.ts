/**
 * Process environment, parsed once at boot. Every variable is documented in the README.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { commaSeparated, logLevel, parseEnvironment } from '#portico/environment';
import { AddressPolicy } from '#portico/outbound-address';

const port = z.coerce.number().int().min(0).max(65535);
const count = (max: number) => z.coerce.number().int().min(1).max(max);

/** PORTICO_OUTBOUND_DENY when unset: this host, link-local addresses and the metadata services. */
const OUTBOUND_DENY_DEFAULT = ['loopback', 'link-local', 'metadata'];
/**
 * PORTICO_PROBE_DENY when unset: PORTICO_OUTBOUND_DENY's default and the private ranges; metadata
 * before link-local, so a refusal of 169.254.169.254 names the metadata rule (rules apply in order).
 */
const PROBE_DENY_DEFAULT = ['loopback', 'metadata', 'link-local', 'private'];
/** PORTICO_OUTBOUND_DENY=none: nothing is denied (an empty variable is unset, hence the default). */
const noneIsEmpty = (entries: string[]) => (entries.join() === 'none' ? [] : entries);

/** Whether `entry` is an IP address or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`). */
function isAddressOrRange(entry: string): boolean {
  const [ip = '', bits, ...rest] = entry.split('/');
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

export const envSchema = z
  .object({
    /** Postgres connection string; when unset an embedded Postgres is started under PORTICO_DATA_DIR. */
    DATABASE_URL: z.string().url().optional(),
    /** Connections each control-plane process keeps to Postgres (LISTEN takes one more). */
    PORTICO_DATABASE_POOL_SIZE: count(1000).default(10),
    PORTICO_DATA_DIR: z.string().default('.portico'),
    PORTICO_EMBEDDED_PG_PORT: port.default(54329),
    /**
     * `false`: this process applies no migrations; it waits until they are applied (`npm run
     * db:migrate`, a Kubernetes Job), so replicas of a new release never run them at once.
     */
    PORTICO_MIGRATE_ON_START: z.stringbool({ error: 'must be true or false' }).default(true),
    PORTICO_HOST: z.string().default('127.0.0.1'),
    PORTICO_PORT: port.default(8080),
    /** PEM certificate (chain) and key files: when both are set the REST API serves HTTPS only. */
    PORTICO_TLS_CERT_FILE: z.string().optional(),
    PORTICO_TLS_KEY_FILE: z.string().optional(),
    /**
     * Public base URL used in links the API returns (publication status, ...); unset, the listen
     * address (config/public-url.ts), never the request's Host.
     */
    PORTICO_PUBLIC_URL: z.string().url().optional(),
    /** The built web console (`npm run build` writes apps/console/dist, found from this module). */
    PORTICO_CONSOLE_DIR: z.string().optional(),
    /** At most 256 characters, the longest username login takes. */
    PORTICO_ADMIN_USERNAME: z
      .string()
      .min(1)
      .max(256, 'PORTICO_ADMIN_USERNAME must have at most 256 characters')
      .default('admin'),
    PORTICO_ADMIN_PASSWORD: z.string().min(8, 'PORTICO_ADMIN_PASSWORD must have at least 8 characters').optional(),
    PORTICO_ORG_NAME: z.string().min(1).default('Portico'),
    /** Lifetime of access tokens issued by login and the token endpoint. */
    PORTICO_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
    /** Lifetime of gateway registration tokens (Anypoint: four hours). */
    PORTICO_REGISTRATION_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(4 * 3600),
    /** Largest accepted JSON/form request body. */
    PORTICO_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /**
     * Deepest nesting of arrays and objects a JSON request body may have (json-body/); deeper is
     * 400 before parsing. At most 1000: what walks a body further on (validation, audit snapshots,
     * JSON columns, canonical hashing) recurses once per level.
     */
    PORTICO_BODY_MAX_DEPTH: count(1000).default(64),
    /**
     * Proxies in front of the control plane (IP addresses and CIDR ranges, comma-separated) whose
     * `X-Forwarded-For` is believed: a request from one counts as coming from the right-most
     * address of that header that is not a trusted proxy (what the login throttle counts and the
     * audit trail records). Empty: the TCP peer is the client, whatever the header says.
     */
    PORTICO_TRUSTED_PROXIES: commaSeparated().superRefine((entries, ctx) => {
      for (const entry of entries.filter((e) => !isAddressOrRange(e))) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not an IP address or CIDR range` });
      }
    }),
    /** Failed logins on one account from one address before that address is locked out of it (throttling/). */
    PORTICO_LOGIN_MAX_FAILURES: count(1000).default(5),
    /** Failed logins on one account from all addresses before it is locked for addresses it has not logged in from. */
    PORTICO_LOGIN_ACCOUNT_MAX_FAILURES: count(100_000).default(20),
    /** Failed logins from one address (an IPv6 /64) on any accounts before the address is locked out. */
    PORTICO_LOGIN_ADDRESS_MAX_FAILURES: count(100_000).default(50),
    /** The first lockout; each failure after it doubles the next one, up to the failure window. */
    PORTICO_LOGIN_LOCKOUT_SECONDS: count(86_400).default(60),
    /** Failures are forgotten this long after the last one (or the end of its lockout); also the longest lockout. */
    PORTICO_LOGIN_FAILURE_WINDOW_SECONDS: count(7 * 86_400).default(900),
    /** Password / client-secret checks (scrypt, 16 MiB each) login and the token endpoint run at once. */
    PORTICO_LOGIN_HASH_CONCURRENCY: count(64).default(2),
    /** Checks that may wait for one of those; past that the endpoints answer 503 at once. */
    PORTICO_LOGIN_HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
    /** Largest accepted Exchange upload (multipart, all files). */
    PORTICO_UPLOAD_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(10 * 1024 * 1024),
    /** Address the gateway sync service (gRPC over mTLS) listens on; defaults to PORTICO_HOST. */
    PORTICO_SYNC_HOST: z.string().optional(),
    PORTICO_SYNC_PORT: port.default(8443),
    /** host:port gateways dial, written into their registration; defaults to the sync listener's. */
    PORTICO_SYNC_PUBLIC_ADDRESS: z.string().optional(),
    /** Extra DNS names / IPs (comma-separated) in the sync server certificate. */
    PORTICO_SYNC_TLS_HOSTNAMES: z.string().default(''),
    /** Lifetime of gateway client certificates issued at registration. */
    PORTICO_GATEWAY_CERT_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    /** How often gateways heartbeat; a replica silent for three intervals counts as disconnected. */
    PORTICO_GATEWAY_HEARTBEAT_SECONDS: z.coerce.number().min(0.1).max(300).default(30),
    /** Streams older than this (±10 % jitter) are ended so gateways rebalance across control planes. */
    PORTICO_SYNC_MAX_CONNECTION_AGE_SECONDS: z.coerce.number().min(1).default(1800),
    /** How often each control plane re-reads target revisions, behind LISTEN/NOTIFY. */
    PORTICO_SYNC_POLL_SECONDS: z.coerce.number().min(0.1).max(300).default(5),
    /** Days access events are kept; whole days older than this are dropped (a partition per day). */
    PORTICO_ACCESS_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    /** Base64 of 32 bytes: AES-256-GCM key for stored secrets (policy secrets, the CA key); unset → `<data dir>/secret.key` (0600). */
    PORTICO_SECRET_KEY: z.string().optional(),
    PORTICO_LOG_LEVEL: logLevel.default('info'),
    /** How often each control plane evaluates the API alerts that are due (alerts/alert-evaluator.ts). */
    PORTICO_ALERTS_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    /** SMTP relay of alert e-mails; unset: alerts notify their webhooks only. */
    PORTICO_SMTP_HOST: z.string().min(1).optional(),
    PORTICO_SMTP_PORT: port.min(1).default(587),
    /** tls: TLS from the first byte (port 465); starttls: STARTTLS, required; none: plain text (a local relay). */
    PORTICO_SMTP_SECURITY: z.enum(['tls', 'starttls', 'none']).default('starttls'),
    PORTICO_SMTP_USER: z.string().min(1).optional(),
    PORTICO_SMTP_PASSWORD: z.string().min(1).optional(),
    /** PEM file of CA certificates trusted for the relay's certificate, besides the system's. */
    PORTICO_SMTP_CA_FILE: z.string().min(1).optional(),
    /** The From of alert e-mails (`Portico <alerts@example.com>`); required with PORTICO_SMTP_HOST. */
    PORTICO_SMTP_FROM: z.string().min(1).optional(),
    /**
     * Addresses the control plane never connects to for a URL a user typed (alert webhooks),
     * comma-separated: `loopback`, `link-local`, `metadata`, `private`, IP addresses and CIDR
     * ranges (#portico/outbound-address), checked on the resolved address of every connection.
     * `none`: any address. An empty variable is unset, so `${PORTICO_OUTBOUND_DENY:-}` in a compose
     * file keeps the default rather than opening everything.
     */
    PORTICO_OUTBOUND_DENY: commaSeparated({ lowerCase: true, check: (entries) => new AddressPolicy(noneIsEmpty(entries)) })
      .transform(noneIsEmpty)
      .default(OUTBOUND_DENY_DEFAULT),
    /**
     * Addresses custom MCP auth probing (mcp-probe/) never connects to: the probed URL, and every
     * redirect and metadata URL its server names. Syntax of PORTICO_OUTBOUND_DENY; `none`: any
     * address. The default adds the private ranges: a probe is a request anyone with Create Custom
     * MCP can aim, and its answer is shown to them.
     */
    PORTICO_PROBE_DENY: commaSeparated({ lowerCase: true, check: (entries) => new AddressPolicy(noneIsEmpty(entries)) })
      .transform(noneIsEmpty)
      .default(PROBE_DENY_DEFAULT),
  })
  .refine((env) => (env.PORTICO_TLS_CERT_FILE === undefined) === (env.PORTICO_TLS_KEY_FILE === undefined), {
    message: 'set both PORTICO_TLS_CERT_FILE and PORTICO_TLS_KEY_FILE, or neither',
    path: ['PORTICO_TLS_CERT_FILE'],
  })
  .refine((env) => env.PORTICO_SMTP_HOST === undefined || env.PORTICO_SMTP_FROM !== undefined, {
    message: 'set PORTICO_SMTP_FROM with PORTICO_SMTP_HOST',
    path: ['PORTICO_SMTP_FROM'],
  })
  .refine((env) => (env.PORTICO_SMTP_USER === undefined) === (env.PORTICO_SMTP_PASSWORD === undefined), {
    message: 'set both PORTICO_SMTP_USER and PORTICO_SMTP_PASSWORD, or neither',
    path: ['PORTICO_SMTP_USER'],
  })
  .refine((env) => env.PORTICO_MIGRATE_ON_START || env.DATABASE_URL !== undefined, {
    message: 'false needs DATABASE_URL: nothing else migrates the embedded PostgreSQL',
    path: ['PORTICO_MIGRATE_ON_START'],
  });

export type Env = z.infer<typeof envSchema> & { dataDir: string };

/** Parses `source` (default `process.env`); throws one readable error naming every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const env = parseEnvironment(envSchema, source);
  return { ...env, dataDir: path.resolve(env.PORTICO_DATA_DIR) };
}

export const ENV = Symbol('ENV');
