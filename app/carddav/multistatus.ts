import type { Element } from '@xmldom/xmldom';
import { allProperties, hrefOf, PROPERTIES, type PropertyContext, type Resource } from './resources.ts';
import { HttpProblem } from '../http/problem.ts';
import { CARDDAV, child, children, clark, DAV, el, type XmlElement, type XmlNode } from './xml.ts';
import { filterCard } from './query.ts';

/** A property by namespace and local name (a client's may be in no namespace, or any URI). */
export interface PropName {
  ns: string;
  local: string;
}

/** What a PROPFIND or REPORT asks of each resource (RFC 4918 14.20 propfind, 14.18 prop). */
export type PropRequest = { all: true } | { names: true } | { props: PropName[]; addressProps?: string[] };

/**
 * Properties one request may name. Clients ask for a dozen or two (iOS's
 * principal PROPFIND is the longest seen, about 25); a thousand, repeated
 * over every card, only builds a large answer.
 */
export const MAX_REQUESTED_PROPERTIES = 100;

/** Refuses a request (PROPFIND, REPORT, PROPPATCH) naming more than MAX_REQUESTED_PROPERTIES properties. */
export function checkPropertyCount(count: number): void {
  if (count > MAX_REQUESTED_PROPERTIES) {
    throw new HttpProblem('invalid_xml', `A request may name at most ${MAX_REQUESTED_PROPERTIES} properties; this one names ${count}.`);
  }
}

/** The DAV:prop, DAV:allprop or DAV:propname of `parent` (a PROPFIND body's root, or a REPORT's). */
export function propRequestOf(parent: Element | undefined): PropRequest {
  if (!parent || child(parent, DAV, 'allprop')) return { all: true };
  if (child(parent, DAV, 'propname')) return { names: true };
  const prop = child(parent, DAV, 'prop');
  if (!prop) return { all: true };
  const requested = children(prop);
  // The same property twice is answered once (RFC 4918 does not ask for echoes).
  const props = [...new Map(requested.map((c) => [clark(c.namespaceURI, c.localName ?? c.nodeName), c])).values()].map((c) => ({
    ns: c.namespaceURI ?? '',
    local: c.localName ?? c.nodeName,
  }));
  checkPropertyCount(props.length);
  const addressData = requested.find((c) => c.namespaceURI === CARDDAV && c.localName === 'address-data');
  // RFC 6352 10.4.2: <C:prop name="EMAIL"/> inside address-data asks for those properties only.
  const addressProps = addressData
    ? children(addressData)
        .filter((c) => c.namespaceURI === CARDDAV && c.localName === 'prop')
        .map((c) => (c.getAttribute('name') ?? '').toLowerCase())
        .filter(Boolean)
    : [];
  return { props, ...(addressProps.length ? { addressProps } : {}) };
}

const fromClark = (name: string): PropName => {
  // Only our own PROPERTIES' keys come here, and none has "}" in its namespace.
  const end = name.indexOf('}');
  return { ns: name.slice(1, end), local: name.slice(end + 1) };
};
const status = (code: number, text: string) => el(DAV, 'status', `HTTP/1.1 ${code} ${text}`);

/** One DAV:response with a propstat per outcome (RFC 4918 14.24). */
export function propResponse(r: Resource, request: PropRequest, ctx: PropertyContext, href = hrefOf(r, ctx.paths)): XmlElement {
  const found: XmlNode[] = [];
  const missing: XmlNode[] = [];
  const names = 'props' in request ? request.props : allProperties(r, ctx).map(fromClark);
  for (const { ns, local } of names) {
    const name = clark(ns, local);
    const value = 'names' in request ? [] : PROPERTIES[name]?.(r, ctx);
    if (value === undefined) {
      missing.push(el(ns, local));
      continue;
    }
    const kids =
      name === `{${CARDDAV}}address-data` && 'props' in request && request.addressProps ? filterCard(value, request.addressProps) : value;
    found.push({ ns, name: local, children: kids });
  }
  const propstats: XmlNode[] = [];
  if (found.length) propstats.push(el(DAV, 'propstat', el(DAV, 'prop', ...found), status(200, 'OK')));
  if (missing.length) propstats.push(el(DAV, 'propstat', el(DAV, 'prop', ...missing), status(404, 'Not Found')));
  // An empty DAV:prop asked for nothing; a response still needs a propstat or a status (RFC 4918 14.24).
  if (!propstats.length) propstats.push(el(DAV, 'propstat', el(DAV, 'prop'), status(200, 'OK')));
  return el(DAV, 'response', el(DAV, 'href', href), ...propstats);
}

/** A DAV:response for a member that is not there (a multiget's unknown href, a sync's deletion). */
export const goneResponse = (href: string): XmlElement => el(DAV, 'response', el(DAV, 'href', href), status(404, 'Not Found'));
