import { SseParser } from './sse-parser.js';

describe('SSE parser', () => {
  it.each([
    ['one event', ['data: {"a":1}\n\n'], [{ event: 'message', data: '{"a":1}' }]],
    [
      'CRLF and CR line ends',
      ['data: a\r\n\r\ndata: b\r\rdata: c\n\n'],
      [
        { event: 'message', data: 'a' },
        { event: 'message', data: 'b' },
        { event: 'message', data: 'c' },
      ],
    ],
    ['a CRLF split across chunks', ['data: a\r', '\n\r', '\n'], [{ event: 'message', data: 'a' }]],
    ['a line split across chunks', ['da', 'ta: hel', 'lo\n', '\n'], [{ event: 'message', data: 'hello' }]],
    ['several data lines joined with LF', ['data: a\ndata:b\ndata:  c\n\n'], [{ event: 'message', data: 'a\nb\n c' }]],
    ['event and id fields', ['event: message\nid: 7\ndata: x\n\n'], [{ event: 'message', data: 'x', id: '7' }]],
    ['another event type', ['event: ping\ndata: x\n\n'], [{ event: 'ping', data: 'x' }]],
    ['comments and unknown fields skipped', [': keepalive\nretry: 10\nfoo\ndata: x\n\n'], [{ event: 'message', data: 'x' }]],
    // the 2025-11-25 priming event: an id and empty data
    ['a priming event', ['id: p1\ndata: \n\n'], [{ event: 'message', data: '', id: 'p1' }]],
    ['an event without data is not dispatched', ['event: x\n\n'], []],
    ['an event without its blank line is not dispatched', ['data: x\n'], []],
    [
      'the last id is kept for later events',
      ['id: 1\ndata: a\n\ndata: b\n\n'],
      [
        { event: 'message', data: 'a', id: '1' },
        { event: 'message', data: 'b', id: '1' },
      ],
    ],
  ])('reads %s', (_name, chunks, expected) => {
    const parser = new SseParser();
    expect(chunks.flatMap((chunk) => parser.push(chunk))).toEqual(expected);
  });
});
