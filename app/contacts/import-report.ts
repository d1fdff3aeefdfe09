import { zodFieldErrors } from '../http/problem.ts';
import { displayName } from './display-name.ts';
import { contactCreateSchema, type ContactDraft } from './schemas.ts';

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
  const text = (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')).replace(/\s+/g, ' ').trim();
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

const plural = (noun: string) => (noun.endsWith('ss') ? `${noun}es` : noun === 'related person' ? 'related people' : `${noun}s`);

/** A field error as a sentence about `input`. */
export function describeIssue(path: string, message: string, input: Record<string, unknown>): string {
  // The record's one whole-object rule (hasIdentity); told by its place, not by its wording.
  if (path === '') return 'it has no name, company, email or phone';
  const [field, index] = path.split('.');
  if (field && field in LISTS) {
    const list = input[field];
    const noun = LISTS[field as ListField];
    if (index === undefined) {
      const max = /at most (\d+)/.exec(message)?.[1];
      return `it has ${Array.isArray(list) ? list.length : 'too many'} ${plural(noun)}; at most ${max ?? 'a few'} can be kept`;
    }
    const i = Number(index);
    const item = Array.isArray(list) ? list[i] : undefined;
    return `the ${ordinal(i)} ${noun}, '${preview(itemText(field as ListField, item))}', ${predicate(field, message)}`;
  }
  const noun = field ? (FIELDS[field] ?? field) : 'the record';
  if (field === 'birthday') return `the birthday, '${preview(input.birthday)}', is not a date`;
  const long = /at most (\d+) characters/.exec(message);
  if (long) return `the ${noun} ${field === 'notes' ? 'are' : 'is'} longer than ${long[1]} characters`;
  return `the ${noun} ${message}`;
}

export type Prepared =
  { ok: true; draft: ContactDraft; name: string; changes: string[] } | { ok: false; name: string | null; reason: string };

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
  const changes: string[] = [];
  const moved: string[] = [];
  const noteLine = (field: ListField, item: unknown) => {
    const text = itemText(field, item).trim();
    return text ? `${LISTS[field][0]!.toUpperCase()}${LISTS[field].slice(1)}${itemLabel(item)}: ${text}` : undefined;
  };
  // Rounds of repair, each moving into the notes what zod names: items that are
  // not valid, else lists over their cap (zod reports a list's cap before its items).
  for (let round = 0; round < 4 && !parsed.success; round++) {
    const errors = zodFieldErrors(parsed.error);
    const itemErrors = errors.some((e) => /^\w+\.\d+/.test(e.path) && e.path.split('.')[0]! in LISTS);
    const repaired: Record<string, unknown> = { ...input };
    let changed = false;
    for (const field of Object.keys(LISTS) as ListField[]) {
      const list = input[field];
      if (!Array.isArray(list)) continue;
      if (itemErrors) {
        const bad = new Set(
          errors.flatMap((e) => {
            const [f, index] = e.path.split('.');
            return f === field && index !== undefined && /^\d+$/.test(index) ? [Number(index)] : [];
          }),
        );
        if (!bad.size) continue;
        repaired[field] = list.filter((_, k) => !bad.has(k));
        for (const k of bad) {
          const error = errors.find((e) => e.path === `${field}.${k}` || e.path.startsWith(`${field}.${k}.`))!;
          const line = noteLine(field, list[k]);
          if (line) {
            moved.push(line);
            changes.push(`${describeIssue(error.path, error.message, input)}: kept in the notes`);
          }
        }
        changed = true;
      } else {
        const cap = errors.find((e) => e.path === field && /at most (\d+)/.test(e.message));
        if (!cap) continue;
        const max = Number(/at most (\d+)/.exec(cap.message)![1]);
        repaired[field] = list.slice(0, max);
        const rest = list.slice(max);
        moved.push(...rest.flatMap((item) => noteLine(field, item) ?? []));
        changes.push(
          `it has ${list.length} ${plural(LISTS[field])}: the first ${max} are kept as such, the other ${rest.length} in the notes`,
        );
        changed = true;
      }
    }
    if (!changed) continue;
    const notes = typeof original.notes === 'string' ? original.notes.trim() : '';
    repaired.notes = [notes, ...moved].filter(Boolean).join('\n');
    input = repaired;
    parsed = contactCreateSchema.safeParse(input);
  }
  if (parsed.success) return { ok: true, draft: parsed.data, name: preview(displayName(parsed.data), 60), changes };
  const remaining = zodFieldErrors(parsed.error);
  const said = remaining
    .slice(0, 2)
    .map((e) =>
      e.path === 'notes' && moved.length
        ? 'its notes, with the values that could not be kept in their lists, would pass 10000 characters'
        : describeIssue(e.path, e.message, input),
    );
  if (remaining.length > 2) said.push(`and ${remaining.length - 2} more`);
  // Named from the record as written: its only name may be the email that was not valid.
  return { ok: false, name: rawName(original), reason: said.join('; ') };
}
