import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { HttpProblem } from '../http/problem.ts';
import type { Contact } from './schemas.ts';
import { IMPORT_LIMITS, PIECE_CHARS, type FormatParser, type OnRecord } from './import.ts';
import { birthdayOrNote } from './birthday.ts';
import { labelFrom, type LabelKind } from './labels.ts';

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

// Google joins several values of one field in one cell with " ::: " (and
// their labels the same way), and marks the primary one with "* ".
const MULTI = ' ::: ';
// Loose about the spaces: csv-parse trims a cell, so "Lisbon ::: " (a last value left empty) arrives as "Lisbon :::".
// A value that itself holds ":::" cannot come back whole (the format has no escape for it).
const splitMulti = (cell: string) => {
  const values = cell.split(/\s*:::\s*/, MAX_CELL_VALUES + 1);
  // Bounded: 16,000 values in one cell took 6.5 s to build, for a list capped at 20.
  if (values.length > MAX_CELL_VALUES) throw new CellProblem(`a cell holds more than ${MAX_CELL_VALUES} values joined with " ::: "`);
  return values.map((v) => v.trim());
};
const MAX_CELL_VALUES = 100;

/** Why one row cannot be read: it is skipped with this reason, the rest of the file goes on. */
class CellProblem extends Error {}

type Labelled = { label: string; customLabel: string | null };
type Item = { value: string } & Labelled;

/** Google's word for one of our labels (its CSV import reads these). */
const GOOGLE_LABEL: Record<string, string> = {
  mobile: 'Mobile',
  home: 'Home',
  work: 'Work',
  other: 'Other',
  spouse: 'Spouse',
  partner: 'Partner',
  child: 'Child',
  mother: 'Mother',
  father: 'Father',
  parent: 'Parent',
  brother: 'Brother',
  sister: 'Sister',
  sibling: 'Sibling',
  friend: 'Friend',
  relative: 'Relative',
  manager: 'Manager',
  assistant: 'Assistant',
};
const googleLabel = (l: Labelled) => l.customLabel ?? GOOGLE_LABEL[l.label] ?? l.label;

/**
 * Items in Google's column groups: one group per run of the same label,
 * values joined with " ::: " (Google groups a label's values this way; runs,
 * not all of a label's values, so the order of the items survives).
 */
function groups<T extends Labelled>(items: T[]): { label: string; items: T[] }[] {
  const out: { label: string; items: T[] }[] = [];
  for (const it of items) {
    const label = googleLabel(it);
    const last = out[out.length - 1];
    if (last && last.label === label) last.items.push(it);
    else out.push({ label, items: [it] });
  }
  return out;
}

const ADDRESS_PARTS = ['Street', 'City', 'Region', 'Postal Code', 'Country'] as const;
const ADDRESS_KEYS = ['street', 'city', 'region', 'postalCode', 'country'] as const;

/**
 * Contacts as Google Contacts' CSV (its current column names), which Google
 * re-imports: a column group per label, several values joined with " ::: ",
 * tags and favorites in Labels ("* starred").
 */
export function contactsToCsv(contacts: Contact[]): string {
  const per = contacts.map((c) => ({
    emails: groups(c.emails),
    phones: groups(c.phones),
    addresses: groups(c.addresses),
    urls: groups(c.urls),
    related: groups(c.related),
  }));
  const most = (k: keyof (typeof per)[number]) => Math.max(1, ...per.map((p) => p[k].length));
  const n = { emails: most('emails'), phones: most('phones'), addresses: most('addresses'), urls: most('urls'), related: most('related') };
  const header = [
    'First Name',
    'Middle Name',
    'Last Name',
    'Name Prefix',
    'Name Suffix',
    'Nickname',
    'Organization Name',
    'Organization Title',
    'Birthday',
    'Notes',
    'Labels',
  ];
  const pairs = (name: string, count: number) => {
    for (let i = 1; i <= count; i++) header.push(`${name} ${i} - Label`, `${name} ${i} - Value`);
  };
  pairs('E-mail', n.emails);
  pairs('Phone', n.phones);
  for (let i = 1; i <= n.addresses; i++) header.push(`Address ${i} - Label`, ...ADDRESS_PARTS.map((p) => `Address ${i} - ${p}`));
  pairs('Website', n.urls);
  pairs('Relation', n.related);

  const rows = contacts.map((c, k) => {
    const p = per[k]!;
    const labels = ['* myContacts', ...(c.favorite ? ['* starred'] : []), ...c.tags];
    const row: (string | null | undefined)[] = [
      c.firstName,
      c.middleName,
      c.lastName,
      c.prefix,
      c.suffix,
      c.nickname,
      c.company,
      c.jobTitle,
      c.birthday,
      c.notes,
      labels.join(MULTI),
    ];
    const valued = <T extends Item>(gs: { label: string; items: T[] }[], count: number) => {
      for (let i = 0; i < count; i++) row.push(gs[i]?.label, gs[i]?.items.map((it) => it.value).join(MULTI));
    };
    valued(p.emails, n.emails);
    valued(p.phones, n.phones);
    for (let i = 0; i < n.addresses; i++) {
      const g = p.addresses[i];
      row.push(g?.label, ...ADDRESS_KEYS.map((key) => g?.items.map((a) => a[key] ?? '').join(MULTI)));
    }
    valued(p.urls, n.urls);
    valued(p.related, n.related);
    return row.map((v) => escapeCell(v ?? ''));
  });
  return stringify([header, ...rows], { record_delimiter: '\r\n', quoted_match: /[\s,"]/ });
}

/** The cells of one row, read by column name through the header's index. */
type Cells = (...names: string[]) => string;

/** What an exporter writes in a column it has nothing for: not data, so not reported as dropped. */
const EMPTY_VALUES = new Set(['0/0/00', 'normal', 'unspecified', 'false', 'smtp', 'ex', '* mycontacts', '* my contacts']);
// Columns that repeat what other columns hold (Outlook's "E-mail Display Name" is "Name (address)").
const DERIVED = /^(?:e-mail \d*\s*display name|e-mail \d*\s*type|address \d+ - formatted|initials|(?:home|business|other) address)$/i;

/**
 * What the header says, worked out once per file: a 4,000-column header
 * cost 57 s when every row searched its column names again.
 */
function planFor(header: string[]): (row: string[]) => { input: Record<string, unknown>; dropped: string[] } | { reason: string } {
  const at = new Map<string, number>();
  header.forEach((h, i) => {
    const key = h.trim().toLowerCase();
    if (!at.has(key)) at.set(key, i);
  });
  const consumed = new Set<number>();
  const present = (prefix: string) => {
    let n = 0;
    while (
      n < 50 &&
      header.some((h) =>
        h
          .trim()
          .toLowerCase()
          .startsWith(`${prefix} ${n + 1} `),
      )
    )
      n++;
    return n;
  };
  const counts = {
    emails: present('e-mail'),
    phones: present('phone'),
    addresses: present('address'),
    urls: present('website'),
    related: present('relation'),
    orgs: present('organization'),
    outlook: at.has('job title'),
  };
  // The name a column not read is reported by, worked out once per file (null: derived, never reported).
  const groups: (string | null)[] = [];
  const groupOf = (i: number): string | null => {
    if (i < groups.length) return groups[i] ?? null;
    for (let c = groups.length; c <= i; c++) {
      const name = header[c]?.trim() ?? '';
      // Google's label/value pairs are named once ("Event 1"); other columns by their name.
      groups.push(
        DERIVED.test(name) ? null : (/^(.+ \d+) - (?:label|type|value|service)$/i.exec(name)?.[1] ?? (name || `column ${c + 1}`)),
      );
    }
    return groups[i] ?? null;
  };
  return (row) => {
    const col: Cells = (...names) => {
      let found = '';
      for (const n of names) {
        const i = at.get(n.toLowerCase());
        if (i === undefined) continue;
        consumed.add(i);
        const v = row[i];
        // Outlook writes CRLF inside quoted cells; contacts hold \n, as our exports write.
        if (v && !found) found = unescapeCell(v).replace(/\r\n?/g, '\n');
      }
      return found;
    };
    let input: Record<string, unknown>;
    try {
      input = rowToInput(col, counts, (name) => at.get(name.toLowerCase()) ?? Infinity);
    } catch (err) {
      if (err instanceof CellProblem) return { reason: err.message };
      throw err;
    }
    // A Set, not a list: with hundreds of unknown columns a lookup per cell made each row quadratic.
    const dropped = new Set<string>();
    row.forEach((v, i) => {
      const group = groupOf(i);
      if (group === null || consumed.has(i) || !v || EMPTY_VALUES.has(v.trim().toLowerCase())) return;
      dropped.add(group);
    });
    return { input, dropped: [...dropped] };
  };
}

/** Values of one Google column group, each with its label ("* Home ::: Work" pairs with "a ::: b"). */
function multi(kind: LabelKind, rawLabel: string, rawValue: string): Item[] {
  const values = splitMulti(rawValue).filter(Boolean);
  const labels = splitMulti(rawLabel);
  return values.map((value, i) => ({ value, ...labelFrom(kind, [], labels[Math.min(i, labels.length - 1)] ?? '') }));
}

/** Outlook's fixed columns in the order the file has them, as a person reading it left to right sees them. */
function inFileOrder<T>(items: { column: string; item: T }[], position: (name: string) => number): T[] {
  return items.sort((a, b) => position(a.column) - position(b.column)).map((x) => x.item);
}

function rowToInput(
  col: Cells,
  n: Record<'emails' | 'phones' | 'addresses' | 'urls' | 'related' | 'orgs', number> & { outlook: boolean },
  position: (name: string) => number,
): Record<string, unknown> {
  const rawTags = splitMulti(col('Labels', 'Group Membership'))
    .concat(col('Categories').split(';'))
    .map((t) => t.trim())
    .filter(Boolean);
  // Google's system groups carry "* ": "* starred" is a favorite, "* myContacts" (older
  // exports "* My Contacts") says nothing; the others ("* coworkers") are kept as tags.
  const system = (t: string) =>
    t
      .replace(/^\*\s*/, '')
      .replace(/\s+/g, '')
      .toLowerCase();
  const starred = rawTags.some((t) => t.startsWith('*') && system(t) === 'starred');
  const tags = rawTags
    .filter((t) => !(t.startsWith('*') && ['starred', 'mycontacts'].includes(system(t))))
    .map((t) => t.replace(/^\*\s*/, ''));
  const rawBirthday = col('Birthday');
  const { birthday, note } = rawBirthday === '0/0/00' ? { birthday: null } : birthdayOrNote(rawBirthday, usDate(rawBirthday));
  const notes = [col('Notes'), note].filter(Boolean).join('\n');

  const range = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
  const emails = range(n.emails).flatMap((i) =>
    multi('email', col(`E-mail ${i} - Label`, `E-mail ${i} - Type`), col(`E-mail ${i} - Value`)),
  );
  // Outlook's fixed columns (and the plain ones of hand-made sheets) that hold something, each an
  // item with the column it came from, for inFileOrder.
  const filled = <E extends readonly [string, ...unknown[]]>(entries: readonly E[], item: (value: string, entry: E) => Item) =>
    entries.flatMap((entry) => {
      const value = col(entry[0]);
      return value ? [{ column: entry[0], item: item(value, entry) }] : [];
    });
  const fixedEmails = filled(
    (['E-mail Address', 'E-mail 2 Address', 'E-mail 3 Address', 'Email', 'E-mail', 'Email Address'] as const).map((c) => [c] as const),
    (value) => ({ value, label: 'other', customLabel: null }),
  );
  emails.push(...inFileOrder(fixedEmails, position));
  const phones = range(n.phones).flatMap((i) => multi('phone', col(`Phone ${i} - Label`, `Phone ${i} - Type`), col(`Phone ${i} - Value`)));
  const fixedPhones = filled(
    [...OUTLOOK_PHONES, ['Phone', []], ['Phone Number', []], ['Mobile', ['cell']]] as [string, string[]][],
    (value, [, words]) => ({
      value,
      ...labelFrom('phone', words),
    }),
  );
  phones.push(...inFileOrder(fixedPhones, position));
  const addresses: Record<string, unknown>[] = [];
  for (const i of range(n.addresses)) {
    const part = (p: string) => splitMulti(col(`Address ${i} - ${p}`));
    const [streets, cities, regions, codes, countries, boxes, extended] = [
      part('Street'),
      part('City'),
      part('Region'),
      part('Postal Code'),
      part('Country'),
      part('PO Box'),
      part('Extended Address'),
    ];
    const labels = splitMulti(col(`Address ${i} - Label`, `Address ${i} - Type`));
    const size = Math.max(streets.length, cities.length, regions.length, codes.length, countries.length, boxes.length, extended.length);
    for (let k = 0; k < size; k++) {
      const a = {
        street: [boxes[k], extended[k], streets[k]].filter(Boolean).join(', '),
        city: cities[k] ?? '',
        region: regions[k] ?? '',
        postalCode: codes[k] ?? '',
        country: countries[k] ?? '',
      };
      if (Object.values(a).some(Boolean))
        addresses.push({ ...a, ...labelFrom('address', [], labels[Math.min(k, labels.length - 1)] ?? '') });
    }
  }
  const fixedAddresses: { column: string; item: Record<string, unknown> }[] = [];
  for (const [prefix, label] of [
    ['Home', 'home'],
    ['Business', 'work'],
    ['Other', 'other'],
  ] as const) {
    const a = {
      street: [col(`${prefix} Address PO Box`), col(`${prefix} Street`), col(`${prefix} Street 2`), col(`${prefix} Street 3`)]
        .filter(Boolean)
        .join(', '),
      city: col(`${prefix} City`),
      region: col(`${prefix} State`),
      postalCode: col(`${prefix} Postal Code`),
      country: col(`${prefix} Country/Region`, `${prefix} Country`),
    };
    if (Object.values(a).some(Boolean)) fixedAddresses.push({ column: `${prefix} Street`, item: { ...a, label, customLabel: null } });
  }
  addresses.push(...inFileOrder(fixedAddresses, position));
  const urls = range(n.urls).flatMap((i) => multi('url', col(`Website ${i} - Label`, `Website ${i} - Type`), col(`Website ${i} - Value`)));
  const fixedUrls = filled(
    [
      ['Web Page', 'other'],
      ['Personal Web Page', 'home'],
      ['Business Web Page', 'work'],
    ] as const,
    (value, [, label]) => ({ value, label, customLabel: null }),
  );
  urls.push(...inFileOrder(fixedUrls, position));
  const related = range(n.related).flatMap((i) =>
    multi('related', col(`Relation ${i} - Label`, `Relation ${i} - Type`), col(`Relation ${i} - Value`)),
  );
  const fixedRelated = filled(
    [
      ['Spouse', 'spouse'],
      ["Manager's Name", 'manager'],
      ["Assistant's Name", 'assistant'],
    ] as const,
    (value, [, label]) => ({ value, label, customLabel: null }),
  );
  // Outlook's "Children" is one cell, names separated by commas or semicolons.
  for (const child of col('Children')
    .split(/[,;]/)
    .map((c) => c.trim())
    .filter(Boolean)) {
    fixedRelated.push({ column: 'Children', item: { value: child, label: 'child', customLabel: null } });
  }
  related.push(...inFileOrder(fixedRelated, position));

  let firstName = col('First Name', 'Given Name');
  let lastName = col('Last Name', 'Family Name');
  const middleName = col('Middle Name', 'Additional Name');
  // A sheet with one name column (Google's older "Name" repeats the parts): split at the last space.
  const fullName = col('Name', 'Full Name', 'Display Name');
  if (!firstName && !lastName && !middleName && fullName) {
    const space = fullName.lastIndexOf(' ');
    [firstName, lastName] = space < 0 ? [fullName, ''] : [fullName.slice(0, space), fullName.slice(space + 1)];
  }

  return {
    // Outlook's "Title" is the name prefix (Mr., Dr.), beside its "Job Title";
    // in a sheet without "Job Title", "Title" is the job.
    prefix: n.outlook ? col('Name Prefix', 'Title') : col('Name Prefix'),
    firstName,
    middleName,
    lastName,
    suffix: col('Name Suffix', 'Suffix'),
    nickname: col('Nickname'),
    company: col('Organization Name', 'Organization 1 - Name', 'Company'),
    jobTitle: n.outlook
      ? col('Organization Title', 'Organization 1 - Title', 'Job Title')
      : col('Organization Title', 'Organization 1 - Title', 'Job Title', 'Title'),
    emails,
    phones,
    addresses,
    urls,
    related,
    birthday,
    notes,
    tags,
    favorite: starred || ['true', 'yes', '1'].includes(col('Favorite').toLowerCase()),
  };
}

// Outlook's phone columns, with the words our labels are made of.
const OUTLOOK_PHONES: [string, string[]][] = [
  ['Mobile Phone', ['cell']],
  ['Home Phone', ['home']],
  ['Home Phone 2', ['home']],
  ['Business Phone', ['work']],
  ['Business Phone 2', ['work']],
  ['Company Main Phone', ['work', 'main']],
  ['Primary Phone', ['main']],
  ['Other Phone', ['other']],
  ['Home Fax', ['home', 'fax']],
  ['Business Fax', ['work', 'fax']],
  ['Other Fax', ['other', 'fax']],
  ['Pager', ['pager']],
  ['Car Phone', ['car']],
  ["Assistant's Phone", ['assistant']],
  ['Callback', ['callback']],
  ['ISDN', ['isdn']],
  ['Radio Phone', ['radio']],
  ['TTY/TDD Phone', ['tty/tdd']],
  ['Telex', ['telex']],
];

/** Outlook writes M/D/YYYY. */
function usDate(raw: string): string | undefined {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
  return us ? `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}` : undefined;
}

const unparseable = (why: string) => new HttpProblem('unparseable_import', `The CSV could not be parsed: ${why}`);

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
  let plan: ReturnType<typeof planFor> | undefined;
  /** The line the next record starts on (1-based), empty lines aside. */
  let recordLine = 1;
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
          if (!onRecord({ line: recordLine, ...plan(record) })) stoppedAt = context.bytes;
        }
        recordLine = context.lines + 1;
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
