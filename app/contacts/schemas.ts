import { STORABLE_TEXT } from '../db/storable-text.ts';
import * as z from '../zod.ts';
import { ADDRESS_LABELS, EMAIL_LABELS, PHONE_LABELS, RELATED_LABELS, URL_LABELS } from './label-words.ts';
import { tagKey } from './search-keys.ts';

/*
 * One set of zod schemas validates requests, types the code (z.infer) and
 * generates the OpenAPI document. Limits here are the contract's edges.
 */

export { STORABLE_TEXT };

/** Trimmed text; empty means "not set" and is stored as null. */
const text = (max: number) =>
  z.pipe(
    z.nullable(
      z.pipe(
        z.string().check(z.trim(), z.maxLength(max, `must be at most ${max} characters`), z.regex(...STORABLE_TEXT)),
        z.transform((s: string) => (s === '' ? null : s)),
      ),
    ),
    z.transform((s: string | null) => s ?? null),
  );

/** A field that may be left out, stored as null when it is. */
const absentAsNull = (s: z.ZodMiniType<string | null, string | null>) =>
  z.pipe(
    z.optional(s),
    z.transform((v: string | null | undefined) => v ?? null),
  );

export { ADDRESS_LABELS, EMAIL_LABELS, PHONE_LABELS, RELATED_LABELS, URL_LABELS };

/**
 * A label the enum has no word for (Apple's custom "Boat", Google's "Lake
 * house"), kept as the user wrote it; `label` then holds the nearest enum
 * value, so clients that know only the enum still work.
 */
const customLabel = absentAsNull(text(50));

export const emailSchema = z
  .strictObject({
    value: z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email('must be a valid email address')),
    label: z._default(z.enum(EMAIL_LABELS), 'other'),
    customLabel,
  })
  .register(z.globalRegistry, { id: 'ContactEmail' });

export const PHONE_CHARACTERS = /^[\d\s()+\-./#*,;xextEXT]+$/;

export const phoneSchema = z
  .strictObject({
    // Kept exactly as typed (trimmed); search matches its digits.
    value: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'is required'),
        z.maxLength(64, 'must be at most 64 characters'),
        z.regex(/\d/, 'must contain a digit'),
        z.regex(PHONE_CHARACTERS, 'may contain only digits, spaces and + ( ) - . / # * , ; x ext'),
      ),
    label: z._default(z.enum(PHONE_LABELS), 'other'),
    customLabel,
  })
  .register(z.globalRegistry, { id: 'ContactPhone' });

export const addressSchema = z
  .strictObject({
    street: absentAsNull(text(200)),
    city: absentAsNull(text(100)),
    region: absentAsNull(text(100)),
    postalCode: absentAsNull(text(20)),
    country: absentAsNull(text(100)),
    label: z._default(z.enum(ADDRESS_LABELS), 'home'),
    customLabel,
  })
  .check(z.refine((a) => a.street || a.city || a.region || a.postalCode || a.country, 'an address needs at least one part'))
  .register(z.globalRegistry, { id: 'ContactAddress' });

export const urlSchema = z
  .strictObject({
    // Kept as written: exports write "example.com" without a scheme, and a
    // link is only made of it (with https://) by the client.
    value: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'is required'),
        z.maxLength(2000, 'must be at most 2000 characters'),
        z.regex(/^[^\s<>"]+$/, 'must be a web address without spaces'),
        z.regex(...STORABLE_TEXT),
      ),
    label: z._default(z.enum(URL_LABELS), 'other'),
    customLabel,
  })
  .register(z.globalRegistry, { id: 'ContactUrl' });

export const relatedSchema = z
  .strictObject({
    // A name ("Ana García"), as Google and Apple keep related people.
    value: z
      .string()
      .check(z.trim(), z.minLength(1, 'is required'), z.maxLength(200, 'must be at most 200 characters'), z.regex(...STORABLE_TEXT)),
    label: z._default(z.enum(RELATED_LABELS), 'other'),
    customLabel,
  })
  .register(z.globalRegistry, { id: 'ContactRelated' });

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 6350 4.3.1 / ISO 8601:2000 "--MM-DD": a birthday without a year.
const MONTH_DAY = /^--(\d{2})-(\d{2})$/;

/** Whether month/day is a real day in some year (February 29 included). */
function realMonthDay(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(2000, month, 0)).getUTCDate();
}

export function isBirthday(s: string): boolean {
  const md = MONTH_DAY.exec(s);
  if (md) return realMonthDay(Number(md[1]), Number(md[2]));
  if (!FULL_DATE.test(s) || s < '0001-01-01') return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

export const birthdaySchema = z.nullable(
  z
    .string()
    .check(
      z.regex(/^(?:\d{4}|-)-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD, or --MM-DD without a year'),
      z.refine(isBirthday, 'must be a real calendar date'),
    ),
);

export const tagSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(50, 'must be at most 50 characters'),
    z.regex(/^[^,;\n\r]+$/, 'must not contain commas, semicolons or line breaks'),
    z.regex(...STORABLE_TEXT),
  );

/** Tags keep the case first typed; "Family" after "family" is the same tag (see tagKey). */
function dedupe(tags: string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((t) => !seen.has(tagKey(t)) && Boolean(seen.add(tagKey(t))));
}

const fields = {
  prefix: text(50),
  firstName: text(100),
  middleName: text(100),
  lastName: text(100),
  suffix: text(50),
  nickname: text(100),
  company: text(200),
  jobTitle: text(200),
  emails: z.array(emailSchema).check(z.maxLength(20, 'at most 20 emails')),
  phones: z.array(phoneSchema).check(z.maxLength(20, 'at most 20 phones')),
  addresses: z.array(addressSchema).check(z.maxLength(10, 'at most 10 addresses')),
  urls: z.array(urlSchema).check(z.maxLength(20, 'at most 20 web addresses')),
  related: z.array(relatedSchema).check(z.maxLength(20, 'at most 20 related people')),
  birthday: birthdaySchema,
  notes: text(10_000),
  tags: z.pipe(z.array(tagSchema).check(z.maxLength(30, 'at most 30 tags')), z.transform(dedupe)),
  favorite: z.boolean(),
};

/** A contact's editable content, complete (the shape stored). */
export type ContactDraft = { [K in keyof typeof fields]: z.output<(typeof fields)[K]> };

const IDENTIFYING = 'a contact needs at least one of firstName, lastName, company, an email or a phone (or middleName or nickname)';

export function hasIdentity(
  d: Pick<ContactDraft, 'firstName' | 'middleName' | 'lastName' | 'nickname' | 'company' | 'emails' | 'phones'>,
): boolean {
  return Boolean(d.firstName || d.middleName || d.lastName || d.nickname || d.company || d.emails.length || d.phones.length);
}

export const contactCreateSchema = z
  .strictObject({
    prefix: absentAsNull(fields.prefix),
    firstName: absentAsNull(fields.firstName),
    middleName: absentAsNull(fields.middleName),
    lastName: absentAsNull(fields.lastName),
    suffix: absentAsNull(fields.suffix),
    nickname: absentAsNull(fields.nickname),
    company: absentAsNull(fields.company),
    jobTitle: absentAsNull(fields.jobTitle),
    emails: z._default(fields.emails, []),
    phones: z._default(fields.phones, []),
    addresses: z._default(fields.addresses, []),
    urls: z._default(fields.urls, []),
    related: z._default(fields.related, []),
    birthday: absentAsNull(fields.birthday),
    notes: absentAsNull(fields.notes),
    tags: z._default(fields.tags, []),
    favorite: z._default(fields.favorite, false),
  })
  .check(z.refine(hasIdentity, { message: IDENTIFYING }))
  .register(z.globalRegistry, { id: 'ContactCreate' });

/** PATCH: any subset of fields; arrays replace the stored list whole. */
export const contactPatchSchema = z
  .strictObject({
    prefix: z.optional(fields.prefix),
    firstName: z.optional(fields.firstName),
    middleName: z.optional(fields.middleName),
    lastName: z.optional(fields.lastName),
    suffix: z.optional(fields.suffix),
    nickname: z.optional(fields.nickname),
    company: z.optional(fields.company),
    jobTitle: z.optional(fields.jobTitle),
    emails: z.optional(fields.emails),
    phones: z.optional(fields.phones),
    addresses: z.optional(fields.addresses),
    urls: z.optional(fields.urls),
    related: z.optional(fields.related),
    birthday: z.optional(fields.birthday),
    notes: z.optional(fields.notes),
    tags: z.optional(fields.tags),
    favorite: z.optional(fields.favorite),
  })
  .register(z.globalRegistry, { id: 'ContactPatch' });

export type ContactPatch = z.output<typeof contactPatchSchema>;

export const IDENTITY_MESSAGE = IDENTIFYING;

const labelled = <L extends readonly [string, ...string[]]>(labels: L) =>
  z.object({ value: z.string(), label: z.enum(labels), customLabel: z.nullable(z.string()) });

export const contactSchema = z
  .object({
    id: z.uuid(),
    prefix: z.nullable(z.string()),
    firstName: z.nullable(z.string()),
    middleName: z.nullable(z.string()),
    lastName: z.nullable(z.string()),
    suffix: z.nullable(z.string()),
    nickname: z.nullable(z.string()),
    company: z.nullable(z.string()),
    jobTitle: z.nullable(z.string()),
    emails: z.array(labelled(EMAIL_LABELS)),
    phones: z.array(labelled(PHONE_LABELS)),
    addresses: z.array(
      z.object({
        street: z.nullable(z.string()),
        city: z.nullable(z.string()),
        region: z.nullable(z.string()),
        postalCode: z.nullable(z.string()),
        country: z.nullable(z.string()),
        label: z.enum(ADDRESS_LABELS),
        customLabel: z.nullable(z.string()),
      }),
    ),
    urls: z.array(labelled(URL_LABELS)),
    related: z.array(labelled(RELATED_LABELS)),
    birthday: z.nullable(z.string()).register(z.globalRegistry, { description: 'YYYY-MM-DD, or --MM-DD when the year is not known' }),
    notes: z.nullable(z.string()),
    tags: z.array(z.string()),
    favorite: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .register(z.globalRegistry, { id: 'Contact' });

export type Contact = z.infer<typeof contactSchema>;

// favorites: favorites first, each part by name (what the web app's "Favorites first" shows).
export const SORTS = ['name', 'favorites', '-updatedAt', 'createdAt'] as const;
export type Sort = (typeof SORTS)[number];

export const listQuerySchema = z.strictObject({
  q: z.optional(z.string().check(z.trim(), z.maxLength(200), z.regex(...STORABLE_TEXT))),
  tag: z.optional(z.pipe(z.string().check(z.trim(), z.maxLength(50), z.regex(...STORABLE_TEXT)), z.transform(tagKey))),
  favorite: z.optional(
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((v) => v === 'true'),
    ),
  ),
  sort: z._default(z.enum(SORTS), 'name'),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
  cursor: z.optional(z.string().check(z.maxLength(500))),
});

export type ListQuery = z.output<typeof listQuerySchema>;

export const contactListSchema = z
  .object({
    items: z.array(contactSchema),
    nextCursor: z.nullable(z.string()),
    total: z.int(),
  })
  .register(z.globalRegistry, { id: 'ContactList' });

export type ContactList = z.infer<typeof contactListSchema>;

export const exportQuerySchema = z.strictObject({
  format: z._default(z.enum(['vcard', 'csv']), 'vcard'),
  // vCard 3.0 is what every contacts app reads; 4.0 (RFC 6350) for those that want it.
  version: z._default(z.enum(['3.0', '4.0']), '3.0'),
});

export const DUPLICATE_MODES = ['merge', 'skip', 'create'] as const;

export const importQuerySchema = z.strictObject({
  // What to do with a record that matches a contact already there (see duplicates.ts).
  duplicates: z._default(z.enum(DUPLICATE_MODES), 'merge'),
});
export type DuplicateMode = (typeof DUPLICATE_MODES)[number];

const reportedRecord = {
  index: z.int().register(z.globalRegistry, { description: 'The row or card, counted from 0 in file order' }),
  line: z
    .nullable(z.int())
    .register(z.globalRegistry, { description: 'The line of the file where it starts (1-based); null when it was not read' }),
  name: z
    .nullable(z.string())
    .register(z.globalRegistry, { description: "The person's name as the record gives it; null when it has none" }),
};

export const importResultSchema = z
  .object({
    imported: z.int().register(z.globalRegistry, { description: 'New contacts created' }),
    merged: z.int().register(z.globalRegistry, { description: 'Records merged into a contact already there (duplicates=merge)' }),
    unchanged: z.int().register(z.globalRegistry, { description: 'Records matching a contact already there that had nothing to add' }),
    // In index order; at most the first 25 rows/cards not imported.
    skipped: z.array(z.object({ ...reportedRecord, reason: z.string() })),
    // Present only when `skipped` does not list every row/card not imported,
    // so a client written against {imported, skipped} sees no change.
    skippedTotal: z.optional(z.int()).register(z.globalRegistry, {
      description: 'All rows/cards not imported, listed in skipped or not. Present only when skipped is cut short.',
    }),
    unread: z.optional(z.int()).register(z.globalRegistry, {
      description:
        'Of skippedTotal, the rows/cards after the import stopped (the contact limit reached, or the per-import read limit): counted, not read. Present only when skipped is cut short.',
    }),
    changes: z
      .array(
        z.object({
          ...reportedRecord,
          contactId: z.uuid(),
          outcome: z.enum(['imported', 'merged', 'unchanged']),
          notes: z.array(z.string()).register(z.globalRegistry, {
            description: 'What happened to it, in words: merged into whom, values moved into the notes, properties not kept',
          }),
        }),
      )
      .register(z.globalRegistry, {
        description: 'Records merged, unchanged, or imported with something not kept; at most 10, in file order',
      }),
    changesTotal: z
      .optional(z.int())
      .register(z.globalRegistry, { description: 'All such records; present only when changes is cut short' }),
  })
  .register(z.globalRegistry, { id: 'ImportResult' });

export type ImportResult = z.infer<typeof importResultSchema>;

export const contactIdSchema = z.uuid();

/** POST /v1/contacts/{id}/merge: the contacts merged into {id} and then deleted. */
export const mergeRequestSchema = z
  .strictObject({
    others: z
      .array(
        z.strictObject({
          id: z.uuid(),
          etag: z.optional(z.string().check(z.maxLength(100))).register(z.globalRegistry, {
            description: "The other contact's ETag as read; the merge fails with 412 if it has changed since",
          }),
        }),
      )
      .check(z.minLength(1, 'name at least one contact to merge'), z.maxLength(20, 'at most 20 contacts at a time')),
  })
  .register(z.globalRegistry, { id: 'MergeRequest' });

export const duplicateGroupsSchema = z
  .object({
    groups: z.array(
      z.object({
        reason: z.enum(['email', 'phone', 'name']).register(z.globalRegistry, {
          description: 'The strongest reason the group is one person: a shared email, a shared phone number, or the same name',
        }),
        contacts: z.array(contactSchema),
        etags: z.array(z.string()).register(z.globalRegistry, {
          description: "Each contact's ETag, in the order of contacts: send them with POST /merge to merge only what was shown",
        }),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'DuplicateGroups' });

export type DuplicateGroups = z.infer<typeof duplicateGroupsSchema>;
