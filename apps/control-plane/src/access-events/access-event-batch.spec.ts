import { AccessEvent, PublishRequest } from '#portico/proto-ts';
import { MAX_EVENTS_PER_BATCH, MAX_FINDINGS, MalformedBatchError, parseBatch } from './access-event-batch.js';

const event = (fields: Partial<AccessEvent> = {}) =>
  AccessEvent.fromPartial({ id: 'e1', apiId: '7', timeUnixMs: 1_765_000_000_000, httpMethod: 'POST', path: '/mcp', ...fields });
const batch = (events: AccessEvent[], fields: Partial<PublishRequest> = {}) =>
  PublishRequest.fromPartial({ replicaId: 'r1', events, ...fields });

describe('parseBatch', () => {
  it.each([
    ['no replica id', batch([], { replicaId: '' }), 'replica_id: is required'],
    ['a replica id of 201 characters', batch([], { replicaId: 'r'.repeat(201) }), 'replica_id: must be at most 200 characters'],
    ['an event id with a NUL', batch([event({ id: 'a\u0000b' })]), 'events[0].id: must not contain NUL characters'],
    ['no API id', batch([event(), event({ apiId: '' })]), 'events[1].api_id: is required'],
    [
      'a time of 0',
      batch([event({ timeUnixMs: 0 })]),
      'events[0].time_unix_ms: must be milliseconds since the epoch, from 1 to 253402300799999',
    ],
    [
      'a time after year 9999',
      batch([event({ timeUnixMs: 253_402_300_800_000 })]),
      'events[0].time_unix_ms: must be milliseconds',
    ],
    [
      'an HTTP status of 1000',
      batch([event({ httpStatus: 1000 })]),
      'events[0].http_status: must be an HTTP status, at most 999',
    ],
    [
      'too many events',
      batch(Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => event())),
      `events: holds ${MAX_EVENTS_PER_BATCH + 1} events; at most ${MAX_EVENTS_PER_BATCH} per batch`,
    ],
  ])('refuses a batch with %s, naming the field', (_, request, message) => {
    expect(() => parseBatch(request)).toThrow(MalformedBatchError);
    expect(() => parseBatch(request)).toThrow(message);
  });

  it('keeps what fits, as null when empty', () => {
    const [e] = parseBatch(
      batch([event({ sessionId: '', targetName: 'echo', jsonrpcErrorCode: -32602 })], { droppedTotal: 3 }),
    ).events;
    expect(e).toMatchObject({
      id: 'e1',
      apiId: '7',
      time: new Date(1_765_000_000_000),
      sessionId: null,
      mcpName: 'echo',
      jsonRpcErrorCode: -32602,
      upstreamLatencyUs: null,
      verdicts: [],
      dlp: [],
    });
  });

  it.each([
    ['a User-Agent', { userAgent: 'u'.repeat(600) }, 'userAgent', 'u'.repeat(512)],
    ['a path, NULs removed first', { path: `/a\u0000${'b'.repeat(3000)}` }, 'path', `/a${'b'.repeat(2046)}`],
    ['a request id', { requestId: 'q'.repeat(300) }, 'requestId', 'q'.repeat(256)],
    ['a name of NULs only', { targetName: '\u0000\u0000' }, 'mcpName', null],
    ['a domain, lower-cased', { userDomain: 'Example.COM' }, 'userDomain', 'example.com'],
    // a surrogate pair is never cut in half: the emoji at 255–256 goes whole
    ['a client name ending in an emoji', { clientName: `${'c'.repeat(255)}😀` }, 'clientName', 'c'.repeat(255)],
  ])('cuts %s instead of refusing it', (_, fields, column, expected) => {
    const [e] = parseBatch(batch([event(fields)])).events;
    expect(e![column as keyof typeof e]).toEqual(expected);
  });

  it(`keeps at most ${MAX_FINDINGS} verdicts and findings of an event`, () => {
    const verdict = { policyType: 't', policyId: '1', verdict: 'reject', mode: 'enforce', errorKind: 'k' };
    const [e] = parseBatch(batch([event({ verdicts: Array.from({ length: MAX_FINDINGS + 5 }, () => verdict) })])).events;
    expect(e!.verdicts).toHaveLength(MAX_FINDINGS);
  });
});
