import { DAV, writeXml, type XmlNode } from './xml.ts';

/**
 * A failed precondition or postcondition of WebDAV or CardDAV, answered as
 * RFC 4918 section 16 says: the status, and a DAV:error body naming the
 * condition, with a sentence a person can read (RFC 4918 8.7 allows any
 * element beside it; Sabre and Nextcloud use one the same way).
 */
export class DavError extends Error {
  constructor(
    readonly status: number,
    readonly condition: XmlNode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): string {
    return writeXml({
      ns: DAV,
      name: 'error',
      children: [this.condition, { ns: CONTACTFOLIO, name: 'message', children: [this.message] }],
    });
  }
}

export const CONTACTFOLIO = 'https://contactfolio.com/ns';
