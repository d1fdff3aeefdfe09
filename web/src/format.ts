import { displayName as serverDisplayName } from '../../app/contacts/display-name.ts';
import type { Contact } from './api.ts';

/*
 * How contacts read on screen: names, labels, web addresses, birthdays.
 */

export type Email = Contact['emails'][number];
export type Phone = Contact['phones'][number];
export type Address = Contact['addresses'][number];
export type Url = Contact['urls'][number];
export type Related = Contact['related'][number];

// The contract's label words, from the server's own list (a module without zod).
export { ADDRESS_LABELS, EMAIL_LABELS, PHONE_LABELS, RELATED_LABELS, URL_LABELS } from '../../app/contacts/label-words.ts';

/** The name a person reads for a contact: the API's (display-name.ts), or "Unnamed" for a contact with none. */
export function displayName(c: Parameters<typeof serverDisplayName>[0]): string {
  return serverDisplayName(c) || 'Unnamed';
}

/** The label a person gave an item: their own word when they typed one, else the enum word. */
export function labelText(item: { label: string; customLabel: string | null }): string {
  return item.customLabel?.trim() || item.label;
}

export const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

// Schemes a stored web address may keep as a link; anything else
// (javascript:, data:, …) is shown as text, never as a link.
const SAFE_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'mailto:']);

/**
 * The link for a stored web address, or null when it should not be one.
 * Addresses are kept as written ("example.com"); one without a scheme gets
 * https://. "host:8080/x" has a port, not a scheme.
 */
export function webHref(value: string): string | null {
  const v = value.trim();
  if (!v) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\d)/i.exec(v);
  const candidate = scheme ? v : `https://${v.replace(/^\/+/, '')}`;
  try {
    const url = new URL(candidate);
    return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** Month names in the reader's language, January first. */
export function monthNames(locale?: string): string[] {
  const f = new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' });
  return Array.from({ length: 12 }, (_, i) => f.format(Date.UTC(2000, i, 1)));
}

/** Whether the reader's language puts the day before the month ("23 August") or after ("August 23"). */
export function dayFirst(locale?: string): boolean {
  const parts = new Intl.DateTimeFormat(locale, { month: 'long', day: 'numeric', timeZone: 'UTC' }).formatToParts(Date.UTC(2000, 7, 23));
  return parts.findIndex((p) => p.type === 'day') < parts.findIndex((p) => p.type === 'month');
}

/** "23 August 1990", or "23 August" for a birthday stored without a year (--08-23); the text as stored if it is neither. */
export function formatBirthday(birthday: string, locale?: string): string {
  const md = /^--(\d{2})-(\d{2})$/.exec(birthday);
  const full = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthday);
  if (md) {
    // 2000 is a leap year, so --02-29 reads as 29 February.
    return new Intl.DateTimeFormat(locale, { month: 'long', day: 'numeric', timeZone: 'UTC' }).format(
      Date.UTC(2000, Number(md[1]) - 1, Number(md[2])),
    );
  }
  if (full) {
    const d = new Date(0);
    d.setUTCFullYear(Number(full[1]), Number(full[2]) - 1, Number(full[3])); // years before 100 stay themselves
    return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(d);
  }
  return birthday;
}

/** Up to two letters for an avatar: the first of the first and last words ("Ada Lovelace" -> "AL"). */
export function initials(name: string): string {
  const words = name.split(/[\s.,@_-]+/).filter((w) => /\p{L}|\p{N}/u.test(w));
  const first = (w: string | undefined) => (w ? ([...w.replace(/^[^\p{L}\p{N}]+/u, '')][0] ?? '') : '');
  return (first(words[0]) + (words.length > 1 ? first(words.at(-1)) : '')).toUpperCase() || '?';
}

/** The name an avatar's initials come from: given and family name (not "Dr." and "Jr."), else the name shown. */
export const avatarName = (c: Parameters<typeof serverDisplayName>[0]): string =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || displayName(c);
