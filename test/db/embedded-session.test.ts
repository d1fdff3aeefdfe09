import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createContactStore } from '../../app/contacts/store.ts';
import { contactCreateSchema, listQuerySchema } from '../../app/contacts/schemas.ts';
import { createDatabase, type DatabaseHandle } from '../../app/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../app/db/embedded.ts';
import { applyMigrations } from '../../app/db/migrate.ts';

// PGlite keeps one session for all its connections, so a statement prepared
// by one connection is still there when the pool opens the next.
let pg: EmbeddedPostgres;
let db: DatabaseHandle;
beforeAll(async () => {
  pg = await startEmbeddedPostgres(undefined);
  await applyMigrations(pg.url, path.resolve(import.meta.dirname, '../../prisma/migrations'));
  db = createDatabase({ url: pg.url, sslMode: 'disable', poolMax: 1, migrateOnBoot: false, sharedSession: true, maxContactsPerUser: 2 });
});
afterAll(async () => {
  await db?.close();
  await pg?.stop();
});

it('lists again after the pool replaced its connection to the embedded database', async () => {
  const user = await (await db.prisma()).user.create({ data: { email: 'shared@example.test', name: 'Shared', passwordHash: 'x' } });
  const contacts = createContactStore(db);
  await contacts.create(user.id, contactCreateSchema.parse({ firstName: 'Ada' }));
  const query = listQuerySchema.parse({ q: 'ada' });
  expect(JSON.parse((await contacts.list(user.id, query)).itemsJson)).toHaveLength(1);

  // Drop the pool's only connection; the next query opens a new one.
  const client = await db.readPool.connect();
  client.release(true);
  // pglite-socket takes one connection at a time: let it see the close first.
  await new Promise((r) => setTimeout(r, 200));
  expect(JSON.parse((await contacts.list(user.id, query)).itemsJson)).toHaveLength(1);
});

it('enforces the contact cap in the embedded database too (its insert trigger, PL/pgSQL)', async () => {
  const user = await (await db.prisma()).user.create({ data: { email: 'capped@example.test', name: 'Capped', passwordHash: 'x' } });
  const contacts = createContactStore(db);
  expect(await contacts.create(user.id, contactCreateSchema.parse({ firstName: 'One' }))).not.toBeNull();
  expect(await contacts.create(user.id, contactCreateSchema.parse({ firstName: 'Two' }))).not.toBeNull();
  expect(await contacts.create(user.id, contactCreateSchema.parse({ firstName: 'Three' }))).toBeNull();
  expect(await contacts.count(user.id)).toBe(2);
});
