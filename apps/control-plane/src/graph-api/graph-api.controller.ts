import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type DocumentNode, execute, type ExecutionResult, GraphQLError, parse, specifiedRules, validate } from 'graphql';
import { AccessService } from '../auth/access.service.js';
import { bearerToken } from '../auth/auth.guard.js';
import { Public } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { ApiZodBody } from '../common/openapi.js';
import { validationError, ZodPipe } from '../common/validation.js';
import { AssetFileLinks } from '../exchange/asset-file-links.js';
import { ExchangeAssetsService } from '../exchange/exchange-assets.service.js';
import { exchangeGraphRoot, exchangeGraphSchema } from './exchange-graph.js';
import { graphRequestBody, type GraphRequestBody } from './graph-api.dto.js';
import { graphLimits } from './graph-limits.js';

/** Tokens one query may have (graphql's parser stops past it). */
const MAX_TOKENS = 2000;

/**
 * GraphQL over HTTP, JSON only. A query that does not parse or validate (an unknown field or
 * argument, a limit of graph-limits.ts) is answered 200 with `errors` and no `data`, as GraphQL
 * clients expect of `application/json`; so is a bad argument value. A failure of Portico itself
 * (the database down) is not a GraphQL error: the exception filter answers it (503, 500).
 *
 * Authentication (Exchange Graph API docs): `Authorization: Bearer <token>`, else the token in
 * `variables.accessToken` (anypoint-cli-v4 sends it there); neither means an anonymous query,
 * which sees the public catalog only. An invalid token is a 401, never a silent anonymous query;
 * so is the docs' `Basic` connected-app form, which Portico does not take (a connected app gets
 * a token from /accounts/api/v2/oauth2/token).
 */
@ApiTags('Exchange')
@Controller('graph/api/v2/graphql')
export class GraphApiController {
  constructor(
    private readonly assets: ExchangeAssetsService,
    private readonly links: AssetFileLinks,
    private readonly access: AccessService,
  ) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Query Exchange assets with GraphQL (assets, asset)' })
  @ApiZodBody(graphRequestBody)
  async query(@Body(new ZodPipe(graphRequestBody)) body: GraphRequestBody, @Req() req: FastifyRequest): Promise<ExecutionResult> {
    const principal = await this.callerOf(req.headers.authorization, body.variables ?? {});
    let document: DocumentNode;
    try {
      document = parse(body.query, { maxTokens: MAX_TOKENS });
    } catch (err) {
      if (err instanceof GraphQLError) return { errors: [err] };
      throw err;
    }
    const errors = validate(exchangeGraphSchema, document, [...specifiedRules, graphLimits]);
    if (errors.length) return { errors };
    const context = { principal, links: this.links.forRequest(req), assets: this.assets };
    const result = await execute({
      schema: exchangeGraphSchema,
      document,
      rootValue: exchangeGraphRoot(context),
      variableValues: body.variables ?? undefined,
      operationName: body.operationName ?? undefined,
    });
    const failure = result.errors?.find((e) => e.originalError && !(e.originalError instanceof GraphQLError));
    if (failure) throw failure.originalError;
    return result;
  }

  private async callerOf(authorization: string | undefined, variables: Record<string, unknown>): Promise<Principal | null> {
    if (authorization !== undefined) {
      const token = bearerToken(authorization);
      if (!token) {
        throw new DomainError(
          'UNAUTHENTICATED',
          'The Authorization header must be "Bearer <token>" (a connected app gets a token from /accounts/api/v2/oauth2/token)',
        );
      }
      return this.access.authenticate(token);
    }
    const { accessToken, authorization: basic } = variables;
    if (accessToken !== undefined && accessToken !== null) {
      if (typeof accessToken !== 'string' || !accessToken) {
        throw validationError([{ path: '/body/variables/accessToken', message: 'must be a non-empty string' }]);
      }
      return this.access.authenticate(accessToken);
    }
    if (basic !== undefined) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'variables.authorization (Basic connected-app credentials) is not supported: send a token from /accounts/api/v2/oauth2/token as variables.accessToken',
      );
    }
    return null;
  }
}
