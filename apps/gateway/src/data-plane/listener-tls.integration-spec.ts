/**
 * HTTPS and mutual-TLS listeners (Listener.tls): the gateway on 127.0.0.1 serving certificates
 * from CAs made in the test, to node:https clients that verify them (rawRequest / postMcp).
 */
import { X509Certificate } from 'node:crypto';
import {
  createTestCa,
  postMcp,
  startMcpServer,
  type ClientTls,
  type TestCa,
  type TestCertificate,
  type TestMcpServer,
} from '#portico/testing';
import {
  freePorts,
  gatewayConfig,
  startTestGateway,
  type ApiSpec,
  type TestGateway,
} from '../../test/support/in-process-gateway.js';

const PING = { jsonrpc: '2.0', id: 1, method: 'ping' };
const PONG = { jsonrpc: '2.0', id: 1, result: {} };

describe('listener TLS', () => {
  let ca: TestCa;
  let clientCa: TestCa;
  let otherCa: TestCa;
  let server: TestCertificate;
  let rotated: TestCertificate;
  let client: TestCertificate;
  let stranger: TestCertificate;
  let upstream: TestMcpServer;
  let gateway: TestGateway;
  let ports: number[];
  let trusting: ClientTls;

  const api = (id: string, port: number, extra: Partial<ApiSpec> = {}): ApiSpec => ({
    id,
    port,
    basePath: `/${id}`,
    upstream: `http://127.0.0.1:${upstream.port}/`,
    ...extra,
  });
  const url = (scheme: 'http' | 'https', port: number, id: string) => `${scheme}://127.0.0.1:${port}/${id}/mcp`;
  /**
   * Sends `request` and waits for it to fail, then for the gateway's log of the failed handshake
   * on `port` (the client may see only a reset, and the server may log after the client fails).
   */
  const refused = async (port: number, request: () => Promise<unknown>): Promise<Record<string, unknown>> => {
    const from = gateway.logs.length;
    await expect(request()).rejects.toThrow();
    for (;;) {
      const logged = gateway.logs.slice(from).find((line) => line.msg === 'TLS handshake failed' && line.port === port);
      if (logged) return logged;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const lastSwap = () => gateway.logs.filter((line) => line.msg === 'data plane configuration swapped').at(-1);

  beforeAll(async () => {
    [ca, clientCa, otherCa] = await Promise.all([
      createTestCa('Gateway CA'),
      createTestCa('Client CA'),
      createTestCa('Other CA'),
    ]);
    [server, rotated, client, stranger] = await Promise.all([
      ca.issue({ commonName: 'gateway', names: ['127.0.0.1', 'localhost'], usage: 'server' }),
      ca.issue({ commonName: 'gateway-rotated', names: ['127.0.0.1', 'localhost'], usage: 'server' }),
      clientCa.issue({ commonName: 'agent', usage: 'client' }),
      otherCa.issue({ commonName: 'stranger', usage: 'client' }),
    ]);
    trusting = { ca: ca.certificatePem };
    upstream = await startMcpServer({ stateful: false, jsonResponse: true });
    ports = await freePorts(5);
    gateway = await startTestGateway(gatewayConfig([]));
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('serves an MCP POST over https to a client that trusts the CA, telling the upstream X-Forwarded-Proto https', async () => {
    const [port] = ports as [number];
    const served = await gateway.apply(gatewayConfig([api('secure', port, { tls: server })]));
    expect(served.failures).toEqual([]);
    const response = await postMcp(url('https', port, 'secure'), PING, {}, trusting);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual(PONG);
    expect(upstream.requests.at(-1)?.headers['x-forwarded-proto']).toBe('https');
  });

  it('fails the handshake of a client that does not trust the CA', async () => {
    const [port] = ports as [number];
    await gateway.apply(gatewayConfig([api('secure', port, { tls: server })]));
    await expect(postMcp(url('https', port, 'secure'), PING)).rejects.toThrow(/certificate/);
    await expect(postMcp(url('https', port, 'secure'), PING, {}, { ca: otherCa.certificatePem })).rejects.toThrow(/certificate/);
  });

  it('asks for a client certificate from the client CA (mutual TLS) and refuses a client without one or with another', async () => {
    const [, port] = ports as [number, number];
    await gateway.apply(gatewayConfig([api('mutual', port, { tls: { ...server, clientCaPem: clientCa.certificatePem } })]));
    const target = url('https', port, 'mutual');
    await expect(refused(port, () => postMcp(target, PING, {}, trusting))).resolves.toMatchObject({
      err: expect.stringContaining('peer did not return a certificate'),
    });
    const foreign = { ...trusting, cert: stranger.certificatePem, key: stranger.privateKeyPem };
    await expect(refused(port, () => postMcp(target, PING, {}, foreign))).resolves.toMatchObject({
      authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const response = await postMcp(target, PING, {}, { ...trusting, cert: client.certificatePem, key: client.privateKeyPem });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual(PONG);
  });

  it('serves a port with the TLS setting of its first API and fails a later API with another alone', async () => {
    const [, , port] = ports as [number, number, number];
    const served = await gateway.apply(gatewayConfig([api('first', port, { tls: server }), api('second', port)]));
    expect(served.failures).toEqual([
      { apiId: 'second', reason: `API second: listener port ${port} is served with a different TLS setting by API first` },
    ]);
    expect((await postMcp(url('https', port, 'first'), PING, {}, trusting)).status).toBe(200);
    // The failed API is not routed: its base path is unknown on the port.
    expect((await postMcp(url('https', port, 'second'), PING, {}, trusting)).status).toBe(404);
  });

  it('fails an API whose listener key is not its certificate’s alone, naming the field', async () => {
    const [first, , , port] = ports as [number, number, number, number];
    const served = await gateway.apply(
      gatewayConfig([
        api('secure', first, { tls: server }),
        api('broken', port, { tls: { certificatePem: server.certificatePem, privateKeyPem: rotated.privateKeyPem } }),
      ]),
    );
    expect(served.failures).toEqual([
      { apiId: 'broken', reason: 'API broken: listener.tls.private_key_pem does not belong to listener.tls.certificate_pem' },
    ]);
    expect(gateway.dataPlane.ports).toEqual([first]);
    expect((await postMcp(url('https', first, 'secure'), PING, {}, trusting)).status).toBe(200);
  });

  it('rotates the certificate of a port in place, and re-binds the port when its scheme or mutual TLS changes', async () => {
    const [, , , , port] = ports as [number, number, number, number, number];
    const fingerprint = (certificate: TestCertificate) => new X509Certificate(certificate.certificatePem).fingerprint256;
    const target = url('https', port, 'rotating');

    await gateway.apply(gatewayConfig([api('rotating', port, { tls: server })]));
    expect((await postMcp(target, PING, {}, trusting)).peerCertificate?.fingerprint256).toBe(fingerprint(server));

    const rotation = await gateway.apply(gatewayConfig([api('rotating', port, { tls: rotated })]));
    expect(rotation.failures).toEqual([]);
    expect(lastSwap()).toMatchObject({ opened: [], ports: [port] });
    const response = await postMcp(target, PING, {}, trusting);
    expect(response.status).toBe(200);
    expect(response.peerCertificate?.fingerprint256).toBe(fingerprint(rotated));

    await gateway.apply(gatewayConfig([api('rotating', port, { tls: { ...rotated, clientCaPem: clientCa.certificatePem } })]));
    expect(lastSwap()).toMatchObject({ opened: [port] });
    await expect(refused(port, () => postMcp(target, PING, {}, trusting))).resolves.toMatchObject({
      err: expect.stringContaining('peer did not return a certificate'),
    });
    const mutual = { ...trusting, cert: client.certificatePem, key: client.privateKeyPem };
    expect((await postMcp(target, PING, {}, mutual)).status).toBe(200);

    await gateway.apply(gatewayConfig([api('rotating', port)]));
    expect(lastSwap()).toMatchObject({ opened: [port] });
    const plain = await postMcp(url('http', port, 'rotating'), PING);
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.body)).toEqual(PONG);
    expect(upstream.requests.at(-1)?.headers['x-forwarded-proto']).toBe('http');
  });
});
