import { SseBoundaryTracker, SseParser, serializeSseEvent, type SseEvent } from './sse.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function parseAll(chunks: (string | Uint8Array)[]): { events: Omit<SseEvent, 'raw'>[]; raws: string[]; rest: string } {
  const parser = new SseParser();
  const all = chunks.flatMap((chunk) => parser.push(chunk));
  const { events: last, rest } = parser.end();
  all.push(...last);
  return { events: all.map(({ raw: _raw, ...fields }) => fields), raws: all.map((e) => text(e.raw)), rest: text(rest) };
}

describe('SseParser', () => {
  it.each([
    ['LF', 'event: message\nid: 1\ndata: {"a":1}\n\n'],
    ['CRLF', 'event: message\r\nid: 1\r\ndata: {"a":1}\r\n\r\n'],
    ['CR', 'event: message\rid: 1\rdata: {"a":1}\r\r'],
  ])('parses %s line endings and keeps the raw block', (_name, text) => {
    const { events, raws, rest } = parseAll([text]);
    expect(events).toEqual([{ event: 'message', id: '1', data: '{"a":1}', comments: [] }]);
    expect(raws).toEqual([text]);
    expect(rest).toBe('');
  });

  const cases: [string, string[], Omit<SseEvent, 'raw'>[]][] = [
    ['multi-line data joined with LF', ['data: a\ndata: b\ndata:\n\n'], [{ data: 'a\nb\n', comments: [] }]],
    ['a value without the optional space', ['data:x\n\n'], [{ data: 'x', comments: [] }]],
    ['only one leading space removed', ['data:  two\n\n'], [{ data: ' two', comments: [] }]],
    ['a comment-only block', [': keepalive\n\n'], [{ comments: [' keepalive'] }]],
    ['a priming event (id, empty data)', ['id: p1\ndata: \n\n'], [{ id: 'p1', data: '', comments: [] }]],
    ['retry in milliseconds', ['retry: 3000\nid: 9\ndata: \n\n'], [{ retry: 3000, id: '9', data: '', comments: [] }]],
    ['a non-numeric retry ignored', ['retry: 3s\ndata: x\n\n'], [{ data: 'x', comments: [] }]],
    ['an id with NUL ignored', ['id: a\0b\ndata: x\n\n'], [{ data: 'x', comments: [] }]],
    ['a field without colon', ['data\n\n'], [{ data: '', comments: [] }]],
    ['unknown fields ignored', ['foo: bar\ndata: x\n\n'], [{ data: 'x', comments: [] }]],
    ['a CRLF split across chunks', ['data: x\r', '\n\r', '\n'], [{ data: 'x', comments: [] }]],
    [
      'events split mid-line',
      ['da', 'ta: hel', 'lo\n', '\nevent: endpoint\nda', 'ta: /m?s=1\n\n'],
      [
        { data: 'hello', comments: [] },
        { event: 'endpoint', data: '/m?s=1', comments: [] },
      ],
    ],
    [
      'mixed line endings in one stream',
      ['data: a\r\n\ndata: b\r\rdata: c\n\r\n'],
      [
        { data: 'a', comments: [] },
        { data: 'b', comments: [] },
        { data: 'c', comments: [] },
      ],
    ],
  ];
  it.each(cases)('parses %s', (_name, chunks, expected) => {
    expect(parseAll(chunks).events).toEqual(expected);
  });

  it('decodes a UTF-8 character split across byte chunks', () => {
    const bytes = new TextEncoder().encode('data: été\n\n');
    const { events } = parseAll([bytes.slice(0, 7), bytes.slice(7)]);
    expect(events).toEqual([{ data: 'été', comments: [] }]);
  });

  it('returns an unterminated last block from end()', () => {
    const { events, rest } = parseAll(['data: a\n\ndata: partial\n']);
    expect(events).toEqual([{ data: 'a', comments: [] }]);
    expect(rest).toBe('data: partial\n');
  });

  it('keeps raw bytes exact when a chunk ends inside a multi-byte character and parsing stops there', () => {
    const bytes = new TextEncoder().encode('data: a\n\ndata: é\n\n');
    const parser = new SseParser();
    const first = parser.push(bytes.slice(0, 16));
    const { events, rest } = parser.end();
    const out = Buffer.concat([...first, ...events].map((e) => e.raw).concat([rest, bytes.slice(16)]));
    expect(out.equals(Buffer.from(bytes))).toBe(true);
  });

  it('keeps every block raw so the concatenation is the input', () => {
    const input = ': hi\r\n\r\nid: 1\ndata: x\n\nretry: 10\r\r';
    const { raws, rest } = parseAll([input.slice(0, 5), input.slice(5, 17), input.slice(17)]);
    expect(raws.join('') + rest).toBe(input);
  });
});

describe('serializeSseEvent', () => {
  it.each([
    [{ data: '{"a":1}' }, 'data: {"a":1}\n\n'],
    [{ event: 'message', id: '7', data: 'a\nb' }, 'event: message\nid: 7\ndata: a\ndata: b\n\n'],
    [{ id: 'p', retry: 500, data: '' }, 'id: p\nretry: 500\ndata: \n\n'],
    [{ comments: [' keepalive'] }, ': keepalive\n\n'],
    [{ data: 'x\r\ny\rz' }, 'data: x\ndata: y\ndata: z\n\n'],
  ])('serializes %j', (fields, expected) => {
    expect(serializeSseEvent(fields)).toBe(expected);
  });

  it('round-trips through the parser', () => {
    const fields = { event: 'message', id: 'abc', retry: 10, data: 'line1\nline2', comments: [' c'] };
    const [event] = new SseParser().push(serializeSseEvent(fields));
    expect(event).toMatchObject(fields);
  });
});

describe('SseBoundaryTracker', () => {
  const encode = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['nothing written', [], true],
    ['a complete LF event', ['data: x\n\n'], true],
    ['a complete CRLF event', ['data: x\r\n\r\n'], true],
    ['a complete CR event', ['data: x\r\r'], true],
    ['LF then CRLF', ['data: x\n\r\n'], true],
    ['a blank line split over chunks', ['data: x\n', '\n'], true],
    ['a byte at a time', ['d', 'a', '\n', '\n'], true],
    ['inside a line', ['data: x'], false],
    ['after one line of an event', ['data: x\n'], false],
    ['after a CRLF line', ['data: x\r\n'], false],
    ['a CR that may start a CRLF', ['data: x\r'], false],
  ])('%s -> %s', (_name, chunks, expected) => {
    const tracker = new SseBoundaryTracker();
    for (const chunk of chunks) tracker.update(encode(chunk));
    expect(tracker.atBoundary).toBe(expected);
  });
});
