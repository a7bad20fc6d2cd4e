import { Controller, Delete, Get, HttpCode, Param, Query, Res } from '@nestjs/common';
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
  async callback(@Query(new ZodPipe(callbackQuery)) query: CallbackQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const parameters = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    const page = await this.oauth.callback(parameters);
    void reply
      .status(page.status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return html(page);
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

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function html(page: CallbackPage): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(page.title)} · Portico</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}</style></head>
<body><main><h1>${escape(page.title)}</h1><p>${escape(page.message)}</p></main></body></html>
`;
}
