/*
 * vCard 2.1 (the 1996 versit spec: old Android, Nokia, Outlook and many
 * phones still write it) rewritten as vCard 3.0 lines for ical.js, which
 * reads only 3.0 and 4.0. Written here because no maintained npm package
 * reads 2.1: the differences are few and mechanical, and each is tested in
 * test/unit/vcard21.test.ts:
 * - ENCODING=QUOTED-PRINTABLE values, with `=` soft line breaks that continue
 *   on an unindented line, decoded as bytes in the CHARSET named (default
 *   UTF-8) by the WHATWG TextDecoder, which knows the legacy charsets.
 * - bare parameters (`TEL;CELL;PREF:`) are TYPE values.
 * - folding keeps the whitespace after the line break (RFC 822 folding).
 * - ENCODING=BASE64 values (photos, keys) end at a blank line.
 */

import { decodeBytes } from './text-encoding.ts';

const QP_SOFT_BREAK = /=$/;

/** Bytes of a quoted-printable text (RFC 2045 6.7); a malformed `=XY` is kept as written. */
export function decodeQuotedPrintable(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d /* = */) {
      const hex = text.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
    }
    // Characters are already text (the body was decoded once): keep non-ASCII as UTF-8.
    if (c < 0x80) out.push(c);
    else for (const b of Buffer.from(text[i]!, 'utf8')) out.push(b);
  }
  return Uint8Array.from(out);
}

function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  // An unknown charset name: UTF-8 is what modern writers meant.
  return decodeBytes(bytes, charset || 'utf-8') ?? decodeBytes(bytes, 'utf-8')!;
}

interface Line21 {
  group: string;
  name: string;
  params: { key: string; value: string }[];
  value: string;
}

/** `group.NAME;P1;P2=x:value` (2.1 parameter values are never quoted). */
function splitLine(line: string): Line21 | undefined {
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  const [head, ...rawParams] = line.slice(0, colon).split(';');
  const dot = head!.lastIndexOf('.');
  const params = rawParams.map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? { key: 'TYPE', value: p.trim() } : { key: p.slice(0, eq).trim().toUpperCase(), value: p.slice(eq + 1).trim() };
  });
  return { group: dot < 0 ? '' : head!.slice(0, dot + 1), name: head!.slice(dot + 1).trim(), params, value: line.slice(colon + 1) };
}

const isQuotedPrintable = (l: Line21) => l.params.some((p) => p.key === 'ENCODING' && /^quoted-printable$/i.test(p.value));

// Structured values keep their `;` separators and lists their `,` (2.1
// separates CATEGORIES with `;`); other text escapes what 3.0 reads as syntax.
const STRUCTURED = new Set(['N', 'ADR', 'ORG', 'X-ANDROID-CUSTOM']);
const LISTS = new Set(['CATEGORIES', 'NICKNAME']);

function escape3(name: string, value: string): string {
  const text = value.replace(/\r\n|\r|\n/g, '\\n');
  // 2.1 components hold one value each: a comma is text, not 3.0's list separator.
  if (STRUCTURED.has(name)) return text.replace(/,/g, '\\,');
  if (LISTS.has(name)) return text.replace(/;/g, ',');
  return text.replace(/,/g, '\\,').replace(/;/g, '\\;');
}

/** A 2.1 card's unfolded lines (BEGIN/END included) as 3.0 lines. */
export function vcard21To30(lines: string[]): string[] {
  // Logical lines: RFC 822 folding (whitespace kept) and QP soft breaks.
  const logical: string[] = [];
  let base64 = false;
  for (const [k, line] of lines.entries()) {
    const previous = logical.length - 1;
    if (base64) {
      if (line.trim() === '') base64 = false;
      else if (/^[\s]/.test(line) || !/^[\w.-]+[;:]/.test(line))
        continue; // base64 body: dropped with its property
      else base64 = false;
    }
    // A soft break right before the card's own END ends the value: it does not swallow the END.
    const cardEnd = k === lines.length - 1 && /^END:VCARD\s*$/i.test(line);
    if (previous >= 0 && QP_SOFT_BREAK.test(logical[previous]!) && isQpLine(logical[previous]!) && !cardEnd) {
      logical[previous] = logical[previous]!.slice(0, -1) + line;
    } else if (previous >= 0 && /^[ \t]/.test(line)) {
      logical[previous] += line;
    } else if (line.trim() !== '') {
      logical.push(line);
      if (/;ENCODING=(?:BASE64|B)\b/i.test(line.split(':')[0] ?? '')) base64 = true;
    }
  }
  return logical.flatMap((text) => {
    const l = splitLine(text);
    if (!l) return [];
    const upper = l.name.toUpperCase();
    if (upper === 'VERSION') return ['VERSION:3.0'];
    if (upper === 'BEGIN' || upper === 'END') return [text];
    let value = l.value;
    const charset = l.params.find((p) => p.key === 'CHARSET')?.value;
    // A soft break with nothing after it (the value's last line) is no character.
    if (isQuotedPrintable(l)) value = decodeCharset(decodeQuotedPrintable(value.replace(/=$/, '')), charset);
    value = escape3(upper, value);
    const types = l.params
      .filter((p) => p.key === 'TYPE')
      .map((p) => p.value)
      .filter(Boolean);
    const others = l.params.filter((p) => !['TYPE', 'ENCODING', 'CHARSET'].includes(p.key));
    const params = [
      ...(types.length ? [`TYPE=${types.join(',')}`] : []),
      ...others.map((p) => `${p.key}=${p.value.includes(':') || p.value.includes(';') ? `"${p.value}"` : p.value}`),
    ];
    return [`${l.group}${l.name}${params.map((p) => `;${p}`).join('')}:${value}`];
  });
}

function isQpLine(text: string): boolean {
  const l = splitLine(text);
  return l !== undefined && isQuotedPrintable(l);
}

/** Whether a card's lines say VERSION:2.1. */
export function isVCard21(lines: string[]): boolean {
  return lines.some((l) => /^VERSION:\s*2\.1\s*$/i.test(l));
}
