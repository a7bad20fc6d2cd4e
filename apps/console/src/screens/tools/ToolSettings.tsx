/**
 * The tools of an MCP instance (seed 003: "review available tools and disable tools that should
 * not be exposed"): each tool its server last listed to the gateways, whether clients get it, the
 * name they get it under, and what the gateways do with it now (listed, renamed, hidden by which
 * policy). Saving writes the settings as the instance's MCP Tool Mapping policy
 * (PUT …/backends/{apiId}/tools); REST errors show at the tool they name.
 */
import { useState } from 'react';
import { ApiError } from '../../api/errors';
import type { McpTool } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { usePolicies, usePolicyTemplates } from '../apis/queries';
import { useInstanceWrite } from '../policies/policy-writes';
import { saveTools, useTools } from './queries';
import { settingsOf, type ToolSetting, toolsBody } from './tool-settings';

export function ToolSettings(props: { apiId: string }) {
  const { orgId, envId } = useScope();
  const tools = useTools(orgId, envId, props.apiId);
  const chain = usePolicies(orgId, envId, props.apiId);
  const templates = usePolicyTemplates(orgId, envId, props.apiId);
  const [draft, setDraft] = useState<ToolSetting[] | undefined>();
  const save = useInstanceWrite(props.apiId, saveTools, () => setDraft(undefined));

  const policyName = (assetId: string) => templates.data?.find((t) => t.assetId === assetId)?.name ?? assetId;
  const list = tools.data?.tools ?? [];
  const settings = draft ?? (chain.data ? settingsOf(list, chain.data) : []);
  const edit = (index: number, change: Partial<ToolSetting>) =>
    setDraft(settings.map((s, i) => (i === index ? { ...s, ...change } : s)));
  const failure = save.error instanceof ApiError ? save.error : undefined;
  const toolOf = (setting: ToolSetting) => list.find((t) => t.name === setting.name);
  const columns: Column<ToolSetting>[] = [
    {
      header: 'Tool',
      rowHeader: true,
      cell: (setting) => {
        const description = toolOf(setting)?.description;
        return (
          <>
            <code>{setting.name}</code>
            {description && <p className="muted tool-description">{description}</p>}
          </>
        );
      },
    },
    {
      header: 'Exposed',
      cell: (setting, i) => (
        <input
          type="checkbox"
          aria-label={`Expose ${setting.name}`}
          checked={setting.enabled}
          onChange={(e) => edit(i, { enabled: e.target.checked })}
        />
      ),
    },
    {
      header: 'Name clients see',
      cell: (setting, i) => {
        const error = failure?.fieldMessage(`tools.${i}`);
        const errorId = `tool-${i}-error`;
        return (
          <>
            <input
              aria-label={`Name clients see for ${setting.name}`}
              placeholder={setting.name}
              value={setting.exposedName}
              onChange={(e) => edit(i, { exposedName: e.target.value })}
              {...(error && { 'aria-invalid': true, 'aria-describedby': errorId })}
            />
            {error && (
              <p id={errorId} className="field-error">
                {error}
              </p>
            )}
          </>
        );
      },
    },
    { header: 'Status', cell: (setting) => stateOf(toolOf(setting), policyName) },
  ];

  return (
    <section className="tool-settings" aria-labelledby="tools-title">
      <h2 id="tools-title">Tools</h2>
      <ErrorMessage error={tools.error ?? chain.error} />
      {tools.data && list.length === 0 && (
        <p>No tools seen yet: the list fills in once a client lists the server&apos;s tools through the gateway.</p>
      )}
      {list.length > 0 && chain.data && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(toolsBody(settings, chain.data));
          }}
        >
          <DataTable columns={columns} rows={settings} rowKey={(setting) => setting.name} />
          <ErrorMessage error={generalMessage(save.error)} />
          <div className="actions">
            <button
              type="button"
              disabled={!draft}
              onClick={() => {
                setDraft(undefined);
                save.reset();
              }}
            >
              Discard changes
            </button>
            <button type="submit" className="primary" disabled={!draft || save.isPending}>
              Save tool settings
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** What of a failed save no tool row shows. */
function generalMessage(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.status === 403) return 'You need the Configure MCP Tools permission in this environment to change the tools.';
  return Object.keys(error.fields).length === 0 ? error : error.fields.tools;
}

function stateOf(tool: McpTool | undefined, policyName: (assetId: string) => string): string {
  if (!tool?.listed) return 'No longer listed by the server';
  if (!tool.enabled) return tool.hiddenBy ? `Hidden by ${policyName(tool.hiddenBy.policyType)}` : 'Hidden';
  return tool.exposedName && tool.exposedName !== tool.name ? `Listed as ${tool.exposedName}` : 'Listed';
}
