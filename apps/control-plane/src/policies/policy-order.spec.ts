import { clampOrder, orderChanges, placeAt, reorder } from './policy-order.js';

describe('clampOrder', () => {
  it.each([
    [undefined, 4, 4],
    [1, 4, 1],
    [0, 4, 1],
    [9, 4, 4],
    [2, 4, 2],
  ])('puts order %s among %i places at %i', (order, places, expected) => {
    expect(clampOrder(order, places)).toBe(expected);
  });
});

describe('placeAt', () => {
  it.each([
    [[1, 2, 3], 4, undefined, [1, 2, 3, 4]],
    [[1, 2, 3], 4, 1, [4, 1, 2, 3]],
    [[1, 2, 3], 4, 2, [1, 4, 2, 3]],
    [[1, 2, 3], 4, 99, [1, 2, 3, 4]],
    [[], 4, 5, [4]],
    [[1, 2, 3], 3, 1, [3, 1, 2]],
    [[1, 2, 3], 1, 3, [2, 3, 1]],
    [[1, 2, 3], 1, 99, [2, 3, 1]],
    [[1, 2, 3], 2, 2, [1, 2, 3]],
  ])('places in %j the id %i at %s', (ids, id, order, expected) => {
    expect(placeAt(ids, id, order)).toEqual(expected);
  });
});

describe('reorder', () => {
  it.each([
    [[1, 2, 3, 4], [{ id: 4, order: 1 }], [4, 1, 2, 3]],
    [
      [1, 2, 3, 4],
      [
        { id: 1, order: 4 },
        { id: 4, order: 1 },
      ],
      [4, 2, 3, 1],
    ],
    [[1, 2, 3, 4], [{ id: 3, order: 2 }], [1, 3, 2, 4]],
    [
      [1, 2],
      [
        { id: 1, order: 2 },
        { id: 2, order: 1 },
      ],
      [2, 1],
    ],
  ])('reorders %j with %j', (ids, moves, expected) => {
    expect(reorder(ids, moves)).toEqual(expected);
  });
});

describe('orderChanges', () => {
  it('lists only the policies whose order changes', () => {
    const current = [
      { id: 1, order: 1 },
      { id: 2, order: 2 },
      { id: 3, order: 3 },
    ];
    expect(orderChanges(current, [1, 3, 2])).toEqual([
      { id: 3, order: 2 },
      { id: 2, order: 3 },
    ]);
    expect(orderChanges(current, [1, 2, 3])).toEqual([]);
  });

  it('closes gaps left by a deleted policy', () => {
    expect(
      orderChanges(
        [
          { id: 1, order: 1 },
          { id: 3, order: 3 },
        ],
        [1, 3],
      ),
    ).toEqual([{ id: 3, order: 2 }]);
  });
});
