/**
 * The MCP library, installs and install requests as the REST API shows them. Secrets never
 * appear: an install request lists the names of the secret inputs it holds sealed, never their
 * values.
 */
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { describeInputs } from './install-inputs.js';
import type { composedBackendSchema, InstallRequestView, LibraryEntryView } from './mcp-library.dto.js';
import type { RequestRecord } from './mcp-library.repository.js';
import { installableRemotes, type ServerJson } from './server-json.js';

/** How the library names a principal in what it stores: a user's id, a connected app's client id. */
export function storedActorId(principal: Principal): string {
  return principal.kind === 'user' ? principal.id : principal.name;
}

/** A library entry: curated (shipped with Portico) or the organization's own. */
export interface LibraryEntry {
  id: string;
  source: 'portico' | 'organization';
  server: ServerJson;
  /** the user id or connected app client id that added it; null for curated entries */
  createdBy: string | null;
  createdAt: Date | null;
}

export function entryView(entry: LibraryEntry): LibraryEntryView {
  const { server } = entry;
  const [first] = installableRemotes(server);
  return {
    id: entry.id,
    source: entry.source,
    name: server.name,
    version: server.version,
    title: server.title ?? null,
    description: server.description,
    websiteUrl: server.websiteUrl ?? null,
    /** a gateway can front it: it has a streamable-http remote */
    installable: first !== undefined,
    /** what an install of its first streamable-http remote asks for */
    inputs: first ? describeInputs(first.remote) : [],
    server,
    createdBy: entry.createdBy,
    createdAt: entry.createdAt?.toISOString() ?? null,
  };
}

export type EntryView = ReturnType<typeof entryView>;

/** What an install (or a custom MCP creation) made, in one answer. */
export type ComposedBackend = z.output<typeof composedBackendSchema>;

/** The stored, non-secret inputs of an install request (McpInstallRequest.inputs). */
export interface StoredRequestInputs {
  instanceLabel?: string;
  proxyUri?: string;
  remote?: number;
  variables?: Record<string, string>;
  headers?: Record<string, string>;
  /** names of the secret inputs sealed in sealedSecrets (`headers.Authorization`) */
  sealed?: string[];
  /** secret inputs the entry requires that the requester left for the approver */
  missingSecrets?: string[];
}

export type { RequestRecord } from './mcp-library.repository.js';

export function requestView(request: RequestRecord): InstallRequestView {
  const inputs = (request.inputs ?? {}) as StoredRequestInputs;
  return {
    id: request.id,
    organizationId: request.organizationId,
    environmentId: request.environmentId,
    entry: { id: request.entryId, name: request.entryName, version: request.entryVersion },
    targetId: request.targetId,
    reason: request.reason,
    // a plain string column, written only as one of REQUEST_STATUSES
    status: request.status as InstallRequestView['status'],
    inputs: {
      instanceLabel: inputs.instanceLabel ?? null,
      proxyUri: inputs.proxyUri ?? null,
      remote: inputs.remote ?? null,
      variables: inputs.variables ?? {},
      headers: inputs.headers ?? {},
    },
    /** secret inputs the request holds (encrypted; never shown) */
    secretInputs: inputs.sealed ?? [],
    /** secret inputs the approver must give */
    missingSecrets: inputs.missingSecrets ?? [],
    requestedBy: request.requestedBy,
    requestedByName: request.requestedByName,
    decidedBy: request.decidedBy,
    decidedByName: request.decidedByName,
    decidedAt: request.decidedAt?.toISOString() ?? null,
    comment: request.comment,
    apiId: request.apiId,
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
  };
}

export type RequestView = ReturnType<typeof requestView>;
