/** The exchange's log lines name the caller once an authentication policy established one, never its credentials. */
import { PolicyMode } from '#portico/proto-ts';
import { postMcp, startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

describe('exchange logs', () => {
  let upstream: TestMcpServer;
  let gateway: TestGateway;
  let url: string;

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false });
    const [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        {
          id: 'logged',
          port,
          basePath: '/logged',
          upstream: upstream.url.replace(/mcp$/, ''),
          policies: [
            'mcp-support',
            { type: 'http-basic-authentication', configuration: { username: 'agent-7', password: 'pa55word' } },
            // Denies everything in shadow mode: logs each would-be denial and lets it pass.
            { type: 'mcp-acl', mode: PolicyMode.POLICY_MODE_SHADOW, configuration: {} },
          ],
        },
      ]),
    );
    url = `http://127.0.0.1:${port}/logged/mcp`;
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('names the principal on the lines logged after authentication', async () => {
    const response = await postMcp(
      url,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } },
      { authorization: `Basic ${Buffer.from('agent-7:pa55word').toString('base64')}`, 'mcp-protocol-version': '2025-06-18' },
    );
    expect(response.status).toBe(200);
    const line = gateway.logs.find((l) => l.msg === 'shadow policy verdict not enforced');
    expect(line).toMatchObject({ api: 'logged', principal: 'agent-7', policy: 'mcp-acl' });
    expect(JSON.stringify(gateway.logs)).not.toContain('pa55word');
  });
});
