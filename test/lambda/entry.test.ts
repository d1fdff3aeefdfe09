import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, PASSWORD, TEST_SESSION_SECRET, uniqueEmail, type TestDatabase } from '../support/harness.ts';
import { buildEvent, readResult } from './events.ts';

/*
 * The real entry module, configured only through process.env as Lambda
 * configures it. (Each test file runs in its own process.)
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it('a migrate invocation applies the migrations; HTTP events are then served', async () => {
  Object.assign(process.env, {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    PGSSLMODE: 'disable',
    REDIS_URL,
    SESSION_SECRET: TEST_SESSION_SECRET,
    CORS_ORIGIN: 'https://contactfolio.com',
    LOG_LEVEL: 'silent',
  });
  const { handler } = await import('../../handlers/lambda.ts');
  // Production does not migrate at boot: the deploy runs this once.
  const migrations = [
    '20261125000000_init',
    '20261204000000_richer_contacts',
    '20261205000000_search_notes_tag_case',
    '20261206000000_contact_cap_trigger',
    '20261207000000_carddav',
    '20261208000000_tombstone_cap',
  ];
  expect(await handler({ action: 'migrate' }, {})).toEqual({
    applied: migrations,
    alreadyApplied: [],
    modified: [],
    refreshedSearchKeys: 0,
  });
  expect(await handler({ action: 'migrate' }, {})).toEqual({
    applied: [],
    alreadyApplied: migrations,
    modified: [],
    refreshedSearchKeys: 0,
  });
  await expect(handler({ action: 'drop-everything' } as never, {})).rejects.toThrow(/Unknown action/);

  const signup = readResult(
    'httpApiV2',
    await handler(
      buildEvent('httpApiV2', {
        method: 'POST',
        path: '/v1/auth/signup',
        headers: { 'content-type': 'application/json', origin: 'https://contactfolio.com' },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'Entry' }),
      }),
      {},
    ),
  );
  expect(signup.status).toBe(201);
  expect(signup.setCookies[0]).toMatch(/; Secure/);
  expect(signup.headers['access-control-allow-origin']).toBe('https://contactfolio.com');
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  expect((await admin.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(1);
  await admin.end();
  await handler.close();
});
