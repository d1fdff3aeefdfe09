// What both baselines do, written once so they do the same work as each
// other and as the app: the same SQL (the app's schema and indexes), the
// same scrypt check, the same cap check under a row lock, the same JSON.
import { randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import pg from 'pg';

export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
export const MAX_CONTACTS = Number(process.env.MAX_CONTACTS_PER_USER ?? 50);

const COLUMNS =
  'id, first_name, last_name, company, job_title, emails, phones, addresses, birthday, notes, tags, favorite, created_at, updated_at, sort_name';

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

export async function create(userId, body) {
  const first = body.firstName ?? null;
  const last = body.lastName ?? null;
  const emails = (body.emails ?? []).map((e) => ({ value: e.value, label: e.label ?? 'other' }));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
    const { rows: c } = await client.query('SELECT count(*)::int AS n FROM contacts WHERE user_id = $1', [userId]);
    if (c[0].n >= MAX_CONTACTS) {
      await client.query('ROLLBACK');
      return undefined;
    }
    const { rows } = await client.query(
      `INSERT INTO contacts (id, user_id, first_name, last_name, emails, search_text, phone_digits, sort_name, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, '', $7, now()) RETURNING ${COLUMNS}`,
      [
        randomUUID(),
        userId,
        first,
        last,
        JSON.stringify(emails),
        fold([first, last, ...emails.map((e) => e.value)].filter(Boolean).join(' ')),
        fold([last, first].filter(Boolean).join(' ')),
      ],
    );
    await client.query('COMMIT');
    return toContact(rows[0]);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function remove(userId, id) {
  const { rowCount } = await pool.query('DELETE FROM contacts WHERE id = $1 AND user_id = $2', [id, userId]);
  return rowCount === 1;
}

export async function health(redis) {
  await Promise.all([pool.query('SELECT 1'), redis.ping()]);
}

export const listening = (port) => process.stdout.write(`baseline listening on http://127.0.0.1:${port}\n`);
