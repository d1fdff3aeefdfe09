import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { setImmediate as turn } from 'node:timers/promises';
import { TextDecoder } from 'node:util';
import type { Element } from '@xmldom/xmldom';
import type { UserStore } from '../auth/store.ts';
import { HttpProblem } from '../http/problem.ts';
import { cardEtag, readCard, writeCard, type CardVersion } from './cards.ts';
import { DavError } from './dav-error.ts';
import { failedPrecondition, parseEtags, type Preconditions } from './etag.ts';
import { multistatus } from './multistatus-stream.ts';
import { checkPropertyCount, goneResponse, propRequestOf, propResponse, type PropRequest } from './multistatus.ts';
import { matchesFilter } from './query.ts';
import {
  hrefOf,
  MAX_CARD_BYTES,
  parseSyncToken,
  pathsOf,
  syncToken,
  type PropertyContext,
  type Resource,
  type UserPaths,
} from './resources.ts';
import { CARD_PAGE, type DavCard, type DavStore } from './store.ts';
import { CARDDAV, child, children, DAV, el, parseXml, textOf, type XmlElement } from './xml.ts';

/*
 * CardDAV (RFC 6352) over WebDAV (RFC 4918): discovery, PROPFIND, the three
 * reports clients use, and GET/PUT/DELETE of cards. Each handler cites the
 * section it follows. Authentication (an app password) is davAuth's, before this.
 */

export interface DavRouteDeps {
  store: DavStore;
  users: Pick<UserStore, 'findById'>;
}

// RFC 4918 10.1: class 1 and 3 (no locks); RFC 6352 6.1: "addressbook".
const DAV_HEADER = '1, 3, addressbook';
const COLLECTION_METHODS = 'OPTIONS, PROPFIND, PROPPATCH, REPORT';
const CARD_METHODS = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH';
/** A multiget naming more hrefs than this is refused (a user has at most MAX_CONTACTS_PER_USER cards anyway). */
export const MAX_MULTIGET_HREFS = 1_000;
const REQUEST_LIMIT = MAX_CARD_BYTES;

const notFound = () => new HttpProblem('not_found', 'No such resource.');
const notAllowed = (allow: string) => new DavError(405, el(DAV, 'allowed-method'), `This resource answers ${allow}.`, { Allow: allow });

/** Depth (RFC 4918 10.2); absent means infinity, which this small tree can always answer. */
function depthOf(req: Request): 0 | 1 | 'infinity' {
  const d = String(req.headers.depth ?? 'infinity')
    .trim()
    .toLowerCase();
  if (d === '0') return 0;
  if (d === '1') return 1;
  if (d === 'infinity') return 'infinity';
  throw new HttpProblem('invalid_query', 'Depth must be 0, 1 or infinity.');
}

// Bodies are UTF-8 (RFC 6352 5.1 for cards; XML without a declaration of
// another encoding): bytes that are not are refused, never turned into U+FFFD.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
function bodyText(req: Request): string {
  if (!Buffer.isBuffer(req.body)) return '';
  try {
    return UTF8.decode(req.body);
  } catch {
    throw new HttpProblem('invalid_utf8', 'The request body is not valid UTF-8.');
  }
}

/** The XML body's root element, checked against what the method takes; absent when the body is empty. */
function xmlBody(req: Request, ...accepted: [string, string][]): Element | undefined {
  const text = bodyText(req);
  if (!text.trim()) return undefined;
  const root = parseXml(text).documentElement!;
  if (!accepted.some(([ns, local]) => root.namespaceURI === ns && root.localName === local)) {
    throw new HttpProblem('invalid_xml', `The body's root element is not ${accepted.map(([, l]) => l).join(' or ')}.`);
  }
  return root;
}

/** The vCard version a client asks for: Accept's version parameter (GET) or address-data's attribute (reports). */
function versionOf(req: Request, prop?: Element): CardVersion {
  const addressData = prop ? child(prop, CARDDAV, 'address-data') : undefined;
  const asked = addressData?.getAttribute('version') || (/version\s*=\s*"?4\.0/i.test(req.headers.accept ?? '') ? '4.0' : '');
  if (asked && asked !== '3.0' && asked !== '4.0') {
    throw new DavError(415, el(CARDDAV, 'supported-address-data'), `vCard ${asked} is not served; 3.0 and 4.0 are.`);
  }
  return asked === '4.0' ? '4.0' : '3.0';
}

/** If-Match and If-None-Match (RFC 9110 13.1.1-2). */
function conditionsOf(req: Request): Preconditions {
  const ifMatch = parseEtags(req.headers['if-match']);
  const ifNoneMatch = parseEtags(req.headers['if-none-match']);
  return { ...(ifMatch ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) };
}

/** A card's name from a URL path segment: one segment, storable, not "." or "..". */
function cardName(raw: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a name may not hold
  if (!raw || raw.length > 255 || raw === '.' || raw === '..' || /[/\\\u0000-\u001f\u007f]/.test(raw)) throw notFound();
  return raw;
}

/**
 * A multiget's hrefs as sent, each with the card name it points at, and each
 * card once: RFC 6352 8.7 answers per href, but a repeat adds nothing, and
 * hrefs that differ only in spelling ("?v=2", "%61.vcf") would answer one
 * photo card a thousand times.
 */
function hrefsOf(root: Element, paths: UserPaths): [href: string, name: string | null][] {
  const seen = new Set<string>();
  const out: [string, string | null][] = [];
  for (const c of children(root)) {
    if (c.namespaceURI !== DAV || c.localName !== 'href') continue;
    const href = textOf(c);
    const name = nameInBook(href, paths);
    const key = name === null ? `href:${href}` : `name:${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([href, name]);
  }
  return out;
}

export function davRoutes({ store, users }: DavRouteDeps): Router {
  const router = Router({ mergeParams: true });
  router.use((_req, res, next) => {
    res.setHeader('DAV', DAV_HEADER);
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(express.raw({ type: () => true, limit: REQUEST_LIMIT }));

  const context = async (req: Request, userId: string, version: CardVersion = '3.0'): Promise<PropertyContext> => ({
    userId,
    paths: pathsOf(userId),
    version,
    // The principal's displayname; read only when a principal is in the answer.
    userName: req.path.includes('/principals/') || req.path === '/' ? ((await users.findById(userId))?.name ?? '') : '',
  });
  const ownerOf = (req: Request): string => {
    const userId = req.davUserId!;
    if (req.params.user !== undefined && req.params.user !== userId) throw notFound(); // never another user's, nor whether it exists
    return userId;
  };

  /** Every card of the book, a page of the database at a time. */
  async function* allCards(userId: string): AsyncGenerator<DavCard> {
    for (let after: string | null = null; ;) {
      const page = await store.cardsAfter(userId, after);
      yield* page;
      if (page.length < CARD_PAGE) return;
      after = page.at(-1)!.name;
    }
  }
  /** The cards named (a page at a time), each with its name; absent ones are not yielded. */
  async function* namedCards(userId: string, names: string[]): AsyncGenerator<DavCard> {
    for (let i = 0; i < names.length; i += CARD_PAGE) yield* await store.cards(userId, names.slice(i, i + CARD_PAGE));
  }

  /** Answers PROPFIND for `self` and, by depth, its members (RFC 4918 9.1). */
  const propfind = async (req: Request, res: Response, self: Resource, members: (depth: 1 | 'infinity') => AsyncIterable<Resource>) => {
    const root = xmlBody(req, [DAV, 'propfind']);
    const request: PropRequest = propRequestOf(root);
    const prop = root ? child(root, DAV, 'prop') : undefined;
    const ctx = await context(req, req.davUserId!, versionOf(req, prop));
    const depth = depthOf(req);
    async function* all(): AsyncGenerator<XmlElement> {
      yield propResponse(self, request, ctx);
      if (depth === 0) return;
      for await (const r of members(depth)) yield propResponse(r, request, ctx);
    }
    await multistatus(res, all());
  };
  const none = async function* (): AsyncGenerator<Resource> {};
  const cardsAsResources = async function* (userId: string): AsyncGenerator<Resource> {
    for await (const card of allCards(userId)) yield { kind: 'card', card };
  };

  const options = (allow: string) => (_req: Request, res: Response) => {
    res.setHeader('Allow', allow);
    res.status(200).end();
  };

  // RFC 4918 9.2: PROPPATCH. Nothing here is writable by a client (the address
  // book's name is the app's): every property is refused, atomically.
  const proppatch = async (req: Request, res: Response, self: Resource) => {
    const root = xmlBody(req, [DAV, 'propertyupdate']);
    const names = root ? children(root).flatMap((op) => (child(op, DAV, 'prop') ? children(child(op, DAV, 'prop')!) : [])) : [];
    checkPropertyCount(names.length);
    await multistatus(res, [
      el(
        DAV,
        'response',
        el(DAV, 'href', hrefOf(self, pathsOf(req.davUserId!))),
        el(
          DAV,
          'propstat',
          el(DAV, 'prop', ...names.map((n) => el(n.namespaceURI ?? '', n.localName ?? n.nodeName))),
          el(DAV, 'status', 'HTTP/1.1 403 Forbidden'),
          el(DAV, 'error', el(DAV, 'cannot-modify-protected-property')),
        ),
      ),
    ]);
  };

  // The context path (RFC 6764 section 6): where discovery starts; it names the user's principal.
  router.all('/', async (req, res) => {
    if (req.method === 'OPTIONS') return options('OPTIONS, PROPFIND')(req, res);
    if (req.method !== 'PROPFIND') throw notAllowed('OPTIONS, PROPFIND');
    await propfind(req, res, { kind: 'root' }, async function* () {
      yield { kind: 'principal' };
    });
  });

  router.all('/principals/:user/', async (req, res) => {
    ownerOf(req);
    if (req.method === 'OPTIONS') return options('OPTIONS, PROPFIND')(req, res);
    if (req.method !== 'PROPFIND') throw notAllowed('OPTIONS, PROPFIND');
    await propfind(req, res, { kind: 'principal' }, none);
  });

  router.all('/addressbooks/:user/', async (req, res) => {
    const userId = ownerOf(req);
    if (req.method === 'OPTIONS') return options(COLLECTION_METHODS)(req, res);
    if (req.method === 'PROPPATCH') return proppatch(req, res, { kind: 'home' });
    if (req.method !== 'PROPFIND') throw notAllowed('OPTIONS, PROPFIND, PROPPATCH');
    await propfind(req, res, { kind: 'home' }, async function* (depth) {
      yield { kind: 'book', state: await store.state(userId) };
      if (depth === 'infinity') yield* cardsAsResources(userId);
    });
  });

  router.all('/addressbooks/:user/contacts/', async (req, res) => {
    const userId = ownerOf(req);
    if (req.method === 'OPTIONS') return options(COLLECTION_METHODS)(req, res);
    const book = async (): Promise<Resource> => ({ kind: 'book', state: await store.state(userId) });
    if (req.method === 'PROPFIND') return propfind(req, res, await book(), () => cardsAsResources(userId));
    if (req.method === 'PROPPATCH') return proppatch(req, res, await book());
    if (req.method === 'REPORT') return report(req, res, userId);
    // RFC 6352 6.3.1: one address book per user, made by the app, none by clients.
    if (req.method === 'MKCOL')
      throw new DavError(403, el(DAV, 'resource-must-be-null'), 'This address book exists already; there is one per account.');
    throw notAllowed(COLLECTION_METHODS);
  });

  router.all('/addressbooks/:user/contacts/:name', async (req, res) => {
    const userId = ownerOf(req);
    const name = cardName(req.params.name as string);
    switch (req.method) {
      case 'OPTIONS':
        return options(CARD_METHODS)(req, res);
      case 'GET':
      case 'HEAD': {
        const [card] = await store.cards(userId, [name]);
        if (!card) throw notFound();
        const version = versionOf(req);
        const etag = cardEtag(card);
        // The two vCard versions are chosen by Accept (RFC 9110 12.5.5).
        res.setHeader('Vary', 'Accept');
        // RFC 9110 13.2.2: If-Match, then If-None-Match (304 for a read).
        const failed = failedPrecondition(conditionsOf(req), etag);
        if (failed === 'if-match') throw new HttpProblem('precondition_failed', 'The card changed since you read it.');
        res.setHeader('ETag', etag).setHeader('Last-Modified', new Date(card.stored.contact.updatedAt).toUTCString());
        if (failed === 'if-none-match') return res.status(304).end();
        res.status(200).type(`text/vcard; charset=utf-8${version === '4.0' ? '; version=4.0' : ''}`);
        return req.method === 'HEAD' ? res.end() : res.send(writeCard(card, version));
      }
      case 'PUT':
        return put(req, res, userId, name);
      case 'DELETE': {
        const outcome = await store.delete(userId, name, conditionsOf(req));
        if (outcome === 'not_found') throw notFound();
        if (outcome === 'precondition_failed') throw new HttpProblem('precondition_failed', 'The card changed since you read it.');
        return res.status(204).end();
      }
      case 'PROPFIND': {
        const [card] = await store.cards(userId, [name]);
        if (!card) throw notFound();
        return propfind(req, res, { kind: 'card', card }, none);
      }
      case 'PROPPATCH': {
        const [card] = await store.cards(userId, [name]);
        if (!card) throw notFound();
        return proppatch(req, res, { kind: 'card', card });
      }
      default:
        throw notAllowed(CARD_METHODS);
    }
  });

  // Anything else under /dav names nothing (not the web app's page).
  router.all('/{*rest}', () => {
    throw notFound();
  });

  /** PUT of one card (RFC 6352 6.3.2), under the preconditions of 6.3.2.1. */
  async function put(req: Request, res: Response, userId: string, name: string) {
    if (!req.is(['text/vcard', 'text/x-vcard', 'text/directory'])) {
      throw new DavError(415, el(CARDDAV, 'supported-address-data'), 'Send the card as text/vcard.');
    }
    const read = readCard(bodyText(req));
    if (!read.ok) throw new DavError(403, el(CARDDAV, 'valid-address-data'), `The card was not stored: ${read.problem}.`);
    const outcome = await store.put(userId, name, read.content, conditionsOf(req));
    if (!outcome.ok) {
      if (outcome.reason === 'precondition_failed')
        throw new HttpProblem('precondition_failed', 'The card changed since you read it, or exists already.');
      if (outcome.reason === 'contact_limit_reached') {
        // RFC 4331 section 6 (quota-not-exceeded, 507), the limit in words for the person.
        throw new DavError(
          507,
          el(DAV, 'quota-not-exceeded'),
          'The address book is full: this account has reached its contact limit (MAX_CONTACTS_PER_USER).',
        );
      }
      const paths = pathsOf(userId);
      throw new DavError(
        409,
        el(CARDDAV, 'no-uid-conflict', ...(outcome.name ? [el(DAV, 'href', paths.card(outcome.name))] : [])),
        'Another card in this address book has the same UID.',
      );
    }
    // No ETag: the card as stored is not the bytes sent (RFC 6352 6.3.2.3),
    // so the client reads it back to learn both.
    res.status(outcome.created ? 201 : 204);
    if (outcome.created) res.setHeader('Location', pathsOf(userId).card(name));
    res.end();
  }

  /** REPORT on the address book (RFC 3253 3.6): multiget, query, sync-collection. */
  async function report(req: Request, res: Response, userId: string) {
    const root = xmlBody(req, [CARDDAV, 'addressbook-multiget'], [CARDDAV, 'addressbook-query'], [DAV, 'sync-collection']);
    if (!root)
      throw new DavError(
        403,
        el(DAV, 'supported-report'),
        'A REPORT needs a body: addressbook-multiget, addressbook-query or sync-collection.',
      );
    const request = propRequestOf(root);
    const ctx = await context(req, userId, versionOf(req, child(root, DAV, 'prop')));
    const paths = ctx.paths;
    const cardResponse = (card: DavCard, href?: string) => propResponse({ kind: 'card', card }, request, ctx, href);

    if (root.localName === 'addressbook-multiget') {
      // RFC 6352 8.7: a response per href, under the href as sent; 404 for
      // those that are not cards of this book.
      const hrefs = hrefsOf(root, paths);
      if (hrefs.length > MAX_MULTIGET_HREFS)
        throw new HttpProblem('invalid_xml', `A multiget may name at most ${MAX_MULTIGET_HREFS} hrefs.`);
      return multistatus(
        res,
        (async function* () {
          for (let i = 0; i < hrefs.length; i += CARD_PAGE) {
            const page = hrefs.slice(i, i + CARD_PAGE);
            const wanted = page.flatMap(([, n]) => (n === null ? [] : [n]));
            const cards = new Map((wanted.length ? await store.cards(userId, wanted) : []).map((c) => [c.name, c]));
            for (const [h, n] of page) {
              const card = n === null ? undefined : cards.get(n);
              yield card ? cardResponse(card, h) : goneResponse(h);
            }
          }
        })(),
      );
    }

    if (root.localName === 'addressbook-query') {
      // RFC 6352 8.6: the cards that meet the filter, up to the client's limit.
      const filter = child(root, CARDDAV, 'filter');
      const limitEl = child(root, CARDDAV, 'limit');
      const limit = limitEl ? Number(textOf(child(limitEl, CARDDAV, 'nresults'))) : Infinity;
      const max = Number.isFinite(limit) && limit >= 0 ? limit : Infinity;
      return multistatus(
        res,
        (async function* () {
          let shown = 0;
          for await (const card of allCards(userId)) {
            // Filtering a card at the caps takes about 30 ms; other requests get their turn between cards.
            await turn();
            if (!matchesFilter(filter, writeCard(card, ctx.version))) continue;
            if (shown === max) {
              // 8.6.1: a truncated answer says so with 507 on the request-URI.
              yield el(
                DAV,
                'response',
                el(DAV, 'href', paths.book),
                el(DAV, 'status', 'HTTP/1.1 507 Insufficient Storage'),
                el(DAV, 'error', el(DAV, 'number-of-matches-within-limits')),
              );
              return;
            }
            shown++;
            yield cardResponse(card);
          }
        })(),
      );
    }

    // RFC 6578 3.2: sync-collection, defined for Depth: 0 only (absent is 0 for a REPORT, RFC 3253 3.6).
    if (String(req.headers.depth ?? '0').trim() !== '0') throw new HttpProblem('invalid_query', 'A sync-collection REPORT takes Depth: 0.');
    // No token: every member; a token: what changed at or after its sync point, deletions as 404s.
    const level = textOf(child(root, DAV, 'sync-level')) || '1';
    if (level !== '1' && level !== 'infinite') throw new HttpProblem('invalid_xml', 'sync-level must be 1 or infinite.');
    const token = textOf(child(root, DAV, 'sync-token'));
    if (!token) {
      // The sync point is read before the cards, never after: a change that
      // commits between the reads is then sent again next time, not lost.
      const state = await store.state(userId);
      const tokenEl = el(DAV, 'sync-token', syncToken(state.sync));
      return multistatus(
        res,
        (async function* () {
          for await (const card of allCards(userId)) yield cardResponse(card);
        })(),
        { after: () => [tokenEl] },
      );
    }
    const invalidToken = () =>
      new DavError(
        403,
        el(DAV, 'valid-sync-token'),
        'This sync token is not one this server gave, or is too old: sync again from the start.',
      );
    const since = parseSyncToken(token);
    if (since === null) throw invalidToken();
    const changes = await store.changesSince(userId, since);
    // Deletions after the token's point were pruned (more than the book keeps): it cannot be answered exactly.
    if (changes.expired) throw invalidToken();
    return multistatus(
      res,
      (async function* () {
        const present = new Set<string>();
        for await (const card of namedCards(userId, changes.changed)) {
          present.add(card.name);
          yield cardResponse(card);
        }
        // A name listed as changed but gone by the second read was deleted in between.
        for (const n of [...changes.deleted, ...changes.changed]) if (!present.has(n)) yield goneResponse(paths.card(n));
      })(),
      { after: () => [el(DAV, 'sync-token', syncToken(changes.next))] },
    );
  }

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof DavError)) return next(err);
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    res.status(err.status).type('application/xml; charset=utf-8').send(err.body());
  });
  return router;
}

/** The card name an href points at in this user's book (absolute URL or path, percent-encoded), or null. */
function nameInBook(href: string, paths: UserPaths): string | null {
  let path: string;
  try {
    path = new URL(href, 'http://dav.invalid').pathname;
  } catch {
    return null;
  }
  if (!path.startsWith(paths.book)) return null;
  try {
    const name = decodeURIComponent(path.slice(paths.book.length));
    return name && !name.includes('/') ? name : null;
  } catch {
    return null;
  }
}
