/**
 * The set-up of specs that talk to one MCP API over raw sockets: a stateless MCP test server, and
 * an in-process gateway serving it as API `api` at `/api` (MCP endpoint `/api/mcp`, MCP Support
 * applied) on a free port of 127.0.0.1, started in `beforeAll` and closed in `afterAll` of the
 * enclosing `describe`.
 *
 * ```ts
 * const served = useMcpApiGateway({ headersTimeoutMs: 1_000 });
 * it('…', () => net.connect(served.port, '127.0.0.1'));
 * ```
 */
import { startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway, type TestGatewayOptions } from './in-process-gateway.js';

/** What a spec reads once `beforeAll` ran; reading it earlier throws. */
export interface McpApiGateway {
  readonly upstream: TestMcpServer;
  readonly gateway: TestGateway;
  /** The port of the API. */
  readonly port: number;
}

/** Registers the hooks that start and close the upstream and the gateway (see the header); `options` go to the gateway. */
export function useMcpApiGateway(options: TestGatewayOptions = {}): McpApiGateway {
  let served: McpApiGateway | undefined;
  const started = (): McpApiGateway => {
    if (served === undefined) throw new Error('useMcpApiGateway: read before its beforeAll ran (or after it failed)');
    return served;
  };

  beforeAll(async () => {
    const upstream = await startMcpServer({ stateful: false });
    const [port] = (await freePorts(1)) as [number];
    try {
      const gateway = await startTestGateway(
        gatewayConfig([{ id: 'api', port, basePath: '/api', upstream: upstream.url.replace(/mcp$/, '') }]),
        options,
      );
      served = { upstream, gateway, port };
    } catch (err) {
      await upstream.close();
      throw err;
    }
  });
  afterAll(async () => {
    const stopping = served;
    served = undefined;
    await stopping?.gateway.close();
    await stopping?.upstream.close();
  });

  return {
    get upstream() {
      return started().upstream;
    },
    get gateway() {
      return started().gateway;
    },
    get port() {
      return started().port;
    },
  };
}
