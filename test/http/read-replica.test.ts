import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, signUp, startTestApp, type TestApp, type TestDatabase } from '../support/harness.ts';

/*
 * With a reader endpoint configured, the app runs on the read-replicas
 * extension. There is no Aurora replica here, so the "replica" is the same
 * database: this proves the wiring (reads, writes and transactions through
 * the extended client), not replication.
 */
let db: TestDatabase;
let t: TestApp;
beforeAll(async () => {
  db = await createTestDatabase();
  t = await startTestApp({ DATABASE_URL: db.url, DATABASE_READER_URL: db.url, MAX_CONTACTS_PER_USER: '3' });
});
afterAll(async () => {
  await t.close();
  await db.drop();
});

it('serves the whole contacts journey through the read-replica client', async () => {
  const agent = t.client();
  await signUp(agent);
  const created = await agent.post('/v1/contacts').send({ firstName: 'Replica' });
  expect(created.status).toBe(201);
  expect((await agent.get(created.headers.location!)).body.firstName).toBe('Replica');
  expect((await agent.patch(created.headers.location!).set('If-Match', '"v1"').send({ lastName: 'Read' })).status).toBe(200);
  expect((await agent.get('/v1/contacts?q=replica')).body.total).toBe(1);
  const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => agent.post('/v1/contacts').send({ firstName: `B${i}` })));
  expect(burst.filter((r) => r.status === 201)).toHaveLength(2);
  expect((await agent.get('/v1/limits')).body.contacts).toBe(3);
  expect((await agent.delete(created.headers.location!)).status).toBe(204);
});
