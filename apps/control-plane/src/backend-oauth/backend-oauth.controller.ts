import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, RequireScope } from '../auth/decorators.js';
import { ZodPipe } from '../common/validation.js';
import { type CallbackQuery, callbackQuery } from './backend-oauth.dto.js';
import { BackendOAuthService, type CallbackPage } from './backend-oauth.service.js';

const CONNECTIONS = 'api/v1/organizations/:orgId/environments/:envId/backends/:apiId/oauth-connections';

/** Gateway-managed OAuth: the browser callback of the users' authorizations, and the connections for operators. */
@ApiTags('MCP backends')
@Controller('mcpgateway')
export class BackendOAuthController {
  constructor(private readonly oauth: BackendOAuthService) {}

  /** Where authorization servers send the user's browser back; answers a small page, never JSON. */
  @ApiExcludeEndpoint()
  @Public()
  @Get('api/v1/oauth/callback')
  async callback(
    @Query(new ZodPipe(callbackQuery)) query: CallbackQuery,
    @Headers('cookie') cookie: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return page(reply, await this.oauth.callback(searchParameters(query), cookie));
  }

  /** Where the sign-in issuer sends the user's browser back: on to the backend's authorization server (303), or a page. */
  @ApiExcludeEndpoint()
  @Public()
  @Get('api/v1/oauth/signin-callback')
  async signInCallback(
    @Query(new ZodPipe(callbackQuery)) query: CallbackQuery,
    @Headers('cookie') cookie: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const next = await this.oauth.signInCallback(searchParameters(query), cookie);
    if ('status' in next) return page(reply, next);
    return seeOther(reply, next.redirect);
  }

  /** The consent page the agent's user is sent to: whom the connection is for, and a button. */
  @ApiExcludeEndpoint()
  @Public()
  @Get('api/v1/oauth/consents/:state')
  async consent(@Param('state') state: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return page(reply, await this.oauth.consentPage(state));
  }

  /** The consent page's button: on to the authorization server (303), from Portico's own page only. */
  @ApiExcludeEndpoint()
  @Public()
  @HttpCode(303)
  @Post('api/v1/oauth/consents/:state')
  async continue(
    @Param('state') state: string,
    @Headers('origin') origin: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const next = await this.oauth.continueConsent(state, origin, cookie);
    if ('status' in next) return page(reply, next);
    if (next.setCookie) void reply.header('set-cookie', next.setCookie);
    return seeOther(reply, next.redirect);
  }

  @ApiOperation({
    summary: "List the users' OAuth connections of an MCP backend",
    description: 'Gateway-managed OAuth: who authorized Portico at the backend, and until when. Never a token.',
  })
  @RequireScope('read:api_configuration')
  @Get(CONNECTIONS)
  list(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId') apiId: string) {
    return this.oauth.listConnections({ organizationId: orgId, environmentId: envId }, apiId);
  }

  @ApiOperation({
    summary: "Revoke a user's OAuth connection",
    description:
      'Tells the authorization server (RFC 7009, best effort) and forgets the tokens; the user is asked to authorize again.',
  })
  @RequireScope('update:mcp_backends')
  @HttpCode(204)
  @Delete(`${CONNECTIONS}/:connectionId`)
  async revoke(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('connectionId') connectionId: string,
  ): Promise<void> {
    await this.oauth.revokeConnection({ organizationId: orgId, environmentId: envId }, apiId, connectionId);
  }
}

function searchParameters(query: CallbackQuery): URLSearchParams {
  return new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A 303 to `location` that no cache keeps and that tells the next site nothing of this URL (it holds the state). */
function seeOther(reply: FastifyReply, location: string): string {
  void reply
    .status(303)
    .header('location', location)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer');
  return '';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * Sends `content` as a small HTML page that no cache keeps, no other site frames and that tells
 * no other site its URL (it holds the state). `same-origin`, not `no-referrer`: with no-referrer
 * browsers send `Origin: null` on the page's own form POST, which the button requires to be ours.
 */
function page(reply: FastifyReply, content: CallbackPage): string {
  void reply
    .status(content.status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'same-origin')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https: http:; frame-ancestors 'none'",
    );
  const form = content.action ? `<form method="post"><button type="submit">${escape(content.action)}</button></form>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(content.title)} · Portico</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}button{font:inherit;padding:.5rem 1.25rem}</style></head>
<body><main><h1>${escape(content.title)}</h1><p>${escape(content.message)}</p>${form}</main></body></html>
`;
}
