/**
 * The official MCP conformance suite against server-everything, directly and through the
 * in-process gateway, in the same test: every scenario must have the same outcome both ways
 * (the gateway is transparent), and the direct run must really have run scenarios — except
 * `dns-rebinding-protection`, which the gateway's Host/Origin check (data-plane/host-check.ts)
 * passes for an upstream that fails it.
 *
 * That scenario needs a localhost URL, so both runs use one.
 *
 * A third run goes through a federated endpoint (mcp-transcoding-router) over the same single
 * server: the federation must answer the suite as the server does.
 */
import { runConformanceSuite, scenarioOutcome, startEverythingServer, type EverythingServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from './support/in-process-gateway.js';

describe('MCP conformance through the gateway', () => {
  let everything: EverythingServer;
  let gateway: TestGateway;
  let port: number;

  beforeAll(async () => {
    everything = await startEverythingServer('streamableHttp');
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        { id: '1', port, basePath: '/demo', upstream: `http://localhost:${everything.port}/` },
        {
          id: '2',
          port,
          basePath: '/federated',
          upstream: [{ label: 'everything', url: `http://localhost:${everything.port}/` }],
          policies: ['mcp-support', 'mcp-transcoding-router'],
        },
      ]),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await everything?.close();
  });

  it('gives every scenario the same outcome as connecting directly', async () => {
    const direct = await runConformanceSuite(`http://localhost:${everything.port}/mcp`);
    const proxied = await runConformanceSuite(`http://localhost:${port}/demo/mcp`);
    const outcomes = (run: typeof direct) =>
      Object.fromEntries([...run.scenarios].map(([name, checks]) => [name, scenarioOutcome(checks)]));

    const directOutcomes = outcomes(direct);
    // A real comparison: the direct run ran the suite (30 active scenarios in 0.1.13), some passing.
    expect(Object.keys(directOutcomes).length).toBeGreaterThanOrEqual(20);
    expect(Object.values(directOutcomes)).toContain('passed');
    expect(directOutcomes['dns-rebinding-protection']).toBe('failed');
    expect(outcomes(proxied)).toEqual({ ...directOutcomes, 'dns-rebinding-protection': 'passed' });
    const federated = await runConformanceSuite(`http://localhost:${port}/federated/mcp`);
    expect(outcomes(federated)).toEqual(outcomes(proxied));
  }, 300_000);
});
