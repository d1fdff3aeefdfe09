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

/**
 * Markup in one request body at most: a start or end tag, comment or
 * instruction each count one. The largest body a client has reason to send,
 * a multiget of MAX_MULTIGET_HREFS hrefs naming a few dozen properties, has
 * about 2,100. The parsed tree costs about 1 KB an element: a 1 MiB body of
 * 262,000 empty elements, parsed whole, took more than a 256 MB heap.
 */
export const MAX_XML_MARKUP = 10_000;
/** Nesting at most: a query's filter is five deep, PROPPATCH's values a few more. */
export const MAX_XML_DEPTH = 32;

/** Request bodies that are not well-formed, carry a DTD (entity expansion, RFC 4918 section 20.6), or are larger than a client sends. */
export function parseXml(text: string): Document {
  // A DTD has no use in DAV and is how entity-expansion and external-entity
  // attacks start: refused before the parser sees it.
  if (/<!(?:DOCTYPE|ENTITY)/i.test(text)) throw new HttpProblem('invalid_xml', 'The XML body may not contain a DOCTYPE or an ENTITY.');
  // Every piece of markup starts with "<" (text and attributes hold it only as
  // &lt;; a CDATA section's count is an overestimate), so counting them bounds
  // the tree before it is built.
  let markup = 0;
  for (let at = text.indexOf('<'); at !== -1; at = text.indexOf('<', at + 1)) {
    if (++markup > MAX_XML_MARKUP) throw new HttpProblem('invalid_xml', `The XML body holds more than ${MAX_XML_MARKUP} tags.`);
  }
  let doc: Document;
  try {
    doc = new DOMParser({ onError: onErrorStopParsing }).parseFromString(text, 'application/xml');
    if (!doc.documentElement) throw new Error('no root element');
  } catch (err) {
    throw new HttpProblem(
      'invalid_xml',
      `The XML body is not well-formed (${err instanceof Error ? err.message.split('\n')[0] : 'error'}).`,
    );
  }
  if (depthOf(doc.documentElement) > MAX_XML_DEPTH) {
    throw new HttpProblem('invalid_xml', `The XML body nests elements more than ${MAX_XML_DEPTH} deep.`);
  }
  return doc;
}

/** How deep elements nest under `root` (1 for a lone root), walked without recursion. */
function depthOf(root: Element): number {
  let deepest = 0;
  const stack: [Element, number][] = [[root, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [e, depth] = top;
    deepest = Math.max(deepest, depth);
    for (const c of children(e)) stack.push([c, depth + 1]);
  }
  return deepest;
}

/** "{namespace}local", the way properties are keyed here (Clark notation). */
export const clark = (ns: string | null, local: string) => `{${ns ?? ''}}${local}`;

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

/** A node to write: an element (`ns` '' for no namespace) with attributes and children, or text. */
export type XmlNode = string | XmlElement;
export interface XmlElement {
  ns: string;
  name: string;
  attrs?: Record<string, string>;
  children?: XmlNode[];
}
export const el = (ns: string, name: string, ...kids: XmlNode[]): XmlElement => ({ ns, name, children: kids });

/*
 * XML 1.0 cannot carry some characters at all, not even as references
 * (section 2.2, Char): C0 controls but tab and line breaks, U+FFFE, U+FFFF,
 * and halves of surrogate pairs. The JSON API stores them (a Word note's
 * U+000B line break), and one in a card would make every sync of the book
 * unparseable. Written as a space (the two page-layout breaks) or U+FFFD.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- the control characters are what this finds
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export const xmlSafe = (text: string) => text.replace(NOT_XML, (c) => (c === '\u000B' || c === '\u000C' ? ' ' : '\uFFFD'));

const XMLNS = 'http://www.w3.org/2000/xmlns/';
// The XML namespace is bound to "xml" and may not be bound to another prefix
// (Namespaces in XML 1.0 section 3): a client's <xml:foo/> property is named so back.
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const PREFIXES: Record<string, string> = { [DAV]: 'd', [CARDDAV]: 'card', [CALSERVER]: 'cs', [XML_NAMESPACE]: 'xml' };
const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

function build(doc: Document, node: XmlElement): Element {
  const known = PREFIXES[node.ns];
  // No namespace (a client's <foo xmlns=""/>) takes no prefix; an unknown one
  // gets "x", which the serializer declares where it is used.
  const e = node.ns ? doc.createElementNS(node.ns, `${known ?? 'x'}:${node.name}`) : doc.createElementNS(null, node.name);
  for (const [k, v] of Object.entries(node.attrs ?? {})) e.setAttribute(k, xmlSafe(v));
  for (const k of node.children ?? []) e.appendChild(typeof k === 'string' ? doc.createTextNode(xmlSafe(k)) : build(doc, k));
  return e;
}

/** Serialises a response document, the usual prefixes declared on the root. */
export function writeXml(root: XmlElement): string {
  const doc = new DOMImplementation().createDocument(root.ns, `${PREFIXES[root.ns] ?? 'x'}:${root.name}`, null);
  const top = doc.documentElement!;
  // The root's own prefix is declared by createDocument; a second declaration is not well-formed.
  for (const [ns, prefix] of Object.entries(PREFIXES))
    if (ns !== root.ns && ns !== XML_NAMESPACE) top.setAttributeNS(XMLNS, `xmlns:${prefix}`, ns);
  for (const [k, v] of Object.entries(root.attrs ?? {})) top.setAttribute(k, xmlSafe(v));
  for (const k of root.children ?? []) top.appendChild(typeof k === 'string' ? doc.createTextNode(xmlSafe(k)) : build(doc, k));
  return `${DECLARATION}${new XMLSerializer().serializeToString(doc)}`;
}

/**
 * A DAV:multistatus written a response at a time, so a large answer (a sync
 * of every card with its photo) is never a string in memory: the head, then
 * each response element as its own fragment (declaring the prefixes it
 * uses), then the tail.
 */
export const MULTISTATUS_HEAD = `${DECLARATION}<d:multistatus xmlns:d="${DAV}" xmlns:card="${CARDDAV}" xmlns:cs="${CALSERVER}">`;
export const MULTISTATUS_TAIL = '</d:multistatus>';
export function writeXmlFragment(node: XmlElement): string {
  // A scratch document to create the nodes in; its own root is never written.
  const doc = new DOMImplementation().createDocument(null, 'scratch', null);
  return new XMLSerializer().serializeToString(build(doc, node));
}
