import { expect, it } from 'vitest';
import { applyMigrations } from '../../app/db/migrate.ts';
import { SEARCH_KEYS_VERSION } from '../../app/contacts/search-keys.ts';
import { MIGRATIONS_DIR } from '../../handlers/bootstrap.ts';
import { useEarlierSchema } from './earlier-schema.ts';

// Contacts stored before issue 17 become findable by their notes, addresses
// and job titles, and their (lower-cased) tags gain keys, without being edited.
const earlier = useEarlierSchema();

const USER = '00000000-0000-4000-8000-000000000001';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

it('recomputes the search columns of contacts stored before, in batches, once', async () => {
  await earlier.migrateTo(['20261125000000_init', '20261204000000_richer_contacts']);
  const { db, client } = earlier;
  await client.query(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, 'k@example.org', 'K', 'x')`, [USER]);
  // As the previous code wrote them: search_text without notes, addresses or job title.
  await client.query(
    `INSERT INTO contacts (id, user_id, first_name, job_title, notes, addresses, tags, search_text, phone_digits, sort_name, version)
     VALUES ($1, $2, 'Hans', 'Glaciologist', 'Met at the Ørsted lecture', $3, '{family,ski club}', 'hans family ski club', '', 'hans', 4)`,
    [
      id(1),
      USER,
      JSON.stringify([
        {
          street: 'Bahnhofstrasse 1',
          city: 'Zürich',
          region: null,
          postalCode: '8001',
          country: 'Switzerland',
          label: 'work',
          customLabel: null,
        },
      ]),
    ],
  );
  // More than one batch (500) of plain rows.
  await client.query(
    `INSERT INTO contacts (id, user_id, first_name, notes, search_text, phone_digits, sort_name)
     SELECT ('00000000-0000-4000-9000-' || lpad(n::text, 12, '0'))::uuid, $1, 'P' || n, 'note ' || n, 'p' || n, '', 'p' || n FROM generate_series(1, 1200) n`,
    [USER],
  );

  const result = await applyMigrations(db.url, MIGRATIONS_DIR);
  expect(result.applied).toEqual([
    '20261205000000_search_notes_tag_case',
    '20261206000000_contact_cap_trigger',
    '20261207000000_carddav',
    '20261208000000_tombstone_cap',
  ]);
  expect(result.refreshedSearchKeys).toBe(1201);

  const { rows } = await client.query('SELECT search_text, tag_keys, tags, keys_version, version, sort_name FROM contacts WHERE id = $1', [
    id(1),
  ]);
  expect(rows[0]).toEqual({
    search_text: 'hans glaciologist bahnhofstrasse 1 zurich 8001 switzerland family ski club met at the orsted lecture',
    tag_keys: ['family', 'ski club'],
    tags: ['family', 'ski club'],
    keys_version: SEARCH_KEYS_VERSION,
    // The content did not change, so neither does its ETag.
    version: 4,
    sort_name: 'hans',
  });
  const stale = await client.query('SELECT count(*)::int AS n FROM contacts WHERE keys_version < $1 OR search_text NOT LIKE $2', [
    SEARCH_KEYS_VERSION,
    '%note%',
  ]);
  expect(stale.rows[0].n).toBe(1); // Hans, whose notes say "Met", not "note"

  // Nothing is left to do the next time.
  expect((await applyMigrations(db.url, MIGRATIONS_DIR)).refreshedSearchKeys).toBe(0);
});
