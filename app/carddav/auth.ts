import type { Request, RequestHandler } from 'express';
import { DEFAULT_LOGIN_LIMITS } from '../auth/login-limiter.ts';
import type { CounterFactory, Window } from '../auth/rate-limits.ts';
import { HttpProblem } from '../http/problem.ts';
import type { AppPasswordStore } from './app-passwords.ts';

/*
 * HTTP Basic (RFC 7617) with an app password, for /dav only. A CardDAV
 * client sends the credentials with every request of a sync, so only wrong
 * passwords are counted, with the sign-in's windows: per account and
 * address, per address, and per account. The password is checked first and
 * a right one is never refused: an app password is random (about 119 bits),
 * so no number of guesses finds one, and a limit that refused right ones
 * would let strangers lock the owner out, from anywhere (per account) or
 * from behind the same NAT (per address). Past a window a wrong one is a
 * 429 (a client stuck with an old password is told to wait); it still costs
 * one indexed lookup, so shedding a flood is the ALB's or WAF's rate rule.
 */

/** The sign-in's windows (login-limiter.ts), so the two ways in cannot drift apart. */
export const DAV_AUTH_LIMITS: Record<'pair' | 'ip' | 'account', Window> = {
  pair: DEFAULT_LOGIN_LIMITS.perAccountAndIp,
  ip: DEFAULT_LOGIN_LIMITS.perIp,
  account: DEFAULT_LOGIN_LIMITS.perAccount,
};

export interface DavAuthOptions {
  appPasswords: AppPasswordStore;
  counters: CounterFactory;
  /** Refuse credentials that came over plain HTTP (production, behind the ALB's HTTPS). */
  requireTls: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The user an app password signed in (set on /dav by davAuth). */
    davUserId?: string;
  }
}

// RFC 7617 2.1: the charset parameter says the client may send UTF-8.
const CHALLENGE = 'Basic realm="contactfolio", charset="UTF-8"';

export const davUnauthorized = (detail: string) =>
  new HttpProblem('unauthenticated', detail, { headers: { 'WWW-Authenticate': CHALLENGE } });

function basicCredentials(req: Request): { email: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1 || decoded.length > 1_100) return null;
  return { email: decoded.slice(0, colon).trim().toLowerCase(), password: decoded.slice(colon + 1) };
}

export function davAuth({ appPasswords, counters, requireTls }: DavAuthOptions): RequestHandler {
  const pair = counters('dav-auth-pair', DAV_AUTH_LIMITS.pair);
  const ip = counters('dav-auth-ip', DAV_AUTH_LIMITS.ip);
  const account = counters('dav-auth-account', DAV_AUTH_LIMITS.account);
  return async (req, _res, next) => {
    try {
      if (requireTls && !req.secure) {
        throw new HttpProblem('insecure_transport', 'CardDAV takes app passwords over HTTPS only: use the https:// address.');
      }
      const credentials = basicCredentials(req);
      if (!credentials) throw davUnauthorized('Sign in with your email and an app password (created on the account page).');
      const address = req.ip ?? 'unknown';
      const pairKey = `${credentials.email}|${address}`;
      const tooMany = (wait: number) =>
        new HttpProblem('too_many_attempts', `Too many wrong app passwords; try again in ${wait} s.`, {
          headers: { 'Retry-After': String(wait) },
        });
      // An outage is a 503, and counts nothing: no password was checked.
      const user = await appPasswords.verify(credentials.email, credentials.password);
      if (!user) {
        // Counted atomically (rate-limiter-flexible's consume): of parallel wrong ones, exactly the window's number are 401s.
        const waits = await Promise.all([pair.hit(pairKey), ip.hit(address), account.hit(credentials.email)]);
        const wait = Math.max(...waits);
        if (wait > 0) throw tooMany(wait);
        throw davUnauthorized('Wrong email or app password (an account password is not accepted here).');
      }
      req.davUserId = user.userId;
      next();
    } catch (err) {
      next(err);
    }
  };
}
