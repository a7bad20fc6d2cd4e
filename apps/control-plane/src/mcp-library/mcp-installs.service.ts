/**
 * Installing a library entry and creating a custom MCP (issue 20): both turn their input into a
 * BackendPlan and hand it to the one composer (backend-composer.service.ts).
 *
 * An install resolves the entry's inputs (install-inputs.ts): a missing required input, an
 * unknown one or an invalid value is a 400 naming it (`variables.tenant is required by
 * io.x/y`); an entry without a streamable-http remote is a 400 saying so. Secret headers go
 * upstream through upstream-credential policies, the others through header-injection.
 *
 * A custom MCP fronts any http(s) MCP endpoint; its connection mode says how the gateway
 * authenticates to it (mcp-library.dto.ts). `oauth-passthrough` needs no policy: the gateway
 * forwards clients' Authorization header as it is and the backend validates it; the instance
 * carries OAUTH_PASSTHROUGH_TAG, from which the backend view reads the mode back
 * (mcp-backend.view.ts). The other modes are read from the policies alone, so they get no tag.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { OAUTH_PASSTHROUGH_TAG } from '../mcp-backends/mcp-backend.view.js';
import { BackendComposerService, type EnvironmentRef } from './backend-composer.service.js';
import { assetVersionOf, type Credential, serverSlug, slugOf } from './backend-plan.js';
import { type InputIssue, type InstallInputs, type Resolution, resolveInstall } from './install-inputs.js';
import type { CustomMcpBody } from './mcp-library.dto.js';
import { McpLibraryService } from './mcp-library.service.js';
import type { ComposedBackend, LibraryEntry } from './mcp-library.view.js';

/** What an install takes: the entry, the target and the inputs (an install body, or an approved request's). */
export interface InstallOrder extends InstallInputs {
  entryId: string;
  targetId: string;
  instanceLabel?: string;
  proxyUri?: string;
}

/** 400 naming the first issue (`variables.tenant is required by io.x/y`), every issue in the details. */
export function inputError(issues: InputIssue[]): DomainError {
  const [first] = issues;
  return new DomainError(
    'MCP_INSTALL_INPUT_INVALID',
    `${first!.path} ${first!.message}`,
    issues.map((i) => ({ path: `/body/${i.path.replace(/\./, '/')}`, message: i.message })),
  );
}

/** The resolution, unless it is an error (thrown). */
export function assertResolved(resolution: Resolution): Extract<Resolution, { kind: 'resolved' }> {
  if (resolution.kind === 'not-installable') throw new DomainError('MCP_LIBRARY_ENTRY_NOT_INSTALLABLE', resolution.message);
  if (resolution.kind === 'invalid') throw inputError(resolution.issues);
  return resolution;
}

@Injectable()
export class McpInstallsService {
  constructor(
    private readonly library: McpLibraryService,
    private readonly composer: BackendComposerService,
  ) {}

  async install(principal: Principal, where: EnvironmentRef, order: InstallOrder): Promise<ComposedBackend> {
    const entry = await this.library.find(where.orgId, order.entryId);
    const { remote } = assertResolved(resolveInstall(entry.server, order));
    const { server } = entry;
    return this.composer.compose(principal, where, {
      asset: {
        base: serverSlug(server.name),
        name: server.title ?? server.name,
        description: server.description,
        version: assetVersionOf(server.version),
        marker: server.name,
      },
      remoteUrl: remote!.url,
      targetId: order.targetId,
      instanceLabel: order.instanceLabel,
      labelBase: server.title ?? serverSlug(server.name),
      proxyUri: order.proxyUri,
      credentials: remote!.secretHeaders.map((h) => ({ name: h.name, value: h.value })),
      injectedHeaders: remote!.plainHeaders,
      tags: ['mcp-library'],
      description: describe(entry),
    });
  }

  async createCustom(principal: Principal, where: EnvironmentRef, body: CustomMcpBody): Promise<ComposedBackend> {
    const connection = body.connection ?? { mode: 'none' as const };
    const credentials: Credential[] =
      connection.mode === 'api-key'
        ? [{ name: connection.headerName ?? 'Authorization', prefix: connection.prefix, value: connection.value! }]
        : [];
    return this.composer.compose(principal, where, {
      asset: {
        base: slugOf(body.name),
        name: body.name,
        description: `Custom MCP server at ${new URL(body.url).host}`,
        version: '1.0.0',
        marker: `custom:${body.url}`,
      },
      remoteUrl: body.url,
      targetId: body.targetId,
      instanceLabel: body.instanceLabel,
      labelBase: body.name,
      proxyUri: body.proxyUri,
      credentials,
      injectedHeaders: [],
      tags: ['custom-mcp', ...(connection.mode === 'oauth-passthrough' ? [OAUTH_PASSTHROUGH_TAG] : [])],
      description: `Custom MCP server ${body.url}`,
    });
  }
}

function describe(entry: LibraryEntry): string {
  return `${entry.server.name} ${entry.server.version} from the MCP library (${entry.source === 'portico' ? 'curated' : 'organization'} entry ${entry.id})`;
}
