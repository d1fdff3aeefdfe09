import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { HttpProblem } from '../http/problem.ts';
import type { Contact } from './schemas.ts';
import { IMPORT_LIMITS, PIECE_CHARS, type FormatParser, type OnRecord } from './import.ts';
import { birthdayOrNote } from './vcard.ts';

/*
 * CSV in the column layout Google Contacts uses ("E-mail 1 - Label", ...),
 * so exports open there and in spreadsheets; imports also accept Outlook's
 * common columns. Cells that a spreadsheet would run as a formula are
 * escaped on export and unescaped on import (OWASP CSV injection).
 */

const FORMULA_START = /^[=+\-@\t\r]/;
// A value that itself starts with the escape character is escaped too, or
// "'=x" (data) would come back as "=x".
const ESCAPED = /^'[=+\-@\t\r']/;

export function escapeCell(value: string): string {
  return FORMULA_START.test(value) || value.startsWith("'") ? `'${value}` : value;
}

export function unescapeCell(value: string): string {
  return ESCAPED.test(value) ? value.slice(1) : value;
}

const TAG_SEPARATOR = ' ::: ';

export function contactsToCsv(contacts: Contact[]): string {
  const emails = Math.max(1, ...contacts.map((c) => c.emails.length));
  const phones = Math.max(1, ...contacts.map((c) => c.phones.length));
  const addresses = Math.max(1, ...contacts.map((c) => c.addresses.length));
  const header = ['First Name', 'Last Name', 'Organization Name', 'Organization Title', 'Birthday', 'Notes', 'Labels', 'Favorite'];
  for (let i = 1; i <= emails; i++) header.push(`E-mail ${i} - Label`, `E-mail ${i} - Value`);
  for (let i = 1; i <= phones; i++) header.push(`Phone ${i} - Label`, `Phone ${i} - Value`);
  for (let i = 1; i <= addresses; i++) {
    header.push(
      `Address ${i} - Label`,
      `Address ${i} - Street`,
      `Address ${i} - City`,
      `Address ${i} - Region`,
      `Address ${i} - Postal Code`,
      `Address ${i} - Country`,
    );
  }
  const rows = contacts.map((c) => {
    const row: (string | null | undefined)[] = [
      c.firstName,
      c.lastName,
      c.company,
      c.jobTitle,
      c.birthday,
      c.notes,
      c.tags.join(TAG_SEPARATOR),
      c.favorite ? 'true' : '',
    ];
    for (let i = 0; i < emails; i++) row.push(c.emails[i]?.label, c.emails[i]?.value);
    for (let i = 0; i < phones; i++) row.push(c.phones[i]?.label, c.phones[i]?.value);
    for (let i = 0; i < addresses; i++) {
      const a = c.addresses[i];
      row.push(a?.label, a?.street, a?.city, a?.region, a?.postalCode, a?.country);
    }
    return row.map((v) => escapeCell(v ?? ''));
  });
  return stringify([header, ...rows], { record_delimiter: '\r\n', quoted_match: /[\s,"]/ });
}

type Labelled = readonly [label: string, value: string];

function label<T extends string>(raw: string, allowed: readonly T[], fallback: T): T {
  const l = raw.replace(/^\*\s*/, '').trim().toLowerCase();
  const mapped = l === 'cell' ? 'mobile' : l === 'business' ? 'work' : l;
  return (allowed as readonly string[]).includes(mapped) ? (mapped as T) : fallback;
}

/** The cells of one row, read by column name through the header's index. */
type Cells = (...names: string[]) => string;

/**
 * What the header says, worked out once per file: a 4,000-column header
 * cost 57 s when every row searched its column names again.
 */
function planFor(header: string[]): (row: string[]) => Record<string, unknown> {
  const at = new Map<string, number>();
  header.forEach((h, i) => at.set(h.trim().toLowerCase(), i));
  const present = (prefix: string) => {
    let n = 0;
    while (n < 50 && header.some((h) => h.trim().toLowerCase().startsWith(`${prefix} ${n + 1} `))) n++;
    return n;
  };
  const emailsN = present('e-mail');
  const phonesN = present('phone');
  const addressesN = present('address');
  return (row) => {
    const col: Cells = (...names) => {
      for (const n of names) {
        const i = at.get(n.toLowerCase());
        const v = i === undefined ? undefined : row[i];
        if (v) return unescapeCell(v);
      }
      return '';
    };
    return rowToInput(col, emailsN, phonesN, addressesN);
  };
}

function rowToInput(col: Cells, emailsN: number, phonesN: number, addressesN: number): Record<string, unknown> {
  const rawTags = col('Labels', 'Group Membership', 'Categories')
    .split(/\s*:::\s*|;/)
    .map((t) => t.trim())
    .filter(Boolean);
  const starred = rawTags.some((t) => t.toLowerCase() === '* starred');
  const tags = rawTags.filter((t) => !t.startsWith('* '));
  const rawBirthday = col('Birthday');
  const { birthday, note } = rawBirthday === '0/0/00' ? { birthday: null } : birthdayOrNote(rawBirthday, usDate(rawBirthday));
  const notes = [col('Notes'), note].filter(Boolean).join('\n');

  const labelled = (n: number, value: (i: number) => Labelled): Labelled[] =>
    Array.from({ length: n }, (_, i) => value(i + 1)).filter(([, v]) => v);
  const emails = labelled(emailsN, (i) => [col(`E-mail ${i} - Label`, `E-mail ${i} - Type`), col(`E-mail ${i} - Value`)]).map(([l, value]) => ({
    value,
    label: label(l, ['home', 'work', 'other'], 'other'),
  }));
  for (const name of ['E-mail Address', 'E-mail 2 Address', 'E-mail 3 Address']) {
    const value = col(name);
    if (value) emails.push({ value, label: 'other' });
  }
  const phones = labelled(phonesN, (i) => [col(`Phone ${i} - Label`, `Phone ${i} - Type`), col(`Phone ${i} - Value`)]).map(([l, value]) => ({
    value,
    label: label(l, ['mobile', 'home', 'work', 'other'], 'other'),
  }));
  for (const [name, lbl] of [['Mobile Phone', 'mobile'], ['Home Phone', 'home'], ['Business Phone', 'work']] as const) {
    const value = col(name);
    if (value) phones.push({ value, label: lbl });
  }
  const addresses = Array.from({ length: addressesN }, (_, k) => {
    const i = k + 1;
    const a = {
      street: col(`Address ${i} - Street`),
      city: col(`Address ${i} - City`),
      region: col(`Address ${i} - Region`),
      postalCode: col(`Address ${i} - Postal Code`),
      country: col(`Address ${i} - Country`),
    };
    if (!Object.values(a).some(Boolean)) return undefined;
    return { ...a, label: label(col(`Address ${i} - Label`, `Address ${i} - Type`), ['home', 'work', 'other'], 'home') };
  }).filter((a) => a !== undefined);

  return {
    firstName: col('First Name', 'Given Name'),
    lastName: col('Last Name', 'Family Name'),
    company: col('Organization Name', 'Organization 1 - Name', 'Company'),
    jobTitle: col('Organization Title', 'Organization 1 - Title', 'Job Title'),
    emails,
    phones,
    addresses,
    birthday,
    notes,
    tags,
    favorite: starred || ['true', 'yes', '1'].includes(col('Favorite').toLowerCase()),
  };
}

/** Outlook writes M/D/YYYY. */
function usDate(raw: string): string | undefined {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
  return us ? `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}` : undefined;
}

const unparseable = (why: string) => new HttpProblem(400, 'unparseable_import', `The CSV could not be parsed: ${why}`);

/**
 * Counts the records in text[from..] as csv-parse reads them (fields in
 * quotes with "" inside, CR, LF or CRLF between records, empty lines
 * skipped) without building them: csv-parse takes 3 us a record even to
 * count, 7 s for a 5 MB file of tiny rows. Returns -1 for a quote never closed.
 */
async function countRecords(text: string, from: number, breathe: () => Promise<void>): Promise<number> {
  let count = 0;
  let quoted = false;
  let content = false;
  for (let start = from; start < text.length; start += COUNT_SLICE) {
    const end = Math.min(text.length, start + COUNT_SLICE);
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (quoted) {
        if (c === 0x22) {
          if (text.charCodeAt(i + 1) === 0x22) i++;
          else quoted = false;
        }
      } else if (c === 0x0a || c === 0x0d) {
        if (content) count++;
        content = false;
      } else {
        content = true;
        if (c === 0x22) quoted = true;
      }
    }
    await breathe();
  }
  if (quoted) return -1;
  return content ? count + 1 : count;
}

const COUNT_SLICE = 64 * 1024;

/** The end of the piece of `body` from `at`: PIECE_CHARS at most, never between the halves of a surrogate pair. */
function pieceEnd(body: string, at: number): number {
  const end = Math.min(body.length, at + PIECE_CHARS);
  const last = body.charCodeAt(end - 1);
  return end < body.length && last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

/**
 * Reads CSV with a header row through csv-parse's streaming parser, a piece
 * at a time, until onRecord has had enough; the rest is only counted. A body
 * that is not CSV is a 400 and imports nothing.
 */
export const parseCsv: FormatParser = async (body, onRecord: OnRecord, breathe) => {
  let plan: ((row: string[]) => Record<string, unknown>) | undefined;
  let total = 0;
  /** Where reading stopped: the byte (in the parser's count) after the last record read. */
  let stoppedAt: number | undefined;
  let failure: unknown;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
    // A never-closed quote or a huge field fails here instead of growing a buffer to the body's size.
    max_record_size: IMPORT_LIMITS.maxRecordChars,
    // Records are handled here, as they are parsed, and never queued in the stream.
    on_record: (record: string[], context) => {
      if (failure !== undefined || stoppedAt !== undefined) return null;
      try {
        if (!plan) {
          if (record.length > IMPORT_LIMITS.maxColumns) {
            throw unparseable(`the header has ${record.length} columns; at most ${IMPORT_LIMITS.maxColumns} are read`);
          }
          plan = planFor(record);
        } else {
          total++;
          if (!onRecord({ input: plan(record) })) stoppedAt = context.bytes;
        }
      } catch (err) {
        failure = err;
      }
      return null;
    },
  });
  parser.on('error', (err) => (failure ??= err));
  const done = finished(parser.resume()).catch(() => undefined);
  let at = 0;
  let bytesBefore = 0;
  let piece = Buffer.alloc(0);
  while (at < body.length && failure === undefined && stoppedAt === undefined && !parser.destroyed) {
    const end = pieceEnd(body, at);
    piece = Buffer.from(body.slice(at, end), 'utf8');
    parser.write(piece);
    at = end;
    bytesBefore += piece.length;
    await breathe();
  }
  if (stoppedAt === undefined) {
    parser.end();
    await done;
  } else parser.destroy();
  if (failure instanceof HttpProblem) throw failure;
  if (failure !== undefined && stoppedAt === undefined) throw unparseable(failure instanceof Error ? failure.message : 'parse error');
  if (stoppedAt === undefined) return total;
  // Back from the parser's byte count to a place in the text: the stop lies
  // in the last piece, right after a record delimiter (never inside a character).
  const pieceStart = at - piece.toString('utf8').length;
  const inPiece = Math.max(0, stoppedAt - (bytesBefore - piece.length));
  const rest = await countRecords(body, pieceStart + piece.subarray(0, inPiece).toString('utf8').length, breathe);
  if (rest < 0) throw unparseable('a quoted field is never closed');
  return total + rest;
};
