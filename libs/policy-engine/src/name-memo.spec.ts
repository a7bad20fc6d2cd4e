import { memoized } from './name-memo.js';

describe('memoized', () => {
  it('answers each name once, undefined and false answers included', () => {
    const asked: string[] = [];
    const answer = memoized((name: string) => {
      asked.push(name);
      return name === 'a' ? undefined : name === 'b';
    });
    expect([answer('a'), answer('a'), answer('b'), answer('b'), answer('c'), answer('c')]).toEqual([
      undefined,
      undefined,
      true,
      true,
      false,
      false,
    ]);
    expect(asked).toEqual(['a', 'b', 'c']);
  });

  it('keeps at most 1024 names and none longer than 256 characters', () => {
    const asked: string[] = [];
    const answer = memoized((name: string) => asked.push(name));
    const long = 'x'.repeat(257);
    answer(long);
    answer(long);
    expect(asked).toEqual([long, long]);
    for (let i = 0; i < 1025; i++) answer(`n${i}`);
    asked.length = 0;
    answer('n1024'); // kept after the memo started over
    answer('n0'); // dropped when it did
    expect(asked).toEqual(['n0']);
  });
});
