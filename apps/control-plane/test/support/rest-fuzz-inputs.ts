/**
 * fast-check arbitraries of requests to one REST route: its path parameters (the tenant's real
 * ids, to reach the deeper validation, or ids that are not ids: negative, fractional, huge, NUL,
 * dot segments, bad percent-escapes, past the parameter length limit), its query (documented and
 * unknown names, any values) and its body (any JSON; the route's documented fields with values of
 * right and wrong types; values 10 to 100 000 levels deep; strings up to past the body limit; NUL
 * characters in values and keys; text that is not JSON; other content types). Each input prints
 * as a short label in fast-check's reports (bodies can be megabytes).
 */
import fc from 'fast-check';
import { jsonArbitraries, labelled, nestedJson, toJson } from '#portico/testing';
import { alternatives, type JsonSchema } from './openapi-schema.js';

export type { JsonSchema } from './openapi-schema.js';

/** What is known of a route beyond its path. */
export interface RouteShape {
  /** Fastify's path, `:name` parameters. */
  path: string;
  /** A real id of the tenant for a parameter name, if there is one. */
  realId: (name: string) => string | undefined;
  /** The documented JSON body, if any. */
  body?: JsonSchema;
  /** Documented query parameter names. */
  queryNames: readonly string[];
}

export interface RestInput {
  /** The path with its parameters filled, and the query. */
  url: string;
  contentType?: string;
  body?: string;
}

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\u202e',
      '🙂',
      '__proto__',
      'constructor',
      ' ',
      'x'.repeat(300),
    ),
  },
);

const { anyJson } = jsonArbitraries({
  text,
  oddNumbers: ['1e400', '-1e400', '123456789012345678901234567890', '9007199254740993', '-0', '1.5', '2147483648', '-2147483649'],
  size: 3,
  stringUnit: 'grapheme',
});

/** A value for `schema`: often of the documented shape (its fields, enum values), often anything. */
function valueFor(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const options = alternatives(schema);
  const properties = Object.assign({}, ...options.map((s) => s.properties ?? {})) as Record<string, JsonSchema>;
  const items = options.find((s) => s.items)?.items;
  const enums = options.flatMap((s) => s.enum ?? []);
  const shaped: fc.Arbitrary<unknown>[] = [];
  if (Object.keys(properties).length > 0 && depth < 3) shaped.push(fieldsOf(properties, depth));
  if (items && depth < 3) shaped.push(fc.array(valueFor(items, depth + 1), { maxLength: 3 }));
  if (enums.length > 0) shaped.push(fc.constantFrom(...enums));
  return shaped.length === 0 ? anyJson : fc.oneof(anyJson, ...shaped);
}

/** An object with some of `properties`, each of its documented shape or anything. */
function fieldsOf(properties: Record<string, JsonSchema>, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, valueFor(schema, depth + 1)]));
  return fc.record(fields, { requiredKeys: [] });
}

/** A body and what the report calls it. */
interface Body {
  contentType?: string;
  body?: string;
  label: string;
}

const json = (value: unknown, label?: string): Body => {
  const body = toJson(value);
  return { contentType: 'application/json', body, label: label ?? `${body.length} bytes: ${body.slice(0, 200)}` };
};

/** Bodies for a route whose documented body is `schema` (the fields of any object, when none is documented). */
function bodies(schema: JsonSchema | undefined): fc.Arbitrary<Body> {
  const documented = schema ? valueFor(schema, 0) : anyJson;
  const fieldNames = schema ? alternatives(schema).flatMap((s) => Object.keys(s.properties ?? {})) : [];
  const field = fieldNames.length > 0 ? fc.constantFrom(...fieldNames) : fc.constant('name');
  return fc.oneof(
    { weight: 2, arbitrary: anyJson.map((value) => json(value)) },
    { weight: 4, arbitrary: documented.map((value) => json(value)) },
    {
      weight: 1,
      arbitrary: fc
        .record({
          depth: fc.oneof(fc.integer({ min: 10, max: 1_000 }), fc.integer({ min: 1_000, max: 100_000 })),
          shape: fc.constantFrom('array' as const, 'object' as const),
          field: fc.option(field, { nil: undefined }),
        })
        .map(({ depth, shape, field: name }) =>
          json(
            name === undefined ? nestedJson(depth, shape) : { [name]: nestedJson(depth, shape) },
            `${shape}s ${depth} deep at ${name ?? 'the top'}`,
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          size: fc.oneof(fc.integer({ min: 1_000, max: 100_000 }), fc.integer({ min: 1_000_000, max: 1_200_000 })),
          field,
        })
        .map(({ size, field: name }) => json({ [name]: 'x'.repeat(size) }, `a ${size}-character string at ${name}`)),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ field, key: fc.boolean() })
        .map(({ field: name, key }) => json(key ? { [`${name}\u0000`]: 'x' } : { [name]: 'a\u0000b' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          contentType: fc.constantFrom(
            'application/json',
            'application/json; charset=latin1',
            'application/merge-patch+json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data',
            'multipart/form-data; boundary=x',
            'application/xml',
          ),
          body: fc.oneof(
            fc.constantFrom('', '{', '{"a":', '[1,]', 'nul', '\u0000', '--x\r\n\r\n--x--'),
            fc.string({ unit: 'binary' }),
          ),
        })
        .map(({ contentType, body }) => ({ contentType, body, label: `${contentType}: ${JSON.stringify(body.slice(0, 200))}` })),
    },
    { weight: 1, arbitrary: fc.constant<Body>({ label: 'no body' }) },
  );
}

/** Path parameter values that are not ids, written as they go into the path (already percent-encoded). */
const ODD_SEGMENTS = [
  '-1',
  '0',
  '1.5',
  '1e3',
  '99999999999999999999',
  '9007199254740993',
  '00000000-0000-0000-0000-000000000000',
  'null',
  '__proto__',
  'constructor',
  '%zz',
  '%',
  '%00',
  'a%00b',
  '%ff',
  '%F0%9F%99%82',
  '..',
  '%2e%2e',
  '%2F',
  '%20',
  'x'.repeat(101),
];

/** A value for path parameter `name`: the tenant's real id when it has one, or an id that is not one. */
function segment(name: string, realId: string | undefined): fc.Arbitrary<string> {
  const odd = fc.oneof(fc.constantFrom(...ODD_SEGMENTS), fc.string({ unit: 'grapheme', minLength: 1 }).map(encodeURIComponent));
  return realId === undefined
    ? odd
    : fc.oneof({ weight: 3, arbitrary: fc.constant(encodeURIComponent(realId)) }, { weight: 1, arbitrary: odd });
}

const queryValue = fc.oneof(
  fc.string({ unit: 'grapheme' }).map(encodeURIComponent),
  fc.constantFrom(
    '-1',
    '0',
    '1.5',
    '99999999999999999999',
    '1e999',
    'true',
    'null',
    '%00',
    'a%00b',
    '%zz',
    '%',
    'x'.repeat(2_000),
  ),
);

/** A query: documented and unknown names (repeated ones too), any values. */
function query(names: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    ...(names.length > 0 ? [fc.constantFrom(...names)] : []),
    fc.constantFrom('__proto__', 'a[b]', 'a.b', '%00', '', 'limit', 'offset', 'sort'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map(encodeURIComponent),
  );
  return fc
    .array(fc.tuple(name, queryValue), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([n, v]) => `${n}=${v}`).join('&')}`));
}

/** Requests to the route `shape` describes. */
export function restInputs(shape: RouteShape): fc.Arbitrary<RestInput> {
  const names = [...shape.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  return fc
    .record({
      segments: fc.tuple(...names.map((name) => segment(name, shape.realId(name)))),
      query: query(shape.queryNames),
      body: bodies(shape.body),
    })
    .map(({ segments, query: q, body }) => {
      let i = 0;
      const url = `${shape.path.replace(/:(\w+)/g, () => segments[i++]!)}${q}`;
      const input: RestInput = {
        url,
        ...(body.contentType && { contentType: body.contentType }),
        ...(body.body !== undefined && { body: body.body }),
      };
      return labelled(input, `${url.slice(0, 300)} || ${body.label}`);
    });
}
