import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id: the caller's X-Request-Id when well formed, else a new UUID. */
    id?: string;
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * One log line per finished request: id, method, URL, status and duration,
 * never headers (so never cookies). Written here rather than by pino-http, and
 * without redaction (nothing here is secret): see docs/performance.md.
 */
export function requestLog(logger: Logger, opts: { ignore?: (path: string) => boolean } = {}): RequestHandler {
  const lines = logger.child({}, { redact: { paths: [] } });
  return (req, res, next) => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (!opts.ignore?.(req.url)) {
      // One line, on 'finish' (the response was handed over), or on 'close'
      // without it (the client went away first). serverless-http's response
      // emits 'finish' but never sets writableFinished, so every Lambda line
      // read 499 "request aborted" when the status came from that flag.
      let logged = false;
      const log = (finished: boolean) => {
        if (logged) return;
        logged = true;
        const status = finished ? res.statusCode : 499;
        const line = {
          reqId: id,
          req: { method: req.method, url: req.originalUrl },
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - started),
        };
        if (status >= 500) lines.error(line, 'request errored');
        else lines.info(line, finished ? 'request completed' : 'request aborted');
      };
      res.once('finish', () => log(true));
      res.once('close', () => log(res.writableFinished));
    }
    next();
  };
}
