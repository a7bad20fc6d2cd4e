import { errorName, errorStatus, errorTables } from './error-codes.js';

describe('error code table', () => {
  it('defines every code in exactly one feature', () => {
    const owners = new Map<string, string[]>();
    for (const [feature, table] of Object.entries(errorTables)) {
      for (const code of Object.keys(table)) owners.set(code, [...(owners.get(code) ?? []), feature]);
    }
    const duplicated = [...owners].filter(([, features]) => features.length > 1);
    expect(duplicated).toEqual([]);
  });

  it('maps every code to a 4xx or 5xx status with a name', () => {
    for (const [code, status] of Object.entries(errorStatus)) {
      expect({ code, ok: status >= 400 && status < 600 && /^[A-Z][a-z]+/.test(errorName(status)) }).toEqual({ code, ok: true });
    }
  });

  it.each([
    [400, 'BadRequestError'],
    [401, 'UnauthorizedError'],
    [403, 'ForbiddenError'],
    [404, 'NotFoundError'],
    [409, 'ConflictError'],
    [413, 'PayloadTooLargeError'],
    [500, 'InternalServerError'],
  ])('names status %i %s', (status, name) => {
    expect(errorName(status)).toBe(name);
  });
});
