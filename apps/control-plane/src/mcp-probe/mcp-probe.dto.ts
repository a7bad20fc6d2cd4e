import { z } from 'zod';

/** The longest URL probed; MCP endpoint URLs are far shorter. */
export const MAX_PROBE_URL_LENGTH = 2048;

export const probeBody = z.strictObject(
  {
    url: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .trim()
      .min(1, 'is required')
      .max(MAX_PROBE_URL_LENGTH, `must be at most ${MAX_PROBE_URL_LENGTH} characters`)
      .superRefine((value, ctx) => {
        const problem = urlProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('the MCP endpoint (Streamable HTTP), e.g. https://mcp.example.com/mcp'),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object {url}' : undefined) },
);
export type ProbeBody = z.output<typeof probeBody>;

/** Why `value` is not a URL a probe may take, or undefined. */
function urlProblem(value: string): string | undefined {
  if (!URL.canParse(value)) return 'must be an absolute http or https URL';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username !== '' || url.password !== '') return 'must not hold credentials (user:password@)';
  if (url.hostname === '') return 'must name a host';
  if (url.hash !== '') return 'must not have a fragment (#…)';
  return undefined;
}

/** One HTTP exchange the probe made, for operators reading why it decided what it did. */
export const probeStep = z.object({
  method: z.string(),
  url: z.string(),
  status: z.number().int().nullable().describe('the HTTP status; null when no answer came (see error)'),
  error: z.string().optional().describe('why there was no answer, or why the request was not sent'),
});
export type ProbeStep = z.output<typeof probeStep>;

/** The upstream-credential policy configuration the gateway would use, without its secret value. */
const upstreamCredential = z.object({ headerName: z.string(), prefix: z.string() });

const proposal = z.object({
  connection: z.object({
    mode: z
      .enum(['none', 'gateway-oauth', 'api-key', 'oauth-passthrough'])
      .describe(
        'none: no credentials; api-key: the gateway sends a stored key (upstreamCredential); gateway-oauth: the gateway runs the OAuth flow (oauth); oauth-passthrough: clients bring tokens of the server’s authorization server',
      ),
  }),
  upstreamUri: z.string(),
  upstreamCredential: upstreamCredential
    .optional()
    .describe('api-key: the upstream-credential policy configuration, value left out'),
  oauth: z
    .object({
      authorizationServer: z.string(),
      scopes: z.array(z.string()),
      registration: z.enum(['dynamic', 'client-metadata-document', 'manual']),
    })
    .optional()
    .describe('gateway-oauth: the authorization server, scopes to ask for and how the gateway registers as a client'),
});
export type ProbeProposal = z.output<typeof proposal>;

const common = {
  url: z.string().describe('the URL probed'),
  proposal: proposal.describe('the configuration Portico would use for a backend of this URL'),
  warnings: z.array(z.string()),
  steps: z.array(probeStep),
};

export const probeVerdict = z.discriminatedUnion('verdict', [
  z.object({
    verdict: z.literal('none').describe('initialize succeeded without credentials'),
    serverInfo: z.record(z.string(), z.unknown()),
    protocolVersion: z.string(),
    capabilities: z.record(z.string(), z.unknown()),
    ...common,
  }),
  z.object({
    verdict: z.literal('oauth').describe('an OAuth protected resource (RFC 9728)'),
    resource: z.string().nullable(),
    resourceMetadataUrl: z.string().nullable(),
    authorizationServer: z.string().nullable().describe('the issuer of the first authorization server'),
    authorizationEndpoint: z.string().nullable(),
    tokenEndpoint: z.string().nullable(),
    registrationEndpoint: z.string().nullable(),
    scopes: z.array(z.string()).describe('from the challenge’s scope, else the metadata’s scopes_supported'),
    dynamicClientRegistration: z.boolean(),
    clientIdMetadataDocuments: z.boolean(),
    pkceMethods: z.array(z.string()),
    ...common,
  }),
  z.object({
    verdict: z.literal('api-key'),
    headerName: z.string(),
    prefix: z.string(),
    evidence: z.string().describe('what the header name and prefix were read from'),
    ...common,
  }),
  z.object({
    verdict: z.literal('unknown'),
    reason: z.string().describe('what happened, e.g. connection refused'),
    ...common,
  }),
]);
export type ProbeVerdict = z.output<typeof probeVerdict>;
