/**
 * The portal of an asset version: its documentation pages (markdown) and the resources (files)
 * they link to, published and in a draft, as Exchange's "Asset Documentation" describes them:
 * contributors change the draft, then publish it; readers see the published portal only.
 *
 * Permissions follow Exchange's: the published portal is read by whoever may read the asset
 * (`read:exchange` in its organization, or a public asset); the draft is read and changed with
 * `create:exchange` (Exchange Contributor) in the asset's organization. An asset the caller may
 * not read is a 404, as in the rest of Exchange; the built-in policy catalog is read-only (403).
 * Publishing is recorded in the audit trail as an update of the asset version, with the published
 * pages and resources before and after; draft changes are not, as they change nothing readers see.
 */
import { Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { ExchangeAssetsService } from '../exchange/exchange-assets.service.js';
import type { ExchangeAsset } from '../generated/prisma/client.js';
import type { AssetParams, PageParams, PortalPage, PortalResource, PortalView, ResourceParams } from './exchange-portal.dto.js';
import {
  ExchangePortalRepository,
  pageNotFound,
  type PortalRef,
  type PortalState,
  resourceNotFound,
} from './exchange-portal.repository.js';
import { mediaTypeOf, resourceFileName } from './resource-file.js';
import type { ResourceUpload } from './resource-upload.js';

/** What a caller does with a portal: read the published side, read the draft, or change the draft. */
type Use = 'read' | 'read-draft' | 'change';

const pageItem = (path: string): PortalPage => ({ path, name: path });
const resourcePath = (fileName: string) => `resources/${fileName}`;

@Injectable()
export class ExchangePortalService {
  constructor(
    private readonly repo: ExchangePortalRepository,
    private readonly assets: ExchangeAssetsService,
    private readonly access: AccessService,
    private readonly audit: AuditTrailService,
  ) {}

  /** The draft status and the pages of `state` (GET …/portal, …/portal/draft). */
  async view(principal: Principal, a: AssetParams, state: PortalState): Promise<PortalView> {
    const { portal } = await this.open(principal, a, readUse(state));
    return this.repo.snapshot(async (tx) => ({
      draftStatus: (await this.repo.draftChanged(tx, portal)) ? 'NOT_PUBLISHED' : 'PUBLISHED',
      pages: (await this.repo.pageNames(tx, portal, state)).map(pageItem),
    }));
  }

  async pages(principal: Principal, a: AssetParams, state: PortalState): Promise<PortalPage[]> {
    const { portal } = await this.open(principal, a, readUse(state));
    return (await this.repo.snapshot((tx) => this.repo.pageNames(tx, portal, state))).map(pageItem);
  }

  async page(principal: Principal, p: PageParams, state: PortalState): Promise<{ path: string; content: string }> {
    const { portal } = await this.open(principal, p, readUse(state));
    const page = await this.repo.snapshot((tx) => this.repo.findPage(tx, portal, state, p.pagePath));
    if (!page) throw pageNotFound(portal, p.pagePath, state);
    return page;
  }

  async resources(principal: Principal, a: AssetParams, state: PortalState): Promise<PortalResource[]> {
    const { portal } = await this.open(principal, a, readUse(state));
    const rows = await this.repo.snapshot((tx) => this.repo.findResources(tx, portal, state));
    return rows.map((r) => ({ path: resourcePath(r.fileName) }));
  }

  async resource(principal: Principal, r: ResourceParams, state: PortalState) {
    const { portal } = await this.open(principal, r, readUse(state));
    const resource = await this.repo.findResource(portal, state, r.resourceId);
    if (!resource) throw resourceNotFound(portal, r.resourceId, state);
    return resource;
  }

  /** Creates an empty draft page `path`, or renames draft page `moveSource` to `path`. */
  async createPage(principal: Principal, a: AssetParams, path: string, moveSource: string | undefined): Promise<void> {
    await this.change(principal, a, async (tx, portal) => {
      if (moveSource === undefined) await this.repo.createDraftPage(tx, portal, path);
      else await this.repo.renameDraftPage(tx, portal, moveSource, path);
    });
  }

  /** Replaces the markdown of a draft page, which must exist (created by POST …/draft/pages). */
  async writePage(principal: Principal, p: PageParams, content: string): Promise<void> {
    await this.change(principal, p, (tx, portal) => this.repo.writeDraftPage(tx, portal, p.pagePath, content));
  }

  async deletePage(principal: Principal, p: PageParams): Promise<void> {
    await this.change(principal, p, (tx, portal) => this.repo.deleteDraftPage(tx, portal, p.pagePath));
  }

  /**
   * Adds the file `read` reads from the request to the draft; answers the path pages link to it
   * by. The body is read only once the caller may change the portal.
   */
  async uploadResource(principal: Principal, a: AssetParams, read: () => Promise<ResourceUpload>): Promise<PortalResource> {
    const { portal } = await this.open(principal, a, 'change');
    const upload = await read();
    const fileName = resourceFileName(upload.filename);
    const contentType = upload.contentType ?? mediaTypeOf(fileName);
    await this.onDraft(portal, (tx) =>
      this.repo.addDraftResource(tx, portal, { fileName, contentType, content: upload.content }),
    );
    return { path: resourcePath(fileName) };
  }

  async deleteResource(principal: Principal, r: ResourceParams): Promise<void> {
    await this.change(principal, r, (tx, portal) => this.repo.removeDraftResource(tx, portal, r.resourceId));
  }

  /** Publishes the draft; a draft without changes leaves everything as it is. */
  async publish(principal: Principal, a: AssetParams): Promise<void> {
    const { asset, portal } = await this.open(principal, a, 'change');
    await this.repo.withAssetLock(portal, async (tx) => {
      const before = await this.published(tx, portal);
      if (!(await this.repo.publishDraft(tx, portal))) return;
      await this.audit.record(tx, {
        organizationId: asset.organizationId,
        action: 'update',
        resource: { type: 'exchange-asset', id: portal.coordinates, name: asset.name },
        before: { portal: before },
        after: { portal: await this.published(tx, portal) },
      });
    });
  }

  /** Discards the draft's changes (DELETE …/portal/draft). */
  async discard(principal: Principal, a: AssetParams): Promise<void> {
    const { portal } = await this.open(principal, a, 'change');
    await this.repo.withAssetLock(portal, (tx) => this.repo.discardDraft(tx, portal));
  }

  /** Runs `fn` on the draft once the caller may change it (see the header). */
  private async change(principal: Principal, a: AssetParams, fn: (tx: Tx, portal: PortalRef) => Promise<void>): Promise<void> {
    const { portal } = await this.open(principal, a, 'change');
    await this.onDraft(portal, (tx) => fn(tx, portal));
  }

  /** Runs `fn` holding the asset version's lock, on a draft made the draft's own first. */
  private onDraft(portal: PortalRef, fn: (tx: Tx) => Promise<void>): Promise<void> {
    return this.repo.withAssetLock(portal, async (tx) => {
      await this.repo.openDraft(tx, portal);
      await fn(tx);
    });
  }

  /** The published pages and resources, as the audit trail shows them. */
  private async published(tx: Tx, portal: PortalRef) {
    return {
      pages: await this.repo.pageNames(tx, portal, 'published'),
      resources: (await this.repo.findResources(tx, portal, 'published')).map((r) => resourcePath(r.fileName)),
    };
  }

  /** The asset version's portal when the caller may `use` it (see the header), else the error that says why not. */
  private async open(principal: Principal, a: AssetParams, use: Use): Promise<{ asset: ExchangeAsset; portal: PortalRef }> {
    const coordinates = `${a.groupId}/${a.assetId}/${a.version}`;
    const asset =
      use === 'change'
        ? await this.assets.findChangeableAsset(principal, a, 'its documentation cannot be changed')
        : await this.assets.findVisibleAsset(principal, a.groupId, a.assetId, a.version);
    if (!asset) throw new DomainError('ASSET_NOT_FOUND', `Asset ${coordinates} not found`);
    if (use === 'read-draft') {
      await this.access.assertScope(principal, { scope: 'create:exchange', organizationId: asset.organizationId });
    }
    return { asset, portal: { assetPk: asset.id, coordinates } };
  }
}

function readUse(state: PortalState): Use {
  return state === 'draft' ? 'read-draft' : 'read';
}
