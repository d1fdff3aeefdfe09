import type { Prisma } from '../db/generated/client.ts';
import type { ContactDraft } from './schemas.ts';
import { withSearchKeys, type SearchKeys } from './search-keys.ts';

/*
 * An import's contacts written in one statement each way (jsonb_to_recordset);
 * single creates and edits stay in Prisma. Why: docs/performance.md.
 */

// Each field's column and type: keyed by the draft's fields, so a field added to
// ContactDraft does not compile until it has a column here.
export const DRAFT_COLUMNS: Record<keyof ContactDraft, [column: string, type: string]> = {
  prefix: ['prefix', 'text'],
  firstName: ['first_name', 'text'],
  middleName: ['middle_name', 'text'],
  lastName: ['last_name', 'text'],
  suffix: ['suffix', 'text'],
  nickname: ['nickname', 'text'],
  company: ['company', 'text'],
  jobTitle: ['job_title', 'text'],
  emails: ['emails', 'jsonb'],
  phones: ['phones', 'jsonb'],
  addresses: ['addresses', 'jsonb'],
  urls: ['urls', 'jsonb'],
  related: ['related', 'jsonb'],
  birthday: ['birthday', 'text'],
  notes: ['notes', 'text'],
  tags: ['tags', 'text[]'],
  favorite: ['favorite', 'boolean'],
};
const DERIVED_COLUMNS: Record<keyof SearchKeys, [column: string, type: string]> = {
  searchText: ['search_text', 'text'],
  phoneDigits: ['phone_digits', 'text'],
  sortName: ['sort_name', 'text'],
  tagKeys: ['tag_keys', 'text[]'],
  keysVersion: ['keys_version', 'int'],
};
const COLUMNS = Object.entries({ ...DRAFT_COLUMNS, ...DERIVED_COLUMNS }).map(([key, [column, type]]) => [column, key, type] as const);

const RECORD = `jsonb_to_recordset($1::jsonb) AS r("id" uuid, "at" timestamptz, ${COLUMNS.map(([, key, type]) => `"${key}" ${type}`).join(', ')})`;

const INSERT = `INSERT INTO "contacts" ("id", "user_id", "created_at", "updated_at", ${COLUMNS.map(([c]) => `"${c}"`).join(', ')})
  SELECT r."id", $2::uuid, r."at", r."at", ${COLUMNS.map(([, key]) => `r."${key}"`).join(', ')} FROM ${RECORD}`;

const UPDATE = `UPDATE "contacts" AS c SET "version" = c."version" + 1, "updated_at" = r."at", ${COLUMNS.map(([c, key]) => `"${c}" = r."${key}"`).join(', ')}
  FROM ${RECORD} WHERE c."id" = r."id" AND c."user_id" = $2::uuid`;

/** Rows per statement: a few MB of JSON at most, well inside one statement's deadline. */
const CHUNK = 1_000;

export interface BulkRow {
  id: string;
  draft: ContactDraft;
  /** Creation time for inserts, change time for updates. */
  at: Date;
}

async function run(tx: Prisma.TransactionClient, sql: string, userId: string, rows: BulkRow[]): Promise<number> {
  let count = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK).map(({ id, draft, at }) => ({ id, at, ...withSearchKeys(draft) })));
    count += await tx.$executeRawUnsafe(sql, json, userId);
  }
  return count;
}

/** Inserts new contacts for `userId`. */
export const insertContacts = (tx: Prisma.TransactionClient, userId: string, rows: BulkRow[]) => run(tx, INSERT, userId, rows);

/** Replaces the content of existing contacts of `userId` and bumps their versions. */
export const updateContacts = (tx: Prisma.TransactionClient, userId: string, rows: BulkRow[]) => run(tx, UPDATE, userId, rows);
