import type { Element } from '@xmldom/xmldom';
import ICAL from 'ical.js';
import { DavError } from './dav-error.ts';
import { CARDDAV, child, children, el, textOf, type XmlNode } from './xml.ts';

/*
 * addressbook-query's filter (RFC 6352 section 10.5), evaluated on the card
 * as served, so a filter sees what a client would: prop-filter with anyof or
 * allof, is-not-defined, text-match (four match types, negation) and
 * param-filter, under the three collations of RFC 4790 that section 8.3
 * names. The cards of one user are few (MAX_CONTACTS_PER_USER), so they are
 * filtered here rather than translated into SQL.
 */

const COLLATIONS: Record<string, (s: string) => string> = {
  // RFC 5051's i;unicode-casemap: case-folded after canonical decomposition.
  'i;unicode-casemap': (s) => s.normalize('NFKD').toLowerCase(),
  'i;ascii-casemap': (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()),
  'i;octet': (s) => s,
};

function textMatch(tm: Element, values: string[]): boolean {
  const collation = tm.getAttribute('collation') || 'i;unicode-casemap';
  const fold = COLLATIONS[collation];
  if (!fold) {
    throw new DavError(
      403,
      el(CARDDAV, 'supported-collation'),
      `The collation ${collation} is not supported (i;unicode-casemap, i;ascii-casemap, i;octet are).`,
    );
  }
  const type = tm.getAttribute('match-type') || 'contains';
  const wanted = fold(textOf(tm));
  const test = {
    equals: (v: string) => v === wanted,
    contains: (v: string) => v.includes(wanted),
    'starts-with': (v: string) => v.startsWith(wanted),
    'ends-with': (v: string) => v.endsWith(wanted),
  }[type];
  if (!test)
    throw new DavError(
      400,
      el(CARDDAV, 'supported-filter'),
      `match-type="${type}" is not one of equals, contains, starts-with, ends-with.`,
    );
  const hit = values.some((v) => test(fold(v)));
  return tm.getAttribute('negate-condition') === 'yes' ? !hit : hit;
}

const valuesOf = (p: ICAL.Property): string[] =>
  p.getValues().flatMap((v: unknown) => (Array.isArray(v) ? v.flat().map(String) : [String(v)]));

function propFilter(pf: Element, card: ICAL.Component): boolean {
  const name = (pf.getAttribute('name') ?? '').toLowerCase();
  const props = card.getAllProperties(name);
  const tests = children(pf);
  if (child(pf, CARDDAV, 'is-not-defined')) return props.length === 0;
  if (tests.length === 0) return props.length > 0;
  const allof = pf.getAttribute('test') === 'allof';
  // Each test holds if one of the properties meets it (10.5.1).
  const results = tests.map((t) => {
    if (t.localName === 'text-match') return textMatch(t, props.flatMap(valuesOf));
    if (t.localName === 'param-filter') return props.some((p) => paramFilter(t, p));
    throw new DavError(
      400,
      el(CARDDAV, 'supported-filter'),
      `A prop-filter may hold is-not-defined, text-match or param-filter, not ${t.localName}.`,
    );
  });
  return allof ? results.every(Boolean) : results.some(Boolean);
}

function paramFilter(pf: Element, p: ICAL.Property): boolean {
  const name = (pf.getAttribute('name') ?? '').toLowerCase();
  const value = p.getParameter(name);
  const values = value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String);
  if (child(pf, CARDDAV, 'is-not-defined')) return values.length === 0;
  const tm = child(pf, CARDDAV, 'text-match');
  return tm ? textMatch(tm, values) : values.length > 0;
}

/** Whether a card (its text as served) meets a C:filter element; no filter matches all. */
export function matchesFilter(filter: Element | undefined, cardText: string): boolean {
  if (!filter) return true;
  const tests = children(filter).filter((c) => c.namespaceURI === CARDDAV && c.localName === 'prop-filter');
  if (tests.length === 0) return true;
  const card = new ICAL.Component(ICAL.parse(cardText) as unknown[]);
  const allof = filter.getAttribute('test') === 'allof';
  return allof ? tests.every((t) => propFilter(t, card)) : tests.some((t) => propFilter(t, card));
}

/** The card with only the named properties (RFC 6352 10.4.2, partial retrieval); BEGIN, END and VERSION always. */
export function filterCard(value: XmlNode[], names: string[]): XmlNode[] {
  const keep = new Set([...names, 'version']);
  // Filtered as jCal, in one pass (removeProperty is linear per call, and
  // removing from the list being walked skipped every other property).
  const [name, props, subs] = ICAL.parse(String(value[0])) as [string, [string, ...unknown[]][], unknown[]];
  return [`${ICAL.stringify([name, props.filter((p) => keep.has(p[0])), subs])}\r\n`];
}
