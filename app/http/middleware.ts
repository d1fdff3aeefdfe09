import express, { type RequestHandler } from 'express';
import { HttpProblem } from './problem.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const JSON_LIMIT = '1mb';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Rejects bodies that are not valid UTF-8 instead of storing U+FFFD. */
function verifyUtf8(_req: unknown, _res: unknown, buf: Buffer): void {
  strictUtf8.decode(buf);
}

export const jsonBody = express.json({
  limit: JSON_LIMIT,
  strict: true,
  type: ['application/json', 'application/*+json'],
  verify: verifyUtf8,
});

/** The body's bytes, for a route that decides their encoding itself (imports: see contacts/text-encoding.ts). */
export function rawBody(types: string[], limit: string): RequestHandler {
  return express.raw({ type: types, limit });
}

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** 415 unless a request with a body declares one of `types`. */
export function requireContentType(types: string[]): RequestHandler {
  return (req, _res, next) => {
    if (!hasBody(req)) return next();
    if (req.is(types)) return next();
    next(
      new HttpProblem('unsupported_media_type', `Send the body as ${types.join(' or ')}.`, {
        headers: {
          'Accept-Post': types.join(', '),
        },
      }),
    );
  };
}

/**
 * CSRF defence in depth on top of SameSite=Lax: a state-changing request that
 * names an Origin must come from the app itself or an allowed origin.
 */
export function originCheck(allowed: string[]): RequestHandler {
  const allow = new Set(allowed);
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (!UNSAFE.has(req.method) || origin === undefined) return next();
    const self = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin === self || allow.has(origin)) return next();
    next(new HttpProblem('origin_not_allowed', `Requests from origin ${JSON.stringify(origin)} are not allowed.`));
  };
}
