import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import pg from 'pg';
import { createClient } from '@redis/client';
import serverless from 'serverless-http';

// The floor for this architecture: the least a serverless-http function can
// load to answer an authenticated list (Express, express-session on Redis,
// one pg query). No validation, ORM, logging or security headers.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
const redis = createClient({ url: process.env.REDIS_URL });
const connected = redis.connect();
const app = express();
app.use(
  session({
    store: new RedisStore({ client: redis, prefix: 'cf:sess:' }),
    secret: process.env.SESSION_SECRET ?? '',
    resave: false,
    saveUninitialized: false,
    name: 'cf.sid',
  }),
);
app.get('/v1/contacts', async (req, res) => {
  await connected;
  const userId = (req.session as { userId?: string }).userId;
  if (!userId) return void res.status(401).json({ code: 'unauthenticated' });
  const { rows } = await pool.query('SELECT id, first_name, last_name FROM contacts WHERE user_id = $1 ORDER BY sort_name, id LIMIT 51', [
    userId,
  ]);
  res.json({ items: rows });
});

export const handler = serverless(app);
