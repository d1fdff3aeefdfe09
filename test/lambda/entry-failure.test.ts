import { afterAll, expect, it } from 'vitest';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, TEST_SESSION_SECRET, type TestDatabase } from '../support/harness.ts';
import { buildEvent, readResult } from './events.ts';

let db: TestDatabase | undefined;
afterAll(() => db?.drop());

it('a configuration error fails the invocation with a message naming the variable, and a fixed configuration recovers', async () => {
  Object.assign(process.env, { NODE_ENV: 'production', REDIS_URL, LOG_LEVEL: 'silent', CORS_ORIGIN: 'https://contactfolio.com' });
  delete process.env.DATABASE_URL;
  delete process.env.SESSION_SECRET;
  const { handler } = await import('../../handlers/lambda.ts');
  const event = buildEvent('functionUrl', { method: 'GET', path: '/health' });
  await expect(handler(event, {})).rejects.toThrow(/DATABASE_URL or PGHOST[\s\S]*SESSION_SECRET/);

  // Set-up is retried per invocation: once the configuration is right, it serves.
  db = await createTestDatabase();
  Object.assign(process.env, { DATABASE_URL: db.url, PGSSLMODE: 'disable', SESSION_SECRET: TEST_SESSION_SECRET, MIGRATE_ON_BOOT: 'true' });
  expect(readResult('functionUrl', await handler(event, {})).json()).toEqual({ status: 'ok', checks: { database: 'ok', sessions: 'ok' } });
  await handler.close();
});
