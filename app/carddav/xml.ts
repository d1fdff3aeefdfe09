import { DOMImplementation, DOMParser, XMLSerializer, onErrorStopParsing, type Document, type Element } from '@xmldom/xmldom';
import { HttpProblem } from '../http/problem.ts';

/*
 * WebDAV XML in and out through @xmldom/xmldom: names are compared by
 * namespace URI and local name, never by prefix (RFC 4918 section 8.2: "D:"
 * is only a convention; clients send "d:", "A:" or a default namespace).
 */

export const DAV = 'DAV:';
export const CARDDAV = 'urn:ietf:params:xml:ns:carddav';
export const CALSERVER = 'http://calendarserver.org/ns/';

/** Request bodies that are not well-formed, or carry a DTD (entity expansion, RFC 4918 section 20.6). */
export function parseXml(text: string): Document {
  // A DTD has no use in DAV and is how entity-expansion and external-entity
  // attacks start: refused before the parser sees it.
  if (/<!(?:DOCTYPE|ENTITY)/i.test(text)) throw new HttpProblem('invalid_xml', 'The XML body may not contain a DOCTYPE or an ENTITY.');
  try {
    const doc = new DOMParser({ onError: onErrorStopParsing }).parseFromString(text, 'application/xml');
    if (!doc.documentElement) throw new Error('no root element');
    return doc;
  } catch (err) {
    throw new HttpProblem(
      'invalid_xml',
      `The XML body is not well-formed (${err instanceof Error ? err.message.split('\n')[0] : 'error'}).`,
    );
  }
}

/** "{namespace}local", the way properties are keyed here (Clark notation). */
export const clark = (ns: string | null, local: string) => `{${ns ?? ''}}${local}`;
export const nameOf = (el: Element) => clark(el.namespaceURI, el.localName ?? el.nodeName);

/** The element children of `el` (text and comments skipped). */
export function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

export function child(el: Element, ns: string, local: string): Element | undefined {
  return children(el).find((c) => c.namespaceURI === ns && c.localName === local);
}

/** Text content of an element, trimmed (hrefs, text-match values). */
export const textOf = (el: Element | undefined) => (el?.textContent ?? '').trim();

/** A node to write: an element with attributes and children, or text. */
export type XmlNode = string | { ns: string; name: string; attrs?: Record<string, string>; children?: XmlNode[] };
export const el = (ns: string, name: string, ...kids: XmlNode[]): XmlNode => ({ ns, name, children: kids });

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const PREFIXES: Record<string, string> = { [DAV]: 'd', [CARDDAV]: 'card', [CALSERVER]: 'cs' };

/** Serialises a response document, the usual prefixes declared on the root. */
export function writeXml(root: Exclude<XmlNode, string>): string {
  const doc = new DOMImplementation().createDocument(root.ns, `${PREFIXES[root.ns] ?? 'x'}:${root.name}`, null);
  const top = doc.documentElement!;
  // The root's own prefix is declared by createDocument; a second declaration is not well-formed.
  for (const [ns, prefix] of Object.entries(PREFIXES)) if (ns !== root.ns) top.setAttributeNS(XMLNS, `xmlns:${prefix}`, ns);
  const build = (parent: Element, node: XmlNode) => {
    if (typeof node === 'string') return void parent.appendChild(doc.createTextNode(node));
    // An unknown namespace (a property a client asked for) gets a prefix of its own.
    const prefix = PREFIXES[node.ns];
    // (The serializer declares a prefix where an element's namespace needs it.)
    const e = doc.createElementNS(node.ns, `${prefix ?? 'x'}:${node.name}`);
    for (const [k, v] of Object.entries(node.attrs ?? {})) e.setAttribute(k, v);
    for (const k of node.children ?? []) build(e, k);
    parent.appendChild(e);
  };
  for (const [k, v] of Object.entries(root.attrs ?? {})) top.setAttribute(k, v);
  for (const k of root.children ?? []) build(top, k);
  return `<?xml version="1.0" encoding="utf-8"?>\n${new XMLSerializer().serializeToString(doc)}`;
}
