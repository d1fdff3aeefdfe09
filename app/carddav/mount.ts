import type { Request, RequestHandler, Response } from 'express';
import { loadOnce } from '../load-once.ts';
import type { DavRouteDeps } from './routes.ts';

/*
 * What createApp needs of CardDAV at start-up, and no more: the protocol
 * (XML, vCards, reports) loads on the first /dav request, so a Lambda cold
 * start that answers the JSON API never compiles it (about 150 KiB: xmldom,
 * the handlers).
 */

export const DAV_ROOT = '/dav';

export const isDavPath = (path: string) => path === DAV_ROOT || path.startsWith(`${DAV_ROOT}/`) || path === '/.well-known/carddav';

/** RFC 6764 section 5: /.well-known/carddav points at the context path. */
export function wellKnownCardDav(_req: Request, res: Response) {
  res.redirect(301, `${DAV_ROOT}/`);
}

/** The DAV router, built on first use. */
export function lazyDavRoutes(deps: DavRouteDeps): RequestHandler {
  const router = loadOnce(async () => (await import('./routes.ts')).davRoutes(deps));
  return (req, res, next) => {
    router().then((r) => r(req, res, next), next);
  };
}
