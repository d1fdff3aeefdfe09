import type { Element } from '@xmldom/xmldom';
import { allProperties, hrefOf, PROPERTIES, type PropertyContext, type Resource } from './resources.ts';
import { CARDDAV, child, children, DAV, el, nameOf, type XmlNode } from './xml.ts';
import { filterCard } from './query.ts';

/** What a PROPFIND or REPORT asks of each resource (RFC 4918 14.20 propfind, 14.18 prop). */
export type PropRequest = { all: true } | { names: true } | { props: string[]; addressProps?: string[] };

/** The DAV:prop, DAV:allprop or DAV:propname of `parent` (a PROPFIND body's root, or a REPORT's). */
export function propRequestOf(parent: Element | undefined): PropRequest {
  if (!parent || child(parent, DAV, 'allprop')) return { all: true };
  if (child(parent, DAV, 'propname')) return { names: true };
  const prop = child(parent, DAV, 'prop');
  if (!prop) return { all: true };
  const requested = children(prop);
  const addressData = requested.find((c) => c.namespaceURI === CARDDAV && c.localName === 'address-data');
  // RFC 6352 10.4.2: <C:prop name="EMAIL"/> inside address-data asks for those properties only.
  const addressProps = addressData
    ? children(addressData)
        .filter((c) => c.namespaceURI === CARDDAV && c.localName === 'prop')
        .map((c) => (c.getAttribute('name') ?? '').toLowerCase())
        .filter(Boolean)
    : [];
  return { props: requested.map(nameOf), ...(addressProps.length ? { addressProps } : {}) };
}

const fromClark = (name: string): { ns: string; local: string } => {
  const m = /^\{([^}]*)\}(.+)$/.exec(name)!;
  return { ns: m[1]!, local: m[2]! };
};
const status = (code: number, text: string) => el(DAV, 'status', `HTTP/1.1 ${code} ${text}`);

/** One DAV:response with a propstat per outcome (RFC 4918 14.24). */
export function propResponse(r: Resource, request: PropRequest, ctx: PropertyContext): XmlNode {
  const found: XmlNode[] = [];
  const missing: XmlNode[] = [];
  const names = 'props' in request ? request.props : allProperties(r, ctx);
  for (const name of names) {
    const { ns, local } = fromClark(name);
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
  return el(DAV, 'response', el(DAV, 'href', hrefOf(r, ctx.paths)), ...propstats);
}

/** A DAV:response for a member that is not there (a multiget's unknown href, a sync's deletion). */
export const goneResponse = (href: string): XmlNode => el(DAV, 'response', el(DAV, 'href', href), status(404, 'Not Found'));
