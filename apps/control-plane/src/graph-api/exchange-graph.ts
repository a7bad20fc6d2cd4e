/**
 * The Exchange Graph API schema (`POST /graph/api/v2/graphql`): the roots `assets` (search) and
 * `asset` (one asset, by groupId and assetId, and version), with the arguments and fields
 * anypoint-cli-v4 and Exchange's public Graph API docs use and Portico can answer. Anything else
 * (an argument such as `minMuleVersion`, a field such as `rating`) fails graphql's validation
 * with a GraphQL error naming it, rather than being ignored.
 *
 * Visibility is Exchange's (exchange-assets.service.ts): a caller sees the public catalog and
 * the assets of the organizations it reads; an anonymous query sees the public catalog only.
 * Deleted versions are never shown; deprecated ones are, with `status: "deprecated"`.
 */
import { buildSchema, GraphQLError } from 'graphql';
import type { Principal } from '../auth/principal.js';
import { isUuid } from '../auth/access.service.js';
import type { FileLinks } from '../exchange/asset-file-links.js';
import { type AssetFilter, type ExchangeAssetsService, latestOf } from '../exchange/exchange-assets.service.js';
import { ASSET_TYPES, type AssetType } from '../exchange/exchange.dto.js';
import type { AssetWithFiles } from '../exchange/exchange.repository.js';
import { assetV1 } from '../exchange/exchange.view.js';

export const exchangeGraphSchema = buildSchema(/* GraphQL */ `
  "An asset version in Exchange."
  type Asset {
    "groupId/assetId/version"
    id: String!
    organizationId: String!
    groupId: String!
    assetId: String!
    version: String!
    minorVersion: String!
    versionGroup: String!
    "the apiVersion property, when the asset declares one"
    productAPIVersion: String
    name: String!
    description: String
    type: String!
    "development, published or deprecated"
    status: String!
    isPublic: Boolean!
    isSnapshot: Boolean!
    contactName: String
    contactEmail: String
    createdById: String
    createdAt: String!
    createdDate: String!
    updatedDate: String!
    "the tags, as plain values"
    labels: [String!]!
    tags: [Tag!]!
    categories: [Category!]!
    customFields: [CustomField!]!
    attributes: [Attribute!]!
    dependencies: [AssetReference!]!
    files: [File!]!
    "the other versions of this asset the caller can see, newest first"
    otherVersions: [Asset!]!
  }

  type Tag {
    key: String
    value: String!
    mutable: Boolean!
  }

  type Category {
    key: String!
    displayName: String!
    value: [String!]!
  }

  type CustomField {
    key: String!
    displayName: String!
    value: [String!]!
  }

  type Attribute {
    key: String!
    value: String!
  }

  type AssetReference {
    groupId: String!
    assetId: String!
    version: String!
  }

  type File {
    classifier: String!
    packaging: String!
    md5: String!
    sha1: String!
    createdDate: String!
    mainFile: String
    isGenerated: Boolean!
    "a download link that needs no Authorization header, valid for an hour"
    externalLink: String!
    "the download route, with an Authorization header"
    downloadURL: String!
  }

  "A category an asset must carry; with value, that value among the category's values."
  input CategorySearchField {
    key: String!
    value: String
  }

  type Query {
    "Assets matching every given argument, newest first."
    assets(
      organizationIds: [String]
      searchTerm: String
      types: [String]
      public: Boolean
      labels: [String]
      categories: [CategorySearchField]
      "only the latest version of each asset (published ones first)"
      latestVersionsOnly: Boolean
      "defaults to 0"
      offset: Int
      "defaults to 20, at most 250"
      limit: Int
    ): [Asset!]!
    "One asset version; without version, the latest one. Null when the caller cannot see it."
    asset(groupId: String!, assetId: String!, version: String): Asset
  }
`);

/** What one request's resolvers share. */
export interface GraphContext {
  principal: Principal | null;
  links: FileLinks;
  assets: ExchangeAssetsService;
}

const MAX_LIMIT = 250;

interface AssetsArgs {
  organizationIds?: (string | null)[] | null;
  searchTerm?: string | null;
  types?: (string | null)[] | null;
  public?: boolean | null;
  labels?: (string | null)[] | null;
  categories?: { key: string; value?: string | null }[] | null;
  latestVersionsOnly?: boolean | null;
  offset?: number | null;
  limit?: number | null;
}

function argumentError(name: string, message: string): GraphQLError {
  return new GraphQLError(`${name}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argument: name } });
}

/**
 * The string arguments of a query, checked for NUL characters: a GraphQL string literal can
 * spell one (`"\u0000"`), which Postgres text cannot hold.
 */
function noNul(args: Record<string, unknown>): void {
  const hasNul = (v: unknown): boolean =>
    typeof v === 'string' ? v.includes('\u0000') : typeof v === 'object' && v !== null && Object.values(v).some(hasNul);
  const name = Object.keys(args).find((key) => hasNul(args[key]));
  if (name !== undefined) throw argumentError(name, 'must not contain NUL characters');
}

function strings(list: (string | null)[] | null | undefined): string[] {
  return [...new Set((list ?? []).filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim()))];
}

/** The `assets` arguments as a filter; a value Portico cannot apply is a GraphQL error naming its argument. */
function assetFilter(args: AssetsArgs): AssetFilter {
  noNul({ ...args });
  const offset = args.offset ?? 0;
  const limit = args.limit ?? 20;
  if (offset < 0) throw argumentError('offset', 'must be at least 0');
  if (limit < 0 || limit > MAX_LIMIT) throw argumentError('limit', `must be between 0 and ${MAX_LIMIT}`);
  const organizationIds = strings(args.organizationIds);
  const notAnId = organizationIds.find((id) => !isUuid(id));
  if (notAnId !== undefined) throw argumentError('organizationIds', `'${notAnId}' is not an organization id (a UUID)`);
  const types = strings(args.types);
  const unknownType = types.find((t) => !(ASSET_TYPES as readonly string[]).includes(t));
  if (unknownType !== undefined)
    throw argumentError('types', `unknown asset type '${unknownType}' (expected ${ASSET_TYPES.join(', ')})`);
  return {
    organizationIds,
    search: args.searchTerm?.trim() || undefined,
    types: types as AssetType[],
    isPublic: args.public ?? undefined,
    labels: strings(args.labels),
    categories: (args.categories ?? []).map((c) => ({ key: c.key, ...(c.value != null && { value: c.value }) })),
    latestVersionsOnly: args.latestVersionsOnly ?? false,
    offset,
    limit,
  };
}

/** An asset version as the resolvers answer it; `otherVersions` is loaded when selected. */
function graphAsset(asset: AssetWithFiles, ctx: GraphContext, versions: () => Promise<AssetWithFiles[]>) {
  return {
    ...assetV1(asset, ctx.links, []),
    otherVersions: async () => (await versions()).filter((v) => v.id !== asset.id).map((v) => graphAsset(v, ctx, versions)),
  };
}

/** `graphql`'s rootValue: the resolvers of the Query fields. */
export function exchangeGraphRoot(ctx: GraphContext) {
  /** Each group/asset's versions are read once per query, however many of them are shown. */
  const loaded = new Map<string, Promise<AssetWithFiles[]>>();
  const versionsOf = (groupId: string, assetId: string) => () => {
    const key = `${groupId}/${assetId}`;
    let versions = loaded.get(key);
    if (!versions) loaded.set(key, (versions = ctx.assets.versions(ctx.principal, groupId, assetId)));
    return versions;
  };
  return {
    assets: async (args: AssetsArgs) =>
      (await ctx.assets.query(ctx.principal, assetFilter(args))).map((a) => graphAsset(a, ctx, versionsOf(a.groupId, a.assetId))),
    asset: async (args: { groupId: string; assetId: string; version?: string | null }) => {
      noNul(args);
      const versions = versionsOf(args.groupId, args.assetId);
      const all = await versions();
      const asset = args.version == null ? latestOf(all) : all.find((v) => v.version === args.version);
      return asset ? graphAsset(asset, ctx, versions) : null;
    },
  };
}
