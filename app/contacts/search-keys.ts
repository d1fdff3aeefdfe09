import type { ContactDraft } from './schemas.ts';

/*
 * Derived columns written with every contact, so that search and the `name`
 * sort are plain indexed comparisons in any PostgreSQL (Aurora, local, or the
 * embedded PGlite, which has no `unaccent`).
 */

/** Lower case, accents removed ("Zoë Ørsted" -> "zoe orsted"). */
export function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .replace(/[đĐ]/g, 'd')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .toLowerCase();
}

export function digits(s: string): string {
  return s.replace(/\D/g, '');
}

/**
 * Bump when searchKeys changes what it derives: the migration runner then
 * recomputes every row written by an older version (refresh-search-keys.ts).
 * 1: notes, addresses, job titles in search_text; tag_keys.
 */
export const SEARCH_KEYS_VERSION = 1;

export interface SearchKeys {
  searchText: string;
  phoneDigits: string;
  sortName: string;
  /** The tags lower-cased: the tag filter matches without case, the tags keep theirs. */
  tagKeys: string[];
  keysVersion: number;
}

/** How a tag is matched: "Family" and "family" are one tag. */
export const tagKey = (tag: string) => tag.toLowerCase();

export function searchKeys(d: ContactDraft): SearchKeys {
  const parts = [
    d.prefix,
    d.firstName,
    d.middleName,
    d.lastName,
    d.suffix,
    d.nickname,
    d.company,
    d.jobTitle,
    ...d.emails.map((e) => e.value),
    ...d.phones.map((p) => p.value),
    ...d.addresses.flatMap((a) => [a.street, a.city, a.region, a.postalCode, a.country]),
    ...d.tags,
    ...d.related.map((r) => r.value),
    d.notes,
  ].filter((p): p is string => Boolean(p));
  const name = [d.lastName, d.firstName].filter(Boolean).join(' ');
  const sortBasis = name || d.nickname || d.middleName || d.company || d.emails[0]?.value || d.phones[0]?.value || '';
  return {
    searchText: fold(parts.join(' ')),
    phoneDigits: d.phones.map((p) => digits(p.value)).join(' '),
    sortName: fold(sortBasis).trim(),
    tagKeys: d.tags.map(tagKey),
    keysVersion: SEARCH_KEYS_VERSION,
  };
}

/** A draft as a row: its fields and the columns derived from them. */
export function withSearchKeys(d: ContactDraft): ContactDraft & SearchKeys {
  return { ...d, ...searchKeys(d) };
}

/** Escapes LIKE wildcards: Prisma's `contains` passes them through. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
