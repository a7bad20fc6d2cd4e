import { toCsv } from '../common/csv.js';
import type { ReportedEvent } from './analytics-event-fields.js';
import { EVENT_FIELDS, eventRecord } from './analytics-event-fields.js';

const event: ReportedEvent = {
  id: 'e1',
  time: new Date('2026-12-05T10:00:00.123Z'),
  apiId: 42,
  httpMethod: 'POST',
  path: '/mcp',
  httpStatus: 200,
  durationUs: 1499n,
  bytesIn: 10n,
  bytesOut: 20n,
  clientId: null,
  clientName: null,
  clientAddress: '10.0.0.1',
  userAgent: null,
  verdicts: [
    { policyType: 'header-injection', policyId: '1', verdict: 'mutate', mode: 'enforce', errorKind: '' },
    { policyType: 'mcp-tool-access', policyId: '2', verdict: 'reject', mode: 'shadow', errorKind: 'policy-denied' },
  ],
};

describe('analytics event fields', () => {
  it.each([
    ['curl/8.5.0', 'curl', '8.5.0'],
    ['Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', 'Mozilla', '5.0'],
    ['claude-code', 'claude-code', ''],
    [null, '', ''],
  ])('reads User Agent Name and Version of %s', (userAgent, name, version) => {
    expect(eventRecord({ ...event, userAgent }, undefined, ['User Agent Name', 'User Agent Version'])).toEqual({
      'User Agent Name': name,
      'User Agent Version': version,
    });
  });

  it('counts a request as PROCESSED unless a policy in enforce mode rejected it, and rounds the response time to ms', () => {
    expect(eventRecord(event, undefined, ['Request Outcome', 'Violated Policy Name', 'Response Time'])).toEqual({
      'Request Outcome': 'PROCESSED',
      'Violated Policy Name': '',
      'Response Time': 1,
    });
    const denied = { ...event, verdicts: [{ ...event.verdicts[1]!, mode: 'enforce' }] };
    expect(eventRecord(denied, undefined, ['Request Outcome', 'Violated Policy Name'])).toEqual({
      'Request Outcome': 'BLOCKED',
      'Violated Policy Name': 'mcp-tool-access',
    });
  });

  it('leaves the API fields empty once the instance is gone, and names it while it is there', () => {
    const fields = ['API ID', 'API Name', 'API Version ID', 'API Version Name'] as const;
    expect(eventRecord(event, undefined, fields)).toEqual({
      'API ID': '',
      'API Name': '',
      'API Version ID': '42',
      'API Version Name': '',
    });
    expect(eventRecord(event, { api: { id: 9, name: 'Weather' }, productVersion: 'v1' }, fields)).toEqual({
      'API ID': '9',
      'API Name': 'Weather',
      'API Version ID': '42',
      'API Version Name': 'v1',
    });
  });

  it('writes RFC 4180 CSV: quotes cells with commas, quotes or line breaks', () => {
    const records = [{ Verb: 'POST', 'Resource Path': '/a,"b"\nc' }];
    expect(toCsv(['Verb', 'Resource Path'], records)).toBe('Verb,Resource Path\r\nPOST,"/a,""b""\nc"\r\n');
  });

  it('escapes a client name or path that a spreadsheet would run as a formula in CSV', () => {
    const hostile = { ...event, clientName: '=HYPERLINK("http://evil")', path: '@SUM(A1)' };
    const fields = ['Application Name', 'Resource Path', 'Status Code'] as const;
    expect(toCsv(fields, [eventRecord(hostile, undefined, fields)])).toBe(
      'Application Name,Resource Path,Status Code\r\n"\'=HYPERLINK(""http://evil"")",\'@SUM(A1),200\r\n',
    );
  });

  it('names every Anypoint field once', () => {
    expect(new Set(EVENT_FIELDS).size).toBe(30);
    expect(Object.keys(eventRecord(event, undefined, EVENT_FIELDS))).toEqual([...EVENT_FIELDS]);
  });
});
