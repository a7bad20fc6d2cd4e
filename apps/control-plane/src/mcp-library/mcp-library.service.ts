/**
 * The MCP library of an organization (issue 20): Portico's curated entries and the
 * organization's own, both in the MCP Registry's server.json format.
 *
 * Reading needs only to see the organization: entries describe public servers, not anything of
 * the organization, and people who may only request installs must be able to choose one. An
 * import takes one server.json or a registry export; every server is validated before anything
 * is written, and all are written in one transaction or none (a name@version the organization
 * already has is a 409 naming it). Curated entries cannot be deleted.
 *
 * Audit: each imported entry is a `create` of an `mcp-library-entry`, a delete a `delete`.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { isUuid } from '../auth/access.service.js';
import { DomainError } from '../common/domain-error.js';
import { CuratedLibrary } from './curated-library.js';
import type { ListLibraryQuery } from './mcp-library.dto.js';
import { McpLibraryRepository } from './mcp-library.repository.js';
import { entryView, type LibraryEntry, storedActorId } from './mcp-library.view.js';
import type { ServerJson } from './server-json.js';
import { validateLibraryDocument } from './server-json.js';

type EntryRow = NonNullable<Awaited<ReturnType<McpLibraryRepository['findEntry']>>>;

function fromRow(row: EntryRow): LibraryEntry {
  return {
    id: row.id,
    source: 'organization',
    server: row.server as unknown as ServerJson,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

function matches(entry: LibraryEntry, search: string): boolean {
  const needle = search.toLowerCase();
  return [entry.server.name, entry.server.title, entry.server.description].some((text) => text?.toLowerCase().includes(needle));
}

@Injectable()
export class McpLibraryService {
  constructor(
    private readonly repo: McpLibraryRepository,
    private readonly curated: CuratedLibrary,
    private readonly audit: AuditTrailService,
  ) {}

  /** Curated entries first, then the organization's; both by name and version. */
  async list(organizationId: string, query: ListLibraryQuery) {
    const curated =
      query.search === undefined ? this.curated.entries : this.curated.entries.filter((e) => matches(e, query.search!));
    const fromCurated = curated.slice(query.offset, query.offset + query.limit);
    const own = await this.repo.findEntries(organizationId, query.search, {
      skip: Math.max(0, query.offset - curated.length),
      take: query.limit - fromCurated.length,
    });
    return { total: curated.length + own.total, data: [...fromCurated, ...own.rows.map(fromRow)].map(entryView) };
  }

  async get(organizationId: string, id: string) {
    return entryView(await this.find(organizationId, id));
  }

  /** The entry `id` of the library of `organizationId`, or 404. */
  async find(organizationId: string, id: string): Promise<LibraryEntry> {
    const curated = isUuid(id) ? this.curated.find(id) : undefined;
    if (curated) return curated;
    const row = isUuid(id) ? await this.repo.findEntry(organizationId, id) : null;
    if (!row) throw new DomainError('MCP_LIBRARY_ENTRY_NOT_FOUND', `MCP library entry ${id} not found`);
    return fromRow(row);
  }

  /** Imports every server of `document` (see the header); answers the new entries. */
  async import(principal: Principal, organizationId: string, document: unknown) {
    const result = validateLibraryDocument(document);
    if (!result.valid) {
      const [first] = result.issues;
      throw new DomainError(
        'MCP_SERVER_JSON_INVALID',
        `body${first!.path.replace(/\//g, '.')}: ${first!.message}`,
        result.issues.slice(0, 100).map((i) => ({ path: `/body${i.path}`, message: i.message })),
      );
    }
    const taken = await this.repo.existingVersions(organizationId, result.servers);
    if (taken.length) {
      throw new DomainError(
        'MCP_LIBRARY_ENTRY_ALREADY_EXISTS',
        `The library already holds ${taken.join(', ')}; import other versions`,
      );
    }
    const createdBy = storedActorId(principal);
    const entries = await this.repo.transaction(async (tx) => {
      const created: LibraryEntry[] = [];
      for (const server of result.servers) {
        const entry = fromRow(await this.repo.createEntry(tx, organizationId, server, createdBy));
        await this.audit.record(tx, {
          organizationId,
          action: 'create',
          resource: { type: 'mcp-library-entry', id: entry.id, name: `${server.name}@${server.version}` },
          after: entryView(entry),
        });
        created.push(entry);
      }
      return created;
    });
    return { total: entries.length, data: entries.map(entryView) };
  }

  async delete(organizationId: string, id: string): Promise<void> {
    const entry = await this.find(organizationId, id);
    if (entry.source === 'portico') {
      throw new DomainError(
        'MCP_LIBRARY_ENTRY_READ_ONLY',
        `${entry.server.name}@${entry.server.version} is a curated entry shipped with Portico; curated entries cannot be deleted`,
      );
    }
    await this.repo.transaction(async (tx) => {
      if (!(await this.repo.deleteEntry(tx, organizationId, id))) {
        throw new DomainError('MCP_LIBRARY_ENTRY_NOT_FOUND', `MCP library entry ${id} not found`);
      }
      await this.audit.record(tx, {
        organizationId,
        action: 'delete',
        resource: { type: 'mcp-library-entry', id, name: `${entry.server.name}@${entry.server.version}` },
        before: entryView(entry),
      });
    });
  }
}
