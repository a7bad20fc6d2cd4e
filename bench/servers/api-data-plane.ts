/**
 * The gateway's data plane alone, as its own process, serving one MCP API described on the
 * command line: its base path, its labelled upstreams and its whole policy chain (e.g. mcp-support
 * then mcp-transcoding-router: a federated endpoint over every upstream). The production
 * translate() and DataPlane run with the defaults of env.ts (log level warn, one process, no
 * access log, policy reports dropped), as in servers/data-plane.ts. bench/federation.ts compiles it
 * with tsc together with the gateway code and runs the JavaScript:
 *
 *   node <build>/bench/servers/api-data-plane.js --port <n> --api '{"basePath": "/hub",
 *     "upstreams": [{"label": "alpha", "url": "http://127.0.0.1:<m>/"}, …],
 *     "policies": [{"type": "mcp-support", "configuration": {}}, …]}'
 *
 * Prints `listening on port <n>` once the API is served; SIGTERM closes the data plane.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { POLICY_TEMPLATES, compareVersions } from '#portico/policy-catalog';
import { ApiType, GatewayConfig, PolicyMode } from '#portico/proto-ts';
import { loadGatewayEnv } from '../../apps/gateway/src/env.js';
import { startServing } from '../../apps/gateway/src/workers/serving.js';

/** What `--api` holds. */
export interface ApiSpec {
  basePath: string;
  upstreams: { label: string; url: string }[];
  policies: { type: string; configuration: unknown }[];
}

const { values: args } = parseArgs({
  options: { port: { type: 'string' }, api: { type: 'string' } },
  strict: true,
});
if (!args.port || !args.api) throw new Error('--port and --api are required');
const spec = JSON.parse(args.api) as ApiSpec;
const port = Number(args.port);

const env = loadGatewayEnv({
  ...process.env,
  PORTICO_LOG_LEVEL: 'warn',
  PORTICO_GATEWAY_LISTEN_HOST: '127.0.0.1',
  PORTICO_GATEWAY_WORKERS: '1',
  PORTICO_GATEWAY_ACCESS_LOG: 'false',
});
const logger = pino({ level: env.PORTICO_LOG_LEVEL });
const serving = await startServing(env, logger, { report: () => undefined, events: undefined });
const latest = (type: string) =>
  POLICY_TEMPLATES.filter((t) => t.assetId === type)
    .map((t) => t.version)
    .sort(compareVersions)
    .at(-1);
const config = GatewayConfig.fromPartial({
  gatewayId: 'bench',
  gatewayName: 'bench',
  apis: [
    {
      id: '1',
      name: 'bench',
      type: ApiType.API_TYPE_MCP,
      listener: { port, basePath: spec.basePath },
      upstreams: spec.upstreams.map((u, i) => ({ id: `u${i + 1}`, label: u.label, url: u.url })),
      policies: spec.policies.map((policy, i) => ({
        id: String(i + 1),
        type: policy.type,
        version: latest(policy.type),
        configurationJson: JSON.stringify(policy.configuration),
        mode: PolicyMode.POLICY_MODE_ENFORCE,
      })),
    },
  ],
});
const { failures } = await serving.serve(config);
if (failures.length > 0) throw new Error(`the bench API is not served: ${JSON.stringify(failures)}`);
console.log(`listening on port ${port}`);
process.once('SIGTERM', () => {
  void serving.close().then(() => process.exit(0));
});
