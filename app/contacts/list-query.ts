import type pg from 'pg';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { contactSchema, type Contact, type ListQuery } from './schemas.ts';
import { digits, escapeLike, fold } from './search-keys.ts';

/*
 * The list and search read: one SQL statement on the pg pool that Prisma's
 * adapter also uses (the replica's when there is one), with PostgreSQL
 * writing each contact as JSON text. This is the hottest path. Prisma's
 * generic result mapping cost about 1 ms of CPU per request, and even raw pg
 * spent a fifth of the server's CPU parsing rows (jsonb, dates) into objects
 * that JSON.stringify then turned straight back into text, plus most of the
 * garbage the collector had to chase. Text in, text out: the app only joins
 * the rows. Writes and single reads stay in Prisma.
 */

/** JSON text of a contact array, as PostgreSQL wrote it: send it, don't parse it. */
export type ContactsJson = string & { readonly __json: Contact[] };

export interface ListedPage {
  itemsJson: ContactsJson;
  nextCursor: string | null;
  total: number;
}

// Milliseconds and "Z", exactly as Date#toISOString writes the other endpoints' timestamps.
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// One SQL expression per field of the contact schema: a field added to the
// schema does not compile until it has one here. row_to_json writes compact
// JSON (the jsonb columns keep PostgreSQL's ": " spacing, which is still JSON).
const FIELD_SQL: Record<keyof Contact, string> = {
  id: 'contacts.id',
  firstName: 'first_name',
  lastName: 'last_name',
  company: 'company',
  jobTitle: 'job_title',
  emails: 'emails',
  phones: 'phones',
  addresses: 'addresses',
  birthday: 'birthday',
  notes: 'notes',
  tags: "coalesce(tags, '{}')",
  favorite: 'favorite',
  createdAt: iso('created_at'),
  updatedAt: iso('updated_at'),
};
const CONTACT_JSON = `(SELECT row_to_json(c) FROM (SELECT ${(Object.keys(contactSchema.shape) as (keyof Contact)[])
  .map((k) => `${FIELD_SQL[k]} AS "${k}"`)
  .join(', ')}) c)::text`;

const ORDER: Record<ListQuery['sort'], string> = {
  name: 'sort_name ASC, id ASC',
  '-updatedAt': 'updated_at DESC, id DESC',
  createdAt: 'created_at ASC, id ASC',
};

// The cursor's key, as text the AFTER comparisons below read back.
const KEY: Record<ListQuery['sort'], string> = {
  name: 'sort_name',
  '-updatedAt': iso('updated_at'),
  createdAt: iso('created_at'),
};

// Row comparisons match the ORDER BY above, so a page starts right after the cursor.
const AFTER: Record<ListQuery['sort'], (k: string, id: string) => string> = {
  name: (k, id) => `(sort_name, id) > (${k}, ${id}::uuid)`,
  '-updatedAt': (k, id) => `(updated_at, id) < (${k}::timestamptz, ${id}::uuid)`,
  createdAt: (k, id) => `(created_at, id) > (${k}::timestamptz, ${id}::uuid)`,
};

interface Row {
  json: string;
  id: string;
  key: string;
}

export async function listContacts(pool: pg.Pool, userId: string, q: ListQuery): Promise<ListedPage> {
  const params: unknown[] = [userId];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['user_id = $1::uuid'];
  if (q.tag) where.push(`${p(q.tag)} = ANY(tags)`);
  if (q.favorite !== undefined) where.push(`favorite = ${p(q.favorite)}`);
  // Every word must match somewhere; a word with 3+ digits also matches phones by digits.
  for (const term of fold(q.q ?? '').split(/\s+/).filter(Boolean)) {
    const d = digits(term);
    const text = `search_text LIKE ${p(`%${escapeLike(term)}%`)}`;
    where.push(d.length >= 3 ? `(${text} OR phone_digits LIKE ${p(`%${d}%`)})` : text);
  }
  const filters = where.join(' AND ');
  const cursor = q.cursor ? decodeCursor(q.cursor, q.sort) : undefined;
  const page = cursor ? `${filters} AND ${AFTER[q.sort](p(cursor.key), p(cursor.id))}` : filters;
  const { rows } = await pool.query<Row>(
    `SELECT ${CONTACT_JSON} AS json, id, ${KEY[q.sort]} AS key FROM contacts WHERE ${page} ORDER BY ${ORDER[q.sort]} LIMIT ${q.limit + 1}`,
    params,
  );

  const items = rows.slice(0, q.limit);
  // A first page that is not full holds everything: no count query needed.
  let total = items.length;
  if (cursor || rows.length > q.limit) {
    const filterParams = params.slice(0, cursor ? -2 : undefined);
    total = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM contacts WHERE ${filters}`, filterParams)).rows[0]?.n ?? 0);
  }
  const last = items.at(-1);
  return {
    itemsJson: `[${items.map((r) => r.json).join(',')}]` as ContactsJson,
    nextCursor: rows.length > q.limit && last ? encodeCursor({ sort: q.sort, key: last.key, id: last.id }) : null,
    total,
  };
}
