import { decodeMirroredHeader, encodeMirroredHeader, requiresMirroredHeaders } from './mirrored-headers.js';

describe('mirrored headers', () => {
  it.each([
    ['2026-07-28', true],
    ['2027-01-01', true],
    ['2025-11-25', false],
    ['2025-03-26', false],
    [undefined, false],
    ['draft', false],
  ])('protocol version %s requires header validation: %s', (version, expected) => {
    expect(requiresMirroredHeaders(version)).toBe(expected);
  });

  it.each([
    ['get_weather', 'get_weather'],
    ['  spaced  ', 'spaced'],
    ['=?base64?w6l0w6k=?=', 'été'],
    ['=?base64?//79?=', undefined],
  ])('decodes %j', (value, expected) => {
    expect(decodeMirroredHeader(value)).toBe(expected);
  });

  it.each([
    ['tools/call', 'tools/call'],
    ['été', '=?base64?w6l0w6k=?='],
    ['a b', 'a b'],
    [' lead', '=?base64?IGxlYWQ=?='],
  ])('encodes %j and round-trips', (value, encoded) => {
    expect(encodeMirroredHeader(value)).toBe(encoded);
    expect(decodeMirroredHeader(encoded)).toBe(value);
  });
});
