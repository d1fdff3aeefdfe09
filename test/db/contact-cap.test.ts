import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateSchema } from '../../app/contacts/schemas.ts';
import { CONTACT_CAP_REACHED, createContactStore } from '../../app/contacts/store.ts';
import { CONTACT_CAP_SETTING, createDatabase, type DatabaseHandle } from '../../app/db/client.ts';
import { applyMigrations } from '../../app/db/migrate.ts';
import { HttpProblem } from '../../app/http/problem.ts';
import { createTestDatabase, type TestDatabase } from '../support/harness.ts';

// The cap is checked by the insert trigger (migration 20261206000000_contact_cap_trigger)
// with the value each pooled connection sets; the HTTP tests race it (test/http/caps.test.ts).
let database: TestDatabase;
let db: DatabaseHandle;
let raw: pg.Client;
const draft = (firstName: string) => contactCreateSchema.parse({ firstName });

async function newUser(): Promise<string> {
  const { rows } = await raw.query<{ id: string }>(
    `INSERT INTO users (id, email, name, password_hash) VALUES (gen_random_uuid(), gen_random_uuid() || '@example.test', 'Cap', 'x') RETURNING id`,
  );
  return rows[0]!.id;
}
const insert = (client: pg.ClientBase, userId: string, n: number) =>
  client.query(
    `INSERT INTO contacts (id, user_id, first_name, search_text, phone_digits, sort_name)
     SELECT gen_random_uuid(), $1, 'P' || i, '', '', '' FROM generate_series(1, $2::int) i`,
    [userId, n],
  );

beforeAll(async () => {
  database = await createTestDatabase();
  await applyMigrations(database.url, path.resolve(import.meta.dirname, '../../prisma/migrations'));
  db = createDatabase({ url: database.url, sslMode: 'disable', poolMax: 4, migrateOnBoot: false, maxContactsPerUser: 3 });
  raw = new pg.Client({ connectionString: database.url });
  await raw.connect();
});
afterAll(async () => {
  await raw?.end();
  await db?.close();
  await database?.drop();
});

describe('the contact cap in the insert trigger', () => {
  it('the store creates up to MAX_CONTACTS_PER_USER, then answers null and stores nothing more', async () => {
    const user = await newUser();
    const contacts = createContactStore(db);
    for (const name of ['A', 'B', 'C']) expect((await contacts.create(user, draft(name)))?.contact.firstName).toBe(name);
    expect(await contacts.create(user, draft('D'))).toBeNull();
    expect(await contacts.count(user)).toBe(3);
    // Room again after a delete.
    const [first] = await contacts.all(user);
    await contacts.delete(user, first!.id);
    expect(await contacts.create(user, draft('E'))).not.toBeNull();
  });

  it('a statement that would pass the cap is refused whole, with its own SQLSTATE', async () => {
    const user = await newUser();
    const client = await db.readPool.connect(); // the writer's pool: no replica here, so it carries the setting
    try {
      await insert(client, user, 2);
      await expect(insert(client, user, 2)).rejects.toMatchObject({ code: CONTACT_CAP_REACHED });
    } finally {
      client.release();
    }
    expect((await raw.query('SELECT count(*)::int AS n FROM contacts WHERE user_id = $1', [user])).rows[0].n).toBe(2);
  });

  it('connections without the setting (psql, a seed script) are not capped', async () => {
    const user = await newUser();
    await insert(raw, user, 5);
    expect((await raw.query(`SELECT current_setting($1, true) AS v`, [CONTACT_CAP_SETTING])).rows[0].v).toBeFalsy();
  });

  it('12 creates racing on separate connections leave exactly the cap', async () => {
    const user = await newUser();
    const clients = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const c = new pg.Client({ connectionString: database.url });
        await c.connect();
        await c.query('SELECT set_config($1, $2, false)', [CONTACT_CAP_SETTING, '3']);
        return c;
      }),
    );
    try {
      const results = await Promise.allSettled(clients.map((c) => insert(c, user, 1)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: CONTACT_CAP_REACHED });
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect((await raw.query('SELECT count(*)::int AS n FROM contacts WHERE user_id = $1', [user])).rows[0].n).toBe(3);
  });

  it('a create for an account deleted meanwhile is a 401, not a foreign-key 500', async () => {
    const user = await newUser();
    await raw.query('DELETE FROM users WHERE id = $1', [user]);
    const err = await createContactStore(db)
      .create(user, draft('Orphan'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpProblem);
    expect(err).toMatchObject({ status: 401 });
  });
});
