/**
 * Every mutating route leaves one record per resource it changes, tied to its request by the
 * request id: a walk through each feature's writes, in an order that lets each one succeed.
 */
import { randomUUID } from 'node:crypto';
import { createKeyAndCsr } from '#portico/gateway-registration';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { freePort } from '#portico/testing';
import { type RequestOptions, startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newMcpAsset,
  newTenant,
  testPrisma,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';
import { SyncEndpoint } from '../config-sync/sync-endpoint.js';

const rateLimit = {
  groupId: POLICY_GROUP_ID,
  assetId: 'rate-limiting',
  assetVersion: '1.4.1',
  configurationData: { rateLimits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }] },
};
const tier = (name: string) => ({ name, limits: [{ maximumRequests: 10, timePeriodInMilliseconds: 1000 }] });

describe('audit coverage of the mutating routes', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let sequence = 0;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    // Gateway registration answers with the sync address; say where it would be when it does not listen here.
    const endpoint = cp.app.get(SyncEndpoint);
    try {
      endpoint.publicAddress();
    } catch {
      endpoint.set(`127.0.0.1:${await freePort()}`);
    }
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const org = () => `/accounts/api/organizations/${tenant.organizationId}`;
  const apis = (xapi = false) =>
    `/apimanager/${xapi ? 'xapi' : 'api'}/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  const standalone = () => `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;

  /**
   * Makes the change under a request id of its own; answers its body and the `[resource type,
   * action]` of the records it left, in the order they were written.
   */
  const change = async (method: string, path: string, options: RequestOptions = {}) => {
    const requestId = `audit-walk-${++sequence}-${randomUUID()}`;
    const res = await cp.request(method, path, {
      token: tenant.token,
      ...options,
      headers: { ...options.headers, 'x-request-id': requestId },
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    const rows = await testPrisma().auditRecord.findMany({ where: { requestId }, orderBy: { id: 'asc' } });
    return { body: res.body, records: rows.map((r) => [r.resourceType, r.action]) };
  };
  const records = async (method: string, path: string, options: RequestOptions = {}) =>
    (await change(method, path, options)).records;

  it('Access Management: environments, business groups, users and connected applications', async () => {
    const env = await change('POST', `${org()}/environments`, { json: { name: uniqueName('env'), type: 'sandbox' } });
    expect(env.records).toEqual([['environment', 'create']]);
    const envPath = `${org()}/environments/${env.body.id}`;
    expect(await records('PUT', envPath, { json: { name: uniqueName('renamed') } })).toEqual([['environment', 'update']]);
    expect(await records('DELETE', envPath)).toEqual([['environment', 'delete']]);

    const group = await change('POST', '/accounts/api/organizations', {
      json: { name: uniqueName('bg'), parentOrganizationId: tenant.organizationId },
    });
    expect(group.records).toEqual([['organization', 'create']]);
    const groupPath = `/accounts/api/organizations/${group.body.id}`;
    expect(await records('PUT', groupPath, { json: { name: uniqueName('bg') } })).toEqual([['organization', 'update']]);
    expect(await records('DELETE', groupPath)).toEqual([['organization', 'delete']]);

    const user = await change('POST', `${org()}/users`, { json: { username: uniqueName('u'), password: 'long-enough-1' } });
    expect(user.records).toEqual([['user', 'create']]);
    const userPath = `${org()}/users/${user.body.id}`;
    expect(await records('PUT', userPath, { json: { lastName: 'Audited' } })).toEqual([['user', 'update']]);
    expect(await records('PUT', `${userPath}/scopes`, { json: { scopes: ['read:exchange'] } })).toEqual([['user', 'update']]);
    expect(await records('PATCH', `${userPath}/scopes`, { json: { scopes: ['read:servers'] } })).toEqual([['user', 'update']]);
    expect(await records('PATCH', `${userPath}/scopes`, { json: { scopes: ['read:servers'] } })).toEqual([]); // held already
    expect(await records('DELETE', userPath)).toEqual([['user', 'delete']]);

    const app = await change('POST', '/accounts/api/connectedApplications', {
      json: { client_name: uniqueName('ci'), grant_types: ['client_credentials'], scopes: ['read:exchange'] },
    });
    expect(app.records).toEqual([['connected-application', 'create']]);
    const appPath = `/accounts/api/connectedApplications/${app.body.client_id}`;
    expect(await records('PATCH', `${appPath}/scopes`, { json: { scopes: ['read:servers'] } })).toEqual([
      ['connected-application', 'update'],
    ]);
    expect(await records('DELETE', `${org()}/connectedApplications/${app.body.client_id}/scopes`)).toEqual([
      ['connected-application', 'update'],
    ]);
    expect(await records('POST', `${appPath}/client-secret`)).toEqual([['connected-application', 'rotate']]);
    expect(await records('DELETE', appPath)).toEqual([['connected-application', 'delete']]);
  });

  it('API Manager: instances, upstreams, deployments, policies, API keys, SLA tiers and tool pins', async () => {
    const gateway = await change('POST', `${standalone()}/gateways`, { json: { name: uniqueName('gw') } });
    const instance = await change('POST', apis(), {
      json: {
        technology: 'flexGateway',
        spec: await newMcpAsset(tenant.organizationId),
        endpoint: {
          deploymentType: 'HY',
          type: 'mcp',
          uri: 'http://mcp.internal:3001/',
          proxyUri: `http://0.0.0.0:${await freePort()}/mcp`,
        },
      },
    });
    expect(instance.records).toEqual([['api-instance', 'create']]);
    const apiId = instance.body.id as number;
    const api = `${apis()}/${apiId}`;
    expect(await records('PATCH', `${apis(true)}/${apiId}`, { json: { description: 'xapi' } })).toEqual([
      ['api-instance', 'update'],
    ]);
    expect(await records('PUT', api, { json: { description: 'api/v1' } })).toEqual([['api-instance', 'update']]);

    const upstream = await change('POST', `${api}/upstreams`, { json: { uri: 'http://other.internal:3001/' } });
    expect(upstream.records).toEqual([['upstream', 'create']]);
    expect(await records('PATCH', `${api}/upstreams/${upstream.body.id}`, { json: { label: 'other' } })).toEqual([
      ['upstream', 'update'],
    ]);
    expect(await records('DELETE', `${api}/upstreams/${upstream.body.id}`)).toEqual([['upstream', 'delete']]);

    const deployment = { environmentId: tenant.sandboxId, type: 'HY', gatewayVersion: '1.0.0', targetId: gateway.body.id };
    const deployed = await change('POST', `${api}/deployments`, { json: deployment });
    expect(deployed.records).toEqual([['deployment', 'deploy']]);
    const deploymentPath = `${api}/deployments/${deployed.body.id}`;
    expect(await records('PATCH', deploymentPath, { json: { applicationName: 'audited' } })).toEqual([['deployment', 'update']]);
    expect(await records('PUT', deploymentPath, { json: deployment })).toEqual([['deployment', 'update']]);

    const first = await change('POST', `${api}/policies`, { json: rateLimit });
    expect(first.records).toEqual([['policy', 'create']]);
    const second = await change('POST', `${api}/policies?allowDuplicated=true`, { json: { ...rateLimit, order: 1 } });
    expect(second.records).toEqual([
      ['policy', 'reorder'],
      ['policy', 'create'],
    ]);
    const policy = `${api}/policies/${first.body.id}`;
    const xapiPolicy = `${apis(true)}/${apiId}/policies/${first.body.id}`;
    expect(await records('PATCH', policy, { json: { label: 'audited' } })).toEqual([['policy', 'update']]);
    expect(await records('POST', `${xapiPolicy}/disable`)).toEqual([['policy', 'disable']]);
    expect(await records('POST', `${xapiPolicy}/enable`)).toEqual([['policy', 'enable']]);
    expect(await records('PATCH', `${api}/policies`, { json: [{ id: first.body.id, order: 1 }] })).toEqual([
      ['policy', 'reorder'],
      ['policy', 'reorder'],
    ]);
    expect(await records('DELETE', policy)).toEqual([
      ['policy', 'reorder'],
      ['policy', 'delete'],
    ]);

    const key = await change('POST', `${api}/api-keys`, { json: { name: 'ci' } });
    expect(key.records).toEqual([['api-key', 'create']]);
    expect(await records('DELETE', `${api}/api-keys/${key.body.id}`)).toEqual([['api-key', 'revoke']]);

    const slaTier = await change('POST', `${api}/tiers`, { json: tier('gold') });
    expect(slaTier.records).toEqual([['sla-tier', 'create']]);
    expect(await records('PUT', `${api}/tiers/${slaTier.body.id}`, { json: tier('platinum') })).toEqual([['sla-tier', 'update']]);
    expect(await records('DELETE', `${api}/tiers/${slaTier.body.id}`)).toEqual([['sla-tier', 'delete']]);

    // two tool definitions a gateway reported, for an operator to decide
    const reported = (sha: string) =>
      testPrisma().toolDefinitionChange.create({
        data: {
          apiId,
          toolName: 'echo',
          sha256: sha.repeat(64),
          definition: { name: 'echo' },
          diff: [],
          reportedByTarget: gateway.body.id,
          reportedByReplica: 'replica-1',
        },
      });
    const [approved, rejected] = [await reported('a'), await reported('b')];
    const pins = `${api}/tool-pins`;
    expect(await records('POST', `${pins}/changes/${approved.id}/approve`)).toEqual([
      ['tool-change', 'approve'],
      ['tool-pin', 'create'],
    ]);
    expect(await records('POST', `${pins}/changes/${rejected.id}/reject`)).toEqual([['tool-change', 'reject']]);
    expect(await records('DELETE', `${pins}/echo`)).toEqual([['tool-pin', 'delete']]);

    expect(await records('DELETE', deploymentPath)).toEqual([['deployment', 'undeploy']]);
    expect(await records('DELETE', api)).toEqual([['api-instance', 'delete']]);
  });

  it('Exchange: assets, client applications and their contracts', async () => {
    const assetId = uniqueName('mcp');
    const asset = await change('POST', '/exchange/api/v2/assets', {
      json: { groupId: tenant.organizationId, assetId, version: '1.0.0', name: 'Audited MCP', type: 'mcp' },
    });
    expect(asset.records).toEqual([['exchange-asset', 'create']]);
    const form = new FormData();
    form.set('name', 'Published MCP');
    form.set('type', 'mcp');
    const published = `/exchange/api/v2/organizations/${tenant.organizationId}/assets/${tenant.organizationId}/${assetId}/2.0.0`;
    expect(await records('POST', published, { multipart: form, headers: { 'x-sync-publication': 'true' } })).toEqual([
      ['exchange-asset', 'create'],
    ]);
    expect(await records('DELETE', `/exchange/api/v2/assets/${tenant.organizationId}/${assetId}/1.0.0`)).toEqual([
      ['exchange-asset', 'delete'],
    ]);

    const applications = `/exchange/api/v2/organizations/${tenant.organizationId}/applications`;
    const application = await change('POST', applications, { json: { name: uniqueName('app') } });
    expect(application.records).toEqual([['client-application', 'create']]);
    const applicationPath = `${applications}/${application.body.id}`;
    expect(await records('PATCH', applicationPath, { json: { description: 'audited' } })).toEqual([
      ['client-application', 'update'],
    ]);
    expect(await records('POST', `${applicationPath}/secret/reset`)).toEqual([['client-application', 'rotate']]);

    const api = await change('POST', apis(), {
      json: { technology: 'flexGateway', spec: await newMcpAsset(tenant.organizationId), endpoint: { type: 'mcp' } },
    });
    const contracts = `${apis()}/${api.body.id}/contracts`;
    const contract = await change('POST', contracts, { json: { applicationId: application.body.id } });
    expect(contract.records).toEqual([['contract', 'create']]);
    for (const action of ['revoke', 'approve', 'reject']) {
      expect(await records('POST', `${contracts}/${contract.body.id}/${action}`)).toEqual([['contract', action]]);
    }
    expect(await records('DELETE', `${contracts}/${contract.body.id}`)).toEqual([['contract', 'delete']]);
    expect(await records('DELETE', applicationPath)).toEqual([['client-application', 'delete']]);
  });

  it('Secrets Manager: secret groups and TLS contexts', async () => {
    const groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
    const group = await change('POST', groups, { json: { name: uniqueName('group') } });
    expect(group.records).toEqual([['secret-group', 'create']]);
    const contexts = `${groups}/${group.body.id}/tlsContexts`;
    const context = await change('POST', contexts, { json: { name: uniqueName('tls') } });
    expect(context.records).toEqual([['tls-context', 'create']]);
    expect(await records('PATCH', `${contexts}/${context.body.id}`, { json: { skipVerify: true } })).toEqual([
      ['tls-context', 'update'],
    ]);
    expect(await records('DELETE', `${contexts}/${context.body.id}`)).toEqual([['tls-context', 'delete']]);
    expect(await records('DELETE', `${groups}/${group.body.id}`)).toEqual([['secret-group', 'delete']]);
  });

  it('Runtime Manager: gateways, registration tokens, registrations and certificates', async () => {
    const gateway = await change('POST', `${standalone()}/gateways`, { json: { name: uniqueName('gw') } });
    expect(gateway.records).toEqual([['gateway', 'create']]);
    expect(await records('DELETE', `${standalone()}/gateways/${gateway.body.id}`)).toEqual([['gateway', 'delete']]);

    const token = await change('POST', `${standalone()}/gatewaytokens`);
    expect(token.records).toEqual([['registration-token', 'create']]);
    const registered = await change('POST', '/amc/registration-facade/api/v1/registrations', {
      token: undefined,
      json: {
        registrationToken: token.body.registrationToken,
        name: uniqueName('edge'),
        csr: (await createKeyAndCsr('edge')).csrPem,
      },
    });
    expect(registered.records).toEqual([['gateway', 'register']]);
    const [record] = await testPrisma().auditRecord.findMany({
      where: { resourceType: 'gateway', action: 'register', resourceId: registered.body.gatewayId },
    });
    // made for the user who minted the token
    expect(record).toMatchObject({ actorType: 'user', actorName: tenant.username });
    const certificate = `${standalone()}/gateways/${registered.body.gatewayId}/certificates/${registered.body.certificateSerialNumber}`;
    expect(await records('DELETE', certificate)).toEqual([['gateway-certificate', 'revoke']]);
  });
});
