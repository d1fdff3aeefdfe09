import type { Request, RequestHandler } from 'express';
import { DEFAULT_LOGIN_LIMITS } from '../auth/login-limiter.ts';
import type { CounterFactory, Window } from '../auth/rate-limits.ts';
import { HttpProblem } from '../http/problem.ts';
import type { AppPasswordStore } from './app-passwords.ts';

/*
 * HTTP Basic (RFC 7617) with an app password, for /dav only. A CardDAV
 * client sends the credentials with every request of a sync, so only
 * failures are counted, with the sign-in's windows:
 * - per account and address, and per address: an attempt is counted before
 *   the password is checked (atomically, so parallel guesses cannot all pass
 *   one check) and given back when it was right;
 * - per account: counted after a wrong password, and never applied to a right
 *   one. Guesses from many addresses must not lock the owner's phone out;
 *   an app password is random (about 119 bits), so guessing is no threat
 *   this limit would stop, only a load the per-address limits bound.
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
      const [pairWait, ipWait] = await Promise.all([pair.hit(pairKey), ip.hit(address)]);
      if (pairWait > 0 || ipWait > 0) {
        // Not an attempt: it was refused before the password was looked at.
        await Promise.all([pairWait ? undefined : pair.reward(pairKey), ipWait ? undefined : ip.reward(address)]);
        throw tooMany(Math.max(pairWait, ipWait));
      }
      const giveBack = () => Promise.allSettled([pair.reward(pairKey), ip.reward(address)]);
      // A password that could not be checked (the database is down) was no attempt either.
      const user = await appPasswords.verify(credentials.email, credentials.password).catch(async (err: unknown) => {
        await giveBack();
        throw err;
      });
      if (!user) {
        const accountWait = await account.hit(credentials.email);
        if (accountWait > 0) throw tooMany(accountWait);
        throw davUnauthorized('Wrong email or app password (an account password is not accepted here).');
      }
      await giveBack();
      req.davUserId = user.userId;
      next();
    } catch (err) {
      next(err);
    }
  };
}
