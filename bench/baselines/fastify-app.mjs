// Baseline 2: the Fastify equivalent: @fastify/session with connect-redis
// (its usual Redis store), raw pg.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { RedisStore } from 'connect-redis';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { create, etag, findUser, health, importVCards, list, listening, patch, remove, toContact, verify } from './shared.mjs';

const redis = createClient({ url: process.env.REDIS_URL });
await redis.connect();
const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySession, {
  store: new RedisStore({ client: redis, prefix: 'bench-fastify:' }),
  secret: process.env.SESSION_SECRET,
  saveUninitialized: false,
  cookie: { secure: false, httpOnly: true, sameSite: 'lax' },
});
const auth = async (req, reply) => {
  if (!req.session.get('userId')) return reply.code(401).send({ code: 'unauthenticated' });
};

app.get('/health', async () => {
  await health(redis);
  return { status: 'ok' };
});
app.post('/v1/auth/login', async (req, reply) => {
  const user = await findUser(req.body.email);
  if (!user || !(await verify(req.body.password, user.password_hash))) return reply.code(401).send({ code: 'invalid_credentials' });
  await req.session.regenerate();
  req.session.set('userId', user.id);
  return { user: { id: user.id, email: user.email, name: user.name, createdAt: user.created_at.toISOString() } };
});
app.get('/v1/contacts', { preHandler: auth }, async (req) => list(req.session.get('userId'), req.query.q));
app.post('/v1/contacts', { preHandler: auth }, async (req, reply) => {
  const row = await create(req.session.get('userId'), req.body);
  if (!row) return reply.code(403).send({ code: 'contact_limit_reached' });
  return reply.code(201).header('location', `/v1/contacts/${row.id}`).header('etag', etag(row)).send(toContact(row));
});
app.patch('/v1/contacts/:id', { preHandler: auth }, async (req, reply) => {
  const { status, row } = await patch(req.session.get('userId'), req.params.id, req.body, req.headers['if-match']);
  if (!row) return reply.code(status).send({ code: status === 412 ? 'precondition_failed' : 'not_found' });
  return reply.header('etag', etag(row)).send(toContact(row));
});
app.addContentTypeParser('text/vcard', { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));
app.post('/v1/contacts/import', { preHandler: auth }, async (req) => importVCards(req.session.get('userId'), req.body));
app.delete('/v1/contacts/:id', { preHandler: auth }, async (req, reply) =>
  reply.code((await remove(req.session.get('userId'), req.params.id)) ? 204 : 404).send(),
);

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
listening(new URL(address).port);
