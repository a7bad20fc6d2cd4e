/**
 * Anypoint's Analytics Event API over the stored access events (analytics-event-fields.ts says
 * what each field holds): the events of one environment in a time range, oldest first, at most
 * `maxResults`, as a JSON array of records or CSV.
 */
import { Injectable } from '@nestjs/common';
import { ApiInstancesRepository, assetKey } from '../api-instances/api-instances.repository.js';
import { toCsv } from '../common/csv.js';
import type { AnalyticsEventsQuery } from './analytics.dto.js';
import { AnalyticsRepository } from './analytics.repository.js';
import { EVENT_FIELDS, eventRecord, type ReportedApi } from './analytics-event-fields.js';
import { eventScope } from './time-range.js';

/** A report as the route answers it. */
export type EventReport = { format: 'json'; body: Record<string, string | number>[] } | { format: 'csv'; body: string };

/** Anypoint's event reports (see the module comment). */
@Injectable()
export class AnalyticsEventsService {
  constructor(
    private readonly repo: AnalyticsRepository,
    private readonly apiInstances: ApiInstancesRepository,
  ) {}

  async report(environmentId: string, query: AnalyticsEventsQuery): Promise<EventReport> {
    const scope = eventScope(environmentId, { from: query.startDate, to: query.endDate }, { from: 'startDate', to: 'endDate' });
    const instanceIds = await this.instanceFilter(environmentId, query);
    const rows = instanceIds?.length === 0 ? [] : await this.repo.reportEvents(scope, instanceIds, query.maxResults);
    const apis = await this.reportedApis(environmentId, [...new Set(rows.map((r) => r.apiId))]);
    const fields = query.fields ?? EVENT_FIELDS;
    const records = rows.map((row) => eventRecord(row, apis.get(row.apiId), fields));
    return query.format === 'csv' ? { format: 'csv', body: toCsv(fields, records) } : { format: 'json', body: records };
  }

  /** The instances `apiIds` and `apiVersionIds` leave (both apply); undefined when neither is given. */
  private async instanceFilter(environmentId: string, query: AnalyticsEventsQuery): Promise<number[] | undefined> {
    if (!query.apiIds) return query.apiVersionIds;
    const ofApis = await this.repo.instancesOfApis(environmentId, query.apiIds);
    return query.apiVersionIds ? query.apiVersionIds.filter((id) => ofApis.includes(id)) : ofApis;
  }

  /** The API (Exchange asset) and product version of each instance still there. */
  private async reportedApis(environmentId: string, ids: number[]): Promise<Map<number, ReportedApi>> {
    if (!ids.length) return new Map();
    const instances = await this.repo.instances(environmentId, ids);
    const assets = await this.apiInstances.assetNames(instances);
    return new Map(instances.map((i) => [i.id, { api: assets.get(assetKey(i)) ?? null, productVersion: i.productVersion }]));
  }
}
