import { getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { exchangeGraphSchema } from './exchange-graph.js';
import { graphLimits, MAX_DEPTH } from './graph-limits.js';

const errorsOf = (query: string) =>
  validate(exchangeGraphSchema, parse(query), [...specifiedRules, graphLimits]).map((e) => e.message);

describe('graphLimits', () => {
  it.each([
    ['a plain search', '{ assets { groupId files { md5 } } }'],
    ['one level of otherVersions', '{ asset(groupId: "g", assetId: "a") { otherVersions { version files { externalLink } } } }'],
    [
      'otherVersions in two sibling branches',
      '{ a: asset(groupId: "g", assetId: "a") { otherVersions { version } } b: assets { otherVersions { version } } }',
    ],
    ['the introspection query GraphiQL sends (ofType chains are not counted)', getIntrospectionQuery()],
  ])('accepts %s', (_, query) => {
    expect(errorsOf(query)).toEqual([]);
  });

  it.each([
    [
      'otherVersions inside otherVersions',
      '{ asset(groupId: "g", assetId: "a") { otherVersions { otherVersions { version } } } }',
      'otherVersions cannot be selected inside otherVersions',
    ],
    [
      'otherVersions nested through a fragment',
      '{ asset(groupId: "g", assetId: "a") { ...V } } fragment V on Asset { otherVersions { ...W } } fragment W on Asset { otherVersions { version } }',
      'otherVersions cannot be selected inside otherVersions',
    ],
    [
      'introspection nested past the limit',
      '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }',
      `The query nests 8 fields deep; at most ${MAX_DEPTH} are allowed`,
    ],
  ])('refuses %s', (_, query, message) => {
    expect(errorsOf(query)).toContain(message);
  });

  it('stops at fragment cycles (graphql reports the cycle itself)', () => {
    expect(errorsOf('{ assets { ...A } } fragment A on Asset { otherVersions { ...A } }')).toContain(
      'Cannot spread fragment "A" within itself.',
    );
  });
});
