import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { HttpProblem } from '../http/problem.ts';
import type { Contact } from './schemas.ts';
import { normalizeBirthday } from './vcard.ts';

/*
 * CSV in the column layout Google Contacts uses ("E-mail 1 - Label", ...),
 * so exports open there and in spreadsheets; imports also accept Outlook's
 * common columns. Cells that a spreadsheet would run as a formula are
 * escaped on export and unescaped on import (OWASP CSV injection).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function escapeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function unescapeCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
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

type Row = Record<string, string>;

function col(row: Row, ...names: string[]): string {
  for (const n of names) {
    const v = row[n.toLowerCase()];
    if (v) return v;
  }
  return '';
}

function label<T extends string>(raw: string, allowed: readonly T[], fallback: T): T {
  const l = raw.replace(/^\*\s*/, '').trim().toLowerCase();
  const mapped = l === 'cell' ? 'mobile' : l === 'business' ? 'work' : l;
  return (allowed as readonly string[]).includes(mapped) ? (mapped as T) : fallback;
}

function birthdayFrom(raw: string): { birthday: string | null; note?: string } {
  if (!raw || raw === '0/0/00') return { birthday: null };
  const iso = normalizeBirthday(raw);
  if (iso) return { birthday: iso };
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw); // Outlook: M/D/YYYY
  if (us) return { birthday: `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}` };
  return { birthday: null, note: `Birthday: ${raw}` };
}

function numbered(row: Row, prefix: string, build: (i: number) => Record<string, unknown> | undefined): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 1; i <= 50; i++) {
    if (!Object.keys(row).some((k) => k.startsWith(`${prefix} ${i} `))) break;
    const item = build(i);
    if (item) out.push(item);
  }
  return out;
}

function rowToInput(row: Row): Record<string, unknown> {
  const rawTags = col(row, 'Labels', 'Group Membership', 'Categories')
    .split(/\s*:::\s*|;/)
    .map((t) => t.trim())
    .filter(Boolean);
  const starred = rawTags.some((t) => t.toLowerCase() === '* starred');
  const tags = rawTags.filter((t) => !t.startsWith('* '));
  const { birthday, note } = birthdayFrom(col(row, 'Birthday'));
  const notes = [col(row, 'Notes'), note].filter(Boolean).join('\n');

  const emails = numbered(row, 'e-mail', (i) => {
    const value = col(row, `E-mail ${i} - Value`);
    return value ? { value, label: label(col(row, `E-mail ${i} - Label`, `E-mail ${i} - Type`), ['home', 'work', 'other'], 'other') } : undefined;
  });
  for (const [name, lbl] of [['E-mail Address', 'other'], ['E-mail 2 Address', 'other'], ['E-mail 3 Address', 'other']] as const) {
    const value = col(row, name);
    if (value) emails.push({ value, label: lbl });
  }
  const phones = numbered(row, 'phone', (i) => {
    const value = col(row, `Phone ${i} - Value`);
    return value
      ? { value, label: label(col(row, `Phone ${i} - Label`, `Phone ${i} - Type`), ['mobile', 'home', 'work', 'other'], 'other') }
      : undefined;
  });
  for (const [name, lbl] of [['Mobile Phone', 'mobile'], ['Home Phone', 'home'], ['Business Phone', 'work']] as const) {
    const value = col(row, name);
    if (value) phones.push({ value, label: lbl });
  }
  const addresses = numbered(row, 'address', (i) => {
    const a = {
      street: col(row, `Address ${i} - Street`),
      city: col(row, `Address ${i} - City`),
      region: col(row, `Address ${i} - Region`),
      postalCode: col(row, `Address ${i} - Postal Code`),
      country: col(row, `Address ${i} - Country`),
    };
    if (!Object.values(a).some(Boolean)) return undefined;
    return { ...a, label: label(col(row, `Address ${i} - Label`, `Address ${i} - Type`), ['home', 'work', 'other'], 'home') };
  });

  return {
    firstName: col(row, 'First Name', 'Given Name'),
    lastName: col(row, 'Last Name', 'Family Name'),
    company: col(row, 'Organization Name', 'Organization 1 - Name', 'Company'),
    jobTitle: col(row, 'Organization Title', 'Organization 1 - Title', 'Job Title'),
    emails,
    phones,
    addresses,
    birthday,
    notes,
    tags,
    favorite: starred || ['true', 'yes', '1'].includes(col(row, 'Favorite').toLowerCase()),
  };
}

/** One input object per data row; a body that is not CSV with a header row is a 400. */
export function parseCsv(body: string): Record<string, unknown>[] {
  let rows: Row[];
  try {
    rows = parse(body, {
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      cast: (value: string) => unescapeCell(value),
    }) as Row[];
  } catch (err) {
    const why = err instanceof Error ? err.message : 'parse error';
    throw new HttpProblem(400, 'unparseable_import', `The CSV could not be parsed: ${why}`);
  }
  return rows.map(rowToInput);
}
