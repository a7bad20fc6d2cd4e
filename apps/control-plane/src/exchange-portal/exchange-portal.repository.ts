/**
 * Persistence of asset portals (prisma/schema.prisma, "Exchange portal").
 *
 * The draft and the published portal: while `draftChanged` is false the draft reads as the
 * published portal and has no rows of its own. The first change copies the published pages into
 * `draft` rows (resources, whose bytes never change, only get their `inDraft` flag); publishing
 * moves the draft rows over the published ones, discarding drops them. Every change runs in a
 * transaction holding the asset version's row lock (withAssetLock), so changes to one portal
 * apply one after the other and never to a version deleted meanwhile.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isRecordNotFound, isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';

export type PortalState = 'draft' | 'published';

/** The portal of one asset version: the version's row id, and `group/asset/version` for messages. */
export interface PortalRef {
  assetPk: number;
  coordinates: string;
}

export function pageNotFound(portal: PortalRef, path: string, state: PortalState): DomainError {
  const where = state === 'draft' ? 'the draft of asset' : 'asset';
  return new DomainError('PORTAL_PAGE_NOT_FOUND', `Page ${path} not found in ${where} ${portal.coordinates}`);
}

export function resourceNotFound(portal: PortalRef, fileName: string, state: PortalState): DomainError {
  const where = state === 'draft' ? 'the draft of asset' : 'asset';
  return new DomainError(
    'PORTAL_RESOURCE_NOT_FOUND',
    `Resource resources/${fileName} not found in ${where} ${portal.coordinates}`,
  );
}

function pageExists(portal: PortalRef, path: string): DomainError {
  return new DomainError('PORTAL_PAGE_ALREADY_EXISTS', `Page ${path} already exists in the draft of asset ${portal.coordinates}`);
}

function draftPage(portal: PortalRef, path: string): Prisma.ExchangePortalPageWhereUniqueInput {
  return { portalPk_state_path: { portalPk: portal.assetPk, state: 'draft', path } };
}

/** The resources `state` holds (the two flags are equal while the draft has no changes). */
function resourcesOf(portal: PortalRef, state: PortalState): Prisma.ExchangePortalResourceWhereInput {
  return { portalPk: portal.assetPk, ...(state === 'draft' ? { inDraft: true } : { published: true }) };
}

const resourceMeta = { fileName: true, contentType: true, size: true } as const;

@Injectable()
export class ExchangePortalRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Runs `fn` in a transaction holding the row lock of the portal's asset version (see the
   * header). A version deleted before the lock was taken is ASSET_NOT_FOUND.
   */
  withAssetLock<T>(portal: PortalRef, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      const [asset] = await tx.$queryRaw<{ status: string }[]>`
        SELECT "status" FROM "ExchangeAsset" WHERE "id" = ${portal.assetPk} FOR NO KEY UPDATE`;
      if (!asset || asset.status === 'deleted') {
        throw new DomainError('ASSET_NOT_FOUND', `Asset ${portal.coordinates} not found`);
      }
      return fn(tx);
    });
  }

  /**
   * Runs reads in one snapshot (repeatable read), so that the draft flag and the rows it selects
   * agree even while a publish commits.
   */
  snapshot<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { isolationLevel: 'RepeatableRead' });
  }

  /** Whether the draft differs from the published portal. */
  async draftChanged(tx: Tx, portal: PortalRef): Promise<boolean> {
    const row = await tx.exchangePortal.findUnique({ where: { assetPk: portal.assetPk }, select: { draftChanged: true } });
    return row?.draftChanged ?? false;
  }

  /** Page names of `state`, in the order the pages were created. */
  async pageNames(tx: Tx, portal: PortalRef, state: PortalState): Promise<string[]> {
    const rows = await tx.exchangePortalPage.findMany({
      where: { portalPk: portal.assetPk, state: await this.pageRows(tx, portal, state) },
      select: { path: true },
      orderBy: { id: 'asc' },
    });
    return rows.map((row) => row.path);
  }

  async findPage(tx: Tx, portal: PortalRef, state: PortalState, path: string) {
    const rows = await this.pageRows(tx, portal, state);
    return tx.exchangePortalPage.findUnique({
      where: { portalPk_state_path: { portalPk: portal.assetPk, state: rows, path } },
      select: { path: true, content: true },
    });
  }

  /** Resources of `state`, oldest first, without their bytes. */
  findResources(tx: Tx, portal: PortalRef, state: PortalState) {
    return tx.exchangePortalResource.findMany({
      where: resourcesOf(portal, state),
      select: resourceMeta,
      orderBy: { id: 'asc' },
    });
  }

  findResource(portal: PortalRef, state: PortalState, fileName: string) {
    return this.prisma.exchangePortalResource.findFirst({
      where: { ...resourcesOf(portal, state), fileName },
      select: { ...resourceMeta, content: true },
    });
  }

  /**
   * Gives the draft rows of its own before a change (see the header): creates the portal row and,
   * on the first change since the last publish or discard, copies the published pages.
   */
  async openDraft(tx: Tx, portal: PortalRef): Promise<void> {
    const { assetPk } = portal;
    const row = await tx.exchangePortal.upsert({ where: { assetPk }, create: { assetPk }, update: {} });
    if (row.draftChanged) return;
    const published = await tx.exchangePortalPage.findMany({
      where: { portalPk: assetPk, state: 'published' },
      select: { path: true, content: true },
      orderBy: { id: 'asc' },
    });
    // createMany inserts in array order, so the copies keep the pages' order (ids ascend).
    await tx.exchangePortalPage.createMany({ data: published.map((p) => ({ ...p, portalPk: assetPk, state: 'draft' })) });
    await tx.exchangePortal.update({ where: { assetPk }, data: { draftChanged: true } });
  }

  async createDraftPage(tx: Tx, portal: PortalRef, path: string): Promise<void> {
    try {
      await tx.exchangePortalPage.create({ data: { portalPk: portal.assetPk, state: 'draft', path } });
    } catch (err) {
      if (isUniqueViolation(err)) throw pageExists(portal, path);
      throw err;
    }
  }

  /** Renames a draft page in place: it keeps its content and its place in the order. */
  async renameDraftPage(tx: Tx, portal: PortalRef, from: string, to: string): Promise<void> {
    try {
      await tx.exchangePortalPage.update({ where: draftPage(portal, from), data: { path: to } });
    } catch (err) {
      if (isRecordNotFound(err)) throw pageNotFound(portal, from, 'draft');
      if (isUniqueViolation(err)) throw pageExists(portal, to);
      throw err;
    }
  }

  async writeDraftPage(tx: Tx, portal: PortalRef, path: string, content: string): Promise<void> {
    try {
      await tx.exchangePortalPage.update({ where: draftPage(portal, path), data: { content } });
    } catch (err) {
      if (isRecordNotFound(err)) throw pageNotFound(portal, path, 'draft');
      throw err;
    }
  }

  async deleteDraftPage(tx: Tx, portal: PortalRef, path: string): Promise<void> {
    try {
      await tx.exchangePortalPage.delete({ where: draftPage(portal, path) });
    } catch (err) {
      if (isRecordNotFound(err)) throw pageNotFound(portal, path, 'draft');
      throw err;
    }
  }

  async addDraftResource(tx: Tx, portal: PortalRef, resource: { fileName: string; contentType: string; content: Buffer }) {
    await tx.exchangePortalResource.create({
      data: {
        portalPk: portal.assetPk,
        fileName: resource.fileName,
        contentType: resource.contentType,
        size: resource.content.length,
        content: new Uint8Array(resource.content),
      },
    });
  }

  /**
   * Takes a resource out of the draft: a published one stays published until the next publish,
   * one only the draft had is gone.
   */
  async removeDraftResource(tx: Tx, portal: PortalRef, fileName: string): Promise<void> {
    const row = await tx.exchangePortalResource.findFirst({
      where: { ...resourcesOf(portal, 'draft'), fileName },
      select: { id: true, published: true },
    });
    if (!row) throw resourceNotFound(portal, fileName, 'draft');
    if (row.published) await tx.exchangePortalResource.update({ where: { id: row.id }, data: { inDraft: false } });
    else await tx.exchangePortalResource.delete({ where: { id: row.id } });
  }

  /** The draft becomes the published portal (see the header). False when the draft had no changes. */
  async publishDraft(tx: Tx, portal: PortalRef): Promise<boolean> {
    if (!(await this.draftChanged(tx, portal))) return false;
    const { assetPk } = portal;
    await tx.exchangePortalPage.deleteMany({ where: { portalPk: assetPk, state: 'published' } });
    await tx.exchangePortalPage.updateMany({ where: { portalPk: assetPk, state: 'draft' }, data: { state: 'published' } });
    await tx.exchangePortalResource.deleteMany({ where: { portalPk: assetPk, inDraft: false } });
    await tx.exchangePortalResource.updateMany({ where: { portalPk: assetPk }, data: { published: true } });
    await tx.exchangePortal.update({ where: { assetPk }, data: { draftChanged: false, publishedAt: new Date() } });
    return true;
  }

  /** Drops the draft's changes: it reads as the published portal again. False when it had none. */
  async discardDraft(tx: Tx, portal: PortalRef): Promise<boolean> {
    if (!(await this.draftChanged(tx, portal))) return false;
    const { assetPk } = portal;
    await tx.exchangePortalPage.deleteMany({ where: { portalPk: assetPk, state: 'draft' } });
    await tx.exchangePortalResource.deleteMany({ where: { portalPk: assetPk, published: false } });
    await tx.exchangePortalResource.updateMany({ where: { portalPk: assetPk }, data: { inDraft: true } });
    await tx.exchangePortal.update({ where: { assetPk }, data: { draftChanged: false } });
    return true;
  }

  /** Which rows hold the pages of `state`: the draft reads the published rows until it changes. */
  private async pageRows(tx: Tx, portal: PortalRef, state: PortalState): Promise<PortalState> {
    return state === 'draft' && (await this.draftChanged(tx, portal)) ? 'draft' : 'published';
  }
}
