import { zodFieldErrors } from '../http/problem.ts';
import { displayName } from './display-name.ts';
import { contactCreateSchema, IDENTITY_MESSAGE, type ContactDraft } from './schemas.ts';

/*
 * An imported record in words a person reads: "the second phone number,
 * 'abc', is not a phone number". A bad item in a list (one phone among
 * three) does not cost the whole contact: the item's text goes into the
 * notes and the report says so; only what cannot be kept that way (no name
 * at all, a 300-character first name) skips the record.
 */

const LISTS = {
  emails: 'email address',
  phones: 'phone number',
  addresses: 'address',
  urls: 'web address',
  related: 'related person',
  tags: 'label',
} as const;
type ListField = keyof typeof LISTS;

const FIELDS: Record<string, string> = {
  prefix: 'name prefix',
  firstName: 'first name',
  middleName: 'middle name',
  lastName: 'last name',
  suffix: 'name suffix',
  nickname: 'nickname',
  company: 'company',
  jobTitle: 'job title',
  birthday: 'birthday',
  notes: 'notes',
  favorite: 'favorite mark',
};

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const ordinal = (i: number) => ORDINALS[i] ?? `${i + 1}th`;

/** A value as quoted in a sentence: short, one line. */
export function preview(v: unknown, max = 40): string {
  const text = (typeof v === 'string' ? v : JSON.stringify(v) ?? '').replace(/\s+/g, ' ').trim();
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function predicate(field: string, message: string): string {
  const long = /at most (\d+) characters/.exec(message);
  if (long) return `is longer than ${long[1]} characters`;
  if (field === 'emails') return 'is not an email address';
  if (field === 'phones') return 'is not a phone number';
  if (field === 'urls') return 'is not a web address';
  if (field === 'addresses' && /at least one part/.test(message)) return 'is empty';
  if (field === 'tags' && /commas/.test(message)) return 'contains a comma, semicolon or line break';
  return message;
}

function itemText(field: ListField, item: unknown): string {
  if (field === 'addresses' && item && typeof item === 'object') {
    const a = item as Record<string, unknown>;
    return [a.street, a.city, a.region, a.postalCode, a.country].filter((p) => typeof p === 'string' && p.trim()).join(', ');
  }
  if (item && typeof item === 'object') return String((item as { value?: unknown }).value ?? '');
  return String(item ?? '');
}

function itemLabel(item: unknown): string {
  if (!item || typeof item !== 'object') return '';
  const { label, customLabel } = item as { label?: unknown; customLabel?: unknown };
  const text = typeof customLabel === 'string' && customLabel ? customLabel : typeof label === 'string' ? label : '';
  return text ? ` (${text})` : '';
}

/** A field error as a sentence about `input`. */
export function describeIssue(path: string, message: string, input: Record<string, unknown>): string {
  if (message === IDENTITY_MESSAGE) return 'it has no name, company, email or phone';
  const [field, index] = path.split('.');
  if (field && field in LISTS) {
    const list = input[field];
    const noun = LISTS[field as ListField];
    if (index === undefined) {
      const max = /at most (\d+)/.exec(message)?.[1];
      const plural = noun.endsWith('ss') ? `${noun}es` : noun === 'related person' ? 'related people' : `${noun}s`;
      return `it has ${Array.isArray(list) ? list.length : 'too many'} ${plural}; at most ${max ?? 'a few'} can be kept`;
    }
    const i = Number(index);
    const item = Array.isArray(list) ? list[i] : undefined;
    return `the ${ordinal(i)} ${noun}, '${preview(itemText(field as ListField, item))}', ${predicate(field, message)}`;
  }
  const noun = field ? (FIELDS[field] ?? field) : 'the record';
  if (field === 'birthday') return `the birthday, '${preview(input.birthday)}', is not a date`;
  const long = /at most (\d+) characters/.exec(message);
  if (long) return `the ${noun} is longer than ${long[1]} characters`;
  return `the ${noun} ${message}`;
}

export type Prepared =
  | { ok: true; draft: ContactDraft; name: string; changes: string[] }
  | { ok: false; name: string | null; reason: string };

/** The name of a record that did not validate, from its raw text fields. */
function rawName(input: Record<string, unknown>): string | null {
  const s = (k: string) => (typeof input[k] === 'string' ? (input[k] as string).trim() : '');
  const first = (k: string) => {
    const list = input[k];
    return Array.isArray(list) && list[0] && typeof list[0] === 'object' ? String((list[0] as { value?: unknown }).value ?? '') : '';
  };
  const name =
    [s('prefix'), s('firstName'), s('middleName'), s('lastName'), s('suffix')].filter(Boolean).join(' ') ||
    s('nickname') ||
    s('company') ||
    first('emails') ||
    first('phones');
  return name ? preview(name, 60) : null;
}

/**
 * Validates one record's contact input. Invalid items of its lists are moved
 * into the notes (with a sentence each in `changes`); what still fails makes
 * the reason the record is skipped.
 */
export function prepareRecord(original: Record<string, unknown>): Prepared {
  let input = original;
  let parsed = contactCreateSchema.safeParse(input);
  if (parsed.success) return { ok: true, draft: parsed.data, name: preview(displayName(parsed.data), 60), changes: [] };
  const errors = zodFieldErrors(parsed.error);
  const bad = new Map<ListField, Set<number>>();
  for (const e of errors) {
    const [field, index] = e.path.split('.');
    if (field && field in LISTS && index !== undefined && /^\d+$/.test(index)) {
      const set = bad.get(field as ListField) ?? new Set<number>();
      bad.set(field as ListField, set.add(Number(index)));
    }
  }
  const changes: string[] = [];
  if (bad.size) {
    const repaired: Record<string, unknown> = { ...input };
    const moved: string[] = [];
    for (const [field, indexes] of bad) {
      const list = input[field] as unknown[];
      repaired[field] = list.filter((_, i) => !indexes.has(i));
      for (const i of indexes) {
        const text = itemText(field, list[i]).trim();
        const error = errors.find((e) => e.path === `${field}.${i}` || e.path.startsWith(`${field}.${i}.`))!;
        if (text) {
          moved.push(`${LISTS[field][0]!.toUpperCase()}${LISTS[field].slice(1)}${itemLabel(list[i])}: ${text}`);
          changes.push(`${describeIssue(error.path, error.message, input)}: kept in the notes`);
        }
      }
    }
    if (moved.length) {
      const notes = typeof input.notes === 'string' ? input.notes.trim() : '';
      repaired.notes = [notes, ...moved].filter(Boolean).join('\n');
    }
    parsed = contactCreateSchema.safeParse(repaired);
    if (parsed.success) return { ok: true, draft: parsed.data, name: preview(displayName(parsed.data), 60), changes };
    input = repaired;
  }
  const remaining = zodFieldErrors(parsed.error);
  const said = remaining.slice(0, 2).map((e) => describeIssue(e.path, e.message, input));
  if (remaining.length > 2) said.push(`and ${remaining.length - 2} more`);
  // Named from the record as written: its only name may be the email that was not valid.
  return { ok: false, name: rawName(original), reason: said.join('; ') };
}
