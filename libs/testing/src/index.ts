/**
 * Test helpers shared by every project: free ports, a purpose-built MCP server, the
 * server-everything reference server as a child process, throw-away certificates, the official
 * MCP conformance suite, a TCP proxy to take a service down, Debian's Chromium for browser tests, and how fuzz specs run their
 * fast-check properties. `swc-register.mjs` (a Node loader, used by path) runs the TypeScript
 * sources, NestJS included, in child processes of tests.
 */
export { freePort } from './ports.js';
export { startAuthorizationServer, type TestAuthorizationServer } from './authorization-server.js';
export { startIdentityProvider, TEST_IDP_ISSUER, type TestIdentityProvider } from './identity-provider.js';
export { startHttpServer, type TestHttpServer } from './http-server.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { startMcpServer, type McpServerOptions, type RecordedRequest, type TestMcpServer } from './mcp-server.js';
export { startEverythingServer, type EverythingServer } from './everything-server.js';
export { createTestCa, type IssueOptions, type TestCa, type TestCertificate } from './certificates.js';
export { runConformanceSuite, scenarioOutcome, type ConformanceCheck, type ConformanceRun } from './conformance.js';
export { spawnNode, type TestChildProcess } from './child-process.js';
export { launchChromium } from './chromium.js';
export { startGatewayProcess, type GatewayProcess, type GatewayProcessOptions } from './gateway-process.js';
export {
  MCP_POST_HEADERS,
  postMcp,
  rawRequest,
  type ClientTls,
  type RawRequestOptions,
  type RawResponse,
} from './http-client.js';
export {
  failureMessage,
  FUZZ_SEED,
  fuzzTimeoutMs,
  jsonArbitraries,
  labelled,
  nestedJson,
  RawJson,
  runProperty,
  toJson,
  type FuzzRunOptions,
  type JsonArbitraryOptions,
} from './fuzz.js';
export {
  type HttpRequestSpec,
  rawExchange,
  type RawAnswer,
  type RawExchangeOptions,
  type RawOutcome,
  requestBytes,
} from './raw-exchange.js';
