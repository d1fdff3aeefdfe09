import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { afterEach, expect, it } from 'vitest';
import { createHttpServer } from '../../app/http/node-server.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function serve(app: express.Express) {
  const server = createHttpServer(app);
  // Runs before Express: the prototypes the server gave the objects at birth.
  const born: { req?: object | null; res?: object | null } = {};
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    born.req = Object.getPrototypeOf(req);
    born.res = Object.getPrototypeOf(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () => new Promise((r) => server.close(() => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, born };
}

it('creates requests and responses with the app’s prototypes, so Express has none to swap', async () => {
  const app = express();
  app.set('trust proxy', 1);
  app.get('/things/:id', (req, res) => {
    res
      .status(201)
      .set('X-Thing', req.params.id)
      .json({ path: req.path, query: req.query, ip: req.ip, host: req.get('host'), protocol: req.protocol });
  });
  const { url, born } = await serve(app);
  const res = await fetch(`${url}/things/7?q=zoe`, { headers: { 'X-Forwarded-For': '198.51.100.7', 'X-Forwarded-Proto': 'https' } });
  expect(res.status).toBe(201);
  expect(res.headers.get('x-thing')).toBe('7');
  expect(await res.json()).toEqual({
    path: '/things/7',
    query: { q: 'zoe' },
    ip: '198.51.100.7',
    host: new URL(url).host,
    protocol: 'https',
  });
  expect(born.req).toBe(app.request);
  expect(born.res).toBe(app.response);
});
