import { nestsDeeperThan } from './json-body-parser.js';

const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('nestsDeeperThan', () => {
  it.each([
    ['a scalar', '42', 0, false],
    ['an empty object at the limit', '{}', 1, false],
    ['an empty object past the limit', '{}', 0, true],
    ['arrays at the limit', arrays(64), 64, false],
    ['arrays one past the limit', arrays(65), 64, true],
    ['objects at the limit', objects(64), 64, false],
    ['objects one past the limit', objects(65), 64, true],
    ['mixed nesting past the limit', '{"a":[{"b":[1]}]}', 3, true],
    ['siblings, each within the limit', '[[1],[2],{"a":3}]', 2, false],
    ['brackets inside strings', '{"a":"[[[[{{{{"}', 1, false],
    ['an escaped quote inside a string', '{"a":"\\"[[[["}', 1, false],
    ['nesting after a string ending in an escaped backslash', '{"a":"\\\\","b":[[1]]}', 2, true],
    ['10,000 nested arrays', arrays(10_000), 64, true],
  ])('%s', (_label, text, maxDepth, deeper) => {
    expect(nestsDeeperThan(text, maxDepth)).toBe(deeper);
  });
});
