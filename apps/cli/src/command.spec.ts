import { parseOptions, UsageError } from './command.js';

const OPTIONS = { token: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' } } as const;

describe('parseOptions', () => {
  it.each([
    [['--token', '-abc'], { token: '-abc' }, []],
    [['--token', '--abc'], { token: '--abc' }, []],
    [['--token', '-habc'], { token: '-habc' }, []],
    [['--token=-abc'], { token: '-abc' }, []],
    [['--token', 'x', '--name', '-n', 'rest'], { token: 'x', name: '-n' }, ['rest']],
    [['--force', '-x-positional-after-boolean'], null, null],
    [['--name', 'a', '--', '--token', 'b'], { name: 'a' }, ['--token', 'b']],
  ])('binds %j', (args, values, positionals) => {
    if (values === null) {
      expect(() => parseOptions(args, OPTIONS)).toThrow(/Unknown option '-x'/);
      return;
    }
    const parsed = parseOptions(args, OPTIONS);
    expect({ ...parsed.values }).toEqual(values);
    expect(parsed.positionals).toEqual(positionals);
  });

  it.each([
    [['--token', '--name', 'a']],
    [['--token', '--name=a']],
    [['--token', '--help']],
    [['--name', 'a', '--token']],
    [['--token', '--', 'a']],
  ])('refuses a forgotten value as a usage error: %j', (args) => {
    expect(() => parseOptions(args, OPTIONS)).toThrow(new UsageError('--token needs a value'));
  });
});
