import { compileFullMatch, compileFullMatchGroups, regexProblem } from './linear-regex.js';

describe('linear-time regular expressions (RE2 syntax)', () => {
  it('matches the whole input', () => {
    const pattern = compileFullMatch('/items/\\d+');
    expect(pattern.test('/items/42')).toBe(true);
    expect(pattern.test('/items/42/x')).toBe(false);
    expect(pattern.test('x/items/42')).toBe(false);
    expect(compileFullMatch('a|ab').test('ab')).toBe(true);
  });

  it('answers a catastrophic-backtracking pattern without backtracking', () => {
    // 2^80 steps for a backtracking engine; a jest timeout is what a regression would hit.
    expect(compileFullMatch('(a+)+b').test(`${'a'.repeat(80)}c`)).toBe(false);
    expect(compileFullMatch('(a|aa)*c').test(`${'a'.repeat(80)}b`)).toBe(false);
  });

  it('refuses what RE2 cannot run in linear time, saying why', () => {
    expect(regexProblem('/api/(.*)')).toBeUndefined();
    expect(regexProblem('(?=a)b')).toBe('invalid or unsupported Perl syntax: `(?=`');
    expect(regexProblem('(a)\\1')).toBe('invalid escape sequence: `\\1`');
    expect(() => compileFullMatch('(')).toThrow('missing closing ): `(`');
  });
});

describe('compileFullMatchGroups', () => {
  it('reads the capturing groups of a whole-input match', () => {
    const pattern = compileFullMatchGroups('jira_([a-z]+)(?:_v(\\d+))?');
    expect(pattern.exec('jira_create_v2')).toEqual(['jira_create_v2', 'create', '2']);
    expect(pattern.exec('jira_create')).toEqual(['jira_create', 'create', '']);
    expect(pattern.exec('xjira_create')).toBeUndefined();
  });

  it('refuses what RE2 cannot run', () => {
    expect(() => compileFullMatchGroups('(a)\\1')).toThrow(/escape sequence/);
  });
});
