import ICAL from 'ical.js';
import { prepareRecord } from '../contacts/import-report.ts';
import { contactToVCard, propertiesNotModelled, vcardToInput, writesAsOneLine, type JCalProperty } from '../contacts/vcard.ts';
import { contactEtag } from './etag.ts';
import type { CardContent, DavCard } from './store.ts';

/** The vCard versions served (RFC 6352 6.2.2, supported-address-data); 3.0 unless a client asks for 4.0. */
export type CardVersion = '3.0' | '4.0';

/** Properties in one card at most (a PUT body is bounded too, by MAX_CARD_BYTES). */
export const MAX_CARD_PROPERTIES = 1_000;
/**
 * Parameter values in one card at most, all properties together. Apple's
 * cards have two or three a property; a single property of 100,000 cost a
 * query over 20 such cards 19 s, every card being parsed again to filter it.
 */
export const MAX_CARD_PARAMETERS = 1_000;

// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u001F\u007F]/;

export type ReadCard = { ok: true; content: CardContent; notes: string[] } | { ok: false; problem: string };

/**
 * Parameters and parameter values in a card's text, counted before it is
 * parsed (ical.js took 0.6 s over one property of 140,000): each ";" or ","
 * before a line's first ":" outside a quoted value (RFC 6350 3.3) starts one.
 * Lines are unfolded first, so a folded line is counted whole.
 */
export function parameterCount(text: string): number {
  const unfolded = text.replace(/\r?\n[ \t]/g, '');
  let count = 0;
  for (let line = 0; line < unfolded.length;) {
    let end = unfolded.indexOf('\n', line);
    if (end === -1) end = unfolded.length;
    let quoted = false;
    for (let i = line; i < end; i++) {
      const c = unfolded.charCodeAt(i);
      // As ical.js reads it: a quote opens a value only straight after "=", and the next one closes it.
      if (quoted) quoted = c !== 0x22;
      else if (c === 0x22 && unfolded.charCodeAt(i - 1) === 0x3d) quoted = true;
      else if (c === 0x3a) break;
      else if (!quoted && (c === 0x3b || c === 0x2c)) count++;
    }
    line = end + 1;
  }
  return count;
}

/**
 * One client's card (a PUT body) to what is stored: the contact, the
 * client's UID, and the properties the contact does not hold. The same
 * mapping as an import (vcard.ts), so a card means the same whichever way
 * it arrives; the repairs an import reports (a 21st email moved into the
 * notes) apply too.
 */
export function readCard(text: string): ReadCard {
  // PostgreSQL's text and jsonb cannot hold it; nothing in a vCard needs it.
  if (text.includes('\u0000')) return { ok: false, problem: 'the vCard contains a NUL character' };
  if (parameterCount(text) > MAX_CARD_PARAMETERS)
    return { ok: false, problem: `the vCard has more than ${MAX_CARD_PARAMETERS} parameters` };
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (err) {
    return { ok: false, problem: `the vCard could not be read (${err instanceof Error ? err.message : 'parse error'})` };
  }
  // RFC 6352 5.1: one vCard per resource.
  const list = (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : parsed) as unknown[];
  if (!Array.isArray(list) || list.length !== 1 || !Array.isArray(list[0]) || list[0][0] !== 'vcard') {
    return { ok: false, problem: 'an address object resource holds exactly one vCard' };
  }
  // Apple's cards hold a few dozen properties; a thousand is no person's, only a cost (each is mapped and kept).
  const properties = (list[0] as [string, JCalProperty[]])[1];
  if (properties.length > MAX_CARD_PROPERTIES) {
    return { ok: false, problem: `the vCard has more than ${MAX_CARD_PROPERTIES} properties` };
  }
  // Counted again as parsed, in case the lexical count above and ical.js ever disagree on a line.
  const parameters = properties.reduce(
    // ical.js keeps an item group ("item1.") among the parameters; it is not one.
    (n, [, { group: _group, ...params }]) => n + Object.values(params).reduce<number>((m, v) => m + (Array.isArray(v) ? v.length : 1), 0),
    0,
  );
  if (parameters > MAX_CARD_PARAMETERS) return { ok: false, problem: `the vCard has more than ${MAX_CARD_PARAMETERS} parameters` };
  const card = new ICAL.Component(list[0] as unknown[]);
  const uid = String(card.getFirstPropertyValue('uid') ?? '').trim();
  if (!uid) return { ok: false, problem: 'the vCard has no UID (RFC 6350 6.7.6; RFC 6352 5.1 requires one)' };
  if (uid.length > 500) return { ok: false, problem: 'the UID is longer than 500 characters' };
  // A UID is written as a URI in 4.0, unescaped: a line break in it would end the card.
  if (CONTROL.test(uid)) return { ok: false, problem: 'the UID contains a line break or another control character' };
  const kept = propertiesNotModelled(card);
  const broken = kept.find((p) => !writesAsOneLine(p, '3.0') || !writesAsOneLine(p, '4.0'));
  if (broken) {
    return {
      ok: false,
      problem: `the ${broken[0].toUpperCase()} property holds a line break or control character its value type cannot carry`,
    };
  }
  const { input } = vcardToInput(card);
  const prepared = prepareRecord(input);
  if (!prepared.ok) return { ok: false, problem: prepared.reason };
  return { ok: true, notes: prepared.changes, content: { draft: prepared.draft, uid, properties: kept } };
}

// Each card read is written once per version, though a query reads it twice
// (to filter it, then in the answer); keyed by the object, which lives for one request.
const written = new WeakMap<DavCard, Partial<Record<CardVersion, string>>>();

/** The card as served: the contact, the client's UID and the properties kept from its card. */
export function writeCard(card: DavCard, version: CardVersion): string {
  let texts = written.get(card);
  if (!texts) written.set(card, (texts = {}));
  return (texts[version] ??= contactToVCard(card.stored.contact, version, { uid: card.uid, properties: card.properties }));
}

/**
 * The strong ETag of a card (etag.ts). One for both vCard versions: a client
 * sends back in If-Match the tag it was given, whichever version it read.
 */
export const cardEtag = (card: Pick<DavCard, 'stored'>) => contactEtag(card.stored.contact.id, card.stored.version);
