/**
 * The URLs of an asset version's files: `downloadURL` (Portico's authenticated route) and
 * `externalLink`, a link that works without the Authorization header, as Exchange's pre-signed
 * S3 links do: anypoint-cli's `asset download` and `asset copy` fetch `externalLink` with no
 * credentials at all.
 *
 * An external link is `…/exchange/api/v2/assets/{g}/{a}/{v}/files/{classifier}/{packaging}/{fileName}?link=<token>`
 * where the token is `<file id>.<expiry>.<HMAC-SHA256 of both>`, keyed with a key derived from
 * the control plane's secret key (common/secret-box.ts), so every control plane sharing that key
 * honours it and nobody else can make one. It names one file, stops working once the version is
 * deleted, and expires at the end of the next UTC day: a link made today is valid for 24 to 48
 * hours, and the same all day long, so reading an asset twice answers the same body. Whoever holds
 * a link can download that one file until then, like a pre-signed URL.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { loadSecretKey } from '../common/secret-box.js';
import { ENV, type Env } from '../config/env.js';
import { publicBaseUrl } from '../config/public-url.js';

const DAY_SECONDS = 86_400;
/** Bytes of the HMAC kept in a token (128 bits). */
const MAC_BYTES = 16;

interface Coordinates {
  groupId: string;
  assetId: string;
  version: string;
}

interface FileMeta {
  id: number;
  classifier: string;
  packaging: string;
}

/** The links of the files of one answer (they share the base URL). */
export interface FileLinks {
  downloadUrl(asset: Coordinates, file: FileMeta): string;
  externalLink(asset: Coordinates, file: FileMeta): string;
}

function filesPath(asset: Coordinates, file: FileMeta): string {
  return [asset.groupId, asset.assetId, asset.version, 'files', file.classifier, file.packaging]
    .map(encodeURIComponent)
    .join('/');
}

/** The name a downloaded file gets (anypoint-cli saves it under the link's last path segment). */
export function linkFileName(asset: Coordinates, file: Omit<FileMeta, 'id'>): string {
  return `${asset.assetId}-${asset.version}-${file.classifier}.${file.packaging}`;
}

@Injectable()
export class AssetFileLinks implements OnModuleInit {
  private key?: Buffer;

  constructor(@Inject(ENV) private readonly env: Env) {}

  async onModuleInit(): Promise<void> {
    const secret = await loadSecretKey(this.env.PORTICO_SECRET_KEY, this.env.dataDir);
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'portico exchange file links', 32));
  }

  /** The links of an answer to `req` (see config/public-url.ts for the base URL). */
  forRequest(req: FastifyRequest): FileLinks {
    const baseUrl = publicBaseUrl(this.env, req);
    const expires = (Math.floor(Date.now() / 1000 / DAY_SECONDS) + 2) * DAY_SECONDS;
    return {
      downloadUrl: (asset, file) => `${baseUrl}/exchange/api/v2/assets/${filesPath(asset, file)}`,
      externalLink: (asset, file) => {
        const name = encodeURIComponent(linkFileName(asset, file));
        return `${baseUrl}/exchange/api/v2/assets/${filesPath(asset, file)}/${name}?link=${this.token(file.id, expires)}`;
      },
    };
  }

  /** The id of the file `token` was made for, unless the token is not one of ours or has expired. */
  fileIdOf(token: string): number | undefined {
    const match = /^(\d{1,10})\.(\d{1,12})\.([\w-]+)$/.exec(token);
    if (!match) return undefined;
    const [, id, expires, mac] = match as unknown as [string, string, string, string];
    const expected = Buffer.from(this.mac(`${id}.${expires}`), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return Number(expires) * 1000 < Date.now() ? undefined : Number(id);
  }

  private token(fileId: number, expires: number): string {
    return `${fileId}.${expires}.${this.mac(`${fileId}.${expires}`)}`;
  }

  private mac(text: string): string {
    if (!this.key) throw new Error('AssetFileLinks used before module init');
    return createHmac('sha256', this.key).update(text).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}
