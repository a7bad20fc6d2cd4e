import { loadEnv } from './env.js';

describe('loadEnv', () => {
  it('applies the embedded defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORTICO_PORT: 8080,
      PORTICO_HOST: '127.0.0.1',
      PORTICO_ADMIN_USERNAME: 'admin',
      PORTICO_TOKEN_TTL_SECONDS: 3600,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.dataDir).toMatch(/\.portico$/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ PORTICO_ADMIN_PASSWORD: '' }).PORTICO_ADMIN_PASSWORD).toBeUndefined();
  });

  it('names every bad variable and its reason', () => {
    expect(() => loadEnv({ PORTICO_PORT: 'eighty', PORTICO_ADMIN_PASSWORD: 'short' })).toThrow(
      /PORTICO_PORT: .*\n.*PORTICO_ADMIN_PASSWORD: PORTICO_ADMIN_PASSWORD must have at least 8 characters/,
    );
  });
});
