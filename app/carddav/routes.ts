import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Element } from '@xmldom/xmldom';
import type { UserStore } from '../auth/store.ts';
import { HttpProblem } from '../http/problem.ts';
import { cardEtag, readCard, writeCard, type CardVersion } from './cards.ts';
import { DavError } from './dav-error.ts';
import { goneResponse, propRequestOf, propResponse, type PropRequest } from './multistatus.ts';
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
import type { Conditions, DavCard, DavStore } from './store.ts';
import { CARDDAV, child, children, DAV, el, parseXml, textOf, writeXml, type XmlNode } from './xml.ts';

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

/** The XML body's root element, checked against what the method takes; absent when the body is empty. */
function xmlBody(req: Request, ...accepted: [string, string][]): Element | undefined {
  const text = typeof req.body === 'string' ? req.body : '';
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

/** If-Match and If-None-Match (RFC 9110 13.1.1-2) as our card versions. */
function conditionsOf(req: Request): Conditions {
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  const versions = (h: string) => (h.trim() === '*' ? ('*' as const) : [...h.matchAll(/"v(\d{1,9})"/g)].map((m) => Number(m[1])));
  return {
    ...(ifMatch ? { ifMatch: versions(ifMatch) } : {}),
    ...(ifNoneMatch?.trim() === '*' ? { ifNoneMatch: true } : {}),
  };
}

/** A card's name from a URL path segment: one segment, storable, not "." or "..". */
function cardName(raw: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a name may not hold
  if (!raw || raw.length > 255 || raw === '.' || raw === '..' || /[/\\\u0000-\u001f\u007f]/.test(raw)) throw notFound();
  return raw;
}

function multistatus(res: Response, responses: XmlNode[], extra: XmlNode[] = []) {
  res
    .status(207)
    .type('application/xml; charset=utf-8')
    .send(writeXml({ ns: DAV, name: 'multistatus', children: [...responses, ...extra] }));
}

export function davRoutes({ store, users }: DavRouteDeps): Router {
  const router = Router({ mergeParams: true });
  router.use((_req, res, next) => {
    res.setHeader('DAV', DAV_HEADER);
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(express.text({ type: () => true, limit: REQUEST_LIMIT }));

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

  /** Answers PROPFIND for `self` and, by depth, its members (RFC 4918 9.1). */
  const propfind = async (req: Request, res: Response, self: Resource, members: () => Promise<Resource[]>) => {
    const root = xmlBody(req, [DAV, 'propfind']);
    const request: PropRequest = propRequestOf(root);
    const prop = root ? child(root, DAV, 'prop') : undefined;
    const ctx = await context(req, req.davUserId!, versionOf(req, prop));
    const depth = depthOf(req);
    const all = depth === 0 ? [self] : [self, ...(await members())];
    multistatus(
      res,
      all.map((r) => propResponse(r, request, ctx)),
    );
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
    multistatus(res, [
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
    await propfind(req, res, { kind: 'root' }, async () => [{ kind: 'principal' }]);
  });

  router.all('/principals/:user/', async (req, res) => {
    ownerOf(req);
    if (req.method === 'OPTIONS') return options('OPTIONS, PROPFIND')(req, res);
    if (req.method !== 'PROPFIND') throw notAllowed('OPTIONS, PROPFIND');
    await propfind(req, res, { kind: 'principal' }, async () => []);
  });

  router.all('/addressbooks/:user/', async (req, res) => {
    const userId = ownerOf(req);
    if (req.method === 'OPTIONS') return options(COLLECTION_METHODS)(req, res);
    if (req.method === 'PROPPATCH') return proppatch(req, res, { kind: 'home' });
    if (req.method !== 'PROPFIND') throw notAllowed('OPTIONS, PROPFIND, PROPPATCH');
    await propfind(req, res, { kind: 'home' }, async () => {
      const book: Resource = { kind: 'book', state: await store.state(userId) };
      if (depthOf(req) === 1) return [book];
      return [book, ...(await store.cards(userId)).map((card): Resource => ({ kind: 'card', card }))];
    });
  });

  router.all('/addressbooks/:user/contacts/', async (req, res) => {
    const userId = ownerOf(req);
    if (req.method === 'OPTIONS') return options(COLLECTION_METHODS)(req, res);
    const book = async (): Promise<Resource> => ({ kind: 'book', state: await store.state(userId) });
    if (req.method === 'PROPFIND') {
      return propfind(req, res, await book(), async () => (await store.cards(userId)).map((card) => ({ kind: 'card', card })));
    }
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
        res
          .status(200)
          .setHeader('ETag', cardEtag(card))
          .setHeader('Last-Modified', new Date(card.stored.contact.updatedAt).toUTCString())
          .type(`text/vcard; charset=utf-8${version === '4.0' ? '; version=4.0' : ''}`);
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
        return propfind(req, res, { kind: 'card', card }, async () => []);
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

  /** PUT of one card (RFC 6352 6.3.2), under the preconditions of 6.3.2.1. */
  async function put(req: Request, res: Response, userId: string, name: string) {
    if (!req.is(['text/vcard', 'text/x-vcard', 'text/directory'])) {
      throw new DavError(415, el(CARDDAV, 'supported-address-data'), 'Send the card as text/vcard.');
    }
    const read = readCard(typeof req.body === 'string' ? req.body : '');
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
    const cardResponse = (card: DavCard) => propResponse({ kind: 'card', card }, request, ctx);

    if (root.localName === 'addressbook-multiget') {
      // RFC 6352 8.7: a response per href, 404 for those that are not cards of this book.
      const hrefs = children(root)
        .filter((c) => c.namespaceURI === DAV && c.localName === 'href')
        .map(textOf);
      if (hrefs.length > MAX_MULTIGET_HREFS)
        throw new HttpProblem('invalid_xml', `A multiget may name at most ${MAX_MULTIGET_HREFS} hrefs.`);
      const names = new Map(hrefs.map((h) => [h, nameInBook(h, paths)]));
      const wanted = [...new Set([...names.values()].filter((n): n is string => n !== null))];
      const cards = new Map((wanted.length ? await store.cards(userId, wanted) : []).map((c) => [c.name, c]));
      return multistatus(
        res,
        hrefs.map((h) => {
          const card = cards.get(names.get(h) ?? '');
          return card ? cardResponse(card) : goneResponse(h);
        }),
      );
    }

    if (root.localName === 'addressbook-query') {
      // RFC 6352 8.6: the cards that meet the filter, up to the client's limit.
      const filter = child(root, CARDDAV, 'filter');
      const limitEl = child(root, CARDDAV, 'limit');
      const limit = limitEl ? Number(textOf(child(limitEl, CARDDAV, 'nresults'))) : Infinity;
      const matched = (await store.cards(userId)).filter((card) => matchesFilter(filter, writeCard(card, ctx.version)));
      const shown = Number.isFinite(limit) && limit >= 0 ? matched.slice(0, limit) : matched;
      // 8.6.1: a truncated answer says so with 507 on the request-URI.
      const truncated =
        shown.length < matched.length
          ? [
              el(
                DAV,
                'response',
                el(DAV, 'href', paths.book),
                el(DAV, 'status', 'HTTP/1.1 507 Insufficient Storage'),
                el(DAV, 'error', el(DAV, 'number-of-matches-within-limits')),
              ),
            ]
          : [];
      return multistatus(res, [...shown.map(cardResponse), ...truncated]);
    }

    // RFC 6578 3.2: sync-collection. No token: every member; a token: what
    // changed at or after its sync point, deletions as 404s.
    const level = textOf(child(root, DAV, 'sync-level')) || '1';
    if (level !== '1' && level !== 'infinite') throw new HttpProblem('invalid_xml', 'sync-level must be 1 or infinite.');
    const token = textOf(child(root, DAV, 'sync-token'));
    if (!token) {
      // The sync point is read before the cards, never after: a change that
      // commits between the two reads is then sent again next time, not lost.
      const state = await store.state(userId);
      const cards = await store.cards(userId);
      return multistatus(res, cards.map(cardResponse), [el(DAV, 'sync-token', syncToken(state.xmin))]);
    }
    const xmin = parseSyncToken(token);
    if (xmin === null) {
      throw new DavError(
        403,
        el(DAV, 'valid-sync-token'),
        'This sync token is not one this server gave, or is too old: sync again from the start.',
      );
    }
    const changes = await store.changesSince(userId, xmin);
    const cards = changes.changed.length ? await store.cards(userId, changes.changed) : [];
    const present = new Set(cards.map((c) => c.name));
    return multistatus(
      res,
      [
        ...cards.map(cardResponse),
        // A name listed as changed but gone by the second read was deleted in between.
        ...[...changes.deleted, ...changes.changed].filter((n) => !present.has(n)).map((n) => goneResponse(paths.card(n))),
      ],
      [el(DAV, 'sync-token', syncToken(changes.xmin))],
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
