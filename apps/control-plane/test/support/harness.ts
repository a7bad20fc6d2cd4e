/**
 * The set-up most control-plane specs share: one in-process control plane for the enclosing
 * `describe`, with fresh tenants (organizations with Sandbox/Production and an all-scopes user),
 * started in `beforeAll` and closed in `afterAll`.
 *
 * ```ts
 * const h = useControlPlane({ tenants: 2 });
 * beforeAll(async () => {
 *   gateway = await registerGateway(h.cp, h.tenant, 'gw'); // hooks run in order: the harness's first
 * });
 * it('…', async () => {
 *   await h.cp.request('GET', `/accounts/api/organizations/${h.tenant.organizationId}`, { token: h.tenant.token });
 * });
 * ```
 */
import { startControlPlane, type TestControlPlane } from './control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant } from './factories.js';

export interface HarnessOptions {
  /** how many tenants to make (default 1) */
  tenants?: number;
  /** more PORTICO_* variables for the control plane */
  overrides?: Record<string, string>;
}

/** What a spec reads once `beforeAll` ran; reading it earlier throws. */
export interface Harness {
  readonly cp: TestControlPlane;
  /** the first tenant */
  readonly tenant: TestTenant;
  readonly tenants: readonly TestTenant[];
}

/** Registers the hooks that start and close a control plane and its tenants (see the header). */
export function useControlPlane(options: HarnessOptions = {}): Harness {
  let cp: TestControlPlane | undefined;
  let tenants: TestTenant[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useControlPlane: read before its beforeAll ran (or after it failed)');
    return value;
  };

  beforeAll(async () => {
    cp = await startControlPlane(options.overrides);
    for (let i = 0; i < (options.tenants ?? 1); i++) tenants.push(await newTenant(cp));
  });
  afterAll(async () => {
    await cp?.close();
    cp = undefined;
    tenants = [];
    await closeTestPrisma();
  });

  return {
    get cp() {
      return started(cp);
    },
    get tenant() {
      return started(tenants[0]);
    },
    get tenants() {
      started(cp);
      return tenants;
    },
  };
}
