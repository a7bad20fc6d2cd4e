/**
 * The fields of Anypoint's Analytics Event API and what Portico puts in them.
 *
 * Names and value types follow Anypoint's JSON reports as its clients read them: ids are strings,
 * sizes, the status code and the response time (ms) are numbers, the timestamp is ISO 8601. "API
 * ID" is the API (the `assets[].id` of API Manager's API list), "API Version ID" the instance,
 * "API Version Name" its product version. "Request Outcome" is BLOCKED when a policy in enforce
 * mode rejected the request ("Violated Policy Name" is that policy's type), else PROCESSED.
 * Portico records no geolocation or device data: those fields are always "" (as Anypoint leaves
 * them when it cannot tell).
 */
import type { StoredVerdict } from '../access-events/access-event-batch.js';

/** Every field of Anypoint's event reports, in the order a report without `fields` lists them. */
export const EVENT_FIELDS = [
  'API ID',
  'API Name',
  'API Version ID',
  'API Version Name',
  'Application',
  'Application Name',
  'Browser',
  'City',
  'Client IP',
  'Continent',
  'Country',
  'Hardware Platform',
  'Message ID',
  'OS Family',
  'OS Major Version',
  'OS Minor Version',
  'OS Version',
  'Postal Code',
  'Request Outcome',
  'Request Size',
  'Resource Path',
  'Response Size',
  'Response Time',
  'Status Code',
  'Timestamp',
  'Timezone',
  'User Agent Name',
  'User Agent Version',
  'Verb',
  'Violated Policy Name',
] as const;

export type EventField = (typeof EVENT_FIELDS)[number];

/** The columns of a stored event a report reads. */
export interface ReportedEvent {
  id: string;
  time: Date;
  apiId: number;
  httpMethod: string;
  path: string;
  httpStatus: number;
  durationUs: bigint;
  bytesIn: bigint;
  bytesOut: bigint;
  clientId: string | null;
  clientName: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  verdicts: StoredVerdict[];
}

/** What a report says about an event's API instance; undefined once the instance is deleted. */
export interface ReportedApi {
  /** the API's id (its first Exchange row) and name, null when the asset left Exchange */
  api: { id: number; name: string } | null;
  productVersion: string;
}

/** The first enforce-mode reject: the policy that denied the request. */
export function denyingVerdict(verdicts: readonly StoredVerdict[]): StoredVerdict | undefined {
  return verdicts.find((v) => v.verdict === 'reject' && v.mode === 'enforce');
}

/** `name/version` of the first product token of a User-Agent (`curl/8.5.0` → curl, 8.5.0). */
function userAgentProduct(userAgent: string | null): { name: string; version: string } {
  const match = /^([^/\s]+)(?:\/([^\s;()]+))?/.exec(userAgent ?? '');
  return { name: match?.[1] ?? '', version: match?.[2] ?? '' };
}

/** Every field's value for `event`. */
function fieldValues(event: ReportedEvent, api: ReportedApi | undefined): Record<EventField, string | number> {
  const denied = denyingVerdict(event.verdicts);
  const agent = userAgentProduct(event.userAgent);
  return {
    'API ID': api?.api ? String(api.api.id) : '',
    'API Name': api?.api?.name ?? '',
    'API Version ID': String(event.apiId),
    'API Version Name': api?.productVersion ?? '',
    Application: event.clientId ?? '',
    'Application Name': event.clientName ?? '',
    Browser: '',
    City: '',
    'Client IP': event.clientAddress ?? '',
    Continent: '',
    Country: '',
    'Hardware Platform': '',
    'Message ID': event.id,
    'OS Family': '',
    'OS Major Version': '',
    'OS Minor Version': '',
    'OS Version': '',
    'Postal Code': '',
    'Request Outcome': denied ? 'BLOCKED' : 'PROCESSED',
    'Request Size': Number(event.bytesIn),
    'Resource Path': event.path,
    'Response Size': Number(event.bytesOut),
    'Response Time': Math.round(Number(event.durationUs) / 1000),
    'Status Code': event.httpStatus,
    Timestamp: event.time.toISOString(),
    Timezone: '',
    'User Agent Name': agent.name,
    'User Agent Version': agent.version,
    Verb: event.httpMethod,
    'Violated Policy Name': denied?.policyType ?? '',
  };
}

/** The report record of `event`: `fields` in order. */
export function eventRecord(
  event: ReportedEvent,
  api: ReportedApi | undefined,
  fields: readonly EventField[],
): Record<string, string | number> {
  const values = fieldValues(event, api);
  return Object.fromEntries(fields.map((f) => [f, values[f]]));
}
