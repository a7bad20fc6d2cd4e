/**
 * The Exchange Graph API over real HTTP against a real database: who sees what, the arguments
 * and fields it answers, and how it refuses everything else.
 */
import { getIntrospectionQuery } from 'graphql';
import { testPrisma, uniqueName, type TestTenant } from '../../test/support/factories.js';
import type { Prisma } from '../generated/prisma/client.js';
import { useControlPlane } from '../../test/support/harness.js';

const POLICY_GROUP = '68ef9520-24e9-4cf2-b2f5-620025690913';

describe('Graph API', () => {
  const h = useControlPlane({ tenants: 2 });
  /** the tenant that owns the assets, and another one */
  const a = () => h.tenants[0]!;
  const b = () => h.tenants[1]!;

  /** A Graph API request; `token` null: no Authorization header. */
  const graph = (query: string, variables?: Record<string, unknown>, token: string | null = a().token) =>
    h.cp.request('POST', '/graph/api/v2/graphql', {
      token: token ?? undefined,
      json: { query, ...(variables && { variables }) },
    });

  /** An asset version of `tenant`'s, written straight to the database (publishing has its own specs). */
  function asset(
    tenant: TestTenant,
    assetId: string,
    fields: Partial<Prisma.ExchangeAssetUncheckedCreateInput> = {},
    file?: string,
  ) {
    const org = tenant.organizationId;
    return testPrisma().exchangeAsset.create({
      data: {
        organizationId: org,
        groupId: org,
        assetId,
        version: '1.0.0',
        name: `Asset ${assetId}`,
        type: 'mcp',
        ...fields,
        ...(file !== undefined && {
          files: { create: { classifier: 'mcp-metadata', packaging: 'json', content: Buffer.from(file), md5: 'm', sha1: 's' } },
        }),
      },
    });
  }

  describe('assets', () => {
    it('answers the query anypoint-cli-v4 sends, with the token in variables.accessToken', async () => {
      const tag = uniqueName('cli');
      await asset(a(), `${tag}-one`);
      await asset(b(), `${tag}-theirs`);
      const query = `query($organizationIds: [String], $limit: Int, $offset: Int, $searchText: String!) {
        assets(limit: $limit, offset: $offset, searchTerm: $searchText, organizationIds: $organizationIds) {
          groupId assetId version name type updatedDate createdDate __typename
        }
      }`;
      const res = await graph(query, { limit: 10, offset: 0, searchText: tag, accessToken: a().token }, null);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        data: {
          assets: [
            {
              groupId: a().organizationId,
              assetId: `${tag}-one`,
              version: '1.0.0',
              name: `Asset ${tag}-one`,
              type: 'mcp',
              updatedDate: expect.any(String),
              createdDate: expect.any(String),
              __typename: 'Asset',
            },
          ],
        },
      });
    });

    it('filters by type, public, labels, categories and organization, and keeps the latest versions only when asked', async () => {
      const tag = uniqueName('filter');
      await asset(a(), `${tag}-mcp`, { tags: [tag, 'x'], categories: [{ key: 'industry', value: ['retail', 'food'] }] });
      await asset(a(), `${tag}-mcp`, { version: '1.1.0', tags: [tag], status: 'development' });
      await asset(a(), `${tag}-mcp`, { version: '0.9.0', tags: [tag] });
      await asset(a(), `${tag}-rest`, { type: 'rest-api', tags: [tag] });
      const ids = async (args: string) =>
        (
          (await graph(`{ assets(labels: ["${tag}"] ${args}) { assetId version } }`)).body.data.assets as {
            assetId: string;
            version: string;
          }[]
        ).map((x) => `${x.assetId.slice(tag.length + 1)}@${x.version}`);
      expect(await ids('')).toEqual(['rest@1.0.0', 'mcp@0.9.0', 'mcp@1.1.0', 'mcp@1.0.0']);
      expect(await ids('types: ["rest-api"]')).toEqual(['rest@1.0.0']);
      expect(await ids('latestVersionsOnly: true')).toEqual(['rest@1.0.0', 'mcp@1.0.0']);
      expect(await ids('categories: {key: "industry", value: "food"}')).toEqual(['mcp@1.0.0']);
      expect(await ids('categories: [{key: "industry", value: "cars"}]')).toEqual([]);
      expect(await ids(`public: true`)).toEqual([]);
      expect(await ids(`organizationIds: ["${b().organizationId}"]`)).toEqual([]);
      expect(await ids('offset: 1, limit: 2')).toEqual(['mcp@0.9.0', 'mcp@1.1.0']);
    });

    it('shows the public catalog to an anonymous query, and nothing of the tenants', async () => {
      const assetId = uniqueName('private');
      await asset(a(), assetId);
      const anonymous = await graph(`{ assets(searchTerm: "${assetId}") { assetId } }`, undefined, null);
      expect(anonymous.body).toEqual({ data: { assets: [] } });
      const catalog = await graph(
        '{ assets(public: true, types: ["policy"], limit: 250) { groupId isPublic } }',
        undefined,
        null,
      );
      expect(catalog.body.data.assets.length).toBeGreaterThan(0);
      expect(
        catalog.body.data.assets.every((x: { groupId: string; isPublic: boolean }) => x.groupId === POLICY_GROUP && x.isPublic),
      ).toBe(true);
    });

    it('names an argument value it cannot apply', async () => {
      const cases: [string, string][] = [
        ['limit: 251', 'limit: must be between 0 and 250'],
        ['offset: -1', 'offset: must be at least 0'],
        [
          'types: ["api"]',
          "types: unknown asset type 'api' (expected rest-api, soap-api, http-api, raml-fragment, connector, template, example, custom, mcp, agent, llm, policy)",
        ],
        ['organizationIds: ["acme"]', "organizationIds: 'acme' is not an organization id (a UUID)"],
        ['searchTerm: "a\\u0000b"', 'searchTerm: must not contain NUL characters'],
        ['categories: [{key: "k", value: "\\u0000"}]', 'categories: must not contain NUL characters'],
      ];
      for (const [args, message] of cases) {
        const res = await graph(`{ assets(${args}) { assetId } }`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          data: null,
          errors: [
            {
              message,
              locations: [{ line: 1, column: 3 }],
              path: ['assets'],
              extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
            },
          ],
        });
      }
    });
  });

  describe('asset', () => {
    it('answers one version, the latest without a version, its other versions, files and status', async () => {
      const assetId = uniqueName('one');
      await asset(
        a(),
        assetId,
        {
          attributes: [
            { key: 'apiVersion', value: 'v1' },
            { key: 'platform', value: 'mulesoft' },
          ],
        },
        '{"platform":"mulesoft"}',
      );
      await asset(a(), assetId, { version: '2.0.0' });
      const path = `/exchange/api/v2/assets/${a().organizationId}/${assetId}/2.0.0/status`;
      expect((await h.cp.request('PUT', path, { token: a().token, json: { status: 'deprecated' } })).status).toBe(204);

      const latest =
        await graph(`{ asset(groupId: "${a().organizationId}", assetId: "${assetId}") { version status productAPIVersion attributes { key value }
        files { classifier packaging externalLink isGenerated } otherVersions { version status } } }`);
      expect(latest.body).toEqual({
        data: {
          asset: {
            version: '1.0.0',
            status: 'published',
            productAPIVersion: 'v1',
            attributes: [
              { key: 'apiVersion', value: 'v1' },
              { key: 'platform', value: 'mulesoft' },
            ],
            files: [
              {
                classifier: 'mcp-metadata',
                packaging: 'json',
                externalLink: expect.stringContaining('?link='),
                isGenerated: false,
              },
            ],
            otherVersions: [{ version: '2.0.0', status: 'deprecated' }],
          },
        },
      });
      const link = latest.body.data.asset.files[0].externalLink as string;
      expect((await h.cp.request('GET', link.slice(h.cp.url.length))).text).toBe('{"platform":"mulesoft"}');

      const deprecated = await graph(
        `{ asset(groupId: "${a().organizationId}", assetId: "${assetId}", version: "2.0.0") { status } }`,
      );
      expect(deprecated.body).toEqual({ data: { asset: { status: 'deprecated' } } });
      const hidden = await graph(
        `{ asset(groupId: "${a().organizationId}", assetId: "${assetId}") { version } }`,
        undefined,
        b().token,
      );
      expect(hidden.body).toEqual({ data: { asset: null } });
    });
  });

  describe('refusals', () => {
    it('answers unknown fields and arguments, bad syntax, limits and mutations with GraphQL errors and no data', async () => {
      const cases: [string, string][] = [
        ['{ assets { rating } }', 'Cannot query field "rating" on type "Asset".'],
        ['{ assets(minMuleVersion: "4.0.0") { assetId } }', 'Unknown argument "minMuleVersion" on field "Query.assets".'],
        ['{ assets { assetId ', 'Syntax Error: Expected Name, found <EOF>.'],
        [
          '{ asset(groupId: "g", assetId: "a") { otherVersions { otherVersions { version } } } }',
          'otherVersions cannot be selected inside otherVersions',
        ],
        ['mutation { assets { assetId } }', 'Schema is not configured to execute mutation operation.'],
      ];
      for (const [query, message] of cases) {
        const res = await graph(query);
        expect(res.status).toBe(200);
        expect(res.body.errors.map((e: { message: string }) => e.message)).toContain(message);
        expect(res.body.data ?? null).toBeNull();
      }
      const introspection = await graph(getIntrospectionQuery());
      expect(introspection.body.data.__schema.queryType).toMatchObject({ name: 'Query' });
    });

    it('refuses a bad token, a Basic header or connected-app credentials in variables (401), and a body without a query (400)', async () => {
      const bad = await graph('{ assets { assetId } }', undefined, 'not-a-token');
      expect(bad.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      const badVariable = await graph('{ assets { assetId } }', { accessToken: 'not-a-token' }, null);
      expect(badVariable.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      const basic = await h.cp.request('POST', '/graph/api/v2/graphql', {
        headers: { authorization: `Basic ${Buffer.from('~~~Client~~~:id~?~secret').toString('base64')}` },
        json: { query: '{ assets { assetId } }' },
      });
      expect(basic.body.message).toBe(
        'The Authorization header must be "Bearer <token>" (a connected app gets a token from /accounts/api/v2/oauth2/token)',
      );
      const inVariables = await graph('{ assets { assetId } }', { authorization: 'Basic eA==' }, null);
      expect(inVariables.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      const noQuery = await h.cp.request('POST', '/graph/api/v2/graphql', { token: a().token, json: { variables: {} } });
      expect(noQuery.body).toMatchObject({ status: 400, message: 'body.query: is required' });
      const extra = await h.cp.request('POST', '/graph/api/v2/graphql', {
        token: a().token,
        json: { query: '{ assets { assetId } }', id: 1 },
      });
      expect(extra.body.message).toBe('body: Unrecognized key: "id"');
    });
  });
});
