import { hashSecret, verifySecret } from './index.js';

describe('secret hashing', () => {
  it('verifies the secret it hashed, with a fresh salt each time, and nothing else', async () => {
    const stored = await hashSecret('s3cret');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await hashSecret('s3cret')).not.toBe(stored);
    expect(await verifySecret('s3cret', stored)).toBe(true);
    expect(await verifySecret('s3cret!', stored)).toBe(false);
    expect(await verifySecret('s3cret', 'bcrypt$x')).toBe(false);
  });
});
