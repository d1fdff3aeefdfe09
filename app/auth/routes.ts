import { Router, type CookieOptions, type Request, type Response } from 'express';
import { HttpProblem } from '../http/problem.ts';
import { parseBody } from '../http/validate.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_MS, type DeviceCookies } from './device.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import type { Counter } from './rate-limits.ts';
import { loginSchema, passwordChangeSchema, profileSchema, signupSchema } from './schemas.ts';
import { endSession, requireUser, SESSION_COOKIE, signInFirst, startSession, userIdOf } from './session.ts';
import type { UserStore } from './store.ts';

export interface AuthRouteDeps {
  users: UserStore;
  loginLimiter: LoginLimiter;
  /** Sign-ups counted per client IP. */
  signupLimiter: Counter;
  sessions: SessionRegistry;
  /** Ended with the sessions: a device that syncs is signed in too. */
  appPasswords: { revokeAll(userId: string): Promise<number> };
  devices: DeviceCookies;
  maxUsers: number;
  cookie: { secure: boolean; sameSite: 'lax' };
}

const tooMany = (wait: number, what: string) =>
  new HttpProblem('too_many_attempts', `Too many ${what}; try again in ${wait} s.`, { headers: { 'Retry-After': String(wait) } });

export function authRoutes({
  users,
  loginLimiter,
  signupLimiter,
  sessions,
  appPasswords,
  devices,
  maxUsers,
  cookie,
}: AuthRouteDeps): Router {
  const router = Router();
  const deviceCookie: CookieOptions = {
    httpOnly: true,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    path: '/v1/auth',
    maxAge: DEVICE_COOKIE_MAX_AGE_MS,
  };
  const full = () => new HttpProblem('user_limit_reached', `This deployment is full (${maxUsers} users).`);
  const clientIp = (req: Request) => req.ip ?? 'unknown';
  // The options the session cookie was set with (create-app.ts), or the browser keeps it.
  const clearSessionCookie = (res: Response) =>
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: cookie.secure, sameSite: cookie.sameSite });
  // Set before the session middleware adds its cookie, so where only one
  // Set-Cookie survives (an ALB without multi-value headers in front of the
  // Lambda variant) it is the session's.
  // Like express-session, no Secure cookie over plain HTTP (behind a proxy
  // that does not say X-Forwarded-Proto: https, the browser would drop it).
  const rememberDevice = (req: Request, res: Response, email: string) => {
    if (!deviceCookie.secure || req.secure) res.cookie(DEVICE_COOKIE, devices.issue(email), deviceCookie);
  };

  router.post('/signup', async (req, res) => {
    const input = parseBody(signupSchema, req.body);
    const wait = await signupLimiter.hit(clientIp(req));
    if (wait > 0) throw tooMany(wait, 'sign-ups from this address');
    // Cheap refusal before the expensive hash; the transaction checks again.
    if ((await users.count()) >= maxUsers) throw full();
    const passwordHash = await hashPassword(input.password);
    // The session is stored inside the signup transaction: if Redis cannot
    // take it, no account is left behind to answer the retry with 409.
    const outcome = await users
      .createWithinLimit({ email: input.email, name: input.name, passwordHash }, maxUsers, (user) => startSession(req, user.id, sessions))
      .catch(async (err: unknown) => {
        // No account, so no session either: one stored before the failure
        // (the commit failed) is dropped, and the answer sets no cookie.
        if (req.session?.userId) await endSession(req, sessions).catch(() => undefined);
        throw err;
      });
    if (!outcome.ok) {
      if (outcome.reason === 'email_taken') {
        throw new HttpProblem('email_taken', 'An account with this email already exists.', {
          errors: [{ path: 'email', message: 'is already registered' }],
        });
      }
      throw full();
    }
    rememberDevice(req, res, input.email);
    res.status(201).json({ user: outcome.user });
  });

  router.post('/login', async (req, res) => {
    const input = parseBody(loginSchema, req.body);
    const attempt = { ip: clientIp(req), email: input.email, device: devices.read(req, input.email) };
    // Counted before the password is checked (see login-limiter.ts).
    const wait = await loginLimiter.attempt(attempt);
    if (wait > 0) throw tooMany(wait, 'failed logins');
    const found = await users.findByEmail(input.email);
    const valid = await verifyPassword(input.password, found?.passwordHash ?? (await dummyPasswordHash()));
    if (!found || !valid) throw new HttpProblem('invalid_credentials', 'Wrong email or password.');
    await loginLimiter.succeeded(attempt);
    await startSession(req, found.user.id, sessions);
    rememberDevice(req, res, input.email);
    res.json({ user: found.user });
  });

  router.post('/logout', async (req, res) => {
    if (req.session?.userId) await endSession(req, sessions);
    clearSessionCookie(res);
    res.status(204).end();
  });

  // The account is gone (deleted by an operator or another session): drop the stale session.
  const accountGone = async (req: Request) => {
    await endSession(req, sessions);
    return signInFirst();
  };

  router.get('/me', requireUser, async (req, res) => {
    const user = await users.findById(userIdOf(req));
    if (!user) throw await accountGone(req);
    res.json({ user });
  });

  router.patch('/me', requireUser, async (req, res) => {
    const input = parseBody(profileSchema, req.body);
    const user = await users.update(userIdOf(req), { name: input.name });
    if (!user) throw await accountGone(req);
    res.json({ user });
  });

  // Changing the password checks the current one (a session left open on a
  // shared computer must not be enough), counted like a sign-in so it cannot
  // be guessed here instead, and ends every other session of the account
  // (OWASP Session Management Cheat Sheet: renew on privilege change) and
  // every app password: one made with a stolen password or session must not outlive it.
  router.post('/password', requireUser, async (req, res) => {
    const input = parseBody(passwordChangeSchema, req.body);
    const found = await users.findWithHashById(userIdOf(req));
    if (!found) throw await accountGone(req);
    const attempt = { ip: clientIp(req), email: found.user.email, device: devices.read(req, found.user.email) };
    const wait = await loginLimiter.attempt(attempt);
    if (wait > 0) throw tooMany(wait, 'wrong passwords');
    if (!(await verifyPassword(input.currentPassword, found.passwordHash))) {
      throw new HttpProblem('wrong_password', 'The current password is not right.', {
        errors: [{ path: 'currentPassword', message: 'is not your current password' }],
      });
    }
    await loginLimiter.succeeded(attempt);
    const passwordHash = await hashPassword(input.newPassword);
    // Sessions first: if the store cannot end them (503), the password stays as it was, rather than
    // changed with a stolen session still alive.
    await sessions.endAll(found.user.id);
    await appPasswords.revokeAll(found.user.id);
    const user = await users.update(found.user.id, { passwordHash });
    if (!user) throw signInFirst();
    // This browser stays signed in, under a new session id.
    await startSession(req, user.id, sessions);
    res.json({ user });
  });

  // Signs out every browser and device of the account, this one included:
  // the phones and mail apps that sync with an app password too.
  router.post('/logout-all', requireUser, async (req, res) => {
    await sessions.endAll(userIdOf(req));
    await appPasswords.revokeAll(userIdOf(req));
    await endSession(req, sessions);
    clearSessionCookie(res);
    res.status(204).end();
  });

  // Not in the contract's first version: lets people (and the smoke test)
  // leave, freeing their place under MAX_USERS. Every session of the account
  // ends, not only this one.
  router.delete('/me', requireUser, async (req, res) => {
    const userId = userIdOf(req);
    await users.delete(userId);
    await sessions.endAll(userId);
    await endSession(req, sessions);
    clearSessionCookie(res);
    res.clearCookie(DEVICE_COOKIE, { ...deviceCookie, maxAge: undefined });
    res.status(204).end();
  });

  return router;
}
