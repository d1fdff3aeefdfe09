// What both baselines do, written once so they do the same work as each
// other and as the app: the same SQL (the app's schema and indexes), the
// same scrypt check, the same cap check under a row lock, the same JSON.
import { randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import pg from 'pg';

export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
export const MAX_CONTACTS = Number(process.env.MAX_CONTACTS_PER_USER ?? 50);
// The app's schema checks the cap in its insert trigger, with the value each connection sets (the
// app's plan too: one INSERT per create). pg runs a client's queries in order, so this goes first.
pool.on(
  'connect',
  (client) => void client.query("SELECT set_config('contactfolio.max_contacts_per_user', $1, false)", [String(MAX_CONTACTS)]),
);

const COLUMNS =
  'id, first_name, last_name, company, job_title, emails, phones, addresses, birthday, notes, tags, favorite, created_at, updated_at, sort_name, version';

export function toContact(r) {
  return {
    id: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    company: r.company,
    jobTitle: r.job_title,
    emails: r.emails,
    phones: r.phones,
    addresses: r.addresses,
    birthday: r.birthday ? r.birthday.toISOString().slice(0, 10) : null,
    notes: r.notes,
    tags: r.tags,
    favorite: r.favorite,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const fold = (s) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

export async function verify(password, stored) {
  const [, n, r, p, salt, key] = stored.split('$');
  const expected = Buffer.from(key, 'base64');
  const actual = await new Promise((res, rej) =>
    scrypt(
      password.normalize('NFKC'),
      Buffer.from(salt, 'base64'),
      expected.length,
      { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 },
      (e, k) => (e ? rej(e) : res(k)),
    ),
  );
  return timingSafeEqual(actual, expected);
}

export async function findUser(email) {
  const { rows } = await pool.query('SELECT id, email, name, password_hash, created_at FROM users WHERE email = $1', [email.toLowerCase()]);
  return rows[0];
}

export async function list(userId, q, limit = 50) {
  const params = [userId];
  let where = 'user_id = $1';
  if (q) {
    params.push(`%${fold(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where += ` AND search_text LIKE $${params.length}`;
  }
  const rows = await pool.query(`SELECT ${COLUMNS} FROM contacts WHERE ${where} ORDER BY sort_name, id LIMIT ${limit + 1}`, params);
  const page = rows.rows.slice(0, limit);
  // The same plan as the app (issue 19, fair baselines): a first page that holds every match is its
  // own total; only a longer result is counted.
  const total =
    rows.rows.length <= limit
      ? page.length
      : (await pool.query(`SELECT count(*)::int AS n FROM contacts WHERE ${where}`, params)).rows[0].n;
  return {
    items: page.map(toContact),
    nextCursor: rows.rows.length > limit ? Buffer.from(page.at(-1).id).toString('base64url') : null,
    total,
  };
}

const searchText = (c) => fold([c.firstName, c.lastName, c.company, c.notes, ...c.emails.map((e) => e.value)].filter(Boolean).join(' '));
const sortName = (c) => fold([c.lastName, c.firstName].filter(Boolean).join(' ') || c.company || '');
const emailsOf = (list) => (list ?? []).map((e) => ({ value: e.value, label: e.label ?? 'other' }));

/** One INSERT, as the app does: the schema's trigger checks the cap. Undefined at the cap. */
export async function create(userId, body) {
  const c = {
    firstName: body.firstName ?? null,
    lastName: body.lastName ?? null,
    company: body.company ?? null,
    notes: null,
    emails: emailsOf(body.emails),
  };
  try {
    const { rows } = await pool.query(
      `INSERT INTO contacts (id, user_id, first_name, last_name, company, emails, search_text, phone_digits, sort_name, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, now()) RETURNING ${COLUMNS}`,
      [randomUUID(), userId, c.firstName, c.lastName, c.company, JSON.stringify(c.emails), searchText(c), sortName(c)],
    );
    return rows[0];
  } catch (err) {
    if (err.code === 'CF001') return undefined;
    throw err;
  }
}

export const etag = (row) => `"v${row.version}"`;

/**
 * PATCH with If-Match, the app's plan: read, merge, write only if the version
 * is still the one read, read again if not. { status, row }.
 */
export async function patch(userId, id, body, ifMatch) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { rows } = await pool.query(`SELECT ${COLUMNS} FROM contacts WHERE id = $1 AND user_id = $2`, [id, userId]);
    const row = rows[0];
    if (!row) return { status: 404 };
    if (ifMatch && ifMatch.trim() !== '*' && !ifMatch.split(',').some((t) => t.trim() === etag(row))) return { status: 412 };
    const pick = (key, column) => (body[key] !== undefined ? body[key] : row[column]);
    const c = {
      firstName: pick('firstName', 'first_name'),
      lastName: pick('lastName', 'last_name'),
      company: pick('company', 'company'),
      notes: pick('notes', 'notes'),
      emails: body.emails !== undefined ? emailsOf(body.emails) : row.emails,
    };
    const { rows: updated } = await pool.query(
      `UPDATE contacts SET first_name = $3, last_name = $4, company = $5, notes = $6, emails = $7, search_text = $8, sort_name = $9,
              version = version + 1, updated_at = now()
        WHERE id = $1 AND user_id = $2 AND version = $10 RETURNING ${COLUMNS}`,
      [id, userId, c.firstName, c.lastName, c.company, c.notes, JSON.stringify(c.emails), searchText(c), sortName(c), row.version],
    );
    if (updated[0]) return { status: 200, row: updated[0] };
  }
  return { status: 409 };
}

/**
 * vCard import, the app's plan for ?duplicates=create: parse, then one
 * transaction that locks the owner, counts, and inserts what fits in one
 * statement. The parser reads FN, N, ORG, EMAIL and TEL only (the app's reads
 * every property, in three vCard versions): less work for the baseline.
 */
export async function importVCards(userId, text) {
  const cards = parseVCards(text);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
    const { rows: n } = await client.query('SELECT count(*)::int AS n FROM contacts WHERE user_id = $1', [userId]);
    const kept = cards.slice(0, Math.max(0, MAX_CONTACTS - n[0].n));
    const records = kept.map((c) => ({
      id: randomUUID(),
      first_name: c.firstName,
      last_name: c.lastName,
      company: c.company,
      emails: c.emails,
      phones: c.phones,
      search_text: searchText(c),
      sort_name: sortName(c),
    }));
    await client.query(
      `INSERT INTO contacts (id, user_id, first_name, last_name, company, emails, phones, search_text, phone_digits, sort_name, updated_at)
       SELECT r.id, $1, r.first_name, r.last_name, r.company, r.emails, r.phones, r.search_text, '', r.sort_name, now()
         FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, first_name text, last_name text, company text, emails jsonb, phones jsonb, search_text text, sort_name text)`,
      [userId, JSON.stringify(records)],
    );
    await client.query('COMMIT');
    return { imported: kept.length, skipped: cards.length - kept.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const unescapeText = (v) => v.replace(/\\([,;\\nN])/g, (_, ch) => (ch === 'n' || ch === 'N' ? '\n' : ch));

function parseVCards(text) {
  const cards = [];
  let card;
  for (const line of text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/)) {
    const m = /^(?:[\w-]+\.)?([A-Za-z-]+)(?:;[^:]*)?:(.*)$/.exec(line);
    if (!m) continue;
    const [, property, value] = m;
    const name = property.toUpperCase();
    if (name === 'BEGIN') card = { firstName: null, lastName: null, company: null, notes: null, emails: [], phones: [] };
    else if (!card) continue;
    else if (name === 'END') {
      cards.push(card);
      card = undefined;
    } else if (name === 'N') {
      const [last, first] = value.split(';');
      card.lastName = unescapeText(last ?? '') || null;
      card.firstName = unescapeText(first ?? '') || null;
    } else if (name === 'FN' && !card.firstName && !card.lastName) card.firstName = unescapeText(value);
    else if (name === 'ORG') card.company = unescapeText(value.split(';')[0]) || null;
    else if (name === 'EMAIL') card.emails.push({ value, label: 'other' });
    else if (name === 'TEL') card.phones.push({ value, label: 'other' });
  }
  return cards;
}

export async function remove(userId, id) {
  const { rowCount } = await pool.query('DELETE FROM contacts WHERE id = $1 AND user_id = $2', [id, userId]);
  return rowCount === 1;
}

export async function health(redis) {
  await Promise.all([pool.query('SELECT 1'), redis.ping()]);
}

export const listening = (port) => process.stdout.write(`baseline listening on http://127.0.0.1:${port}\n`);
