import { TextDecoder } from 'node:util';
import { HttpProblem } from '../http/problem.ts';

/*
 * The text of an import file, from its bytes. Address books arrive in the
 * encodings their exporters write: Google's CSV in UTF-8 with a BOM, its
 * older CSV in UTF-16LE with a BOM, Outlook's CSV and vCards in Windows-1252
 * (test/fixtures/exports/README.md has the sources). A browser's
 * File.text() would have replaced every non-UTF-8 byte with U+FFFD, so the
 * web app sends the file's bytes and the server decides, in this order:
 * a BOM; the charset the Content-Type names; UTF-16 by its zero bytes
 * (CSV and vCard text has no NUL); UTF-8 when the bytes are valid UTF-8;
 * otherwise Windows-1252, in which every byte is a character.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The charset parameter of a Content-Type header, lower-cased, if any. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
}

export interface DecodedBody {
  text: string;
  /** The encoding the bytes were read in (WHATWG name). */
  encoding: string;
}

// WHATWG index-windows-1252 for 0x80-0x9F, where it differs from ISO-8859-1.
// Node's TextDecoder decodes windows-1252 (and so latin1, iso-8859-1, ascii)
// as ISO-8859-1 since 20.18.3 / 22.13.0 (nodejs/node#60888): 0x80 became
// U+0080 instead of the euro sign. Remove when Node decodes it right.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/** Bytes as text in the encoding `label` names (any WHATWG label), or undefined when it names none. */
export function decodeBytes(bytes: Uint8Array, label: string): string | undefined {
  let d: TextDecoder;
  try {
    d = new TextDecoder(label);
  } catch {
    return undefined;
  }
  return d.encoding === 'windows-1252' ? decodeWindows1252(bytes) : d.decode(bytes);
}

export function decodeImportBody(bytes: Uint8Array, charset?: string): DecodedBody {
  // TextDecoder drops a BOM of its own encoding.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: strictOrProblem(bytes.subarray(3)), encoding: 'utf-8' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: utf16Text(bytes, 'utf-16le'), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: utf16Text(bytes, 'utf-16be'), encoding: 'utf-16be' };
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    const text = decodeBytes(bytes, charset);
    if (text === undefined)
      throw new HttpProblem('unparseable_import', `The charset ${JSON.stringify(charset)} is not one this server can read.`);
    return { text, encoding: charset };
  }
  if (charset) return { text: strictOrProblem(bytes), encoding: 'utf-8' };
  const utf16 = utf16Order(bytes);
  if (utf16) return { text: utf16Text(bytes, utf16), encoding: utf16 };
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

/**
 * UTF-16 without a BOM, by where its zero bytes fall: CSV and vCard text has
 * no NUL, while UTF-16 of mostly Latin text has one in every other byte. Read
 * over the first 4 KiB; a file whose first character is CJK still counts.
 */
function utf16Order(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 2) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  if (odd >= pairs * 0.2 && even < pairs * 0.05) return 'utf-16le';
  if (even >= pairs * 0.2 && odd < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/** UTF-16 text; an odd last byte (a file cut short) is left out rather than read as U+FFFD. */
function utf16Text(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): string {
  return new TextDecoder(encoding).decode(bytes.subarray(0, bytes.length & ~1));
}

function strictOrProblem(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // The sender said UTF-8 (a charset or a UTF-8 BOM): refuse rather than store U+FFFD.
    throw new HttpProblem('invalid_utf8', 'The request body is not valid UTF-8.');
  }
}
