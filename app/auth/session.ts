import type { Request, RequestHandler } from 'express';
import { DependencyUnavailable, HttpProblem } from '../http/problem.ts';
import type { SessionRegistry } from '../sessions/registry.ts';

declare module 'express-session' {
  interface SessionData {
    userId: string;
  }
}

export const SESSION_COOKIE = 'cf.sid';

/** The 401 for a request without a (live) session. */
export const signInFirst = () => new HttpProblem('unauthenticated', 'Sign in first.');

/** Session id of a signed-in user, or a 401. */
export const requireUser: RequestHandler = (req, _res, next) => {
  if (req.session?.userId) return next();
  next(signInFirst());
};

export function userIdOf(req: Request): string {
  const id = req.session.userId;
  if (!id) throw signInFirst();
  return id;
}

function sessionCall(fn: (cb: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(new DependencyUnavailable('sessions', { cause: err })) : resolve())));
}

/** New session id (fixation defence), then the user id stored in Redis, and the session listed under the user. */
export async function startSession(req: Request, userId: string, registry: SessionRegistry): Promise<void> {
  await sessionCall((cb) => req.session.regenerate(cb));
  req.session.userId = userId;
  await sessionCall((cb) => req.session.save(cb));
  await registry.add(userId, req.sessionID);
}

export async function endSession(req: Request, registry: SessionRegistry): Promise<void> {
  const { userId } = req.session;
  const id = req.sessionID;
  await sessionCall((cb) => req.session.destroy(cb));
  if (userId) await registry.remove(userId, id);
}
