import { InFlight } from './in-flight.js';

describe('InFlight', () => {
  const values = (list: InFlight<string>) => {
    const seen: string[] = [];
    list.forEach((value) => seen.push(value));
    return seen.sort();
  };

  it('holds what was added and not removed, whatever the order of removals', () => {
    const list = new InFlight<string>();
    const [a, b, c] = ['a', 'b', 'c'].map((value) => list.add(value));
    expect(values(list)).toEqual(['a', 'b', 'c']);
    list.remove(b!);
    expect(values(list)).toEqual(['a', 'c']);
    list.remove(c!);
    list.remove(a!);
    expect(values(list)).toEqual([]);
    list.add('d');
    expect(values(list)).toEqual(['d']);
  });

  it('ignores a second removal of the same entry', () => {
    const list = new InFlight<string>();
    const a = list.add('a');
    list.add('b');
    list.remove(a);
    list.remove(a);
    expect(values(list)).toEqual(['b']);
  });

  it('visits every value once even when the visit removes entries', () => {
    const list = new InFlight<string>();
    const entries = new Map(['a', 'b', 'c'].map((value) => [value, list.add(value)]));
    const visited: string[] = [];
    list.forEach((value) => {
      visited.push(value);
      for (const entry of entries.values()) list.remove(entry);
    });
    expect(visited.sort()).toEqual(['a', 'b', 'c']);
    expect(values(list)).toEqual([]);
  });
});
