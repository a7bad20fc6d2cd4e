/**
 * Tool configuration of an MCP backend (seed 003: "review available tools and disable tools that
 * should not be exposed"): the tools its server listed to the gateways (the AI inventory's
 * observation), each with whether clients get it and under which name, and the change of that,
 * written as the instance's mcp-tool-mapping policy so the gateways enforce exactly what is
 * shown. The policy's regex mappings, which name no single tool, are kept as they are.
 */
import { Injectable } from '@nestjs/common';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { DomainError } from '../common/domain-error.js';
import { inventoryQuery } from '../mcp-inventory/mcp-inventory.dto.js';
import { McpInventoryService } from '../mcp-inventory/mcp-inventory.service.js';
import { type ApiRef, PoliciesService } from '../policies/policies.service.js';
import type { BackendToolList, BackendToolsBody } from './mcp-backends.dto.js';

const TOOL_MAPPING = { assetId: 'mcp-tool-mapping', version: '1.0.0' };

interface ToolMapping {
  sourceToolName: string;
  mappedToolName?: string;
  mappedDescription?: string;
  mappingType?: 'literal' | 'regex';
  enabled?: boolean;
}

@Injectable()
export class BackendToolsService {
  constructor(
    private readonly inventory: McpInventoryService,
    private readonly policies: PoliciesService,
  ) {}

  /** The tools as last observed, with what clients get of them. */
  async list(ref: ApiRef): Promise<BackendToolList> {
    const answer = await this.inventory.inventory(
      ref.orgId,
      ref.envId,
      inventoryQuery.parse({ apiId: ref.apiId, includeDisabled: 'true' }),
      false,
    );
    const row = answer.format === 'json' ? answer.body.data[0] : undefined;
    if (!row) throw new DomainError('API_NOT_FOUND', `MCP backend ${ref.apiId} not found`);
    return {
      total: row.tools.length,
      tools: row.tools.map((t) => ({
        name: t.name,
        upstreamName: t.upstreamName,
        description: t.description,
        listed: t.listed,
        enabled: t.enabled,
        exposedName: t.exposedName,
        hiddenBy: t.hiddenBy,
        firstSeenAt: t.firstSeenAt,
        lastSeenAt: t.lastSeenAt,
      })),
    };
  }

  /** Replaces the per-tool settings; tools not named keep the server's name and stay enabled. */
  async set(ref: ApiRef, body: BackendToolsBody) {
    await this.list(ref);
    const chain = (await this.policies.list(ref, false)) as {
      id: number;
      assetId: string;
      configurationData: { toolMappings?: ToolMapping[] };
    }[];
    const existing = chain.find((p) => p.assetId === TOOL_MAPPING.assetId);
    const kept = (existing?.configurationData.toolMappings ?? []).filter((m) => m.mappingType === 'regex');
    const literal = body.tools
      .filter((t) => !t.enabled || t.exposedName !== undefined || t.description !== undefined)
      .map((t): ToolMapping => ({
        sourceToolName: t.name,
        mappingType: 'literal',
        enabled: t.enabled,
        ...(t.exposedName === undefined ? {} : { mappedToolName: t.exposedName }),
        ...(t.description === undefined ? {} : { mappedDescription: t.description }),
      }));
    const toolMappings = [...literal, ...kept];
    if (!toolMappings.length) {
      if (existing) await this.policies.remove(ref, existing.id);
    } else if (existing) {
      await this.policies.update(ref, existing.id, { configurationData: { toolMappings } });
    } else {
      await this.policies.apply(
        ref,
        {
          groupId: POLICY_GROUP_ID,
          assetId: TOOL_MAPPING.assetId,
          assetVersion: TOOL_MAPPING.version,
          configurationData: { toolMappings },
        },
        false,
      );
    }
    return this.list(ref);
  }
}
