import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { AccessLogsService } from './access-logs.service.js';
import {
  type AccessLogFilters,
  accessLogPage,
  accessLogsQuery,
  type AccessLogsQuery,
  mcpAnalytics,
  mcpAnalyticsQuery,
  type McpAnalyticsQuery,
  workflowGraph,
  workflowGraphQuery,
} from './analytics.dto.js';

/**
 * Portico's MCP-aware reads of access events, beside Anypoint's Analytics Event API under its
 * `/analytics/1.0/{orgId}/environments/{envId}` prefix: the same permission, scope and data, with
 * MCP fields (method, tool, session, verdicts, DLP) Anypoint's event report has no place for.
 */
@ApiTags('Analytics')
@Controller('analytics/1.0/:orgId/environments/:envId')
export class AccessLogsController {
  constructor(private readonly logs: AccessLogsService) {}

  @Get('access-logs')
  @RequireScope('read:analytics')
  @ApiOperation({
    summary: 'Search access logs: one event per MCP exchange, newest first, with cursor pagination',
    description:
      'Answers `{ from, to, data: [event], nextCursor }`; pass `nextCursor` as `cursor` for the next page (null on the last).',
  })
  @ApiZodResponse(200, accessLogPage, 'One page of events and the cursor of the next')
  search(@Param('envId') envId: string, @Query(new ZodPipe(accessLogsQuery)) query: AccessLogsQuery) {
    return this.logs.search(envId, query);
  }

  @Get('mcp-analytics')
  @RequireScope('read:analytics')
  @ApiOperation({
    summary: 'MCP traffic analytics: totals, timeline, methods, top tools/resources/prompts, errors, policies, clients',
    description:
      'Answers `{ from, to, interval, totals, timeline, methods, tools, resources, prompts, errors, policies, clientApplications }`;' +
      ' counts carry requests, errors, errorRate, denials, shadowDenials and latencyMs { p50, p90, p99 }.',
  })
  @ApiZodResponse(200, mcpAnalytics, 'Totals, timeline and usage per method, tool, error, policy and client application')
  analytics(@Param('envId') envId: string, @Query(new ZodPipe(mcpAnalyticsQuery)) query: McpAnalyticsQuery) {
    return this.logs.analytics(envId, query);
  }

  @Get('workflow-graph')
  @RequireScope('read:analytics')
  @ApiOperation({
    summary: 'Workflow graph: agent → MCP instance → tool edges with calls, errors and latency',
    description:
      'Answers `{ from, to, nodes: [{ id, kind: agent | instance | tool, label }], edges: [{ source, target, requests, … }] }`.',
  })
  @ApiZodResponse(200, workflowGraph, 'The nodes and the edges, each edge with its counts')
  graph(@Param('envId') envId: string, @Query(new ZodPipe(workflowGraphQuery)) query: AccessLogFilters) {
    return this.logs.graph(envId, query);
  }
}
