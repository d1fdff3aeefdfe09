import type pg from 'pg';
import { DRAFT_COLUMNS } from './bulk-write.ts';
import type { ContactDraft } from './schemas.ts';
import { SEARCH_KEYS_VERSION, searchKeys } from './search-keys.ts';

/*
 * Recomputes the derived search columns of rows written by an older
 * searchKeys (keys_version below SEARCH_KEYS_VERSION). The folding is
 * JavaScript's (Unicode NFKD), which SQL cannot reproduce in every
 * PostgreSQL, so a migration that changes what is derived leaves the rows
 * to this step, which the migration runner takes after the SQL files.
 */

const BATCH = 500;

type Row = { id: string; version: number } & ContactDraft;

// Every field of the draft, by the column map the bulk writes use.
const SELECT = `SELECT id, version, ${Object.entries(DRAFT_COLUMNS)
  .map(([key, [column]]) => `"${column}" AS "${key}"`)
  .join(', ')}
  FROM contacts WHERE keys_version < $1 AND id > $2::uuid ORDER BY id LIMIT ${BATCH}`;

// Only a row still at the version read is written: one the app changed
// meanwhile already carries current keys.
const UPDATE = `UPDATE contacts AS c SET search_text = r."searchText", phone_digits = r."phoneDigits", sort_name = r."sortName",
    tag_keys = r."tagKeys", keys_version = r."keysVersion"
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, version int, "searchText" text, "phoneDigits" text, "sortName" text, "tagKeys" text[], "keysVersion" int)
  WHERE c.id = r.id AND c.version = r.version`;

/** Rewrites the derived columns of every out-of-date row; how many were rewritten. */
export async function refreshSearchKeys(client: pg.ClientBase): Promise<number> {
  // A database migrated only part of the way (tests, a rollback) has no keys_version yet.
  const { rowCount } = await client.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'contacts' AND column_name = 'keys_version'`,
  );
  if (!rowCount) return 0;
  let after = '00000000-0000-0000-0000-000000000000';
  let refreshed = 0;
  for (;;) {
    const { rows } = await client.query<Row>(SELECT, [SEARCH_KEYS_VERSION, after]);
    if (rows.length === 0) return refreshed;
    const keys = rows.map((r) => ({ id: r.id, version: r.version, ...searchKeys(r) }));
    refreshed += (await client.query(UPDATE, [JSON.stringify(keys)])).rowCount ?? 0;
    after = rows.at(-1)!.id;
  }
}
