/**
 * The policy engine: the contract between a policy chain and its policies, the policies the
 * gateway implements, and the pieces that compile and run a chain on MCP messages. The gateway's
 * pipeline runs it on traffic; the control plane's policy simulation runs it on a hypothetical
 * call, so both decide with the same code. Pure: no I/O (a policy that needs the upstream or
 * Redis gets it from its context).
 */
export { addressList, inAddressList, unmappedAddress } from './address-list.js';
export type { ChainPolicy } from './chain-policy.js';
export { compilePolicy, PolicyConfigError, type PolicyInput } from './compile-policy.js';
export {
  API_UNAVAILABLE_MESSAGE,
  errorMessage,
  type GatewayError,
  MCP_SUPPORT_REQUIRED_MESSAGE,
  toHttpHeaders,
  toHttpStatus,
  toJsonRpcError,
  toPlainError,
} from './errors.js';
export { HookRunner, type HookOutcome, type VerdictObserver } from './hook-runner.js';
export { decodeBody, describeCall, type DecodedMessage, type DecodeResult, mirroredHeaders } from './mcp-codec.js';
export { type ClientCall, mcpRequestPhase, type RequestOutcome } from './mcp-request-phase.js';
export { mcpResponsePhase, responders } from './mcp-response-phase.js';
export { compileMethodScope, type CompiledMethodScope, type Phases } from './method-scope.js';
export { memoized } from './name-memo.js';
export { filterList, unknownItem } from './policies/mcp-features.js';
export { isPromise } from './promises.js';
export { POLICY_REGISTRY, POLICY_TYPES, type PolicyRegistry } from './policies/registry.js';
export { resourceMetadataUrl } from './policies/bearer-tokens.js';
export {
  type CallContext,
  type ExchangeContext,
  type Finding,
  type HeaderEdit,
  type HttpContext,
  IDENTITY_ATTRIBUTE,
  type Identity,
  type McpCall,
  type PolicyMetrics,
  type ResponseHead,
  type UpstreamRequester,
} from './policy-contract/context.js';
export type {
  BackendToken,
  BackendTokens,
  Clock,
  CompileContext,
  CompiledPolicyResult,
  FederationRoute,
  FederationRouting,
  MethodScope,
  Phase,
  Policy,
  PolicyFactory,
  PolicyReport,
  PolicyReportSink,
  ProtectedResource,
} from './policy-contract/policy.js';
export { type HttpRequestVerdict, PASS, type Respond, type Verdict } from './policy-contract/verdict.js';
export { PolicyStates } from './policy-states.js';
/** For tests of policies and of code that runs them. */
export { testCompileContext, testExchange } from './testing/policy-contexts.js';
