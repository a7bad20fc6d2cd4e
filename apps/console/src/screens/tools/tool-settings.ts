/**
 * What a person edits of an MCP backend's tools, and the PUT …/backends/{apiId}/tools body it
 * becomes. The settings live in the instance's mcp-tool-mapping policy (its literal mappings, one
 * per tool); the tools themselves are those the server last listed to the gateways. The PUT
 * replaces every literal mapping, so the body carries each tool's whole setting, including a
 * description override the console does not edit, and the mappings of tools the server no
 * longer lists.
 */
import type { AppliedPolicy, McpTool } from '../../api/resources';

export const TOOL_MAPPING = 'mcp-tool-mapping';

export interface ToolSetting {
  name: string;
  enabled: boolean;
  /** The name clients get; empty: the server's. */
  exposedName: string;
  description?: string;
}

interface Mapping {
  sourceToolName: string;
  mappedToolName?: string;
  mappedDescription?: string;
  mappingType?: 'literal' | 'regex';
  enabled?: boolean;
}

function literalMappings(chain: readonly AppliedPolicy[]): Mapping[] {
  const policy = chain.find((p) => p.assetId === TOOL_MAPPING);
  const mappings = (policy?.configurationData.toolMappings ?? []) as Mapping[];
  return mappings.filter((m) => m.mappingType !== 'regex');
}

function settingOf(name: string, mapping: Mapping | undefined): ToolSetting {
  return {
    name,
    enabled: mapping?.enabled ?? true,
    exposedName: mapping?.mappedToolName ?? '',
    ...(mapping?.mappedDescription !== undefined && { description: mapping.mappedDescription }),
  };
}

/** One setting per tool the server listed (by name, in its order), as the chain configures it. */
export function settingsOf(tools: readonly McpTool[], chain: readonly AppliedPolicy[]): ToolSetting[] {
  const byName = new Map(literalMappings(chain).map((m) => [m.sourceToolName, m]));
  const names = [...new Set(tools.map((t) => t.name))];
  return names.map((name) => settingOf(name, byName.get(name)));
}

/** The PUT body: `settings`, then the mappings of tools not among them, unchanged. */
export function toolsBody(settings: readonly ToolSetting[], chain: readonly AppliedPolicy[]) {
  const shown = new Set(settings.map((s) => s.name));
  const others = literalMappings(chain)
    .filter((m) => !shown.has(m.sourceToolName))
    .map((m) => settingOf(m.sourceToolName, m));
  return {
    tools: [...settings, ...others].map((s) => {
      const exposedName = s.exposedName.trim();
      return {
        name: s.name,
        enabled: s.enabled,
        ...(exposedName && exposedName !== s.name && { exposedName }),
        ...(s.description !== undefined && { description: s.description }),
      };
    }),
  };
}
