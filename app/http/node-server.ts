import http from 'node:http';
import type { Express } from 'express';

/**
 * The Node HTTP server for an Express app, with request and response classes
 * whose prototypes are already the app's, so Express's per-request
 * setPrototypeOf changes nothing (expressjs/express#5998; docs/performance.md).
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
  const server = http.createServer({ IncomingMessage: Request, ServerResponse: Response }, app);
  // Longer than the ALB's 60 s idle timeout, so the ALB closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
