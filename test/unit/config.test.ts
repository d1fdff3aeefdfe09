import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../app/config/schema.ts';

const errorOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('parseConfig', () => {
  it('has development defaults: embedded database, no Redis, port 3000, caps 50', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ production: false, port: 3000, maxUsers: 50, maxContactsPerUser: 50, trustProxyHops: 0, corsOrigins: [] });
    expect(c.database.url).toBeUndefined();
    expect(c.database.migrateOnBoot).toBe(true);
    expect(c.redisUrl).toBeUndefined();
  });

  it('builds the database URL from PG* variables (as the ECS secrets provide them), escaping the password', () => {
    const c = parseConfig({
      PGHOST: 'db.cluster.example',
      PGPORT: '6543',
      PGUSER: 'app',
      PGPASSWORD: 'p@ss/w:rd',
      PGDATABASE: 'postgres',
      PGREADERHOST: 'db-ro.cluster.example',
    });
    expect(c.database.url).toBe('postgresql://app:p%40ss%2Fw%3Ard@db.cluster.example:6543/postgres');
    expect(c.database.readerUrl).toBe('postgresql://app:p%40ss%2Fw%3Ard@db-ro.cluster.example:6543/postgres');
    expect(new URL(c.database.url!).password).toBe('p%40ss%2Fw%3Ard');
  });

  it('production: requires database, Redis, a long session secret and CORS origin, and trusts one proxy', () => {
    const message = errorOf({ NODE_ENV: 'production' });
    for (const name of ['DATABASE_URL or PGHOST', 'REDIS_URL', 'SESSION_SECRET', 'CORS_ORIGIN']) expect(message).toContain(name);
    const c = parseConfig({
      NODE_ENV: 'production',
      PGHOST: 'db',
      REDIS_URL: 'rediss://cache:6379',
      SESSION_SECRET: 'x'.repeat(32),
      CORS_ORIGIN: 'https://contactfolio.com',
    });
    expect(c).toMatchObject({ production: true, trustProxyHops: 1, secureCookies: true, corsOrigins: ['https://contactfolio.com'] });
    expect(c.database).toMatchObject({ sslMode: 'verify-full', migrateOnBoot: false });
  });

  it('names each bad variable and never echoes a secret value', () => {
    const message = errorOf({
      PORT: 'eighty',
      MAX_USERS: '0',
      CORS_ORIGIN: 'https://ok.example,https://bad.example/path',
      REDIS_URL: 'http://cache',
    });
    expect(message).toMatch(/PORT:/);
    expect(message).toMatch(/MAX_USERS:/);
    expect(message).toMatch(/CORS_ORIGIN/);
    expect(message).toMatch(/REDIS_URL: must be a redis/);
    const secret = errorOf({ SESSION_SECRET: 'tooshort-secret' });
    expect(secret).toMatch(/SESSION_SECRET: at least 32/);
    expect(secret).not.toContain('tooshort-secret');
  });

  it('COOKIE_SECURE overrides the production default', () => {
    const base = {
      NODE_ENV: 'production',
      PGHOST: 'db',
      REDIS_URL: 'redis://c',
      SESSION_SECRET: 'x'.repeat(32),
      CORS_ORIGIN: 'http://localhost:4566',
    };
    expect(parseConfig({ ...base, COOKIE_SECURE: 'false' }).secureCookies).toBe(false);
    expect(parseConfig({ COOKIE_SECURE: 'true' }).secureCookies).toBe(true);
    expect(parseConfig({}).secureCookies).toBe(false);
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', REDIS_URL: '' }).database.url).toBeUndefined();
  });
});

describe('parseDatabaseConfig (the migration job)', () => {
  it('needs only the database: no CORS_ORIGIN, REDIS_URL or SESSION_SECRET in production', async () => {
    const { parseDatabaseConfig } = await import('../../app/config/schema.ts');
    expect(parseDatabaseConfig({ NODE_ENV: 'production', PGHOST: 'db.internal', PGUSER: 'app', PGPASSWORD: 'pw' })).toMatchObject({
      url: 'postgresql://app:pw@db.internal:5432/postgres',
      sslMode: 'verify-full',
    });
    expect(() => parseDatabaseConfig({ NODE_ENV: 'production', CORS_ORIGIN: 'https://contactfolio.com' })).toThrow(
      /DATABASE_URL or PGHOST: required to migrate/,
    );
    expect(() => parseDatabaseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/);
  });
});
