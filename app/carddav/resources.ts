import { cardEtag, writeCard, type CardVersion } from './cards.ts';
import { MAX_IN_FLIGHT, type CollectionState, type DavCard, type SyncPoint } from './store.ts';
import { CALSERVER, CARDDAV, clark, DAV, el, type XmlNode } from './xml.ts';

/*
 * The resources a user sees (RFC 6352 section 7, RFC 6764 section 6) and
 * their properties. One address book per user:
 *   /dav/                                   the context path (discovery)
 *   /dav/principals/<user>/                 the principal (RFC 3744, RFC 5397)
 *   /dav/addressbooks/<user>/               the address-book home
 *   /dav/addressbooks/<user>/contacts/      the address book
 *   /dav/addressbooks/<user>/contacts/<n>   a card
 */

import { DAV_ROOT } from './mount.ts';
/** Bodies of a PUT (one card) at most; said in max-resource-size (RFC 6352 6.2.3). */
export const MAX_CARD_BYTES = 1024 * 1024;

export type Resource =
  { kind: 'root' } | { kind: 'principal' } | { kind: 'home' } | { kind: 'book'; state: CollectionState } | { kind: 'card'; card: DavCard };

export interface UserPaths {
  principal: string;
  home: string;
  book: string;
  card(name: string): string;
}

/**
 * A name as a path segment: percent-encoded where RFC 3986 (3.3, pchar)
 * requires it and nowhere else, so an href reads as the client wrote it
 * ("a@b.vcf", not "a%40b.vcf"): not every client compares hrefs decoded.
 */
const encodeSegment = (name: string) =>
  encodeURIComponent(name).replace(/%(40|3A|2B|2C|3B|3D|21|24|26|27|28|29|2A)/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );

export function pathsOf(userId: string): UserPaths {
  const home = `${DAV_ROOT}/addressbooks/${userId}/`;
  const book = `${home}contacts/`;
  return {
    principal: `${DAV_ROOT}/principals/${userId}/`,
    home,
    book,
    card: (name) => `${book}${encodeSegment(name)}`,
  };
}

export function hrefOf(r: Resource, paths: UserPaths): string {
  switch (r.kind) {
    case 'root':
      return `${DAV_ROOT}/`;
    case 'principal':
      return paths.principal;
    case 'home':
      return paths.home;
    case 'book':
      return paths.book;
    case 'card':
      return paths.card(r.card.name);
  }
}

/**
 * A sync token (RFC 6578 section 4: a URI) for a sync point (SyncPoint),
 * stamped with the day it was given (in seconds, at the day's start; a finer
 * stamp would make the token of an unchanged book differ from one poll to
 * the next), then, when there is one, the newest pruned deletion, and the
 * running transactions it names.
 */
export const SYNC_TOKEN_PREFIX = 'https://contactfolio.com/ns/sync/';
const DAY_S = 24 * 60 * 60;
export const syncToken = ({ point, inFlight, floor }: SyncPoint, now = Date.now()) =>
  `${SYNC_TOKEN_PREFIX}${point}-${Math.floor(now / 1000 / DAY_S) * DAY_S}${inFlight.length ? `-${floor}-${inFlight.join('.')}` : floor === '-1' ? '' : `-${floor}`}`;
/** Tombstones are kept 60 days (the carddav migration): an older token could miss a deletion. The day stamp makes a token look up to a day older than it is, never younger. */
export const SYNC_TOKEN_MAX_AGE_S = 59 * 24 * 60 * 60;

const TOKEN = new RegExp(
  `^https://contactfolio\\.com/ns/sync/(\\d{1,20})-(\\d{1,12})(?:-(-1|\\d{1,20})(?:-(\\d{1,20}(?:\\.\\d{1,20}){0,${MAX_IN_FLIGHT - 1}}))?)?$`,
);
// Transaction ids are 64-bit (xid8): a larger number was never given, and PostgreSQL would refuse it.
const isXid = (n: string) => BigInt(n) <= 0xffff_ffff_ffff_ffffn;

/** The sync point of a token this server gave, or null (then DAV:valid-sync-token fails). */
export function parseSyncToken(token: string, now = Date.now()): SyncPoint | null {
  const m = TOKEN.exec(token.trim());
  if (!m) return null;
  const age = Math.floor(now / 1000) - Number(m[2]);
  const point = m[1]!;
  const floor = m[3] ?? '-1';
  const inFlight = m[4] ? m[4].split('.') : [];
  if (![point, ...inFlight].every(isXid) || (floor !== '-1' && !isXid(floor))) return null;
  return age >= -300 && age <= SYNC_TOKEN_MAX_AGE_S ? { point, inFlight, floor } : null;
}

export interface PropertyContext {
  userId: string;
  userName: string;
  paths: UserPaths;
  /** The vCard version address-data is written in. */
  version: CardVersion;
}

type Getter = (r: Resource, c: PropertyContext) => XmlNode[] | undefined;
const href = (path: string) => el(DAV, 'href', path);
const privileges = (...names: string[]) => names.map((n) => el(DAV, 'privilege', el(DAV, n)));

/** Properties by Clark name; a getter's undefined means "not a property of this resource" (a 404 propstat). */
export const PROPERTIES: Record<string, Getter> = {
  [clark(DAV, 'resourcetype')]: (r) => {
    if (r.kind === 'card') return [];
    if (r.kind === 'principal') return [el(DAV, 'collection'), el(DAV, 'principal')];
    if (r.kind === 'book') return [el(DAV, 'collection'), el(CARDDAV, 'addressbook')];
    return [el(DAV, 'collection')];
  },
  [clark(DAV, 'displayname')]: (r, c) => (r.kind === 'book' ? ['Contacts'] : r.kind === 'principal' ? [c.userName] : undefined),
  [clark(DAV, 'current-user-principal')]: (_r, c) => [href(c.paths.principal)],
  [clark(DAV, 'principal-URL')]: (r, c) => (r.kind === 'principal' ? [href(c.paths.principal)] : undefined),
  [clark(DAV, 'owner')]: (r, c) => (r.kind === 'root' ? undefined : [href(c.paths.principal)]),
  [clark(CARDDAV, 'addressbook-home-set')]: (r, c) => (r.kind === 'principal' ? [href(c.paths.home)] : undefined),
  // Clients (Apple's, DAVx5) read this to decide whether the address book can be written.
  [clark(DAV, 'current-user-privilege-set')]: (r) =>
    r.kind === 'root' || r.kind === 'principal'
      ? privileges('read')
      : r.kind === 'home'
        ? privileges('read', 'read-current-user-privilege-set')
        : privileges('read', 'write', 'write-content', 'bind', 'unbind', 'read-current-user-privilege-set'),
  [clark(DAV, 'supported-report-set')]: (r) =>
    r.kind === 'book'
      ? ['addressbook-multiget', 'addressbook-query', 'sync-collection'].map((name) =>
          el(DAV, 'supported-report', el(DAV, 'report', el(name === 'sync-collection' ? DAV : CARDDAV, name))),
        )
      : undefined,
  [clark(DAV, 'sync-token')]: (r) => (r.kind === 'book' ? [syncToken(r.state.sync)] : undefined),
  // Apple's pre-RFC 6578 change tag (calendarserver.org's caldav-ctag), which some clients still poll.
  [clark(CALSERVER, 'getctag')]: (r) => (r.kind === 'book' ? [r.state.ctag] : undefined),
  [clark(CARDDAV, 'addressbook-description')]: (r) => (r.kind === 'book' ? ['contactfolio'] : undefined),
  [clark(CARDDAV, 'supported-address-data')]: (r) =>
    r.kind === 'book'
      ? (['3.0', '4.0'] as const).map((version) => ({
          ns: CARDDAV,
          name: 'address-data-type',
          attrs: { 'content-type': 'text/vcard', version },
        }))
      : undefined,
  [clark(CARDDAV, 'max-resource-size')]: (r) => (r.kind === 'book' ? [String(MAX_CARD_BYTES)] : undefined),
  [clark(DAV, 'getetag')]: (r) => (r.kind === 'card' ? [cardEtag(r.card)] : undefined),
  [clark(DAV, 'getcontenttype')]: (r, c) =>
    r.kind === 'card' ? [`text/vcard; charset=utf-8${c.version === '4.0' ? '; version=4.0' : ''}`] : undefined,
  [clark(DAV, 'getlastmodified')]: (r) => (r.kind === 'card' ? [new Date(r.card.stored.contact.updatedAt).toUTCString()] : undefined),
  [clark(CARDDAV, 'address-data')]: (r, c) => (r.kind === 'card' ? [writeCard(r.card, c.version)] : undefined),
};

/** allprop (RFC 4918 9.1): the live properties, not the cards' contents (RFC 6352 8.6 asks for address-data by name). */
export function allProperties(r: Resource, c: PropertyContext): string[] {
  const skip = new Set([clark(CARDDAV, 'address-data'), clark(DAV, 'current-user-privilege-set'), clark(DAV, 'supported-report-set')]);
  return Object.keys(PROPERTIES).filter((k) => !skip.has(k) && PROPERTIES[k]!(r, c) !== undefined);
}
