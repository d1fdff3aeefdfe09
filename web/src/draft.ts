import type { Contact, ContactInput } from './api.ts';
import { monthNames, type Address, type Email, type Phone, type Related, type Url } from './format.ts';
import { addTags } from './tag-input.tsx';

/*
 * The editor's model: a contact as the form's inputs hold it (a draft), to
 * and from the API's shape, whether it holds unsaved changes, and birthdays
 * as three inputs.
 */

/** An address as the inputs see it. customLabel: null while an enum word is picked, text once "Custom…" is. */
export type AddressRow = { [K in 'street' | 'city' | 'region' | 'postalCode' | 'country']: string } & Pick<
  Address,
  'label' | 'customLabel'
>;
/** A birthday as three inputs: day and month required, year optional ("" when not known). month is "1".."12" or "". */
export interface BirthdayParts {
  day: string;
  month: string;
  year: string;
}

/** What the form holds: every field as the inputs see it. */
export interface Draft {
  id?: string;
  etag?: string;
  prefix: string;
  firstName: string;
  middleName: string;
  lastName: string;
  suffix: string;
  nickname: string;
  company: string;
  jobTitle: string;
  // customLabel is null while one of the enum's words is picked, and a string (maybe empty) once "Custom…" is.
  emails: Email[];
  phones: Phone[];
  addresses: AddressRow[];
  urls: Url[];
  related: Related[];
  birthday: BirthdayParts;
  notes: string;
  tags: string[];
  /** A tag typed but not yet made a chip: saved with the tags. */
  tagText: string;
  favorite: boolean;
  /** The contact as opened (its API body as JSON), to tell whether anything changed. */
  base?: string;
}

const NO_BIRTHDAY: BirthdayParts = { day: '', month: '', year: '' };

export const emptyDraft = (): Draft => ({
  prefix: '',
  firstName: '',
  middleName: '',
  lastName: '',
  suffix: '',
  nickname: '',
  company: '',
  jobTitle: '',
  emails: [{ value: '', label: 'home', customLabel: null }],
  phones: [{ value: '', label: 'mobile', customLabel: null }],
  addresses: [],
  urls: [],
  related: [],
  birthday: { ...NO_BIRTHDAY },
  notes: '',
  tags: [],
  tagText: '',
  favorite: false,
});

/** "1990-08-23" or "--08-23" (no year) as the three inputs. */
export function birthdayParts(s: string | null | undefined): BirthdayParts {
  const m = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(s ?? '');
  if (!m) return { ...NO_BIRTHDAY };
  return { year: m[1] === '-' ? '' : m[1]!, month: String(Number(m[2])), day: String(Number(m[3])) };
}

/** Days in a month (1-12) of a year; without a year, February has 29 (a birthday on the 29th is real). */
function daysIn(month: number, year?: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year ?? 2000, month, 0); // setUTCFullYear: years before 100 stay themselves
  return d.getUTCDate();
}

export type BirthdayCheck = { ok: true; value: string | null } | { ok: false; part: keyof BirthdayParts; message: string };

/** The API's birthday for the three inputs ("YYYY-MM-DD", "--MM-DD", or null when all are empty), or what is wrong. */
export function birthdayValue(b: BirthdayParts): BirthdayCheck {
  const day = b.day.trim();
  const year = b.year.trim();
  if (!day && !b.month && !year) return { ok: true, value: null };
  if (!/^\d{1,2}$/.test(day) || Number(day) < 1 || Number(day) > 31)
    return { ok: false, part: 'day', message: 'Enter the day of the month, from 1 to 31.' };
  if (!b.month) return { ok: false, part: 'month', message: 'Choose the month.' };
  if (year && (!/^\d{4}$/.test(year) || year === '0000')) {
    return { ok: false, part: 'year', message: 'Enter the year with four digits, like 1990, or leave it empty if you do not know it.' };
  }
  const month = Number(b.month);
  const max = daysIn(month, year ? Number(year) : undefined);
  if (Number(day) > max) {
    const name = monthNames()[month - 1];
    return { ok: false, part: 'day', message: year ? `${name} ${year} has only ${max} days.` : `${name} has only ${max} days.` };
  }
  const mm = String(month).padStart(2, '0');
  const dd = day.padStart(2, '0');
  return { ok: true, value: year ? `${year}-${mm}-${dd}` : `--${mm}-${dd}` };
}

export function draftFrom(c: Contact, etag?: string): Draft {
  const d = draftOf(c, etag);
  return { ...d, base: JSON.stringify(toInput(d).input) };
}

/** Whether the draft holds anything the person has not saved. */
export function isDirty(d: Draft): boolean {
  return JSON.stringify(toInput(d).input) !== (d.base ?? JSON.stringify(toInput(emptyDraft()).input));
}

function draftOf(c: Contact, etag?: string): Draft {
  return {
    id: c.id,
    etag,
    prefix: c.prefix ?? '',
    firstName: c.firstName ?? '',
    middleName: c.middleName ?? '',
    lastName: c.lastName ?? '',
    suffix: c.suffix ?? '',
    nickname: c.nickname ?? '',
    company: c.company ?? '',
    jobTitle: c.jobTitle ?? '',
    emails: c.emails.length ? c.emails.map((e) => ({ ...e })) : [{ value: '', label: 'home', customLabel: null }],
    phones: c.phones.length ? c.phones.map((p) => ({ ...p })) : [{ value: '', label: 'mobile', customLabel: null }],
    addresses: c.addresses.map((a) => ({
      street: a.street ?? '',
      city: a.city ?? '',
      region: a.region ?? '',
      postalCode: a.postalCode ?? '',
      country: a.country ?? '',
      label: a.label,
      customLabel: a.customLabel,
    })),
    urls: c.urls.map((u) => ({ ...u })),
    related: c.related.map((r) => ({ ...r })),
    birthday: birthdayParts(c.birthday),
    notes: c.notes ?? '',
    tags: [...c.tags],
    tagText: '',
    favorite: c.favorite,
  };
}

/**
 * A draft kept in sessionStorage by an earlier version of the app (before
 * middle names, web addresses, custom labels and year-less birthdays), made
 * whole; null if it is not a draft at all.
 */
export function normalizeDraft(raw: unknown): Draft | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const d = raw as Partial<Record<keyof Draft, unknown>>;
  const base = emptyDraft();
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const list = <T extends { customLabel: string | null }>(v: unknown, fallback: T[]): T[] =>
    Array.isArray(v)
      ? v.filter((x) => x && typeof x === 'object').map((x) => ({ ...(x as T), customLabel: (x as T).customLabel ?? null }))
      : fallback;
  return {
    ...(typeof d.id === 'string' ? { id: d.id } : {}),
    ...(typeof d.etag === 'string' ? { etag: d.etag } : {}),
    prefix: str(d.prefix, ''),
    firstName: str(d.firstName, ''),
    middleName: str(d.middleName, ''),
    lastName: str(d.lastName, ''),
    suffix: str(d.suffix, ''),
    nickname: str(d.nickname, ''),
    company: str(d.company, ''),
    jobTitle: str(d.jobTitle, ''),
    emails: list(d.emails, base.emails),
    phones: list(d.phones, base.phones),
    addresses: list(d.addresses, base.addresses),
    urls: list(d.urls, base.urls),
    related: list(d.related, base.related),
    birthday:
      typeof d.birthday === 'string'
        ? birthdayParts(d.birthday)
        : d.birthday && typeof d.birthday === 'object'
          ? { ...NO_BIRTHDAY, ...(d.birthday as BirthdayParts) }
          : base.birthday,
    notes: str(d.notes, ''),
    // Tags were one comma-separated text before they were chips.
    tags: Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === 'string') : addTags([], str(d.tags, '')),
    tagText: str(d.tagText, ''),
    favorite: d.favorite === true,
    ...(typeof d.base === 'string' ? { base: d.base } : {}),
  };
}

const customOf = (c: string | null) => (c === null ? null : c.trim() || null);

/**
 * The API body for a draft, leaving out rows the person left blank, and the
 * map from the body's row numbers back to the form's (for field errors).
 * The birthday must have passed birthdayValue (an invalid one is sent as null).
 */
export function toInput(d: Draft): { input: ContactInput; rows: Record<string, number[]> } {
  const keep = <T>(list: T[], blank: (x: T) => boolean) => list.map((x, i) => [x, i] as const).filter(([x]) => !blank(x));
  const emails = keep(d.emails, (e) => !e.value.trim());
  const phones = keep(d.phones, (p) => !p.value.trim());
  const addresses = keep(d.addresses, (a) => ![a.street, a.city, a.region, a.postalCode, a.country].some((v) => v.trim()));
  const urls = keep(d.urls, (u) => !u.value.trim());
  const related = keep(d.related, (r) => !r.value.trim());
  const text = (s: string) => (s.trim() ? s.trim() : null);
  const item = <T extends { value: string; customLabel: string | null }>(x: T): T => ({
    ...x,
    value: x.value.trim(),
    customLabel: customOf(x.customLabel),
  });
  const birthday = birthdayValue(d.birthday);
  return {
    input: {
      prefix: text(d.prefix),
      firstName: text(d.firstName),
      middleName: text(d.middleName),
      lastName: text(d.lastName),
      suffix: text(d.suffix),
      nickname: text(d.nickname),
      company: text(d.company),
      jobTitle: text(d.jobTitle),
      emails: emails.map(([e]) => item(e)),
      phones: phones.map(([p]) => item(p)),
      addresses: addresses.map(([a]) => ({
        street: text(a.street),
        city: text(a.city),
        region: text(a.region),
        postalCode: text(a.postalCode),
        country: text(a.country),
        label: a.label,
        customLabel: customOf(a.customLabel),
      })),
      urls: urls.map(([u]) => item(u)),
      related: related.map(([r]) => item(r)),
      birthday: birthday.ok ? birthday.value : null,
      notes: text(d.notes),
      tags: addTags(d.tags, d.tagText),
      favorite: d.favorite,
    },
    rows: {
      emails: emails.map(([, i]) => i),
      phones: phones.map(([, i]) => i),
      addresses: addresses.map(([, i]) => i),
      urls: urls.map(([, i]) => i),
      related: related.map(([, i]) => i),
    },
  };
}

/** Rewrites "emails.1.value" (the body's row 1) to the form's row number. */
export function errorsForForm(errors: Record<string, string>, rows: Record<string, number[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const [list, index, ...rest] = path.split('.');
    const mapped = list && rows[list] && index !== undefined ? rows[list][Number(index)] : undefined;
    out[mapped !== undefined ? [list, mapped, ...rest].join('.') : path] = message;
  }
  return out;
}
