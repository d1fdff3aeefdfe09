import path from 'node:path';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { deviceCookies } from './auth/device.ts';
import type { LoginLimiter } from './auth/login-limiter.ts';
import type { Counter, CounterFactory } from './auth/rate-limits.ts';
import { appPasswordRoutes, type AppPasswordStore } from './carddav/app-passwords.ts';
import { davAuth } from './carddav/auth.ts';
import { DAV_ROOT, isDavPath, lazyDavRoutes, wellKnownCardDav } from './carddav/mount.ts';
import type { DavStore } from './carddav/store.ts';
import { authRoutes } from './auth/routes.ts';
import { SESSION_COOKIE } from './auth/session.ts';
import type { UserStore } from './auth/store.ts';
import { contactRoutes } from './contacts/routes.ts';
import type { ContactStore } from './contacts/store.ts';
import { healthCheck, livenessCheck, type HealthProbes } from './health/handlers.ts';
import { jsonBody, originCheck, requireContentType } from './http/middleware.ts';
import { DependencyUnavailable, errorHandler, notFoundHandler } from './http/problem.ts';
import { requestLog } from './http/request-log.ts';
import type { SessionRegistry } from './sessions/registry.ts';
import { limitsRoutes } from './limits/routes.ts';
import { tagRoutes } from './tags/routes.ts';

export interface AppSettings {
  /** Production: no error details in responses. */
  production: boolean;
  /** Session cookie flagged Secure (defaults to `production`). */
  secureCookies?: boolean;
  /** Origins allowed to call the API with credentials (the web app). */
  corsOrigins: string[];
  maxUsers: number;
  maxContactsPerUser: number;
  /** Proxies in front of the app (1 behind the ALB). Never `true`: that trusts any X-Forwarded-For. */
  trustProxyHops: number;
  sessionSecret: string;
  sessionMaxAgeMs?: number;
  version?: string;
  /** The web build to serve on the same origin (the quick start); absent behind CloudFront. */
  staticDir?: string;
}

/** Everything the app needs, built by an entry point (handlers/) or a test. */
export interface AppDeps {
  settings: AppSettings;
  users: UserStore;
  contacts: ContactStore;
  sessionStore: session.Store;
  /** Each user's sessions, to end them all (account deleted). */
  sessions: SessionRegistry;
  loginLimiter: LoginLimiter;
  /** Sign-ups counted per client IP. */
  signupLimiter: Counter;
  /** CardDAV: the app passwords clients sign in with, and the address books. */
  appPasswords: AppPasswordStore;
  dav: DavStore;
  /** Rate-limit counters (CardDAV's failed sign-ins). */
  counters: CounterFactory;
  health: HealthProbes;
  logger: Logger;
}

export const DEFAULT_SESSION_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The built web app: hashed assets cached for good, everything else
 * revalidated, and index.html for any other GET that wants HTML (the SPA's
 * own routes). API paths never fall through to it.
 */
function webApp(dir: string): RequestHandler {
  const files = express.static(dir, {
    index: false,
    setHeaders(res, file) {
      res.setHeader('Cache-Control', /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const index = path.join(dir, 'index.html');
  return (req, res, next) => {
    files(req, res, () => {
      const wantsPage =
        (req.method === 'GET' || req.method === 'HEAD') && !req.path.startsWith('/v1/') && req.accepts(['html', 'json']) === 'html';
      if (!wantsPage) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index, (err) => err && next());
    });
  };
}

/** Builds the Express app. Never listens, never reads process.env. */
export function createApp(deps: AppDeps): Express {
  const { settings } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', settings.trustProxyHops);
  // Express 5 parses repeated keys into arrays; the simple parser never builds nested objects.
  app.set('query parser', 'simple');
  // No automatic ETags: the API's responses are personal data marked
  // no-store (below), so no cache holds a copy to revalidate, and hashing
  // every body cost a 50-contact list about 20 us. Contacts carry their own
  // version ETags for If-Match and If-None-Match.
  app.set('etag', false);

  app.use(requestLog(deps.logger, { ignore: (url) => url === '/health' || url === '/health/live' }));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          // Only production is served over HTTPS (behind the ALB); on a laptop
          // this directive would rewrite the app's own requests to https.
          'upgrade-insecure-requests': settings.production ? [] : null,
        },
      },
      strictTransportSecurity: settings.production,
    }),
  );
  const corsHeaders = cors({
    origin: settings.corsOrigins,
    credentials: true,
    exposedHeaders: ['ETag', 'Location', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
  // Not on CardDAV: its OPTIONS is WebDAV's (RFC 4918 9.x: the DAV header),
  // not a preflight, and no browser page is meant to call it.
  app.use((req, res, next) => (isDavPath(req.path) ? next() : corsHeaders(req, res, next)));

  app.get('/health', healthCheck(deps.health));
  app.get('/health/live', livenessCheck());
  // Built on first request, not at start-up: it is a cold-start cost (Lambda) nobody may need.
  let openapi: string | undefined;
  app.get('/v1/openapi.json', async (_req, res) => {
    openapi ??= JSON.stringify((await import('./openapi/document.ts')).buildOpenApiDocument(settings.version ?? '1.0.0'));
    res.type('application/json').send(openapi);
  });

  app.use(originCheck(settings.corsOrigins));

  // CardDAV (issue 20): no cookie session, an app password on every request.
  // Before the sessions, so a phone's sync never creates or reads one.
  app.all('/.well-known/carddav', wellKnownCardDav);
  app.use(
    DAV_ROOT,
    davAuth({ appPasswords: deps.appPasswords, counters: deps.counters, requireTls: settings.production }),
    lazyDavRoutes({ store: deps.dav, users: deps.users }),
  );

  // Secure unless told otherwise outside production (plain-HTTP development).
  const secureCookies = settings.secureCookies ?? settings.production;
  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    secret: settings.sessionSecret,
    store: deps.sessionStore,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      path: '/',
      maxAge: settings.sessionMaxAgeMs ?? DEFAULT_SESSION_MAX_AGE_MS,
    },
  });
  const sessions: RequestHandler = (req, res, next) => {
    // Contacts are personal data: no browser or proxy keeps a copy on disk
    // (a shared computer after sign-out), whatever the response.
    res.setHeader('Cache-Control', 'no-store');
    // A store that cannot be read is an outage (503), not a server error.
    sessionMiddleware(req, res, (err?: unknown) => next(err ? new DependencyUnavailable('sessions', { cause: err }) : undefined));
  };
  app.use('/v1', sessions);

  app.use(
    '/v1/auth',
    requireContentType(['application/json']),
    jsonBody,
    authRoutes({
      users: deps.users,
      loginLimiter: deps.loginLimiter,
      signupLimiter: deps.signupLimiter,
      sessions: deps.sessions,
      appPasswords: deps.appPasswords,
      devices: deviceCookies(settings.sessionSecret),
      maxUsers: settings.maxUsers,
      cookie: { secure: secureCookies, sameSite: 'lax' },
    }),
  );
  app.use(
    '/v1/limits',
    limitsRoutes({
      users: deps.users,
      contacts: deps.contacts,
      maxUsers: settings.maxUsers,
      maxContactsPerUser: settings.maxContactsPerUser,
    }),
  );
  app.use('/v1/contacts', contactRoutes({ contacts: deps.contacts, maxContactsPerUser: settings.maxContactsPerUser }));
  app.use('/v1/tags', tagRoutes({ contacts: deps.contacts }));
  app.use('/v1/app-passwords', requireContentType(['application/json']), jsonBody, appPasswordRoutes(deps.appPasswords));

  if (settings.staticDir) app.use(webApp(settings.staticDir));

  app.use(notFoundHandler);
  app.use(errorHandler({ exposeStack: !settings.production, logger: deps.logger }));
  return app;
}
