import { z } from 'zod';
import { auditSchema } from '../common/audit.js';
import { legacyId, objectError, re2Pattern } from '../common/validation.js';
import { int32, MAX_INTEGER_ID } from '../common/integer-id.js';

/** `true` / `false` query flags; anything else is a 400 naming the parameter. */
function flag(defaultValue: boolean) {
  return z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? defaultValue : v === 'true'));
}

// ---------------------------------------------------------------- catalog

/** `apiInstanceId` stays a string: a malformed id is a 404 naming it, like an id that does not exist. */
export const exchangeTemplatesQuery = z.object({
  apiInstanceId: z.string().optional(),
  environmentId: z.string().optional(),
  latest: flag(false).describe('only the latest version of each template'),
  includeConfiguration: flag(true).describe("include each template's configuration JSON Schema"),
  /** Accepted for compatibility; Portico's templates have a single (gateway) model. */
  splitModel: flag(false),
  /** MCP policies cannot be automated policies (contract §6.4.b), so this leaves them out. */
  automatedOnly: flag(false),
});
export type ExchangeTemplatesQuery = z.output<typeof exchangeTemplatesQuery>;

export const exchangeTemplateQuery = z.object({
  includeAllVersions: flag(true),
  includeConfiguration: flag(true),
  splitModel: flag(false),
});
export type ExchangeTemplateQuery = z.output<typeof exchangeTemplateQuery>;

export const genericTemplatesQuery = z.object({ apiInstanceId: z.string().optional() });
export type GenericTemplatesQuery = z.output<typeof genericTemplatesQuery>;

// ---------------------------------------------------------------- applied policies

const regex = re2Pattern(1024);

/** `null` = the whole API; else the methods and paths the policy applies to. */
const pointcutData = z
  .array(
    z.strictObject(
      { methodRegex: regex, uriTemplateRegex: regex },
      objectError('must be an object with methodRegex and uriTemplateRegex'),
    ),
    {
      error: 'must be null or an array of {methodRegex, uriTemplateRegex}',
    },
  )
  .max(100, 'must have at most 100 entries')
  .nullable();

const configurationData = z.record(z.string(), z.unknown(), { error: 'must be an object' });
const order = int32('must be an integer from 1 to 2147483647');
const label = z.string({ error: 'must be a string' }).max(255, 'must be at most 255 characters').nullable();
const upstreamIds = z
  .array(z.uuid({ error: 'must be a UUID' }), { error: 'must be an array of upstream ids' })
  .max(100, 'must have at most 100 entries');
const disabled = z.boolean({ error: 'must be true or false' });
/** Whether the gateway acts on the policy's denials (`enforce`) or only logs and counts them (`shadow`). */
const mode = z.enum(['enforce', 'shadow'], { error: 'must be enforce or shadow' });
/** Checked by the service, so a missing one gets Anypoint's exact message. */
const coordinate = z.string({ error: 'must be a string' }).max(255, 'must be at most 255 characters').nullish();

export const applyPolicyBody = z.strictObject(
  {
    groupId: coordinate,
    assetId: coordinate,
    assetVersion: coordinate,
    configurationData: configurationData.optional(),
    pointcutData: pointcutData.optional(),
    order: order.nullish(),
    disabled: disabled.optional(),
    mode: mode.optional(),
    label: label.optional(),
    upstreamIds: upstreamIds.optional(),
    policyTemplateId: legacyId,
    apiVersionId: legacyId,
    id: z.null({ error: 'must be null: policy ids are assigned by the server' }).optional(),
  },
  objectError(),
);
export type ApplyPolicyBody = z.output<typeof applyPolicyBody>;

export const applyPolicyQuery = z.object({
  allowDuplicated: flag(false).describe('apply a second policy of a template the instance already has'),
});
export type ApplyPolicyQuery = z.output<typeof applyPolicyQuery>;

/**
 * PATCH …/policies/{id}. Besides what it changes, it takes back what GET answered (anypoint-cli's
 * `policy edit` sends `id, policyTemplateId, groupId, assetId, apiVersionId`): those must equal
 * the policy's own values (checked by the service), since a PATCH cannot move or re-template it.
 */
export const updatePolicyBody = z.strictObject(
  {
    id: legacyId,
    apiVersionId: legacyId,
    policyTemplateId: legacyId,
    groupId: coordinate,
    assetId: coordinate,
    configurationData: configurationData.optional(),
    assetVersion: z
      .string({ error: 'must be a string' })
      .min(1, 'must not be empty')
      .max(255, 'must be at most 255 characters')
      .optional(),
    label: label.optional(),
    pointcutData: pointcutData.optional(),
    order: order.optional(),
    disabled: disabled.optional(),
    mode: mode.optional(),
    upstreamIds: upstreamIds.optional(),
  },
  objectError(),
);
export type UpdatePolicyBody = z.output<typeof updatePolicyBody>;

export const reorderPoliciesBody = z
  .array(z.strictObject({ id: int32('must be a policy id'), order }, objectError('must be {id, order}')), {
    error: 'must be an array of {id, order}',
  })
  .min(1, 'must list at least one policy')
  .max(1000, 'must list at most 1000 policies')
  .superRefine((items, ctx) => {
    const ids = new Set<number>();
    const orders = new Set<number>();
    items.forEach((item, i) => {
      if (ids.has(item.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `lists policy ${item.id} twice` });
      if (orders.has(item.order))
        ctx.addIssue({ code: 'custom', path: [i, 'order'], message: `gives order ${item.order} twice` });
      ids.add(item.id);
      orders.add(item.order);
    });
  });
export type ReorderPoliciesBody = z.output<typeof reorderPoliciesBody>;

export const listPoliciesQuery = z.object({ fullInfo: flag(true) });
export type ListPoliciesQuery = z.output<typeof listPoliciesQuery>;

// ---------------------------------------------------------------- simulation

const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

/** A hypothetical MCP call and caller for POST …/policies/simulate (policy-simulation.ts). */
export const simulatePolicyBody = z.strictObject(
  {
    message: z.strictObject(
      {
        method: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
        params: jsonObject.optional(),
        id: z
          .union([z.string().max(200), z.number().int().min(-MAX_INTEGER_ID).max(MAX_INTEGER_ID)], {
            error: 'must be a string or a 32-bit integer',
          })
          .optional(),
      },
      objectError('is required: the MCP message to simulate, {method, params, id}'),
    ),
    protocolVersion: z.string({ error: 'must be a string' }).max(50).optional(),
    caller: z
      .strictObject(
        {
          headers: z
            .record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be an object of strings' })
            .optional(),
          clientAddress: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IP address' }).optional(),
          identity: z
            .strictObject(
              {
                principal: z.string().optional(),
                clientId: z.string().optional(),
                clientName: z.string().optional(),
                claims: jsonObject.optional(),
                properties: jsonObject.optional(),
              },
              objectError('must be {principal, clientId, clientName, claims, properties}'),
            )
            .optional(),
        },
        objectError('must be {headers, clientAddress, identity}'),
      )
      .optional(),
    upstreamTools: z.array(jsonObject, { error: 'must be an array of tool definitions' }).max(10_000).optional(),
    upstreamResult: jsonObject.optional(),
    resourceUrl: z.url({ error: 'must be an http:// or https:// URL' }).max(2000).optional(),
  },
  objectError(),
);
export type SimulatePolicyBody = z.output<typeof simulatePolicyBody>;

/** The gateway implementation of a template (policy-catalog implementationAsset). */
const implementationAsset = z.object({
  assetId: z.string(),
  groupId: z.string(),
  version: z.string(),
  technology: z.literal('flexGateway'),
});

const policyMode = z.enum(['enforce', 'shadow']).describe('shadow: would-be denials are logged and counted, the request passes');
const pointcutView = z.unknown().describe('null: the whole API; else [{methodRegex, uriTemplateRegex}]');
const maskedConfiguration = z.record(z.string(), z.unknown()).describe('sensitive values masked');

/** An applied policy in full (policy.view.ts policyView: POST/GET/PATCH answers, `fullInfo=false` list items). */
const appliedPolicyView = z.object({
  audit: auditSchema,
  masterOrganizationId: z.string(),
  organizationId: z.string(),
  id: z.number().int(),
  policyTemplateId: z.string(),
  configurationData: maskedConfiguration,
  order: z.number().int(),
  disabled: z.boolean(),
  mode: policyMode,
  pointcutData: pointcutView,
  groupId: z.string(),
  assetId: z.string(),
  assetVersion: z.string(),
  type: z.literal('system'),
  apiId: z.number().int(),
  label: z.string().nullable(),
  upstreamIds: z.array(z.string()),
  implementationAsset,
});
export type AppliedPolicy = z.output<typeof appliedPolicyView>;

/** The compact `fullInfo=true` list item (policy.view.ts compactPolicyView). */
const compactPolicyView = z.object({
  policyId: z.number().int(),
  policyTemplateId: z.string(),
  type: z.literal('system'),
  version: z.number().int().describe('changes whenever the policy does (its last update time in ms)'),
  order: z.number().int(),
  label: z.string().nullable(),
  pointcutData: pointcutView,
  configuration: maskedConfiguration,
  template: z.object({ groupId: z.string(), assetId: z.string(), assetVersion: z.string() }),
  implementationAsset,
  upstreamIds: z.array(z.string()),
  disabled: z.boolean(),
  mode: policyMode,
});
export type CompactPolicy = z.output<typeof compactPolicyView>;

/** GET …/policies: `fullInfo=true` (default) `{policies}` of the enabled ones, compact; `fullInfo=false` every policy in full. */
export const appliedPolicyList = z.union([z.array(appliedPolicyView), z.object({ policies: z.array(compactPolicyView) })]);

/** A template of the Exchange catalog (policy-template.view.ts exchangeTemplateView, contract §6.4.a). */
export const exchangePolicyTemplate = z.object({
  audit: auditSchema,
  id: z.number().int(),
  groupId: z.string(),
  assetId: z.string(),
  version: z.string(),
  assetVersion: z.string(),
  name: z.string(),
  description: z.string(),
  type: z.literal('policy'),
  category: z.string(),
  isOOTB: z.literal(true),
  enforced: z.boolean().describe('this version’s bundled gateway enforces it'),
  stage: z.literal('release'),
  status: z.literal('published'),
  orgId: z.string(),
  configuration: z.unknown().optional().describe('with includeConfiguration=true: the gateway form (JSON Schema)'),
  allVersions: z.array(z.object({ groupId: z.string(), assetId: z.string(), version: z.string() })).optional(),
});
export type ExchangePolicyTemplate = z.output<typeof exchangePolicyTemplate>;
