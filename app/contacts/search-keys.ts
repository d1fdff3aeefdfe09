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

export interface SearchKeys {
  searchText: string;
  phoneDigits: string;
  sortName: string;
}

export function searchKeys(d: ContactDraft): SearchKeys {
  const parts = [
    d.prefix,
    d.firstName,
    d.middleName,
    d.lastName,
    d.suffix,
    d.nickname,
    d.company,
    ...d.emails.map((e) => e.value),
    ...d.phones.map((p) => p.value),
    ...d.tags,
    ...d.related.map((r) => r.value),
  ].filter((p): p is string => Boolean(p));
  const name = [d.lastName, d.firstName].filter(Boolean).join(' ');
  const sortBasis = name || d.nickname || d.middleName || d.company || d.emails[0]?.value || d.phones[0]?.value || '';
  return {
    searchText: fold(parts.join(' ')),
    phoneDigits: d.phones.map((p) => digits(p.value)).join(' '),
    sortName: fold(sortBasis).trim(),
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
