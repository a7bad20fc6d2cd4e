import { conditionHolds, type ConditionAlert, periodValues } from './alert-condition.js';

const counting: ConditionAlert = { metric: 'request-count', operator: 'above', threshold: 2, repeat: 3, slowerThanMs: null };
const averaging: ConditionAlert = { metric: 'response-time', operator: 'above', threshold: 200, repeat: 2, slowerThanMs: null };

describe('periodValues', () => {
  it('counts 0 in a period without events and orders the periods latest first', () => {
    expect(periodValues(counting, [{ period: 2, matching: 5, avgMs: 1 }])).toEqual([0, 0, 5]);
  });

  it('averages only periods with events (unknown otherwise)', () => {
    expect(periodValues(averaging, [{ period: 0, matching: 3, avgMs: 250.5 }])).toEqual([250.5, null]);
  });

  it('counts the slower requests when the response-time alert has a threshold of its own', () => {
    const slower = { ...averaging, slowerThanMs: 500 };
    expect(periodValues(slower, [{ period: 1, matching: 4, avgMs: 900 }])).toEqual([0, 4]);
  });
});

describe('conditionHolds', () => {
  it.each([
    ['above', [3, 3, 3], true],
    ['above', [3, 2, 3], false],
    ['aboveOrEquals', [2, 2, 2], true],
    ['below', [1, 0, 1], true],
    ['below', [1, 2, 1], false],
    ['belowOrEquals', [2, 2, 2], true],
    ['equal', [2, 2, 2], true],
    ['equal', [2, 2, 3], false],
  ] as const)('%s 2 over %j: %s (every period must hold)', (operator, values, holds) => {
    expect(conditionHolds({ ...counting, operator }, values)).toBe(holds);
  });

  it('does not hold over a period whose average is unknown, whatever the operator', () => {
    expect(conditionHolds({ ...averaging, operator: 'below' }, [100, null])).toBe(false);
  });
});
