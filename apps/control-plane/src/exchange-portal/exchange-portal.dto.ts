import { z } from 'zod';
import { objectError } from '../common/validation.js';

export const PAGE_NAME_MAX_LENGTH = 128;

/**
 * Characters a page name may not hold. anypoint-cli puts the name into the URL as it is
 * (`…/portal/draft/pages/<name>`), so a name must read back as the same single path segment:
 * no `/` (Portico's pages have no folders), and nothing a URL gives another meaning (`\` `?` `#`
 * `%`) or that is not text (control characters).
 */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const NOT_IN_PAGE_NAME = /[/\\?#%\u0000-\u001f\u007f]/;

/** A page name, which is also its path (`home` is the main page, `.terms` the terms and conditions). */
export const pageName = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .min(1, 'is required')
  .max(PAGE_NAME_MAX_LENGTH, `must be at most ${PAGE_NAME_MAX_LENGTH} characters`)
  .refine((name) => !NOT_IN_PAGE_NAME.test(name), 'must not contain /, \\, ?, #, % or control characters')
  .refine((name) => name.trim() === name, 'must not start or end with a space')
  .refine((name) => name !== '.' && name !== '..', 'must not be . or ..');

/** The version of an asset, as every portal route names it. */
export const assetParams = z.object({ groupId: z.string(), assetId: z.string(), version: z.string() });
export const pageParams = assetParams.extend({ pagePath: pageName });
export const resourceParams = assetParams.extend({ resourceId: z.string() });

/**
 * POST …/portal/draft/pages: creates an empty page, or with `x-move-source: <page>` renames that
 * page to `pagePath` (anypoint-cli `page modify`).
 */
export const createPageBody = z.strictObject({ pagePath: pageName }, objectError('must be an object {pagePath}'));

/** `x-move-source`: the draft page a POST …/portal/draft/pages renames. */
export const moveSourceHeader = z.object({ 'x-move-source': pageName.optional() });

export const portalPage = z.object({ path: z.string(), name: z.string() });

/** GET …/portal and …/portal/draft (Exchange `PortalPages`). */
export const portalView = z.object({
  /** NOT_PUBLISHED: the draft holds changes the published portal does not have */
  draftStatus: z.enum(['PUBLISHED', 'NOT_PUBLISHED']),
  pages: z.array(portalPage),
});

/** A resource as lists show it and an upload answers: the path pages link to it by. */
export const portalResource = z.object({ path: z.string() });

export type AssetParams = z.output<typeof assetParams>;
export type PageParams = z.output<typeof pageParams>;
export type ResourceParams = z.output<typeof resourceParams>;
export type CreatePageBody = z.output<typeof createPageBody>;
export type PortalPage = z.output<typeof portalPage>;
export type PortalView = z.output<typeof portalView>;
export type PortalResource = z.output<typeof portalResource>;
