import { expect, it } from 'vitest';
import { applyMigrations } from '../../app/db/migrate.ts';
import { MIGRATIONS_DIR } from '../../handlers/bootstrap.ts';
import { useEarlierSchema } from './earlier-schema.ts';

// Data written before issue 16 must read back in the new shape: customLabel
// on every labelled item, and Apple's 1604 "no year" birthdays as --MM-DD.
const earlier = useEarlierSchema();

it('migrates contacts stored before the richer contact', async () => {
  await earlier.migrateTo(['20261125000000_init']);
  const { db, client } = earlier;
  await client.query(
    `INSERT INTO users (id, email, name, password_hash) VALUES ('00000000-0000-4000-8000-000000000001', 'm@example.org', 'M', 'x')`,
  );
  const insert = `INSERT INTO contacts (id, user_id, first_name, emails, phones, addresses, birthday, search_text, phone_digits, sort_name)
                  VALUES ($1, '00000000-0000-4000-8000-000000000001', $2, $3, $4, $5, $6, '', '', '')`;
  await client.query(insert, [
    '00000000-0000-4000-8000-00000000000a',
    'Apple',
    JSON.stringify([
      { value: 'a@example.org', label: 'home' },
      { value: 'b@example.org', label: 'work' },
    ]),
    JSON.stringify([{ value: '555 0100', label: 'mobile' }]),
    JSON.stringify([{ street: '1 Main St', city: null, region: null, postalCode: null, country: null, label: 'home' }]),
    '1604-08-23',
  ]);
  await client.query(insert, ['00000000-0000-4000-8000-00000000000b', 'Old', '[]', '[]', '[]', '0099-01-02']);
  await client.query(insert, ['00000000-0000-4000-8000-00000000000c', 'None', '[]', '[]', '[]', null]);

  expect((await applyMigrations(db.url, MIGRATIONS_DIR)).applied).toEqual([
    '20261204000000_richer_contacts',
    '20261205000000_search_notes_tag_case',
    '20261206000000_contact_cap_trigger',
    '20261207000000_carddav',
    '20261208000000_tombstone_cap',
  ]);

  const { rows } = await client.query(
    'SELECT first_name, emails, phones, addresses, urls, related, birthday, prefix, nickname FROM contacts ORDER BY id',
  );
  expect(rows).toEqual([
    {
      first_name: 'Apple',
      emails: [
        { value: 'a@example.org', label: 'home', customLabel: null },
        { value: 'b@example.org', label: 'work', customLabel: null },
      ],
      phones: [{ value: '555 0100', label: 'mobile', customLabel: null }],
      addresses: [{ street: '1 Main St', city: null, region: null, postalCode: null, country: null, label: 'home', customLabel: null }],
      urls: [],
      related: [],
      birthday: '--08-23',
      prefix: null,
      nickname: null,
    },
    {
      first_name: 'Old',
      emails: [],
      phones: [],
      addresses: [],
      urls: [],
      related: [],
      birthday: '0099-01-02',
      prefix: null,
      nickname: null,
    },
    { first_name: 'None', emails: [], phones: [], addresses: [], urls: [], related: [], birthday: null, prefix: null, nickname: null },
  ]);
});
