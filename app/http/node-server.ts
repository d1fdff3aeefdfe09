import http from 'node:http';
import type { Express } from 'express';

/**
 * The Node HTTP server for an Express app, built with request and response
 * classes whose prototypes are already the app's.
 *
 * Express hands every request and response the app's prototypes with
 * Object.setPrototypeOf, once per request. V8 handles a changed prototype
 * badly: on a bare Express route it cut throughput to about a third (15,000
 * against 45,000-49,000 req/s), and 3.7 MB of the young generation survived
 * every scavenge, to be promoted and collected again by full GCs, which were
 * the stalls behind the p99 tail (expressjs/express#5998). With objects made
 * from these classes, Express's call finds the prototype already in place
 * and changes nothing. Express has no option for it: it swaps prototypes so
 * that mounted sub-apps can have their own, and this app mounts none (a
 * mounted app would still work, at the old cost).
 */
export function createHttpServer(app: Express): http.Server {
  class Request extends http.IncomingMessage {}
  Object.setPrototypeOf(Request.prototype, app.request);
  class Response extends http.ServerResponse {}
  Object.setPrototypeOf(Response.prototype, app.response);
  // The same objects Express's own request and response prototypes lead to,
  // one link further down the chain.
  app.request = Request.prototype as unknown as Express['request'];
  app.response = Response.prototype as unknown as Express['response'];
  return http.createServer({ IncomingMessage: Request, ServerResponse: Response }, app);
}
