import { describe, expect, it } from 'vitest';
import { filterCard } from '../../app/carddav/query.ts';
import { DAV, el, MULTISTATUS_HEAD, MULTISTATUS_TAIL, writeXml, writeXmlFragment, xmlSafe } from '../../app/carddav/xml.ts';

// XML 1.0 section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

describe('XML out', () => {
  it('writes no character XML 1.0 cannot hold, whatever the text', () => {
    const hostile = 'Word\u000Bbreak\u000Cpage\u0001\u0000nul\uFFFE\uFFFF half\uD800 other\uDC00 pair\u{1F600} tab\tcr\r';
    const safe = xmlSafe(hostile);
    expect(safe).not.toMatch(NOT_XML_CHAR);
    expect(safe).toBe('Word break page\uFFFD\uFFFDnul\uFFFD\uFFFD half\uFFFD other\uFFFD pair\u{1F600} tab\tcr\r');
    const doc = writeXml(el(DAV, 'multistatus', el(DAV, 'response', el(DAV, 'href', hostile))));
    expect(doc).not.toMatch(NOT_XML_CHAR);
    expect(writeXmlFragment({ ns: DAV, name: 'x', attrs: { a: hostile }, children: [hostile] })).not.toMatch(NOT_XML_CHAR);
  });

  it('writes an element in no namespace, or in a namespace with any characters, without failing', () => {
    expect(writeXmlFragment(el(DAV, 'prop', el('', 'foo'), el('urn:a}b', 'bar')))).toBe(
      '<d:prop xmlns:d="DAV:"><foo/><x:bar xmlns:x="urn:a}b"/></d:prop>',
    );
  });

  it('streams a multistatus whose parts make one document', () => {
    const parts = [MULTISTATUS_HEAD, writeXmlFragment(el(DAV, 'response', el(DAV, 'href', '/a'))), MULTISTATUS_TAIL].join('');
    expect(parts).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<d:multistatus xmlns:d="DAV:"[^>]*><d:response/);
    expect(parts.endsWith('</d:response></d:multistatus>')).toBe(true);
  });
});

describe('partial retrieval (RFC 6352 10.4.2)', () => {
  it('keeps exactly the named properties, with VERSION, however many there are', () => {
    const lines = ['FN:A', 'N:A;;;;', 'EMAIL:1@x.test', 'TEL:1', 'EMAIL:2@x.test', 'NOTE:n', 'EMAIL:3@x.test', 'TEL:2'];
    const text = ['BEGIN:VCARD', 'VERSION:3.0', 'UID:u', ...lines, 'END:VCARD'].join('\r\n');
    const [out] = filterCard([text], ['email']);
    expect(String(out).trim().split('\r\n')).toEqual([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'EMAIL:1@x.test',
      'EMAIL:2@x.test',
      'EMAIL:3@x.test',
      'END:VCARD',
    ]);
  });
});
