import { randomToken } from './secrets.js';

describe('randomToken', () => {
  it('never starts with "-" (one raw draw in 64 would), and stays 43 base64url characters', () => {
    // 6,400 draws: about 100 of them redrawn, so the test fails if the redraw is ever dropped.
    const tokens = Array.from({ length: 6400 }, randomToken);
    expect(tokens.filter((t) => t.startsWith('-'))).toEqual([]);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});
