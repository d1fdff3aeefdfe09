import { Router } from 'express';
import { HttpProblem } from '../http/problem.ts';
import { parseBody } from '../http/validate.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { loginSchema, signupSchema } from './schemas.ts';
import { endSession, requireUser, SESSION_COOKIE, startSession, userIdOf } from './session.ts';
import type { UserStore } from './store.ts';

export interface AuthRouteDeps {
  users: UserStore;
  loginLimiter: LoginLimiter;
  maxUsers: number;
  cookie: { secure: boolean; sameSite: 'lax' };
}

export function authRoutes({ users, loginLimiter, maxUsers, cookie }: AuthRouteDeps): Router {
  const router = Router();

  router.post('/signup', async (req, res) => {
    const input = parseBody(signupSchema, req.body);
    const passwordHash = await hashPassword(input.password);
    const outcome = await users.createWithinLimit({ email: input.email, name: input.name, passwordHash }, maxUsers);
    if (!outcome.ok) {
      if (outcome.reason === 'email_taken') {
        throw new HttpProblem(409, 'email_taken', 'An account with this email already exists.', [
          { path: 'email', message: 'is already registered' },
        ]);
      }
      throw new HttpProblem(403, 'user_limit_reached', `This deployment is full (${maxUsers} users).`);
    }
    await startSession(req, outcome.user.id);
    res.status(201).json({ user: outcome.user });
  });

  router.post('/login', async (req, res) => {
    const input = parseBody(loginSchema, req.body);
    const ip = req.ip ?? 'unknown';
    const wait = await loginLimiter.retryAfter(ip, input.email);
    if (wait > 0) {
      throw new HttpProblem(429, 'too_many_attempts', `Too many failed logins; try again in ${wait} s.`, undefined, {
        'Retry-After': String(wait),
      });
    }
    const found = await users.findByEmail(input.email);
    const valid = await verifyPassword(input.password, found?.passwordHash ?? (await dummyPasswordHash()));
    if (!found || !valid) {
      await loginLimiter.recordFailure(ip, input.email);
      throw new HttpProblem(401, 'invalid_credentials', 'Wrong email or password.');
    }
    await loginLimiter.recordSuccess(ip, input.email);
    await startSession(req, found.user.id);
    res.json({ user: found.user });
  });

  router.post('/logout', async (req, res) => {
    if (req.session?.userId) await endSession(req);
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: cookie.secure, sameSite: cookie.sameSite });
    res.status(204).end();
  });

  router.get('/me', requireUser, async (req, res) => {
    const user = await users.findById(userIdOf(req));
    if (!user) {
      // The account is gone (deleted by an operator): drop the stale session.
      await endSession(req);
      throw new HttpProblem(401, 'unauthenticated', 'Sign in first.');
    }
    res.json({ user });
  });

  // Not in the contract's first version: lets people (and the smoke test)
  // leave, freeing their place under MAX_USERS.
  router.delete('/me', requireUser, async (req, res) => {
    await users.delete(userIdOf(req));
    await endSession(req);
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: cookie.secure, sameSite: cookie.sameSite });
    res.status(204).end();
  });

  return router;
}
