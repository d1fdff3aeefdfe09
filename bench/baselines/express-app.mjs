// Baseline 1: a minimal hand-written Express 5 + express-session +
// connect-redis + raw pg app serving the benchmarked routes.
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { create, etag, findUser, health, importVCards, list, listening, patch, remove, toContact, verify } from './shared.mjs';

const redis = createClient({ url: process.env.REDIS_URL });
await redis.connect();
const app = express();
app.use(express.json());
app.use(
  session({
    store: new RedisStore({ client: redis, prefix: 'bench-express:' }),
    secret: process.env.SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax' },
  }),
);
const auth = (req, res, next) => (req.session.userId ? next() : res.status(401).json({ code: 'unauthenticated' }));

app.get('/health', async (_req, res) => {
  await health(redis);
  res.json({ status: 'ok' });
});
app.post('/v1/auth/login', async (req, res) => {
  const user = await findUser(req.body.email);
  if (!user || !(await verify(req.body.password, user.password_hash))) return res.status(401).json({ code: 'invalid_credentials' });
  await new Promise((r, j) => req.session.regenerate((e) => (e ? j(e) : r())));
  req.session.userId = user.id;
  res.json({ user: { id: user.id, email: user.email, name: user.name, createdAt: user.created_at.toISOString() } });
});
app.get('/v1/contacts', auth, async (req, res) => {
  res.json(await list(req.session.userId, req.query.q));
});
app.post('/v1/contacts', auth, async (req, res) => {
  const row = await create(req.session.userId, req.body);
  if (!row) return res.status(403).json({ code: 'contact_limit_reached' });
  res.status(201).location(`/v1/contacts/${row.id}`).set('ETag', etag(row)).json(toContact(row));
});
app.patch('/v1/contacts/:id', auth, async (req, res) => {
  const { status, row } = await patch(req.session.userId, req.params.id, req.body, req.get('if-match'));
  if (!row) return res.status(status).json({ code: status === 412 ? 'precondition_failed' : 'not_found' });
  res.set('ETag', etag(row)).json(toContact(row));
});
app.post('/v1/contacts/import', auth, express.text({ type: 'text/vcard', limit: '5mb' }), async (req, res) => {
  res.json(await importVCards(req.session.userId, req.body));
});
app.delete('/v1/contacts/:id', auth, async (req, res) => {
  res.status((await remove(req.session.userId, req.params.id)) ? 204 : 404).end();
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => listening(server.address().port));
