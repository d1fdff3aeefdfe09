import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/*
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device
 * Cookies"): a browser that signed in to an account gets a random id, bound
 * to that account's email by an HMAC with the session secret. The server
 * stores nothing; the login limiter treats a valid one as a known device.
 */

export const DEVICE_COOKIE = 'cf.dev';
export const DEVICE_COOKIE_MAX_AGE_MS = 180 * 24 * 60 * 60 * 1000;

export interface DeviceCookies {
  /** A new cookie value for a browser that just signed in as `email`. */
  issue(email: string): string;
  /** The device id when the request carries a valid cookie for `email`. */
  read(req: Request, email: string): string | undefined;
}

export function deviceCookies(secret: string): DeviceCookies {
  const mac = (id: string, email: string) => createHmac('sha256', secret).update(`device:${id}:${email}`).digest();
  return {
    issue(email) {
      const id = randomBytes(16).toString('base64url');
      return `${id}.${mac(id, email).toString('base64url')}`;
    },
    read(req, email) {
      // One cookie by name; a cookie parser for this alone is not worth a dependency.
      const raw = /(?:^|;\s*)cf\.dev=([\w-]{22})\.([\w-]{43})(?:;|$)/.exec(req.headers.cookie ?? '');
      if (!raw) return undefined;
      const [, id, given] = raw as unknown as [string, string, string];
      const expected = mac(id, email);
      const actual = Buffer.from(given, 'base64url');
      return actual.length === expected.length && timingSafeEqual(actual, expected) ? id : undefined;
    },
  };
}
