/**
 * `upstream-credential` (Portico's; seed 003's "API key or token" toward the upstream): every
 * request goes upstream with `headerName` (default Authorization) set to `<prefix> <secret>`, or
 * to the secret alone without a prefix, replacing what the client sent in it. The secret arrives opened in the
 * configuration over the mTLS stream (stored encrypted in the control plane and in the gateway's
 * last good configuration) and is never logged.
 */
import type { HeaderEdit } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import type { Verdict } from '../../policy-contract/verdict.js';

interface UpstreamCredentialConfig {
  headerName?: string;
  prefix?: string;
  value: string;
}

export const upstreamCredentialFactory: PolicyFactory<UpstreamCredentialConfig> = {
  type: 'upstream-credential',
  compile(config) {
    const name = (config.headerName ?? 'Authorization').toLowerCase();
    const value = config.prefix ? `${config.prefix} ${config.value}` : config.value;
    const edit: Verdict<HeaderEdit> = Object.freeze({
      kind: 'mutate',
      message: Object.freeze({ set: Object.freeze({ [name]: value }) }),
    });
    return { warnings: [], policy: { name: 'upstream-credential', onHttpRequest: () => edit } };
  },
};
